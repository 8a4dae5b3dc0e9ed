"""national_summary as an incremental table, derived from exact per-agency totals (agency_totals)
kept in `national_summary_totals`: a submission run recomputes the totals of the touched agencies
and derives the summary from all of them, which is what the full path computes from the whole
table."""

from __future__ import annotations

from ..incremental import Built, IncrementalTable, Run
from . import agency_totals
from .completeness import SUMMARY_COLUMNS, summary_from_totals

TABLE = "national_summary"
TOTALS = "national_summary_totals"
COLUMNS = ", ".join(f'"{c}"' for c in SUMMARY_COLUMNS)


def _summarize(run: Run, totals, redone: int, write: bool = True) -> Built:
    summary = summary_from_totals(totals)
    if write:
        run.tx.replace_table(TABLE, summary)
    return Built(redone, metadata={"agencies_recomputed": redone}, result=summary)


def _all(run: Run) -> Built:
    rows = run.tx.query(f"SELECT {COLUMNS} FROM harmonized_innovations")
    t = agency_totals.store(run.tx, TOTALS, agency_totals.totals(rows, by_type=True))
    return _summarize(run, t, int(t["agency_id"].nunique()))


def _changed(run: Run, changed: set[str]) -> Built | str:
    tx = run.tx
    owners = tx.rows_where_in("harmonized_innovations", "innovation_id", changed, '"agency_id"')
    if owners["agency_id"].isna().any():
        return "a changed innovation has no agency"
    if not tx.has_table(TOTALS):
        return "no totals of national_summary yet"
    agencies = set(owners["agency_id"])
    if not agencies:
        return _summarize(run, agency_totals.read(tx, TOTALS), 0, write=False)
    rows = tx.rows_where_in("harmonized_innovations", "agency_id", agencies, COLUMNS)
    totals = agency_totals.totals(rows, by_type=True)
    return _summarize(run, agency_totals.store(tx, TOTALS, totals, agencies), len(agencies))


NATIONAL_SUMMARY = IncrementalTable(TABLE, _all, _changed)
