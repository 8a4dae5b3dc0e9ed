"""Intake: store submission documents in `innovation_submissions` (the portal does the same).

A document of the right shape is stored as `pending`; the same submission_id again with the same
content is a no-op. A document of the wrong shape, beyond the intake limits (settings
`JIPPNAS_SUBMIT_MAX_*`), or reusing a submission_id already received with different content is
stored as `rejected` with its reason (nothing received is lost) and makes `jippnas submit` exit
non-zero. A file that cannot be read as documents at all (not JSON, not UTF-8, too large, too many
documents) is kept as one rejected record naming the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import settings
from ..schema import ensure_schema, innovation_submissions
from ..warehouse import Warehouse
from .model import shape_problem

KEPT_TEXT = 20_000  # how much of an unreadable file or document a rejected record keeps


@dataclass
class Outcome:
    where: str
    submission_id: str
    status: str  # stored | duplicate | rejected
    message: str = ""


@dataclass(frozen=True)
class Limits:
    """Intake bounds; each breach is a rejection naming the file, document and field."""

    file_bytes: int
    documents: int
    depth: int
    field_chars: int
    per_agency_hour: int = 5_000

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.submit_max_file_bytes(),
            documents=settings.submit_max_documents(),
            depth=settings.submit_max_depth(),
            field_chars=settings.submit_max_field_chars(),
            per_agency_hour=settings.submit_max_per_agency_hour(),
        )


class FileRejected(Exception):
    """The file as a whole cannot be taken in; the message says why in plain words."""


def _insert(warehouse: Warehouse):
    dialect = postgresql if warehouse.is_postgres else sqlite
    return dialect.insert(innovation_submissions)


def _execute(warehouse: Warehouse, conn, stmt):
    if conn is None:
        with warehouse.begin() as own:
            return own.execute(stmt)
    return conn.execute(stmt)


def _row(doc: object, sid: str, payload: str, reason: str | None) -> dict:
    now = datetime.now(timezone.utc)
    return {
        "submission_id": sid,
        "received_at": now,
        "payload": payload,
        "state": "rejected" if reason else "pending",
        "reason": reason,
        "innovation_ref": json.dumps(doc.get("innovation"), ensure_ascii=False)
        if isinstance(doc, dict)
        else None,
        "agency_id": doc.get("agency_id")
        if isinstance(doc, dict) and isinstance(doc.get("agency_id"), str)
        else None,
        "submitted_at": doc.get("submitted_at")
        if isinstance(doc, dict) and isinstance(doc.get("submitted_at"), str)
        else None,
        "processed_at": now if reason else None,
    }


def _store_rejected(warehouse: Warehouse, conn, doc: object, payload: str, prefix: str, reason):
    """A rejected record keyed by its content, so the same bad document is not stored twice."""
    sid = prefix + "-" + hashlib.sha256(payload.encode()).hexdigest()[:24]
    stmt = (
        _insert(warehouse)
        .values(**_row(doc, sid, payload, reason))
        .on_conflict_do_nothing(index_elements=["submission_id"])
    )
    _execute(warehouse, conn, stmt)
    return sid


def _same_content(stored: str | None, doc: object) -> bool:
    try:
        return stored is not None and json.loads(stored) == doc
    except ValueError:
        return False


def store_document(
    warehouse: Warehouse,
    doc: object,
    where: str,
    conn=None,
    problem: str | None = None,
    over_rate: str | None = None,
) -> Outcome:
    """Store one document; idempotent on submission_id and content.

    The same submission_id with different content is a conflict: the first content stands, the
    new one is kept as a rejected record (`conflict-…`) and reported as rejected.
    """
    problem = problem or shape_problem(doc)
    payload = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    if over_rate and not problem:
        sid = _store_rejected(warehouse, conn, doc, payload, "limited", over_rate)
        return Outcome(where, sid, "rejected", over_rate)
    if problem:
        sid = _store_rejected(
            warehouse, conn, doc, payload, "invalid", f"malformed document: {problem}"
        )
        return Outcome(where, sid, "rejected", problem)
    sid = doc["submission_id"]
    stmt = (
        _insert(warehouse)
        .values(**_row(doc, sid, payload, None))
        .on_conflict_do_nothing(index_elements=["submission_id"])
    )
    if conn is None:
        with warehouse.begin() as own:
            return store_document(warehouse, doc, where, conn=own)
    if conn.execute(stmt).rowcount:
        return Outcome(where, sid, "stored")
    stored = conn.execute(
        select(innovation_submissions.c.payload).where(
            innovation_submissions.c.submission_id == sid
        )
    ).scalar()
    if _same_content(stored, doc):
        return Outcome(where, sid, "duplicate")
    message = (
        f"conflict: submission_id '{sid}' was already received with different content "
        "(the first one stands; send a new submission_id for a new update)"
    )
    kept = _store_rejected(warehouse, conn, doc, payload, "conflict", message)
    return Outcome(where, kept, "rejected", message)


# ---- reading a file within the limits ----------------------------------------------------------
# a JSON string (skipped whole, so brackets inside text do not count) or a structural character
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')


@dataclass
class _Scan:
    in_array: bool
    spans: list[tuple[int, int]]  # the top-level array's elements (start, end) in the text
    too_deep: dict[int, int]  # element index (0 for a file of one document) -> offset


def _scan(text: str, limit: int) -> _Scan:
    """Nesting depth of each document, found without parsing (parsing 100k levels would crash)."""
    in_array = text.lstrip()[:1] == "["
    base = 1 if in_array else 0
    depth, index, start = 0, 0, None
    spans: list[tuple[int, int]] = []
    too_deep: dict[int, int] = {}
    for m in _TOKEN.finditer(text):
        c = m.group()[0]
        if c == '"':
            continue
        if c == ",":
            if in_array and depth == 1:
                spans.append((start, m.start()))
                start, index = m.end(), index + 1
            continue
        if c in "[{":
            depth += 1
            if in_array and depth == 1:
                start = m.end()
            elif depth - base > limit:
                too_deep.setdefault(index, m.start())
        else:
            if in_array and depth == 1 and start is not None:
                if spans or text[start : m.start()].strip():
                    spans.append((start, m.start()))
                start = None
            depth -= 1
    return _Scan(in_array, spans, too_deep)


def _check_text(value: object, where: str, limit: int) -> str | None:
    """The first text (key or value) longer than `limit` or not valid Unicode, named by its path."""
    if isinstance(value, str):
        if len(value) > limit:
            return (
                f"field '{where or 'document'}' is {len(value):,} characters long, more than the "
                f"limit of {limit:,} (JIPPNAS_SUBMIT_MAX_FIELD_CHARS)"
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"field '{where or 'document'}' is not valid Unicode text (a lone surrogate)"
        return None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        if isinstance(key, str):
            problem = _check_text(key, path, limit)
            if problem:
                return problem.replace("field ", "key ", 1)
        problem = _check_text(item, path, limit)
        if problem:
            return problem
    return None


def _trimmed(value: object, limit: int) -> object:
    """What a rejected record keeps of an overlong or invalid document: texts cut to `limit`."""
    if isinstance(value, str):
        cut = value[:limit] + (f"… [{len(value):,} characters]" if len(value) > limit else "")
        return cut.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_trimmed(k, limit): _trimmed(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v, limit) for v in value]
    return value


def read_documents(
    path: Path, limits: Limits | None = None
) -> list[tuple[str, object, str | None]]:
    """(location, document, problem) of one file: one JSON document or a JSON array of them.

    Raises FileRejected for a file too large or with too many documents, UnicodeDecodeError
    or ValueError (incl. JSONDecodeError) for a file that is not UTF-8 JSON.
    """
    limits = limits or Limits.from_settings()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise FileRejected(
            f"the file is {size:,} bytes, more than the limit of {limits.file_bytes:,} "
            "(JIPPNAS_SUBMIT_MAX_FILE_BYTES); split it into smaller files"
        )
    text = path.read_bytes().decode("utf-8-sig")
    scan = _scan(text, limits.depth)
    if scan.in_array and len(scan.spans) > limits.documents:
        raise FileRejected(
            f"the file holds {len(scan.spans):,} documents, more than the limit of "
            f"{limits.documents:,} (JIPPNAS_SUBMIT_MAX_DOCUMENTS); split it into smaller files"
        )
    deep_problem = (
        f"document nested deeper than {limits.depth} levels of arrays and objects "
        "(JIPPNAS_SUBMIT_MAX_DEPTH), at character {offset:,} of the file"
    )
    if not scan.too_deep:
        try:
            data = json.loads(text)
        except RecursionError as exc:  # the scan should have caught it; never a traceback
            raise FileRejected(f"the file is nested too deeply to read ({exc})") from None
        docs = list(enumerate(data)) if isinstance(data, list) else [(None, data)]
    elif not scan.in_array:
        kept = {"unreadable_document": text[:KEPT_TEXT]}
        return [(str(path), kept, deep_problem.format(offset=scan.too_deep[0]))]
    else:
        docs = []
        for i, (start, end) in enumerate(scan.spans):
            if i in scan.too_deep:
                docs.append((i, None))
            else:
                docs.append((i, json.loads(text[start:end])))
    out = []
    for i, doc in docs:
        where = str(path) if i is None else f"{path}[{i}]"
        if i is not None and i in scan.too_deep:
            start, end = scan.spans[i]
            kept = {"unreadable_document": text[start:end][:KEPT_TEXT]}
            out.append((where, kept, deep_problem.format(offset=scan.too_deep[i])))
            continue
        problem = _check_text(doc, "", limits.field_chars)
        if problem:
            out.append((where, _trimmed(doc, limits.field_chars), problem))
        else:
            out.append((where, doc, None))
    return out


def _over_rate(conn, docs: list, limit: int) -> dict[int, str]:
    """Documents (by position) beyond an agency's hourly allowance, with the reason.

    Counts what each agency had stored in the last hour (not rejected) plus this file's new
    submissions in order; resending an id already received is not counted (it is a no-op).
    """
    t = innovation_submissions.c
    fresh = [
        (i, doc)
        for i, (_, doc, problem) in enumerate(docs)
        if not problem and not shape_problem(doc)
    ]
    if not fresh:
        return {}
    ids = [doc["submission_id"] for _, doc in fresh]
    known = set()
    for start in range(0, len(ids), 500):
        known |= set(
            conn.execute(
                select(t.submission_id).where(t.submission_id.in_(ids[start : start + 500]))
            ).scalars()
        )
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    agencies = sorted({doc["agency_id"] for _, doc in fresh})
    sent = dict(
        conn.execute(
            select(t.agency_id, func.count())
            .where(t.agency_id.in_(agencies), t.received_at >= since, t.state != "rejected")
            .group_by(t.agency_id)
        ).all()
    )
    over = {}
    for i, doc in fresh:
        if doc["submission_id"] in known:
            continue
        agency = doc["agency_id"]
        if sent.get(agency, 0) >= limit:
            over[i] = (
                f"rate limit: agency '{agency}' has sent {limit:,} submissions in the last hour "
                "(JIPPNAS_SUBMIT_MAX_PER_AGENCY_HOUR); send this one again later"
            )
        else:
            sent[agency] = sent.get(agency, 0) + 1
    return over


def _keep_file(wh: Warehouse, path: Path, problem: str, limits: Limits) -> str:
    """A file that could not be read as documents, kept (its beginning) as one rejected record."""
    with path.open("rb") as f:
        head = f.read(min(limits.file_bytes, KEPT_TEXT * 4))
    outcome = store_document(
        wh,
        {"unparseable_file": path.name, "text": head.decode("utf-8", "replace")[:KEPT_TEXT]},
        str(path),
        problem=problem,
    )
    return outcome.submission_id


def submit_files(
    paths: list[Path], out: TextIO, warehouse: Warehouse | None = None, limits: Limits | None = None
) -> int:
    """`jippnas submit FILE...`: exit 0 only when every document was stored (or already was)."""
    wh = warehouse or Warehouse(settings.warehouse_url())
    limits = limits or Limits.from_settings()
    ensure_schema(wh.engine)
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for path in paths:
        try:
            docs = read_documents(path, limits)
        except FileNotFoundError:
            print(f"error: {path}: no such file", file=out)
            counts["rejected"] += 1
            continue
        except OSError as exc:
            print(f"error: {path}: cannot be read ({exc.strerror or exc})", file=out)
            counts["rejected"] += 1
            continue
        except (FileRejected, UnicodeDecodeError, ValueError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                problem = (
                    f"the file is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                    f"at offset {exc.start:,})"
                )
                label = "not UTF-8"
            elif isinstance(exc, FileRejected):
                problem = label = str(exc)
            else:
                problem = f"the file is not JSON ({exc})"
                label = f"not JSON ({exc})"
            kept = _keep_file(wh, path, problem, limits)
            print(f"error: {path}: {label}; kept as a rejected submission ({kept})", file=out)
            counts["rejected"] += 1
            continue
        with wh.begin() as conn:
            over = _over_rate(conn, docs, limits.per_agency_hour)
            outcomes = [
                store_document(wh, doc, where, conn=conn, problem=problem, over_rate=over.get(i))
                for i, (where, doc, problem) in enumerate(docs)
            ]
        for o in outcomes:
            counts[o.status] += 1
            if o.status == "rejected":
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
    return 1 if counts["rejected"] else 0
