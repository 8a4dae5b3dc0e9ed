"""affair_coverage: for every regional government and every affair, whether it has an active
innovation there, its own or one it replicated.

Regional governments are the `agencies` of type provinsi, kabupaten and kota; affairs are the
lexicon's (`affairs.AFFAIRS`). An innovation counts while it is active: its status is not
`berhenti` (no status reported counts as active, as for similar innovations). Its affair is
decided in `innovation_affairs` (a side table, see `affairs.py`). What counts for which cell is
kept in `affair_coverage_links` (agency, affair, innovation, `own` or `replicated`), so a
submission run recomputes only the agencies whose links its innovations add or drop.

Columns: agency_id, affair, covered, innovations (distinct active innovations, own or
replicated), own_innovations, replicated_innovations, agency_type, province_code.
"""

from __future__ import annotations

import pandas as pd

from ..incremental import Built, IncrementalTable, Run
from ..vocab import STOPPED
from .affairs import AFFAIR_COLUMNS, AFFAIRS, decide_affairs, iga_records_of
from .innovation_replications import TABLE as REPLICATIONS

TABLE = "affair_coverage"
AFFAIRS_TABLE = "innovation_affairs"
LINKS = "affair_coverage_links"
REGION_TYPES = ("provinsi", "kabupaten", "kota")
COVERAGE_COLUMNS = [
    "agency_id",
    "affair",
    "covered",
    "innovations",
    "own_innovations",
    "replicated_innovations",
    "agency_type",
    "province_code",
]
LINK_COLUMNS = ["agency_id", "affair", "innovation_id", "link"]


def active(status: pd.Series) -> pd.Series:
    return status.fillna("").astype(str) != STOPPED


def coverage_links(
    innovations: pd.DataFrame, affairs: pd.DataFrame, replications: pd.DataFrame
) -> pd.DataFrame:
    """What counts for coverage: each active innovation with an affair, for its owner (`own`) and
    for every agency that replicated it (`replicated`)."""
    df = innovations[["innovation_id", "agency_id", "status"]].merge(
        affairs[["innovation_id", "affair"]], on="innovation_id"
    )
    df = df[active(df["status"]) & df["affair"].notna()]
    own = df[["agency_id", "affair", "innovation_id"]].assign(link="own")
    rep = replications[["innovation_id", "replicating_agency_id"]].merge(
        df[["innovation_id", "affair", "agency_id"]], on="innovation_id"
    )
    rep = rep[rep["replicating_agency_id"] != rep["agency_id"]]
    rep = rep.rename(columns={"agency_id": "_owner", "replicating_agency_id": "agency_id"})
    rep = rep[["agency_id", "affair", "innovation_id"]].assign(link="replicated")
    out = pd.concat([own, rep], ignore_index=True).drop_duplicates(
        ["agency_id", "affair", "innovation_id"]
    )
    return out[LINK_COLUMNS].sort_values(LINK_COLUMNS[:3]).reset_index(drop=True)


def build_coverage(regions: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Every region (agency_id, agency_type, province_code) x every affair, counted from links."""
    regions = regions[regions["agency_type"].isin(REGION_TYPES)]
    grid = regions[["agency_id", "agency_type", "province_code"]].merge(
        pd.DataFrame({"affair": list(AFFAIRS)}), how="cross"
    )
    links = links[links["agency_id"].isin(set(regions["agency_id"]))]
    counts = (
        links.assign(own=links["link"] == "own", replicated=links["link"] == "replicated")
        .groupby(["agency_id", "affair"])
        .agg(
            innovations=("innovation_id", "nunique"),
            own_innovations=("own", "sum"),
            replicated_innovations=("replicated", "sum"),
        )
        .reset_index()
    )
    out = grid.merge(counts, on=["agency_id", "affair"], how="left")
    for c in ("innovations", "own_innovations", "replicated_innovations"):
        out[c] = out[c].fillna(0).astype("int64")
    out["covered"] = out["innovations"] > 0
    return out[COVERAGE_COLUMNS].sort_values(["agency_id", "affair"]).reset_index(drop=True)


_INNOVATIONS = '"innovation_id", "agency_id", "status", "title", "summary", "category"'
_REGIONS = "SELECT agency_id, agency_type, province_code FROM agencies WHERE agency_type IN ({})"


def _regions(tx, agencies: set[str] | None = None) -> pd.DataFrame:
    sql = _REGIONS.format(", ".join(f"'{t}'" for t in REGION_TYPES))
    df = tx.query(sql)
    return df if agencies is None else df[df["agency_id"].isin(agencies)]


def _built(run: Run, redone: int, touched_affairs: int | None = None) -> Built:
    rows = int(run.tx.scalar(f'SELECT COUNT(*) FROM "{TABLE}"'))
    meta = {"agencies_recomputed": redone}
    return Built(redone, metadata=meta, result=rows)


def _all(run: Run) -> Built:
    tx = run.tx
    innovations = tx.query(f"SELECT {_INNOVATIONS} FROM harmonized_innovations")
    affairs = decide_affairs(innovations, iga_records_of(tx))
    replications = tx.query(f'SELECT innovation_id, replicating_agency_id FROM "{REPLICATIONS}"')
    links = coverage_links(innovations, affairs, replications)
    regions = _regions(tx)
    tx.replace_table(AFFAIRS_TABLE, affairs[AFFAIR_COLUMNS], primary_key=["innovation_id"])
    tx.replace_table(LINKS, links)
    tx.replace_table(TABLE, build_coverage(regions, links), primary_key=["agency_id", "affair"])
    return _built(run, len(regions))


def _changed(run: Run, changed: set[str]) -> Built:
    tx = run.tx
    innovations = tx.rows_where_in("harmonized_innovations", "innovation_id", changed, _INNOVATIONS)
    affairs = decide_affairs(innovations, iga_records_of(tx, changed))
    reps = tx.rows_where_in(REPLICATIONS, "innovation_id", changed)
    new = coverage_links(innovations, affairs, reps)
    old = tx.rows_where_in(LINKS, "innovation_id", changed)
    agencies = set(old["agency_id"]) | set(new["agency_id"])
    tx.replace_keys(AFFAIRS_TABLE, "innovation_id", changed, affairs[AFFAIR_COLUMNS])
    tx.replace_keys(LINKS, "innovation_id", changed, new)
    regions = _regions(tx, agencies)
    if len(regions):
        links = tx.rows_where_in(LINKS, "agency_id", set(regions["agency_id"]))
        tx.replace_keys(
            TABLE, "agency_id", set(regions["agency_id"]), build_coverage(regions, links)
        )
    return _built(run, len(regions))


AFFAIR_COVERAGE = IncrementalTable(TABLE, _all, _changed, upstream=REPLICATIONS)
