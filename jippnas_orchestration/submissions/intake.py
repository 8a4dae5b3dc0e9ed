"""Intake: store submission documents in `innovation_submissions` (the portal does the same).

A document of the right shape is stored as `pending`; the same submission_id again is a no-op.
A document of the wrong shape is stored as `rejected` with its reason (nothing received is lost)
and makes `jippnas submit` exit non-zero.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from sqlalchemy.dialects import postgresql, sqlite

from .. import settings
from ..schema import ensure_schema, innovation_submissions
from ..warehouse import Warehouse
from .model import shape_problem


@dataclass
class Outcome:
    where: str
    submission_id: str
    status: str  # stored | duplicate | rejected
    message: str = ""


def _insert(warehouse: Warehouse):
    dialect = postgresql if warehouse.is_postgres else sqlite
    return dialect.insert(innovation_submissions)


def store_document(
    warehouse: Warehouse, doc: object, where: str, conn=None, problem: str | None = None
) -> Outcome:
    """Store one document; idempotent on submission_id."""
    problem = problem or shape_problem(doc)
    payload = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    sid = (
        doc.get("submission_id")
        if isinstance(doc, dict) and isinstance(doc.get("submission_id"), str) and not problem
        else None
    )
    if sid is None:  # keyed by content so the same bad document is not stored twice
        sid = "invalid-" + hashlib.sha256(payload.encode()).hexdigest()[:24]
    row = {
        "submission_id": sid,
        "received_at": datetime.now(timezone.utc),
        "payload": payload,
        "state": "rejected" if problem else "pending",
        "reason": f"malformed document: {problem}" if problem else None,
        "innovation_ref": json.dumps(doc.get("innovation"), ensure_ascii=False)
        if isinstance(doc, dict)
        else None,
        "agency_id": doc.get("agency_id")
        if isinstance(doc, dict) and isinstance(doc.get("agency_id"), str)
        else None,
        "submitted_at": doc.get("submitted_at")
        if isinstance(doc, dict) and isinstance(doc.get("submitted_at"), str)
        else None,
        "processed_at": datetime.now(timezone.utc) if problem else None,
    }
    stmt = _insert(warehouse).values(**row).on_conflict_do_nothing(index_elements=["submission_id"])
    if conn is None:
        with warehouse.begin() as own:
            inserted = own.execute(stmt).rowcount
    else:
        inserted = conn.execute(stmt).rowcount
    if problem:
        return Outcome(where, sid, "rejected", problem)
    return Outcome(where, sid, "stored" if inserted else "duplicate")


def read_documents(path: Path) -> list[tuple[str, object]]:
    """(location, document) pairs of one file: one JSON document or a JSON array of them."""
    text = path.read_text(encoding="utf-8-sig")
    data = json.loads(text)
    if isinstance(data, list):
        return [(f"{path}[{i}]", d) for i, d in enumerate(data)]
    return [(str(path), data)]


def submit_files(paths: list[Path], out: TextIO, warehouse: Warehouse | None = None) -> int:
    """`jippnas submit FILE...`: exit 0 only when every document was stored."""
    wh = warehouse or Warehouse(settings.warehouse_url())
    ensure_schema(wh.engine)
    failures = 0
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for path in paths:
        try:
            docs = read_documents(path)
        except FileNotFoundError:
            print(f"error: {path}: no such file", file=out)
            failures += 1
            continue
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raw = path.read_bytes()
            store_document(
                wh,
                {"unparseable_file": path.name, "text": raw.decode("utf-8", "replace")[:20_000]},
                str(path),
                problem=f"the file is not JSON ({exc})",
            )
            print(f"error: {path}: not JSON ({exc}); kept as a rejected submission", file=out)
            failures += 1
            continue
        with wh.begin() as conn:
            outcomes = [store_document(wh, doc, where, conn=conn) for where, doc in docs]
        for o in outcomes:
            counts[o.status] += 1
            if o.status == "rejected":
                failures += 1
                print(f"rejected: {o.where}: {o.message} (kept as {o.submission_id})", file=out)
            elif len(outcomes) <= 20:
                print(
                    f"{'stored as pending' if o.status == 'stored' else 'already received'}: "
                    f"{o.submission_id} ({o.where})",
                    file=out,
                )
    print(
        f"{counts['stored']} stored as pending, {counts['duplicate']} already received, "
        f"{counts['rejected']} rejected",
        file=out,
    )
    return 1 if failures else 0
