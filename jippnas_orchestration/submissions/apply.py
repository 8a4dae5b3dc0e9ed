"""Decide pending submissions set-wise: validate, resolve, authorize, log their changes — once.

Pending submissions are taken in `submitted_at` order, in chunks (5,000 by default), one transaction
per chunk. A chunk is first claimed while still `pending` (FOR UPDATE SKIP LOCKED on PostgreSQL;
SQLite's BEGIN IMMEDIATE serialises writers), then decided in Python against the innovations,
source-map rows and agencies it names (one query each), its change-log rows are appended in bulk
(COPY on PostgreSQL) and the states set. Two overlapping runs therefore never log a submission
twice, and a crash leaves a chunk either fully logged or still pending. Innovations are resolved
against `merged_innovations` (what the sources say); `harmonized_innovations` lays the change log
over the merged sources, the latest `submitted_at` winning field by field.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
from pydantic import ValidationError

from ..failpoints import failpoint
from ..harmonize.merge import decode_value
from ..schema import innovation_submissions
from ..warehouse import Warehouse
from .model import Submission, describe_errors

INTERNAL_ONLY_FIELDS = {"contact_email"}  # kept in the change log, never in harmonized_innovations
INNOVATIONS = "merged_innovations"  # the innovations submissions may name, with their owner agency
CHUNK = 5_000  # submissions per transaction
LOG_COLUMNS = [
    "submission_id",
    "innovation_id",
    "field",
    "old_value",
    "new_value",
    "submitted_at",
    "applied_at",
]


@dataclass
class ApplyReport:
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0  # claimed by another run meanwhile
    reasons: dict[str, int] = field(default_factory=dict)
    innovations: set[str] = field(default_factory=set)


class Rejection(Exception):
    def __init__(self, reason: str, innovation_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.innovation_id = innovation_id


def utc_iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def pending_ids(warehouse: Warehouse) -> list[str]:
    """Pending submissions in submitted_at order (unparseable times first), then by id."""
    rows = warehouse.read_sql(
        "SELECT submission_id, submitted_at FROM innovation_submissions WHERE state = 'pending'"
    )
    if rows.empty:
        return []
    ts = pd.to_datetime(rows["submitted_at"], utc=True, errors="coerce", format="ISO8601")
    order = rows.assign(_bad=ts.isna(), _ts=ts).sort_values(
        ["_bad", "_ts", "submission_id"], ascending=[False, True, True]
    )
    return order["submission_id"].tolist()


def _select_in(conn, sql: str, values: Iterable) -> list[sa.RowMapping]:
    values = sorted(set(values))
    if not values:
        return []
    stmt = sa.text(sql).bindparams(sa.bindparam("ids", expanding=True))
    return list(conn.execute(stmt, {"ids": values}).mappings())


def _claim(conn, warehouse: Warehouse, ids: list[str]) -> dict[str, str]:
    """Payloads of the chunk's submissions still pending, now locked for this transaction."""
    query = sa.select(
        innovation_submissions.c.submission_id, innovation_submissions.c.payload
    ).where(
        innovation_submissions.c.submission_id.in_(ids), innovation_submissions.c.state == "pending"
    )
    if warehouse.is_postgres:
        query = query.with_for_update(skip_locked=True)
    return dict(conn.execute(query).fetchall())


class _Context:
    """What one chunk's submissions name, read once inside the chunk's transaction."""

    def __init__(self, conn, subs: list[Submission]):
        refs = [s.innovation for s in subs]
        mapped = _select_in(
            conn,
            "SELECT source, source_record_id, innovation_id FROM innovation_source_map "
            "WHERE source_record_id IN :ids",
            [r.source_record_id for r in refs if r.source_record_id],
        )
        self.source_map = {(m["source"], m["source_record_id"]): m["innovation_id"] for m in mapped}
        wanted = {r.innovation_id for r in refs if r.innovation_id} | set(self.source_map.values())
        self.innovations = {
            dict(r)["innovation_id"]: dict(r)
            for r in _select_in(
                conn, f"SELECT * FROM {INNOVATIONS} WHERE innovation_id IN :ids", wanted
            )
        }
        replicas = {a for s in subs for a in (s.changes.replicated_by or [])}
        self.agencies = {
            r["agency_id"]
            for r in _select_in(
                conn, "SELECT agency_id FROM agencies WHERE agency_id IN :ids", replicas
            )
        }
        # winner per (innovation, field): the greatest (submitted_at, change_id) logged so far
        self.winners: dict[tuple[str, str], tuple[tuple, str | None]] = {}
        for r in _select_in(
            conn,
            "SELECT innovation_id, field, new_value, submitted_at, change_id "
            "FROM innovation_change_log WHERE innovation_id IN :ids",
            self.innovations,
        ):
            self._offer(
                r["innovation_id"], r["field"], (r["submitted_at"], r["change_id"]), r["new_value"]
            )
        self.next_seq = 1 + max((k[1] for k, _ in self.winners.values()), default=0)

    def _offer(self, iid: str, name: str, key: tuple, value: str | None) -> None:
        held = self.winners.get((iid, name))
        if held is None or key > held[0]:
            self.winners[(iid, name)] = (key, value)

    def resolve(self, sub: Submission) -> dict:
        ref = sub.innovation
        if ref.innovation_id:
            row = self.innovations.get(ref.innovation_id)
            if row is None:
                raise Rejection(f"unknown innovation: no innovation with id {ref.innovation_id}")
            return row
        hit = self.source_map.get((ref.source, ref.source_record_id))
        if hit is None:
            raise Rejection(
                f"unknown innovation: {ref.source} record {ref.source_record_id} is not in JIPPNas"
            )
        row = self.innovations.get(hit)
        if row is None:
            raise Rejection(
                f"unknown innovation: {ref.source} record {ref.source_record_id} maps to {hit}, "
                "which is not published"
            )
        return row

    def check(self, sub: Submission, innovation: dict) -> None:
        iid = innovation["innovation_id"]
        if sub.agency_id != innovation["agency_id"]:
            raise Rejection(
                f"not authorized: agency {sub.agency_id} does not own innovation {iid} (owner: "
                f"{innovation['agency_id']} {innovation.get('agency_name') or ''}); the owner "
                "agency must submit this update".rstrip(),
                iid,
            )
        unknown = sorted(set(sub.changes.replicated_by or []) - self.agencies)
        if unknown:
            raise Rejection(
                f"invalid: changes.replicated_by: unknown agency id(s) {', '.join(unknown)}", iid
            )

    def log_rows(self, sub: Submission, innovation: dict, now: datetime) -> list[dict]:
        """Field changes with the value each replaces (the winner so far), as logged."""
        iid = innovation["innovation_id"]
        at = utc_iso(sub.submitted_at)
        rows = []
        for name, value in sub.changes.model_dump(exclude_unset=True).items():
            held = self.winners.get((iid, name))
            old = None
            if name not in INTERNAL_ONLY_FIELDS:
                old = decode_value(name, held[1]) if held else innovation.get(name)
                old = None if old is None else str(old)
            new = json.dumps(value, ensure_ascii=False)
            rows.append(
                {
                    "submission_id": sub.submission_id,
                    "innovation_id": iid,
                    "field": name,
                    "old_value": old,
                    "new_value": new,
                    "submitted_at": at,
                    "applied_at": now,
                }
            )
            self._offer(iid, name, (at, self.next_seq), new)
            self.next_seq += 1
        return rows


def _decide(
    conn, ids: list[str], payloads: dict[str, str], now: datetime, report: ApplyReport
) -> tuple[list[dict], list[dict]]:
    parsed: dict[str, Submission | Rejection] = {}
    for sid in ids:
        if sid in payloads:
            try:
                parsed[sid] = Submission.model_validate_json(payloads[sid])
            except ValidationError as exc:
                parsed[sid] = Rejection(f"invalid: {describe_errors(exc)}")
    ctx = _Context(conn, [s for s in parsed.values() if isinstance(s, Submission)])
    log, states = [], []
    for sid, sub in parsed.items():  # ids order: submitted_at order
        try:
            if isinstance(sub, Rejection):
                raise sub
            innovation = ctx.resolve(sub)
            ctx.check(sub, innovation)
        except Rejection as rej:
            states.append(
                {"sid": sid, "state": "rejected", "reason": rej.reason, "iid": rej.innovation_id}
            )
            report.rejected += 1
            kind = rej.reason.split(":", 1)[0]
            report.reasons[kind] = report.reasons.get(kind, 0) + 1
            continue
        log.extend(ctx.log_rows(sub, innovation, now))
        states.append(
            {"sid": sid, "state": "accepted", "reason": None, "iid": innovation["innovation_id"]}
        )
        report.accepted += 1
        report.innovations.add(innovation["innovation_id"])
    return log, states


def _set_states(
    conn, warehouse: Warehouse, states: list[dict], now: datetime, run_id: str | None
) -> None:
    if not states:
        return
    if not warehouse.is_postgres:
        conn.execute(
            sa.text(
                "UPDATE innovation_submissions SET state = :state, reason = :reason, "
                "innovation_id = :iid, processed_at = :now, processed_by_run = :run "
                "WHERE submission_id = :sid"
            ),
            [dict(s, now=now, run=run_id) for s in states],
        )
        return
    # PostgreSQL: COPY the decisions into a scratch table, then one UPDATE ... FROM
    scratch = f"decided_{uuid.uuid4().hex[:12]}"
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {scratch} (sid TEXT PRIMARY KEY, state TEXT, reason TEXT, "
        "iid TEXT) ON COMMIT DROP"
    )
    warehouse.insert_frame(
        conn, scratch, pd.DataFrame(states, columns=["sid", "state", "reason", "iid"])
    )
    conn.execute(
        sa.text(
            f"UPDATE innovation_submissions s SET state = d.state, reason = d.reason, "
            f"innovation_id = d.iid, processed_at = :now, processed_by_run = :run "
            f"FROM {scratch} d WHERE s.submission_id = d.sid"
        ),
        {"now": now, "run": run_id},
    )


def apply_pending(
    warehouse: Warehouse, run_id: str | None = None, limit: int | None = None, chunk: int = CHUNK
) -> ApplyReport:
    report = ApplyReport()
    ids = pending_ids(warehouse)[:limit]
    for number, start in enumerate(range(0, len(ids), chunk), 1):
        part = ids[start : start + chunk]
        with warehouse.begin() as conn:
            payloads = _claim(conn, warehouse, part)
            report.skipped += len(part) - len(payloads)
            if not payloads:
                continue
            now = datetime.now(timezone.utc)
            log, states = _decide(conn, part, payloads, now, report)
            if log:
                warehouse.insert_frame(
                    conn, "innovation_change_log", pd.DataFrame(log, columns=LOG_COLUMNS)
                )
            _set_states(conn, warehouse, states, now, run_id)
            failpoint(f"innovation_change_log.chunk{number}.before_commit")
    return report
