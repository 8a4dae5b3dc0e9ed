"""national_summary as an incremental table, derived from exact per-agency totals (agency_totals)
kept in `national_summary_totals`: a submission run recounts the agencies touched and derives the
summary from all totals, as the full path does from the whole table's."""

from __future__ import annotations

from ..incremental import Built, IncrementalTable, Run
from . import agency_totals
from .completeness import SUMMARY_COLUMNS, summary_from_totals

TABLE = "national_summary"
TOTALS = "national_summary_totals"


def _summarize(run: Run, totals, agencies: int, write: bool = True) -> Built:
    summary = summary_from_totals(totals)
    if write:
        run.tx.replace_table(TABLE, summary)
    return Built(agencies, metadata={"agencies_recomputed": agencies}, result=summary)


def _all(run: Run) -> Built:
    t = agency_totals.rebuild(run.tx, TOTALS, SUMMARY_COLUMNS, by_type=True)
    return _summarize(run, t, int(t["agency_id"].nunique()))


def _changed(run: Run, changed: set[str]) -> Built | str:
    recounted = agency_totals.recount(run.tx, TOTALS, changed, SUMMARY_COLUMNS, by_type=True)
    if isinstance(recounted, str):
        return recounted
    totals, agencies = recounted
    return _summarize(run, totals, len(agencies), write=bool(agencies))


NATIONAL_SUMMARY = IncrementalTable(TABLE, _all, _changed)
