"""campaign_history's snapshot of today as an incremental table (the rules of the history: history.py).

The snapshot is derived from exact totals per programme x agency (agency_totals), kept for the
day in `campaign_history_totals`. A submission run on the same day (the `day` parameter) recomputes
the totals of the agencies of the changed innovations and rewrites their rows of today and the
national rows. It rebuilds today's rows in full when a change was submitted in an earlier month
whose month end may still have to be rebuilt, when a changed innovation has no agency, or when
today's other rows are not all there. Neither path reads the whole change log unless month ends
are to be rebuilt.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..incremental import Built, IncrementalTable, Run, state
from . import agency_totals
from .history import (
    NATIONAL,
    SNAPSHOT_COLUMNS,
    backfill,
    backfill_days,
    first_run_day,
    snapshot_from_totals,
)

TABLE = "campaign_history"
TOTALS = "campaign_history_totals"


def _dates(run: Run) -> tuple[date, date]:
    return date.fromisoformat(run.params["campaign_start"]), date.fromisoformat(run.params["day"])


def _built(run: Run, df: pd.DataFrame, agencies: int, rebuilt: list | None = None) -> Built:
    meta = {"agencies_recomputed": agencies, "days_rebuilt": len(rebuilt or [])}
    log = state.log_position(run.tx)  # month ends: only rows after it can add one
    return Built(agencies, state={"log_position": log}, metadata=meta, result=df)


def _month_ends_due(run: Run, submitted: pd.DataFrame) -> bool:
    (start, day), tx = _dates(run), run.tx
    return bool(backfill_days(tx.wh, submitted, start, first_run_day(tx.wh, day, tx.conn), tx.conn))


def _why_full(run: Run) -> str | None:
    tx, seen = run.tx, run.state.get("log_position")
    if seen is None or int(seen) > state.log_position(tx):
        return "the change log is behind the recorded position"
    sql = "SELECT DISTINCT submitted_at FROM innovation_change_log WHERE change_id > :a"
    if _month_ends_due(run, tx.query(sql, {"a": int(seen)})):
        return "a change submitted before the first run: its month end is to be rebuilt"
    return None


def _all(run: Run) -> Built:
    (start, day), tx = _dates(run), run.tx
    rebuilt = []
    if tx.has_table("innovation_change_log") and _month_ends_due(
        run, tx.query("SELECT DISTINCT submitted_at FROM innovation_change_log")
    ):  # once: the whole log then
        harmonized, merged, changes = (
            tx.query(f"SELECT * FROM {t}")
            for t in ("harmonized_innovations", "merged_innovations", "innovation_change_log")
        )
        first_run = first_run_day(tx.wh, day, tx.conn)
        rebuilt = backfill(tx.wh, harmonized, merged, changes, start, first_run, tx.conn)
    t = agency_totals.rebuild(tx, TOTALS, SNAPSHOT_COLUMNS)
    df = snapshot_from_totals(t, day)
    tx.replace_rows(TABLE, df, {"snapshot_date": day.isoformat()})
    return _built(run, df, int(t["agency_id"].nunique()), rebuilt)


def _changed(run: Run, changed: set[str]) -> Built | str:
    tx, day = run.tx, _dates(run)[1]
    recounted = agency_totals.recount(tx, TOTALS, changed, SNAPSHOT_COLUMNS)
    if isinstance(recounted, str):
        return recounted
    totals, agencies = recounted
    df = snapshot_from_totals(totals, day)
    today = {"day": day.isoformat()}
    if agencies:
        keys = agencies | {NATIONAL}
        tx.delete_where_in(TABLE, "agency_id", keys, " AND snapshot_date = :day", today)
        tx.insert(TABLE, df[df["agency_id"].isin(keys)])
    # today's other rows are the last run's: if they are not all there, nothing vouches for them
    if int(tx.scalar(f"SELECT COUNT(*) FROM {TABLE} WHERE snapshot_date = :day", today)) != len(df):
        return "today's rows incomplete"
    return _built(run, df, len(agencies))


CAMPAIGN_HISTORY = IncrementalTable(TABLE, _all, _changed, why_full=_why_full)
