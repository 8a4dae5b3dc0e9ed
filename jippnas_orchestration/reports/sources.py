"""Is each source's data in the warehouse from its latest read, or is it stale because that read failed?"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from ..warehouse import Warehouse

SOURCES = (("raw_kipp", "KIPP"), ("raw_iga", "IGA"), ("raw_inolan", "INOLAN"))


def _innermost(error) -> str:
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return (error.message or "").strip().splitlines()[0] if error else ""


def source_status(instance, wh: Warehouse) -> list[dict]:
    """Per programme: when its data was read, and the last failed read after that (if any)."""
    from dagster import DagsterEventType, EventRecordsFilter

    failures = (
        instance.get_event_records(
            EventRecordsFilter(event_type=DagsterEventType.STEP_FAILURE), limit=200, ascending=False
        )
        if instance
        else []
    )

    out = []
    for asset, programme in SOURCES:
        read_at = None
        if wh.has_table(asset):
            value = wh.read_sql(f'SELECT MAX(ingested_at) AS t FROM "{asset}"')["t"].iloc[0]
            if value is not None and not pd.isna(value):
                ts = pd.Timestamp(value)
                read_at = (
                    ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
                ).to_pydatetime()
        status = {
            "programme": programme,
            "asset": asset,
            "read_at": read_at.isoformat(timespec="seconds") if read_at else None,
            "stale": False,
        }
        failed = next(
            (r.event_log_entry for r in failures if r.event_log_entry.step_key == asset), None
        )
        if (
            failed is not None
        ):  # the latest failed read of this source (its step failed, retries spent)
            failed_at = datetime.fromtimestamp(failed.timestamp, timezone.utc)
            if read_at is None or failed_at > read_at:
                status |= {
                    "stale": True,
                    "failed_at": failed_at.isoformat(timespec="seconds"),
                    "error": _innermost(failed.dagster_event.event_specific_data.error),
                    "run_id": failed.run_id,
                }
        out.append(status)
    return out
