"""The former one-by-one path, kept as the oracle of tests/test_submissions_bulk.py.

Decide pending submissions: validate, resolve, authorize, then log their changes — exactly once.

Each submission is handled in its own transaction that (1) claims the row while it is still
`pending` (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers),
(2) appends its field changes to `innovation_change_log`, and (3) sets its state. Two
overlapping runs therefore never log a submission twice, and a crash leaves a submission either
fully logged or still pending. Innovations are resolved against `merged_innovations` (what the
sources say); `harmonized_innovations` is not touched here: its own asset lays the change log
over the merged sources, the latest `submitted_at` winning field by field.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
from pydantic import ValidationError

from jippnas_orchestration.harmonize.merge import decode_value
from jippnas_orchestration.schema import innovation_change_log, innovation_submissions
from jippnas_orchestration.submissions.apply import (
    INNOVATIONS,
    INTERNAL_ONLY_FIELDS,
    ApplyReport,
    Rejection,
    utc_iso,
)
from jippnas_orchestration.submissions.model import Submission, describe_errors
from jippnas_orchestration.warehouse import Warehouse


def _sort_key(submitted_at: str | None) -> tuple:
    ts = (
        pd.to_datetime(submitted_at, utc=True, errors="coerce", format="ISO8601")
        if submitted_at
        else pd.NaT
    )
    return (0, pd.Timestamp.min.tz_localize("UTC")) if pd.isna(ts) else (1, ts)


def pending_ids(warehouse: Warehouse) -> list[str]:
    rows = warehouse.read_sql(
        "SELECT submission_id, submitted_at FROM innovation_submissions WHERE state = 'pending'"
    )
    order = sorted(
        zip(rows["submission_id"], rows["submitted_at"]), key=lambda r: (_sort_key(r[1]), r[0])
    )
    return [sid for sid, _ in order]


def _claim(conn, warehouse: Warehouse, submission_id: str):
    query = sa.select(innovation_submissions.c.payload).where(
        innovation_submissions.c.submission_id == submission_id,
        innovation_submissions.c.state == "pending",
    )
    if warehouse.is_postgres:
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).first()


def _resolve(conn, sub: Submission) -> dict:
    ref = sub.innovation
    if ref.innovation_id:
        row = (
            conn.execute(
                sa.text(f"SELECT * FROM {INNOVATIONS} WHERE innovation_id = :i"),
                {"i": ref.innovation_id},
            )
            .mappings()
            .first()
        )
        if row is None:
            raise Rejection(f"unknown innovation: no innovation with id {ref.innovation_id}")
        return dict(row)
    hit = conn.execute(
        sa.text(
            "SELECT innovation_id FROM innovation_source_map WHERE source = :s AND "
            "source_record_id = :r"
        ),
        {"s": ref.source, "r": ref.source_record_id},
    ).first()
    if hit is None:
        raise Rejection(
            f"unknown innovation: {ref.source} record {ref.source_record_id} is not in JIPPNas"
        )
    row = (
        conn.execute(
            sa.text(f"SELECT * FROM {INNOVATIONS} WHERE innovation_id = :i"), {"i": hit[0]}
        )
        .mappings()
        .first()
    )
    if row is None:
        raise Rejection(
            f"unknown innovation: {ref.source} record {ref.source_record_id} maps to {hit[0]}, "
            "which is not published"
        )
    return dict(row)


def _check(conn, sub: Submission, innovation: dict) -> None:
    iid = innovation["innovation_id"]
    if sub.agency_id != innovation["agency_id"]:
        raise Rejection(
            f"not authorized: agency {sub.agency_id} does not own innovation {iid} (owner: "
            f"{innovation['agency_id']} {innovation.get('agency_name') or ''}); the owner agency "
            "must submit this update".rstrip(),
            iid,
        )
    if sub.changes.replicated_by:
        known = {
            r[0]
            for r in conn.execute(
                sa.text("SELECT agency_id FROM agencies WHERE agency_id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": sub.changes.replicated_by},
            )
        }
        unknown = sorted(set(sub.changes.replicated_by) - known)
        if unknown:
            raise Rejection(
                f"invalid: changes.replicated_by: unknown agency id(s) {', '.join(unknown)}", iid
            )


def _encode(value) -> str:
    return json.dumps(value, ensure_ascii=False)


_WINNERS = sa.text(
    "SELECT field, new_value FROM innovation_change_log WHERE innovation_id = :i "
    "ORDER BY submitted_at, change_id"
)


def _apply(conn, sub: Submission, innovation: dict, now: datetime) -> None:
    iid = innovation["innovation_id"]
    at = utc_iso(sub.submitted_at)
    changes = sub.changes.model_dump(exclude_unset=True)
    current = dict(
        conn.execute(_WINNERS, {"i": iid}).fetchall()
    )  # the last row per field is its winner so far

    def old_value(name):
        if name in INTERNAL_ONLY_FIELDS:
            return None
        value = decode_value(name, current[name]) if name in current else innovation.get(name)
        return None if value is None else str(value)

    conn.execute(
        innovation_change_log.insert(),
        [
            {
                "submission_id": sub.submission_id,
                "innovation_id": iid,
                "field": name,
                "old_value": old_value(name),
                "new_value": _encode(value),
                "submitted_at": at,
                "applied_at": now,
            }
            for name, value in changes.items()
        ],
    )


def _finish(
    conn,
    submission_id: str,
    state: str,
    reason: str | None,
    innovation_id: str | None,
    now: datetime,
    run_id: str | None,
) -> None:
    conn.execute(
        innovation_submissions.update()
        .where(innovation_submissions.c.submission_id == submission_id)
        .values(
            state=state,
            reason=reason,
            innovation_id=innovation_id,
            processed_at=now,
            processed_by_run=run_id,
        )
    )


def apply_pending(
    warehouse: Warehouse, run_id: str | None = None, limit: int | None = None
) -> ApplyReport:
    report = ApplyReport()
    for submission_id in pending_ids(warehouse)[:limit]:
        with warehouse.begin() as conn:
            claimed = _claim(conn, warehouse, submission_id)
            if claimed is None:
                report.skipped += 1
                continue
            now = datetime.now(timezone.utc)
            try:
                try:
                    sub = Submission.model_validate_json(claimed[0])
                except ValidationError as exc:
                    raise Rejection(f"invalid: {describe_errors(exc)}") from None
                innovation = _resolve(conn, sub)
                _check(conn, sub, innovation)
                _apply(conn, sub, innovation, now)
            except Rejection as rej:
                _finish(conn, submission_id, "rejected", rej.reason, rej.innovation_id, now, run_id)
                report.rejected += 1
                kind = rej.reason.split(":", 1)[0]
                report.reasons[kind] = report.reasons.get(kind, 0) + 1
                continue
            _finish(conn, submission_id, "accepted", None, innovation["innovation_id"], now, run_id)
            report.accepted += 1
            report.innovations.add(innovation["innovation_id"])
    return report
