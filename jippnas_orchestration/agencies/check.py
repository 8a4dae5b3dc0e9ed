"""`jippnas agency resolve`: what the resolver makes of a written name, for a reviewer or operator.

One name prints the agency, how it was decided and the evidence, or the candidates when undecided;
`--csv FILE` resolves a column of names (`name`, optional `type` and `code`) and writes one CSV row
per name to standard output.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TextIO

from ..cells import safe_cell
from .resolve import Resolution, resolve_agency


def _names() -> dict[str, str]:
    from .registry import agencies_frame

    frame = agencies_frame()
    return dict(zip(frame["agency_id"], frame["agency_name"]))


def describe(name: str, resolution: Resolution, names: dict[str, str]) -> dict:
    return {
        "name": name,
        "agency_id": resolution.agency_id or "",
        "agency_name": names.get(resolution.agency_id or "", ""),
        "decided_by": resolution.method,
        "evidence": resolution.note,
        "candidates": [
            {"agency_id": a, "agency_name": names.get(a, a), "score": s, "why": why}
            for a, s, why in resolution.candidates
        ],
    }


def print_one(name: str, type_hint: str | None, code: str | None, out: TextIO) -> int:
    d = describe(name, resolve_agency(name, type_hint, code), _names())
    if d["agency_id"]:
        out.write(f"{d['agency_id']}  {d['agency_name']}\n  decided by: {d['decided_by']}\n")
        if d["evidence"]:
            out.write(f"  evidence: {d['evidence']}\n")
        return 0
    out.write(f"unresolved: {d['evidence']}\n")
    for c in d["candidates"]:
        out.write(f"  candidate {c['agency_id']}  {c['agency_name']}  ({c['score']}: {c['why']})\n")
    if not d["candidates"]:
        out.write("  no candidates: a person decides with `jippnas review`\n")
    return 2


def resolve_csv(path: Path, out: TextIO, err: TextIO = sys.stderr) -> int:
    """Resolve every row of a CSV with a `name` column; a file without one is refused, naming it."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if "name" not in (reader.fieldnames or []):
                err.write(f"error: {path}: header has no 'name' column ({reader.fieldnames})\n")
                return 1
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        err.write(f"error: {path}: {exc}\n")
        return 1
    names = _names()
    fields = [
        "name",
        "type",
        "code",
        "agency_id",
        "agency_name",
        "decided_by",
        "evidence",
        "candidates",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    unresolved = 0
    for row in rows:
        name, hint, code = row.get("name") or "", row.get("type") or None, row.get("code") or None
        d = describe(name, resolve_agency(name, hint, code), names)
        unresolved += not d["agency_id"]
        d["candidates"] = json.dumps(
            [[c["agency_id"], c["score"], c["why"]] for c in d["candidates"]], ensure_ascii=False
        )
        row_out = {"type": hint or "", "code": code or "", **d}
        # a CSV a person opens: formula-like names behind an apostrophe (cells)
        writer.writerow({k: safe_cell(v) for k, v in row_out.items()})
    err.write(f"{len(rows)} names: {len(rows) - unresolved} resolved, {unresolved} for review\n")
    return 0
