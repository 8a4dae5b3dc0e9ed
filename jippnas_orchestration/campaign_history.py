"""Campaign progress over time (table campaign_history): one snapshot per day (Jakarta time).

Rows: day x programme x agency, plus one national row per programme (agency_id ''). The programme
'ALL' counts every innovation once. A run replaces only its own day's rows (the last run of the day
wins); rows of past days are never touched.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from .vocab import PROGRAMMES
from .warehouse import Warehouse

HISTORY_COLUMNS = ["snapshot_date", "programme", "agency_id", "innovations", "updated", "pending",
                   "completeness_mean"]
ALL = "ALL"
NATIONAL = ""
JAKARTA = ZoneInfo("Asia/Jakarta")


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(JAKARTA)).astimezone(JAKARTA).date()


def snapshot(harmonized: pd.DataFrame, day: date) -> pd.DataFrame:
    h = harmonized.assign(_updated=(harmonized["update_status"] == "updated").astype(int))
    sources = h["sources"].fillna("").str.split(",")
    parts = [(ALL, h)] + [(p, h[sources.map(lambda s, p=p: p in s)]) for p in PROGRAMMES]
    frames = []
    for programme, part in parts:
        for agency, g in [(NATIONAL, part)] + list(part.groupby("agency_id", sort=True)):
            frames.append({"programme": programme, "agency_id": agency, "innovations": len(g),
                           "updated": int(g["_updated"].sum()), "pending": int(len(g) - g["_updated"].sum()),
                           "completeness_mean": round(float(g["completeness"].mean()), 4) if len(g) else None})
    out = pd.DataFrame(frames)
    out.insert(0, "snapshot_date", day.isoformat())
    return out[HISTORY_COLUMNS]


def record(wh: Warehouse, harmonized: pd.DataFrame, day: date) -> pd.DataFrame:
    """Write `day`'s snapshot, replacing only that day's rows."""
    df = snapshot(harmonized, day)
    wh.replace_rows("campaign_history", df, {"snapshot_date": day.isoformat()})
    return df


def deltas(history: pd.DataFrame, programme: str = ALL) -> dict | None:
    """National figures of the latest snapshot against the one before it (None with fewer than two days)."""
    national = history[(history["programme"] == programme) & (history["agency_id"].fillna("") == NATIONAL)]
    days = sorted(national["snapshot_date"].unique())
    if len(days) < 2:
        return None
    now, before = (national[national["snapshot_date"] == d].iloc[0] for d in days[-2:][::-1])
    return {"date": days[-1], "previous_date": days[-2],
            **{k: {"now": now[k], "before": before[k], "delta": (None if pd.isna(now[k]) or pd.isna(before[k])
                                                                    else round(float(now[k] - before[k]), 4))}
               for k in ("innovations", "updated", "pending", "completeness_mean")}}
