"""replication_opportunities: for each regional government without an active innovation in an
affair, up to five proven innovations of other regional governments to replicate.

Candidates: active innovations (status not `berhenti`) of a regional government (provinsi,
kabupaten, kota: the agencies a replication programme pairs), with an affair. Score, in integer
points (score = points / 100, so ranking is exact):

- readiness, 100: active, complete and updated (update_status `updated`: an accepted submission
  in the campaign and every required field filled). It outranks everything below together (90).
- award level, 10 per level (max 30): 3 Top 5 OAPSI (Outstanding Achievement), 2 a KIPP top tier
  (Top 9/25/35/40/45), 1 Top 99 (the round before), 0 none.
- replicated already, 6 per agency listed in innovation_replications, at most 5 (max 30).
- comparability of the source agency with the agency the suggestion is for, the only part that
  depends on it: 15 if it lies in the same province (province_code), 15 if it is of the same type
  (both kabupaten, both kota, both provinsi).
Ties: innovation_id. Reason: the parts that apply, in Indonesian, e.g. "aktif, lengkap dan
diperbarui; Top 45 KIPP; sudah direplikasi 3 instansi; satu provinsi; sesama kabupaten".

National scale without a cross join: an uncovered cell has no active innovation of its own in
the affair (it would be covered), so every candidate belongs to another agency, and a candidate
is among a cell's best five only if it is among the five best by intrinsic points (all but
comparability) of its comparability group. So the candidates of a cell are the union of the top
five of (affair), (affair, province), (affair, type) and (affair, province, type): at most 20,
scored and cut to five.

`replication_candidates` (a side table) keeps every innovation's affair as last used, with the
intrinsic points of the candidates; a submission run redoes the cells of the affairs its
innovations had or have now (their points, and the coverage that changed, lie only there).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..incremental import Built, IncrementalTable, Run
from .affair_coverage import AFFAIRS_TABLE, REGION_TYPES, active
from .affair_coverage import TABLE as COVERAGE
from .innovation_replications import COUNTS

TABLE = "replication_opportunities"
CANDIDATES = "replication_candidates"
TOP_K = 5
READY, AWARD_STEP, REPLICATED_STEP, REPLICATED_CAP, SAME_PROVINCE, SAME_TYPE = 100, 10, 6, 5, 15, 15
OPPORTUNITY_COLUMNS = [
    "agency_id",
    "affair",
    "innovation_id",
    "rank",
    "score",
    "reason",
    "source_agency_id",
    "same_province",
    "same_type",
]
CANDIDATE_COLUMNS = [
    "innovation_id",
    "affair",
    "candidate",
    "agency_id",
    "agency_type",
    "province_code",
    "points",
    "ready",
    "award",
    "replicated",
]
TYPE_WORD = {"provinsi": "provinsi", "kabupaten": "kabupaten", "kota": "kota"}
_AWARD = re.compile(r"(Top\s*\d+(?:\s*OAPSI)?)\s*/\s*(\d{4})", re.IGNORECASE)


def award_level(label: str) -> int:
    text = label.upper()
    if "OAPSI" in text:
        return 3
    if re.search(r"\b99\b", text):
        return 1
    return 2


def best_award(awards: object) -> tuple[int, str | None]:
    """(level, label shown) of the highest award in harmonized `awards` ('Top 45/2019; Top 99/2018'):
    the highest level, then the latest year."""
    if not isinstance(awards, str) or not awards.strip():
        return 0, None
    found = [
        (award_level(m.group(1)), int(m.group(2)), m.group(1)) for m in _AWARD.finditer(awards)
    ]
    if not found:
        return 0, None
    level, _year, label = max(found)
    return level, f"{' '.join(label.split())} KIPP"


def build_candidates(
    innovations: pd.DataFrame, affairs: pd.DataFrame, counts: pd.DataFrame
) -> pd.DataFrame:
    """replication_candidates: innovations (innovation_id, agency_id, agency_type, province_code,
    status, update_status, awards) with their affair (innovation_affairs) and listed replications
    (innovation_replication_counts); `candidate` marks who may be suggested."""
    df = innovations.merge(affairs[["innovation_id", "affair"]], on="innovation_id")
    df = df[df["affair"].notna()].reset_index(drop=True)
    listed = counts.set_index("innovation_id")["replication_count_listed"]
    replicated = df["innovation_id"].map(listed).fillna(0).astype("int64")
    award = [best_award(a) for a in df["awards"]]
    ready = (df["update_status"] == "updated").to_numpy()
    level = np.array([a[0] for a in award], dtype=np.int64)
    points = (
        np.where(ready, READY, 0)
        + AWARD_STEP * level
        + REPLICATED_STEP * np.minimum(replicated.to_numpy(), REPLICATED_CAP)
    )
    out = pd.DataFrame(
        {
            "innovation_id": df["innovation_id"],
            "affair": df["affair"],
            "candidate": (active(df["status"]) & df["agency_type"].isin(REGION_TYPES)).to_numpy(),
            "agency_id": df["agency_id"],
            "agency_type": df["agency_type"],
            "province_code": df["province_code"],
            "points": points.astype("int64"),
            "ready": ready,
            "award": [a[1] for a in award],
            "replicated": replicated.to_numpy(),
        }
    )
    return out[CANDIDATE_COLUMNS].sort_values("innovation_id").reset_index(drop=True)


def _top(cands: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return cands.groupby(keys, sort=False).head(TOP_K)


def build_opportunities(cells: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Up to TOP_K suggestions per uncovered cell (agency_id, affair, agency_type, province_code)."""
    cands = candidates[candidates["candidate"].astype(bool)]
    cands = cands.sort_values(
        ["points", "innovation_id"], ascending=[False, True], kind="mergesort"
    )
    cands = cands.rename(
        columns={
            "agency_id": "source_agency_id",
            "agency_type": "source_type",
            "province_code": "source_province",
        }
    )
    cells = cells[["agency_id", "affair", "agency_type", "province_code"]]
    pools = []
    for keys in (
        [],
        ["source_province"],
        ["source_type"],
        ["source_province", "source_type"],
    ):
        top = _top(cands, ["affair", *keys])
        on = {"source_province": "province_code", "source_type": "agency_type"}
        pools.append(
            cells.merge(top, left_on=["affair", *[on[k] for k in keys]], right_on=["affair", *keys])
        )
    df = pd.concat(pools, ignore_index=True).drop_duplicates(
        ["agency_id", "affair", "innovation_id"]
    )
    df = df[df["source_agency_id"] != df["agency_id"]]
    same_province = (df["source_province"] == df["province_code"]).fillna(False).astype(bool)
    same_type = (df["source_type"] == df["agency_type"]).fillna(False).astype(bool)
    df = df.assign(
        total=df["points"] + SAME_PROVINCE * same_province + SAME_TYPE * same_type,
        same_province=same_province,
        same_type=same_type,
    )
    df = df.sort_values(
        ["agency_id", "affair", "total", "innovation_id"],
        ascending=[True, True, False, True],
        kind="mergesort",
    )
    df = df[df.groupby(["agency_id", "affair"], sort=False).cumcount() < TOP_K].copy()
    df["rank"] = df.groupby(["agency_id", "affair"], sort=False).cumcount() + 1
    df["score"] = df["total"] / 100.0
    df["reason"] = [
        reason(r, a, n, p, t, kind)
        for r, a, n, p, t, kind in zip(
            df["ready"],
            df["award"],
            df["replicated"],
            df["same_province"],
            df["same_type"],
            df["agency_type"],
        )
    ]
    out = df[OPPORTUNITY_COLUMNS].reset_index(drop=True)
    out["rank"] = out["rank"].astype("int64")
    return out


def reason(ready, award, replicated, same_province, same_type, agency_type) -> str:
    parts = ["aktif, lengkap dan diperbarui" if ready else "aktif"]
    if isinstance(award, str) and award:
        parts.append(award)
    if replicated:
        parts.append(f"sudah direplikasi {int(replicated)} instansi")
    if same_province:
        parts.append("satu provinsi")
    if same_type:
        parts.append(f"sesama {TYPE_WORD.get(agency_type, agency_type)}")
    return "; ".join(parts)


_INNOVATIONS = (
    '"innovation_id", "agency_id", "agency_type", "province_code", "status", "update_status", '
    '"awards"'
)
_CELLS = f'SELECT agency_id, affair, agency_type, province_code FROM "{COVERAGE}" WHERE NOT covered'


def _built(run: Run, redone: int) -> Built:
    rows = int(run.tx.scalar(f'SELECT COUNT(*) FROM "{TABLE}"'))
    return Built(redone, metadata={"affairs_recomputed": redone}, result=rows)


def _all(run: Run) -> Built:
    tx = run.tx
    candidates = build_candidates(
        tx.query(f"SELECT {_INNOVATIONS} FROM harmonized_innovations"),
        tx.query(f'SELECT innovation_id, affair FROM "{AFFAIRS_TABLE}"'),
        tx.query(f'SELECT innovation_id, replication_count_listed FROM "{COUNTS}"'),
    )
    tx.replace_table(CANDIDATES, candidates, primary_key=["innovation_id"])
    opportunities = build_opportunities(tx.query(_CELLS), candidates)
    tx.replace_table(TABLE, opportunities, primary_key=["agency_id", "affair", "rank"])
    return _built(run, int(candidates["affair"].nunique()))


def _changed(run: Run, changed: set[str]) -> Built:
    tx = run.tx
    old = tx.rows_where_in(CANDIDATES, "innovation_id", changed, '"affair"')
    new = build_candidates(
        tx.rows_where_in("harmonized_innovations", "innovation_id", changed, _INNOVATIONS),
        tx.rows_where_in(AFFAIRS_TABLE, "innovation_id", changed, "innovation_id, affair"),
        tx.rows_where_in(
            COUNTS, "innovation_id", changed, "innovation_id, replication_count_listed"
        ),
    )
    tx.replace_keys(CANDIDATES, "innovation_id", changed, new)
    touched = (set(old["affair"]) | set(new["affair"])) - {None}
    if touched:
        candidates = tx.conform(
            CANDIDATES, tx.rows_where_in(CANDIDATES, "affair", touched, extra=" AND candidate")
        )
        cells = tx.rows_where_in(COVERAGE, "affair", touched, extra=" AND NOT covered")
        tx.replace_keys(TABLE, "affair", touched, build_opportunities(cells, candidates))
    return _built(run, len(touched))


REPLICATION_OPPORTUNITIES = IncrementalTable(TABLE, _all, _changed, upstream=COVERAGE)
