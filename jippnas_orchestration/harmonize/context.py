"""A record's other evidence, for names the resolver could not place on their own.

Two kinds, both only choosing among the candidates the resolver already found (never a new agency):
- the unit a record names (InoLAN `unit_kerja`, KIPP `Unit Penyelenggara Pelayanan`): 'BPJS
  Kesehatan' under an ambiguous 'Badan Penyelenggara Jaminan Sosial' names which one;
- the same innovation's other records: a record titled exactly like records that resolved to one
  of its candidates (a province's hospital that the registry lacks, reported elsewhere under the
  province's name) belongs to that agency.
"""

from __future__ import annotations

import pandas as pd

from ..agencies.resolve import Resolution, current_code, resolve_agency
from .titles import TitleParts, title_parts

METHOD_UNIT = "context: the record's unit"
METHOD_SAME_TITLE = "context: the same innovation's other records"


def _distinctive(key: TitleParts) -> bool:
    return len(key.tokens) >= 2 or bool(key.acronym and len(key.acronym) >= 4)


def with_context(staged: pd.DataFrame, results: list[Resolution]) -> list[Resolution]:
    """`results` (one per staged row) with unresolved rows decided from their context where it
    picks exactly one of their candidates, or names an agency when they had none."""
    out = list(results)
    open_rows = [
        i for i, r in enumerate(results) if not r.agency_id and not r.note.startswith("a person")
    ]
    if not open_rows:
        return out
    units = staged["unit"].tolist() if "unit" in staged.columns else [None] * len(staged)
    for i in open_rows:
        unit = units[i]
        if not isinstance(unit, str) or not unit.strip():
            continue
        by_unit = resolve_agency(unit)
        cands = {c[0] for c in results[i].candidates}
        # a central agency or enterprise the unit names decides; a region only among the candidates
        regional = current_code(by_unit.agency_id) is not None
        if by_unit.agency_id and (by_unit.agency_id in cands or (not regional and not cands)):
            out[i] = Resolution(by_unit.agency_id, METHOD_UNIT, f"unit {unit!r}: {by_unit.method}")
    still = [i for i in open_rows if not out[i].agency_id and results[i].candidates]
    if not still:
        return out
    wanted = {c[0] for i in still for c in results[i].candidates}
    titles = staged["title"].tolist()
    owners: dict[TitleParts, set[str]] = {}
    for title, r in zip(titles, out):
        if r.agency_id in wanted:
            owners.setdefault(title_parts(title), set()).add(r.agency_id)
    for i in still:
        key = title_parts(titles[i])
        if not _distinctive(key):
            continue
        found = owners.get(key, set()) & {c[0] for c in results[i].candidates}
        if len(found) == 1:
            agency_id = found.pop()
            out[i] = Resolution(
                agency_id, METHOD_SAME_TITLE, f"{results[i].note}; records of this title are its"
            )
    return out
