"""innovation_replications: where each innovation has spread, from the accepted submissions.

Accepted submissions are what `innovation_change_log` holds (rejected ones are never logged); a
submission's `replicated_by` is one row of field `replicated_by` there, its new_value the JSON
list. The innovation's current list is the winning value (latest submitted_at, then change_id:
what harmonized_innovations shows), so a later submission that leaves an agency out withdraws it.
For each agency on the current list: the first and last time an accepted submission listed it, and
the submission that listed it first (its id, never the person). An innovation's owner listed as
replicating itself is not a replication and is left out.

Per innovation, `innovation_replication_counts` (a side table) and the columns repeated on each row:
`replication_count_reported` (harmonized replication_count, as the innovator reported it),
`replication_count_listed` (distinct agencies listed) and `counts_disagree` (reported and listed
differ; False when nothing was reported).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..incremental import Built, IncrementalTable, Run

TABLE = "innovation_replications"
COUNTS = "innovation_replication_counts"
REPLICATION_COLUMNS = [
    "innovation_id",
    "replicating_agency_id",
    "first_reported_at",
    "last_reported_at",
    "submission_id",
    "replication_count_reported",
    "replication_count_listed",
    "counts_disagree",
]
COUNT_COLUMNS = [
    "innovation_id",
    "replication_count_reported",
    "replication_count_listed",
    "counts_disagree",
]
FIELD = "replicated_by"


def _listed(value: str | None) -> list[str]:
    if value is None:
        return []
    try:
        items = json.loads(value)
    except (TypeError, json.JSONDecodeError):
        return []
    return [str(a) for a in items] if isinstance(items, list) else []


def build_replications(
    log: pd.DataFrame, innovations: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(innovation_replications, innovation_replication_counts) from the change log's
    `replicated_by` rows (innovation_id, submission_id, new_value, submitted_at, change_id) and
    harmonized_innovations (innovation_id, agency_id, replication_count)."""
    log = log[log["field"] == FIELD] if "field" in log.columns else log
    owner = dict(zip(innovations["innovation_id"], innovations["agency_id"]))
    reported = pd.to_numeric(
        innovations.set_index("innovation_id")["replication_count"], errors="coerce"
    )
    log = log[np.array([i in owner for i in log["innovation_id"]], dtype=bool)]
    log = log.sort_values(["innovation_id", "submitted_at", "change_id"], kind="mergesort")
    current = log.groupby("innovation_id").tail(1)
    now = {
        (i, a) for i, v in zip(current["innovation_id"], current["new_value"]) for a in _listed(v)
    }
    rows = [
        (i, a, at, sid, cid)
        for i, v, at, sid, cid in zip(
            log["innovation_id"],
            log["new_value"],
            log["submitted_at"],
            log["submission_id"],
            log["change_id"],
        )
        for a in dict.fromkeys(_listed(v))
        if (i, a) in now and a != owner.get(i)
    ]
    reps = pd.DataFrame(
        rows, columns=["innovation_id", "replicating_agency_id", "at", "submission_id", "cid"]
    ).sort_values(["innovation_id", "replicating_agency_id", "at", "cid"], kind="mergesort")
    grouped = reps.groupby(["innovation_id", "replicating_agency_id"], sort=True)
    out = grouped.head(1)[["innovation_id", "replicating_agency_id", "at", "submission_id"]]
    out = out.rename(columns={"at": "first_reported_at"}).reset_index(drop=True)
    out["last_reported_at"] = grouped["at"].max().to_numpy()
    listed = out.groupby("innovation_id").size()
    ids = sorted(set(listed.index) | set(reported.dropna().index))
    counts = pd.DataFrame({"innovation_id": pd.Series(ids, dtype=object)})
    counts["replication_count_reported"] = counts["innovation_id"].map(reported).astype("Int64")
    counts["replication_count_listed"] = (
        counts["innovation_id"].map(listed).fillna(0).astype("int64")
    )
    counts["counts_disagree"] = (
        counts["replication_count_reported"].notna()
        & (counts["replication_count_reported"] != counts["replication_count_listed"])
    ).astype(bool)
    out = out.astype({"innovation_id": object}).merge(counts, on="innovation_id", how="left")
    return out[REPLICATION_COLUMNS], counts[COUNT_COLUMNS]


_LOG = "innovation_id, submission_id, field, new_value, submitted_at, change_id"
_HARMONIZED = '"innovation_id", "agency_id", "replication_count"'


def _upto(run: Run) -> int:
    """The last change the upstream harmonized_innovations holds; all of them when it has no state
    (a warehouse from before incremental runs)."""
    return run.position if run.upstream else 2**62


def _built(run: Run, redone: int) -> Built:
    rows = int(run.tx.scalar(f'SELECT COUNT(*) FROM "{TABLE}"'))
    return Built(redone, metadata={"innovations_recomputed": redone}, result=rows)


def _all(run: Run) -> Built:
    tx = run.tx
    # up to the position harmonized_innovations was built at, so list and reported count agree
    log = tx.query(
        f"SELECT {_LOG} FROM innovation_change_log WHERE field = '{FIELD}' AND change_id <= :p",
        {"p": _upto(run)},
    )
    reps, counts = build_replications(
        log, tx.query(f"SELECT {_HARMONIZED} FROM harmonized_innovations")
    )
    tx.replace_table(TABLE, reps, primary_key=["innovation_id", "replicating_agency_id"])
    tx.replace_table(COUNTS, counts, primary_key=["innovation_id"])
    return _built(run, int(tx.scalar("SELECT COUNT(*) FROM harmonized_innovations")))


def _changed(run: Run, changed: set[str]) -> Built:
    tx = run.tx
    log = tx.rows_where_in(
        "innovation_change_log",
        "innovation_id",
        changed,
        _LOG,
        f" AND field = '{FIELD}' AND change_id <= :p",
        {"p": _upto(run)},
    )
    innovations = tx.rows_where_in("harmonized_innovations", "innovation_id", changed, _HARMONIZED)
    reps, counts = build_replications(log, innovations)
    tx.replace_keys(TABLE, "innovation_id", changed, reps)
    tx.replace_keys(COUNTS, "innovation_id", changed, counts)
    return _built(run, len(changed))


INNOVATION_REPLICATIONS = IncrementalTable(TABLE, _all, _changed)
