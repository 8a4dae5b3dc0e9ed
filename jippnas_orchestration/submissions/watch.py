"""What the submission sensor has and has not seen yet (plain functions, tested without Dagster)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd


def _iso(value) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.isoformat()


def parse_cursor(cursor: str | None) -> tuple[str, str]:
    if not cursor:
        return ("", "")
    data = json.loads(cursor)
    return (data.get("received_at", ""), data.get("submission_id", ""))


def new_pending(rows: pd.DataFrame, cursor: str | None) -> tuple[list[str], str | None]:
    """Pending submissions received after the cursor (received_at, then submission_id), and the new cursor."""
    if rows.empty:
        return [], None
    seen = parse_cursor(cursor)
    keyed = sorted((_iso(r), sid) for r, sid in zip(rows["received_at"], rows["submission_id"]))
    fresh = [k for k in keyed if k > seen]
    if not fresh:
        return [], None
    last = fresh[-1]
    return [sid for _, sid in fresh], json.dumps({"received_at": last[0], "submission_id": last[1]})


def run_key_for(submission_ids: list[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(submission_ids)).encode()).hexdigest()[:16]
    return f"submissions-{len(submission_ids)}-{digest}"
