"""agency_completeness as an incremental table: a submission run recomputes only the agencies whose
innovations changed."""

from __future__ import annotations

from ..incremental import Built, IncrementalTable, Run
from .completeness import agency_completeness

TABLE = "agency_completeness"


def _built(run: Run, redone: int) -> Built:
    rows = int(run.tx.scalar(f'SELECT COUNT(*) FROM "{TABLE}"'))
    return Built(redone, metadata={"agencies_recomputed": redone}, result=rows)


def _all(run: Run) -> Built:
    df = agency_completeness(run.tx.query("SELECT * FROM harmonized_innovations"))
    run.tx.replace_table(TABLE, df, primary_key=["agency_id"])
    return _built(run, len(df))


def _changed(run: Run, changed: set[str]) -> Built:
    tx = run.tx
    owners = tx.rows_where_in(
        "harmonized_innovations", "innovation_id", changed, 'DISTINCT "agency_id"'
    )
    agencies = set(owners["agency_id"].dropna())
    if agencies:
        rows = tx.rows_where_in("harmonized_innovations", "agency_id", agencies)
        tx.replace_keys(TABLE, "agency_id", agencies, agency_completeness(rows))
    return _built(run, len(agencies))


AGENCY_COMPLETENESS = IncrementalTable(TABLE, _all, _changed)
