"""Apply pending submissions: validate, resolve, authorize, then change the innovation — exactly once.

Each submission is handled in its own transaction that (1) claims the row while it is still
`pending` (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers),
(2) writes its field changes to `innovation_change_log` and `harmonized_innovations`, and
(3) sets its state. Two overlapping runs therefore never apply a submission twice, and a
crash leaves a submission either fully applied or still pending.
Values win by `submitted_at` (latest wins, field by field), whatever order runs apply them in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd
import sqlalchemy as sa
from pydantic import ValidationError

from ..completeness import in_campaign, score_row
from ..harmonize.merge import CAMPAIGN_FIELDS, decode_value
from ..schema import innovation_change_log, innovation_submissions
from ..warehouse import Warehouse
from .model import Submission, describe_errors

INTERNAL_ONLY_FIELDS = {"contact_email"}  # kept in the change log, never in harmonized_innovations
SCORE_COLUMNS = ["completeness", "missing_fields", "update_status", "last_updated_at"]


@dataclass
class ApplyReport:
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0                       # claimed by another run meanwhile
    reasons: dict[str, int] = field(default_factory=dict)
    innovations: set[str] = field(default_factory=set)


class Rejection(Exception):
    def __init__(self, reason: str, innovation_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.innovation_id = innovation_id


def utc_iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def _sort_key(submitted_at: str | None) -> tuple:
    ts = pd.to_datetime(submitted_at, utc=True, errors="coerce", format="ISO8601") if submitted_at else pd.NaT
    return (0, pd.Timestamp.min.tz_localize("UTC")) if pd.isna(ts) else (1, ts)


def pending_ids(warehouse: Warehouse) -> list[str]:
    rows = warehouse.read_sql("SELECT submission_id, submitted_at FROM innovation_submissions WHERE state = 'pending'")
    order = sorted(zip(rows["submission_id"], rows["submitted_at"]), key=lambda r: (_sort_key(r[1]), r[0]))
    return [sid for sid, _ in order]


def _claim(conn, warehouse: Warehouse, submission_id: str):
    query = sa.select(innovation_submissions.c.payload).where(
        innovation_submissions.c.submission_id == submission_id, innovation_submissions.c.state == "pending")
    if warehouse.is_postgres:
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).first()


def _resolve(conn, sub: Submission) -> dict:
    ref = sub.innovation
    if ref.innovation_id:
        row = conn.execute(sa.text("SELECT * FROM harmonized_innovations WHERE innovation_id = :i"),
                           {"i": ref.innovation_id}).mappings().first()
        if row is None:
            raise Rejection(f"unknown innovation: no innovation with id {ref.innovation_id}")
        return dict(row)
    hit = conn.execute(sa.text("SELECT innovation_id FROM innovation_source_map WHERE source = :s AND "
                               "source_record_id = :r"), {"s": ref.source, "r": ref.source_record_id}).first()
    if hit is None:
        raise Rejection(f"unknown innovation: {ref.source} record {ref.source_record_id} is not in JIPPNas")
    row = conn.execute(sa.text("SELECT * FROM harmonized_innovations WHERE innovation_id = :i"),
                       {"i": hit[0]}).mappings().first()
    if row is None:
        raise Rejection(f"unknown innovation: {ref.source} record {ref.source_record_id} maps to {hit[0]}, "
                        "which is not published")
    return dict(row)


def _check(conn, sub: Submission, innovation: dict) -> None:
    iid = innovation["innovation_id"]
    if sub.agency_id != innovation["agency_id"]:
        raise Rejection(f"not authorized: agency {sub.agency_id} does not own innovation {iid} (owner: "
                        f"{innovation['agency_id']} {innovation.get('agency_name') or ''}); the owner agency "
                        "must submit this update".rstrip(), iid)
    if sub.changes.replicated_by:
        known = {r[0] for r in conn.execute(sa.text("SELECT agency_id FROM agencies WHERE agency_id IN :ids")
                                            .bindparams(sa.bindparam("ids", expanding=True)),
                                            {"ids": sub.changes.replicated_by})}
        unknown = sorted(set(sub.changes.replicated_by) - known)
        if unknown:
            raise Rejection(f"invalid: changes.replicated_by: unknown agency id(s) {', '.join(unknown)}", iid)


def _encode(value) -> str:
    return json.dumps(value, ensure_ascii=False)


_LATEST_BY_FIELD = sa.text("SELECT field, MAX(submitted_at) FROM innovation_change_log "
                           "WHERE innovation_id = :i GROUP BY field")


def _apply(conn, sub: Submission, innovation: dict, campaign_start: date, now: datetime) -> None:
    iid = innovation["innovation_id"]
    at = utc_iso(sub.submitted_at)
    changes = sub.changes.model_dump(exclude_unset=True)
    latest = dict(conn.execute(_LATEST_BY_FIELD, {"i": iid}).fetchall())
    conn.execute(innovation_change_log.insert(), [
        {"submission_id": sub.submission_id, "innovation_id": iid, "field": name,
         "old_value": None if name in INTERNAL_ONLY_FIELDS or innovation.get(name) is None else str(innovation[name]),
         "new_value": _encode(value), "submitted_at": at, "applied_at": now}
        for name, value in changes.items()])
    # an older submission applied late never overwrites a newer value
    winners = {name: decode_value(name, _encode(value)) for name, value in changes.items()
               if name in CAMPAIGN_FIELDS and name not in INTERNAL_ONLY_FIELDS and at >= latest.get(name, "")}
    if winners:
        sets = ", ".join(f'"{k}" = :{k}' for k in winners)
        conn.execute(sa.text(f"UPDATE harmonized_innovations SET {sets} WHERE innovation_id = :iid"),
                     {**winners, "iid": iid})
    _rescore(conn, iid, sub, campaign_start)


def _rescore(conn, iid: str, sub: Submission, campaign_start: date) -> None:
    row = conn.execute(sa.text("SELECT * FROM harmonized_innovations WHERE innovation_id = :i"), {"i": iid}).mappings().first()
    earlier = conn.execute(sa.text("SELECT submitted_at FROM innovation_submissions WHERE innovation_id = :i "
                                   "AND state = 'accepted'"), {"i": iid}).scalars().all()
    in_campaign_ = any(in_campaign(at, campaign_start) for at in [*earlier, sub.submitted_at.isoformat()])
    scored = score_row(dict(row), in_campaign_)
    last = conn.execute(sa.select(sa.func.max(innovation_change_log.c.submitted_at)).where(
        innovation_change_log.c.innovation_id == iid)).scalar()
    conn.execute(sa.text("UPDATE harmonized_innovations SET completeness = :c, missing_fields = :m, "
                         "update_status = :u, last_updated_at = :l WHERE innovation_id = :i"),
                 {"c": scored["completeness"], "m": scored["missing_fields"], "u": scored["update_status"],
                  "l": last, "i": iid})


def _finish(conn, submission_id: str, state: str, reason: str | None, innovation_id: str | None,
            now: datetime, run_id: str | None) -> None:
    conn.execute(innovation_submissions.update().where(innovation_submissions.c.submission_id == submission_id)
                 .values(state=state, reason=reason, innovation_id=innovation_id, processed_at=now,
                         processed_by_run=run_id))


def apply_pending(warehouse: Warehouse, campaign_start: date, run_id: str | None = None,
                  limit: int | None = None) -> ApplyReport:
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
                _apply(conn, sub, innovation, campaign_start, now)
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
