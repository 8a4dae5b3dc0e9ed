"""Campaign progress over time (table campaign_history): one snapshot per day (Jakarta time).

Rows: day x programme x agency, plus one national row per programme (agency_id ''). The programme
'ALL' counts every innovation once. A run replaces only its own day's rows (the last run of the day
wins); rows of past days are never touched. The days before the first run are rebuilt once from the
change log (`backfill`, recorded_by 'backfill'): one snapshot at the end of each month in which
changes were submitted, laying over the sources only the accepted changes submitted by that day.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..vocab import PROGRAMMES
from ..warehouse import Warehouse, frame, table_for
from .agency_totals import ALL, COUNTS, mean, totals

HISTORY_COLUMNS = [
    "snapshot_date",
    "programme",
    "agency_id",
    "innovations",
    "updated",
    "pending",
    "completeness_mean",
    "recorded_by",
]
NATIONAL = ""
RUN, BACKFILL = "run", "backfill"
JAKARTA = ZoneInfo("Asia/Jakarta")
# Tests that run the pipeline on several days set the clock; nothing else should.
CLOCK_VAR = "JIPPNAS_CLOCK"
SNAPSHOT_COLUMNS = ["innovation_id", "agency_id", "sources", "update_status", "completeness"]


def now() -> datetime:
    """The current time, or the one JIPPNAS_CLOCK names (ISO 8601; no offset: Jakarta time)."""
    value = os.environ.get(CLOCK_VAR, "").strip()
    if not value:
        return datetime.now(JAKARTA)
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{CLOCK_VAR}={value!r} is not an ISO 8601 time (e.g. 2026-03-02T09:00:00+07:00)"
        ) from None
    return ts.replace(tzinfo=JAKARTA) if ts.tzinfo is None else ts


def today(at: datetime | None = None) -> date:
    return (at or now()).astimezone(JAKARTA).date()


def snapshot(harmonized: pd.DataFrame, day: date, recorded_by: str = RUN) -> pd.DataFrame:
    return snapshot_from_totals(totals(harmonized), day, recorded_by)


def snapshot_from_totals(t: pd.DataFrame, day: date, recorded_by: str = RUN) -> pd.DataFrame:
    """The day's rows from per programme x agency totals (agency_totals.totals): the national row
    of each programme sums every agency (a programme with none: zeros)."""
    per = t[t["agency_id"].notna()].groupby(["programme", "agency_id"], sort=True)[COUNTS].sum()
    national = t.groupby("programme")[COUNTS].sum().reindex([ALL, *PROGRAMMES], fill_value=0)
    out = pd.concat(
        [national.reset_index().assign(agency_id=NATIONAL), per.reset_index()], ignore_index=True
    )
    out["innovations"] = out["innovations"].astype(int)
    out["updated"] = out["updated"].astype(int)
    out["pending"] = out["innovations"] - out["updated"]
    out["completeness_mean"] = mean(out).astype(float).round(4)
    out.insert(0, "snapshot_date", day.isoformat())
    out["recorded_by"] = recorded_by
    return out[HISTORY_COLUMNS]


def ensure_recorded_by(wh: Warehouse) -> None:
    """A table written before `recorded_by` existed gains it (its rows were written by runs)."""
    if not wh.has_table("campaign_history"):
        return
    with wh.begin() as conn:
        if "recorded_by" not in {
            c["name"] for c in sa.inspect(conn).get_columns("campaign_history")
        }:
            conn.execute(sa.text("ALTER TABLE campaign_history ADD COLUMN recorded_by TEXT"))
            conn.execute(sa.text(f"UPDATE campaign_history SET recorded_by = '{RUN}'"))


def record(wh: Warehouse, harmonized: pd.DataFrame, day: date) -> pd.DataFrame:
    """Write `day`'s snapshot, replacing only that day's rows."""
    ensure_recorded_by(wh)
    df = snapshot(harmonized, day)
    wh.replace_rows("campaign_history", df, {"snapshot_date": day.isoformat()})
    return df


def _submitted_day(change_log: pd.DataFrame) -> pd.Series:
    when = pd.to_datetime(change_log["submitted_at"], utc=True, errors="coerce", format="ISO8601")
    return when.dt.tz_convert(JAKARTA).dt.date


def month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _read(wh: Warehouse, conn: Connection | None, sql: str) -> pd.DataFrame:
    """A query on the caller's transaction when it has one (a write transaction holds the lock)."""
    if conn is None:
        return wh.read_sql(sql)
    return frame(conn.execute(sa.text(sql)))


def _has_history(wh: Warehouse, conn: Connection | None) -> bool:
    return (
        sa.inspect(conn).has_table("campaign_history") if conn else wh.has_table("campaign_history")
    )


def backfill_days(
    wh: Warehouse,
    change_log: pd.DataFrame,
    campaign_start: date,
    first_run: date,
    conn: Connection | None = None,
) -> list[date]:
    """The end of each month in which accepted changes were submitted, from the campaign start to
    before the first day a run recorded, less the days that already have rows. `change_log` needs
    only its submitted_at column."""
    submitted = _submitted_day(change_log).dropna() if len(change_log) else []
    ends = sorted(
        {month_end(d) for d in submitted if d >= campaign_start and month_end(d) < first_run}
    )
    existing = (
        set(_read(wh, conn, "SELECT DISTINCT snapshot_date FROM campaign_history")["snapshot_date"])
        if ends and _has_history(wh, conn)
        else set()
    )
    return [d for d in ends if d.isoformat() not in existing]


def backfill(
    wh: Warehouse,
    harmonized: pd.DataFrame,
    merged: pd.DataFrame,
    change_log: pd.DataFrame,
    campaign_start: date,
    first_run: date,
    conn: Connection | None = None,
) -> list[date]:
    """Rebuild the days before `first_run` (the first day a run recorded) from the change log: at
    each month end with changes, the accepted changes submitted by then laid over the sources,
    scored like harmonized_innovations. Days that have rows are never rewritten. Returns the days
    written."""
    from ..harmonize.pipeline import build_overlaid

    days = backfill_days(wh, change_log, campaign_start, first_run, conn)
    if not days:
        return []
    if conn is None:  # else the caller did, before its transaction took the write lock
        ensure_recorded_by(wh)
    touched = change_log["innovation_id"]
    # an innovation no change touched reads the same on every day: its current row
    untouched = harmonized.loc[~harmonized["innovation_id"].isin(touched), SNAPSHOT_COLUMNS]
    merged = merged[merged["innovation_id"].isin(touched)]
    cols = SNAPSHOT_COLUMNS[1:]
    # the touched innovations as the sources alone have them, then brought forward day by day:
    # only those with changes since the previous day are laid over again
    state = build_overlaid(merged, change_log.iloc[0:0], campaign_start).set_index("innovation_id")[
        cols
    ]
    submitted = _submitted_day(change_log)
    frames, previous = [], None
    for day in days:
        new = (
            (submitted <= day) if previous is None else (submitted > previous) & (submitted <= day)
        )
        changed = touched[new.fillna(False).astype(bool)].unique()
        log = change_log[touched.isin(changed) & (submitted <= day).fillna(False).astype(bool)]
        rows = build_overlaid(merged[merged["innovation_id"].isin(changed)], log, campaign_start)
        state.loc[rows["innovation_id"], cols] = rows.set_index("innovation_id")[cols]
        frames.append(
            snapshot(pd.concat([untouched, state.reset_index()], ignore_index=True), day, BACKFILL)
        )
        previous = day
    rows = pd.concat(frames, ignore_index=True)
    if conn is None:
        with wh.begin() as c:  # one transaction: all the rebuilt days or none
            _insert_history(wh, c, rows)
    else:
        _insert_history(wh, conn, rows)
    return days


def _insert_history(wh: Warehouse, conn: Connection, rows: pd.DataFrame) -> None:
    if not sa.inspect(conn).has_table("campaign_history"):
        table_for("campaign_history", rows).create(conn)
    wh.insert_frame(conn, "campaign_history", rows)


def first_run_day(wh: Warehouse, default: date, conn: Connection | None = None) -> date:
    """The first day a run recorded (not a rebuilt day), or `default` when none has."""
    if not _has_history(wh, conn):
        return default
    if conn is None:
        ensure_recorded_by(wh)
    first = _read(
        wh,
        conn,
        "SELECT MIN(snapshot_date) AS d FROM campaign_history "
        f"WHERE recorded_by = '{RUN}' OR recorded_by IS NULL",
    )["d"].iloc[0]
    return date.fromisoformat(first) if isinstance(first, str) and first else default


def deltas(history: pd.DataFrame, programme: str = ALL) -> dict | None:
    """National figures of the latest snapshot against the one before it (None with one day)."""
    national = history[
        (history["programme"] == programme) & (history["agency_id"].fillna("") == NATIONAL)
    ]
    days = sorted(national["snapshot_date"].unique())
    if len(days) < 2:
        return None
    now, before = (national[national["snapshot_date"] == d].iloc[0] for d in days[-2:][::-1])
    return {
        "date": days[-1],
        "previous_date": days[-2],
        **{
            k: {
                "now": now[k],
                "before": before[k],
                "delta": (
                    None
                    if pd.isna(now[k]) or pd.isna(before[k])
                    else round(float(now[k] - before[k]), 4)
                ),
            }
            for k in ("innovations", "updated", "pending", "completeness_mean")
        },
    }
