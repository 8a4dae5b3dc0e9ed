"""Campaign progress over time (table campaign_history): one snapshot per day (Jakarta time).

Rows: day x programme x agency, plus one national row per programme (agency_id ''). The programme
'ALL' counts every innovation once. A run replaces only its own day's rows (the last run of the day
wins); rows of past days are never touched. The days before the first run are rebuilt once from the
change log (`backfill`, recorded_by 'backfill'): one snapshot per month end, each laying over the
sources only the accepted changes submitted by that day.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from .vocab import PROGRAMMES
from .warehouse import Warehouse, table_for

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
ALL = "ALL"
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
    h = harmonized[["agency_id", "sources", "completeness"]].assign(
        _updated=(harmonized["update_status"] == "updated").astype(int),
        completeness=harmonized["completeness"].astype(float),
    )
    sources = h["sources"].fillna("").str.split(",")
    parts = [(ALL, h)] + [(p, h[sources.map(lambda s, p=p: p in s)]) for p in PROGRAMMES]
    frames = []
    for programme, part in parts:
        national = pd.DataFrame(
            {
                "agency_id": [NATIONAL],
                "innovations": [len(part)],
                "updated": [int(part["_updated"].sum())],
                "completeness_mean": [part["completeness"].mean() if len(part) else None],
            }
        )
        per = (
            part.groupby("agency_id", sort=True)
            .agg(
                innovations=("_updated", "size"),
                updated=("_updated", "sum"),
                completeness_mean=("completeness", "mean"),
            )
            .reset_index()
        )
        frames.append(pd.concat([national, per], ignore_index=True).assign(programme=programme))
    out = pd.concat(frames, ignore_index=True)
    out["innovations"] = out["innovations"].astype(int)
    out["updated"] = out["updated"].astype(int)
    out["pending"] = out["innovations"] - out["updated"]
    out["completeness_mean"] = out["completeness_mean"].astype(float).round(4)
    out.insert(0, "snapshot_date", day.isoformat())
    out["recorded_by"] = recorded_by
    return out[HISTORY_COLUMNS]


def _ensure_recorded_by(wh: Warehouse) -> None:
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
    _ensure_recorded_by(wh)
    df = snapshot(harmonized, day)
    wh.replace_rows("campaign_history", df, {"snapshot_date": day.isoformat()})
    return df


def month_ends(first: date, before: date) -> list[date]:
    """The last day of each month from `first`'s month on, strictly before `before`."""
    out, d = [], first.replace(day=1)
    while True:
        end = (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if end >= before:
            return out
        out.append(end)
        d = end + timedelta(days=1)


def _submitted_day(change_log: pd.DataFrame) -> pd.Series:
    when = pd.to_datetime(change_log["submitted_at"], utc=True, errors="coerce", format="ISO8601")
    return when.dt.tz_convert(JAKARTA).dt.date


def backfill_days(
    wh: Warehouse, change_log: pd.DataFrame, campaign_start: date, first_run: date
) -> list[date]:
    """Month ends from the campaign's first change to before the first day a run recorded, less the
    days that already have rows."""
    if change_log.empty:
        return []
    submitted = _submitted_day(change_log).dropna()
    if submitted.empty:
        return []
    existing = (
        set(wh.read_sql("SELECT DISTINCT snapshot_date FROM campaign_history")["snapshot_date"])
        if wh.has_table("campaign_history")
        else set()
    )
    return [
        d
        for d in month_ends(max(min(submitted), campaign_start), first_run)
        if d.isoformat() not in existing
    ]


def backfill(
    wh: Warehouse,
    harmonized: pd.DataFrame,
    merged: pd.DataFrame,
    change_log: pd.DataFrame,
    campaign_start: date,
    first_run: date,
) -> list[date]:
    """Rebuild the days before `first_run` (the first day a run recorded) from the change log: per
    month end, the accepted changes submitted by then laid over the sources, scored like
    harmonized_innovations. Days that have rows are never rewritten. Returns the days written."""
    from .harmonize.pipeline import build_overlaid

    days = backfill_days(wh, change_log, campaign_start, first_run)
    if not days:
        return []
    _ensure_recorded_by(wh)
    touched = set(change_log["innovation_id"])
    # an innovation no change touched reads the same on every day: its current row
    untouched = harmonized.loc[~harmonized["innovation_id"].isin(touched), SNAPSHOT_COLUMNS]
    merged_touched = merged[merged["innovation_id"].isin(touched)]
    submitted = _submitted_day(change_log)
    frames = []
    for day in days:
        as_of = build_overlaid(merged_touched, change_log[submitted <= day], campaign_start)
        frames.append(
            snapshot(
                pd.concat([untouched, as_of[SNAPSHOT_COLUMNS]], ignore_index=True), day, BACKFILL
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    with wh.begin() as conn:  # one transaction: all the rebuilt days or none
        if not sa.inspect(conn).has_table("campaign_history"):
            table_for("campaign_history", rows).create(conn)
        wh.insert_frame(conn, "campaign_history", rows)
    return days


def first_run_day(wh: Warehouse, default: date) -> date:
    """The first day a run recorded (not a rebuilt day), or `default` when none has."""
    if not wh.has_table("campaign_history"):
        return default
    _ensure_recorded_by(wh)
    first = wh.read_sql(
        "SELECT MIN(snapshot_date) AS d FROM campaign_history "
        f"WHERE recorded_by = '{RUN}' OR recorded_by IS NULL"
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
