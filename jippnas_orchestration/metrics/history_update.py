"""campaign_history's snapshot of today, full or for the agencies whose innovations changed.

The snapshot is derived from exact totals per programme x agency (agency_totals), kept for the
state's day in `campaign_history_totals`. A submission run on the same day as the state recomputes
the totals of the agencies of the innovations changed since the state's position and rewrites their
rows of today and the national rows; anything it cannot account for (no state, another
harmonized generation, another day, another campaign start, a change submitted in an earlier
month, whose month end may still have to be rebuilt, an innovation without agency) rebuilds
today's rows in full. Neither path reads the whole change log unless month ends are to be rebuilt.
Rows, totals and state change in one transaction (jippnas_orchestration.incremental).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..incremental import (
    chunks,
    consumed,
    consuming,
    downstream_delta,
    has_table,
    log_position,
    query,
    read_state,
    rows_where_in,
    write_state,
)
from ..warehouse import Warehouse
from . import agency_totals
from .campaign_history import (
    NATIONAL,
    SNAPSHOT_COLUMNS,
    _ensure_recorded_by,
    backfill,
    backfill_days,
    first_run_day,
    snapshot_from_totals,
)

ASSET = TABLE = "campaign_history"
TOTALS = "campaign_history_totals"


@dataclass
class HistoryUpdate:
    mode: str  # full | incremental
    reason: str
    today: pd.DataFrame  # every row of today's snapshot
    agencies: int  # agencies whose rows were recomputed
    rebuilt: list[date] = field(default_factory=list)  # month ends rebuilt from the change log


def update_campaign_history(
    wh: Warehouse, campaign_start: date, day: date, incremental: bool = True
) -> HistoryUpdate:
    _ensure_recorded_by(wh)  # its own transaction, before this one takes the write lock
    with consuming(wh) as conn:
        delta = downstream_delta(conn, ASSET, TOTALS, incremental)
        upto = log_position(conn)
        reason = _why_full(wh, conn, delta, read_state(conn, ASSET), campaign_start, day, upto)
        update = None if reason else _incremental(wh, conn, delta.innovations, day)
        if update is None:
            update = _full(
                wh,
                conn,
                campaign_start,
                day,
                reason or "an innovation without agency, or today's rows incomplete",
            )
        write_state(
            wh,
            conn,
            ASSET,
            consumed(delta.upstream)
            | {
                "snapshot_date": day.isoformat(),
                "campaign_start": campaign_start.isoformat(),
                "log_position": upto,
            },
        )
    return update


def _why_full(wh, conn, delta, state, campaign_start: date, day: date, upto: int) -> str | None:
    if delta.full:
        return delta.reason
    if state.get("snapshot_date") != day.isoformat():
        return f"the last run recorded {state.get('snapshot_date')}, not {day.isoformat()}"
    if state.get("campaign_start") != campaign_start.isoformat():
        return "the campaign start changed"
    seen = state.get("log_position")
    if seen is None or pd.isna(seen) or int(seen) > upto:
        return "the change log is behind the recorded position"
    # month ends before the first run are rebuilt from the change log: none was left to rebuild
    # when the state was written, so only the new rows can add one (the full path rebuilds it)
    new = query(
        conn,
        "SELECT DISTINCT submitted_at FROM innovation_change_log WHERE change_id > :a",
        {"a": int(seen)},
    )
    if backfill_days(wh, new, campaign_start, first_run_day(wh, day, conn), conn):
        return "a change submitted before the first run: its month end is to be rebuilt"
    return None


def _full(wh: Warehouse, conn: Connection, campaign_start: date, day: date, reason: str):
    cols = ", ".join(f'"{c}"' for c in SNAPSHOT_COLUMNS)
    harmonized = query(conn, f"SELECT {cols} FROM harmonized_innovations")
    first_run = first_run_day(wh, day, conn)
    log = (
        query(conn, "SELECT DISTINCT submitted_at FROM innovation_change_log")
        if has_table(conn, "innovation_change_log")
        else pd.DataFrame(columns=["submitted_at"])
    )
    rebuilt = []
    if backfill_days(wh, log, campaign_start, first_run, conn):  # once: the whole log then
        rebuilt = backfill(
            wh,
            harmonized,
            query(conn, "SELECT * FROM merged_innovations"),
            query(conn, "SELECT * FROM innovation_change_log"),
            campaign_start,
            first_run,
            conn,
        )
    t = agency_totals.store(wh, conn, TOTALS, agency_totals.totals(harmonized))
    df = snapshot_from_totals(t, day)
    wh.replace_rows(TABLE, df, {"snapshot_date": day.isoformat()}, conn=conn)
    return HistoryUpdate("full", reason, df, int(t["agency_id"].nunique()), rebuilt)


def _incremental(wh: Warehouse, conn: Connection, changed: set[str], day: date):
    """None (full) when a changed innovation has no agency or today's rows are not all there."""
    owners = rows_where_in(
        conn, "harmonized_innovations", "innovation_id", changed, columns='"agency_id"'
    )
    if owners["agency_id"].isna().any():
        return None
    agencies = set(owners["agency_id"])
    if agencies:
        cols = ", ".join(f'"{c}"' for c in SNAPSHOT_COLUMNS)
        rows = rows_where_in(conn, "harmonized_innovations", "agency_id", agencies, columns=cols)
        t = agency_totals.store(wh, conn, TOTALS, agency_totals.totals(rows), agencies)
    else:
        t = agency_totals.read(conn, TOTALS)
    df = snapshot_from_totals(t, day)
    if agencies:
        keys = agencies | {NATIONAL}
        _delete_rows(conn, day, keys)
        wh.insert_frame(conn, TABLE, df[df["agency_id"].isin(keys)])
    # today's other rows are the last run's: if they are not all there, nothing vouches for them
    stored = query(
        conn, f"SELECT COUNT(*) AS n FROM {TABLE} WHERE snapshot_date = :d", {"d": day.isoformat()}
    )
    if int(stored["n"].iloc[0]) != len(df):
        return None
    return HistoryUpdate(
        "incremental",
        f"{len(changed)} innovations of {len(agencies)} agencies changed",
        df,
        len(agencies),
    )


def _delete_rows(conn: Connection, day: date, agencies: set[str]) -> None:
    if not has_table(conn, TABLE):
        return
    for part in chunks(sorted(agencies)):
        names = {f"v{i}": v for i, v in enumerate(part)}
        marks = ", ".join(f":{k}" for k in names)
        conn.execute(
            sa.text(f"DELETE FROM {TABLE} WHERE snapshot_date = :day AND agency_id IN ({marks})"),
            names | {"day": day.isoformat()},
        )
