"""`jippnas review list|show|accept|reject|assign`: see the open questions and decide them.

A decision is stored in `review_decisions` (who, when) and honoured by every later run: an
accepted pair is one innovation, a rejected pair never merges again, an assigned agency stays
assigned. The queue itself (`match_review`) is rebuilt by the pipeline; run it (or let the
review sensor run it) to see a decision take effect.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime, timezone
from typing import TextIO

import sqlalchemy as sa

from ..schema import ensure_schema, review_decisions
from ..warehouse import Warehouse
from .model import KIND_AGENCY, KIND_PAIR


class ReviewError(ValueError):
    """A decision that cannot be taken; the message says what to do instead."""


def list_reviews(wh: Warehouse, out: TextIO, status: str = "open", kind: str | None = None) -> int:
    if not wh.has_table("match_review"):
        print("no review queue yet: run the pipeline first", file=out)
        return 0
    df = wh.read_table("match_review")
    if status != "all":
        df = df[df["status"] == status]
    if kind:
        df = df[df["kind"] == kind]
    for r in df.itertuples():
        cands = json.loads(r.candidates or "[]")
        best = ", ".join(f"{c[0]} ({c[1]})" for c in cands[:3] if c and c[0]) or "-"
        decided = f"  [{r.decision} by {r.decided_by}]" if r.status == "decided" else ""
        print(
            f"{r.review_id}  {r.kind:<6} {r.record_count:>3} rec  {r.description}{decided}",
            file=out,
        )
        print(f"    evidence: {r.evidence}; candidates: {best}", file=out)
    print(f"{len(df)} {status if status != 'all' else ''} review(s)".replace("  ", " "), file=out)
    return 0


def show_review(wh: Warehouse, review_id: str, out: TextIO) -> int:
    row = _review(wh, review_id)
    for k, v in row.items():
        print(f"{k:>22}: {v}", file=out)
    return 0


def _review(wh: Warehouse, review_id: str) -> dict:
    if not wh.has_table("match_review"):
        raise ReviewError("no review queue yet: run the pipeline first")
    df = wh.read_sql("SELECT * FROM match_review WHERE review_id = :r", {"r": review_id})
    if not len(df):
        raise ReviewError(f"unknown review {review_id!r}: see `jippnas review list`")
    return df.iloc[0].to_dict()


def _exists(wh: Warehouse, table: str, column: str, value: str) -> bool:
    return (
        wh.has_table(table)
        and len(wh.read_sql(f"SELECT 1 FROM {table} WHERE {column} = :v", {"v": value})) > 0
    )


def decide(
    wh: Warehouse,
    review_id: str,
    decision: str,
    target: str | None = None,
    by: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Validate and store one decision; returns the stored row."""
    review = _review(wh, review_id)
    kind = review["kind"]
    agency_id = innovation_id = None
    if decision == "accept":
        if kind == KIND_AGENCY:
            cands = [c for c in json.loads(review["candidates"] or "[]") if c and c[0]]
            if not cands:
                raise ReviewError(
                    f"{review_id} has no candidate agency to accept: use "
                    f"`jippnas review assign {review_id} AGENCY_ID`"
                )
            agency_id = cands[0][0]
    elif decision == "assign":
        if not target:
            raise ReviewError(
                "assign needs a target: an agency_id (agency review) or an innovation_id (pair review)"
            )
        if kind == KIND_AGENCY:
            if not _exists(wh, "agencies", "agency_id", target):
                raise ReviewError(f"unknown agency_id {target!r} (see table agencies)")
            agency_id = target
        else:
            if not _exists(wh, "innovation_source_map", "innovation_id", target):
                raise ReviewError(
                    f"unknown innovation_id {target!r} (see table harmonized_innovations)"
                )
            innovation_id = target
    elif decision != "reject":
        raise ReviewError(f"unknown decision {decision!r}: accept, reject or assign")
    row = {
        "review_id": review_id,
        "kind": kind,
        "subject": review["subject"],
        "decision": decision,
        "agency_id": agency_id,
        "innovation_id": innovation_id,
        "note": note,
        "decided_by": by or getpass.getuser(),
        "decided_at": now or datetime.now(timezone.utc),
    }
    ensure_schema(wh.engine)
    with wh.begin() as conn:
        conn.execute(sa.insert(review_decisions), [row])
    return row


def read_decisions(wh: Warehouse):
    ensure_schema(wh.engine)
    return wh.read_table("review_decisions")


__all__ = [
    "KIND_AGENCY",
    "KIND_PAIR",
    "ReviewError",
    "decide",
    "list_reviews",
    "read_decisions",
    "show_review",
]
