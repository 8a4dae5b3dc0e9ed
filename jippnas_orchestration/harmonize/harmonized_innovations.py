"""harmonized_innovations as an incremental table: the change log laid over merged_innovations.

A submission run rewrites only the innovations the new change-log rows touch; it follows
merged_innovations' generation (a full refresh there rebuilds this in full) and keeps part
digests, so its gate sees the rows rewritten with the whole table's checksum.
"""

from __future__ import annotations

from datetime import date

from ..incremental import Built, IncrementalTable, Run, state
from .pipeline import build_overlaid

TABLE = "harmonized_innovations"


def _all(run: Run) -> Built:
    tx = run.tx
    log = state.log_rows(tx, None, run.position)
    start = date.fromisoformat(run.params["campaign_start"])
    df = build_overlaid(tx.query("SELECT * FROM merged_innovations"), log, start)
    tx.replace_table(TABLE, df, primary_key=["innovation_id"])
    return Built(redone=len(df))


def _changed(run: Run, changed: set[str]) -> Built:
    tx, ids = run.tx, sorted(changed)
    if ids:
        merged = tx.rows_where_in("merged_innovations", "innovation_id", ids)
        log = state.log_rows(tx, ids, run.position)
        start = date.fromisoformat(run.params["campaign_start"])
        tx.replace_keys(TABLE, "innovation_id", ids, build_overlaid(merged, log, start))
    return Built(redone=len(ids), changed=ids)


HARMONIZED_INNOVATIONS = IncrementalTable(
    TABLE, _all, _changed, upstream="merged_innovations", reads_log=True, gated=True
)
