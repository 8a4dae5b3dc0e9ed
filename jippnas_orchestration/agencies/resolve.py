"""Resolve an agency name as written in a source to one canonical agency, or to nothing.

The name as written goes through the rules (`rules.py`); undecided, its other forms (`forms.py`:
without parentheses or a noise tail, role titles, office holders, English), its segments
('<Province> - <unit>', '<a>/<b>'), a central agency's short form at its end, a minister's short form
and the local place it names (`places.py`) are tried in turn. The first decision wins; an undecided
name keeps the most telling candidates for the person who reviews it.
"""

from __future__ import annotations

import re

from . import forms
from .places import kecamatan_regions, place_regions
from .rules import (
    OFFICE_ABBREVIATION,
    OFFICE_WORDS,
    Resolution,
    compact_key,
    current_code,
    expand_words,
    location_of,
    name_index,
    norm,
    region_words,
    resolve_form,
)

__all__ = ["Resolution", "current_code", "norm", "region_words", "resolve_agency"]

_WORD = re.compile(r"[A-Za-z0-9]+")


def _central_at_end(raw: str) -> str | None:
    """'Pusdiklat ... BPKP', '... Badan Reserse Kriminal POLRI': a unit followed by its central
    agency's short form, in capitals at the end (short forms are too ambiguous inside a name)."""
    words = _WORD.findall(raw)
    if len(words) < 2:
        return None
    idx = name_index()
    last = words[-1]
    if last.isupper() and len(last) >= 2 and compact_key(norm(last)) in idx.central:
        return idx.central[compact_key(norm(last))]
    for k in (2, 3):
        joined = compact_key(norm(" ".join(words[-k:])))
        if len(words) > k and len(joined) >= 6 and joined in idx.central:
            return idx.central[joined]
    return None


def _minister_short_form(raw: str) -> str | None:
    """'Menkes', 'MenPAN-RB', 'Mendagri': the minister's short form is the ministry's ('Kemen...')."""
    key = compact_key(norm(raw))
    if key.startswith("men") and len(key) >= 5:
        return name_index().central.get("ke" + key)
    return None


def _resolve_segments(raw: str, hint: str | None, code: str | None) -> Resolution | None:
    """'Jawa Barat - Dinas Kesehatan', 'Balai X, Dinas Y' after a province, 'Menteri X/BPN': a segment
    naming its own agency decides; a region segment owns the others when they are its offices."""
    parts = forms.segments(forms.without_parentheses(raw)) or forms.slash_parts(raw)
    if not parts:
        return None
    results = [(p, resolve_form(p, hint, code)) for p in parts]
    region_only = {
        r.agency_id
        for p, r in results
        if r.agency_id and r.method.startswith(("region name", "bare region", "province name"))
    }
    units = {
        r.agency_id
        for p, r in results
        if r.agency_id and not r.method.startswith(("region name", "bare region", "province name"))
    }
    if len(units) == 1:
        return Resolution(units.pop(), "segment of the name", f"read from {raw!r} in parts")
    if units:
        return None
    offices = [
        p
        for p, r in results
        if not r.agency_id
        and _is_office(norm(p))
        and not re.search(r"\b(?:kabupaten|kab|kota)\b", norm(p))  # an unknown kabupaten's office
    ]
    if len(region_only) == 1 and offices:
        return Resolution(
            region_only.pop(), "region and its office", f"{offices[0]!r} of that region"
        )
    return None


def _is_office(n: str) -> bool:
    first = n.split()[:1]
    return bool(first) and (first[0] in OFFICE_WORDS or bool(OFFICE_ABBREVIATION.match(first[0])))


def _resolve_place(n: str, code: str | None) -> Resolution | None:
    found = place_regions(n)
    if not found:
        return None
    codes, how = found
    if len(codes) == 1:
        return Resolution(next(iter(codes)), f"local place ({how})")
    if code in codes:
        return Resolution(code, f"local place ({how}) + code")
    idx = name_index()
    first = kecamatan_regions(n)
    ranked = sorted(codes, key=lambda c: (c not in first, c))
    return Resolution(
        None,
        "unresolved",
        f"a place of that name ({how}) lies in several kabupaten/kota",
        tuple(
            (c, 0.6, f"a kecamatan of that name in {idx.names[c]}")
            if c in first
            else (c, 0.4, f"a desa/kelurahan of that name in {idx.names[c]}")
            for c in ranked[:8]
        ),
    )


# Units a province runs in every kabupaten/kota and names after the one it serves: vehicle tax
# offices (Samsat, UPT PPD), branch offices of provincial dinas, and public senior and special schools
# (SMA, SMK, SLB Negeri or numbered: provincial since UU 23/2014, Lampiran I.A; a private one is not).
_PROVINCIAL_UNIT = re.compile(
    r"^(?:(?:upt|uptd|uptb|unit pelaksana teknis(?: daerah| badan)?|kantor bersama)\s+)?"
    r"(?:uppd|ppd|pprd|p3d|pusat pelayanan pajak daerah|unit pelayanan pendapatan daerah"
    r"|cabang dinas|cabdin|(?:sma|smk|slb)(?: negeri| n|n)? \d+|(?:sma|smk|slb)(?: negeri|n)|bakorwil"
    r"|badan koordinasi wilayah|sekolah menengah (?:atas|kejuruan)(?: negeri)?"
    r"|sekolah luar biasa(?: negeri)?)\b"
    r"|\bsamsat\b"  # 'UPTB Samsat X', 'Kantor Bersama Samsat X', 'Samsat Keliling X'
)


def resolve_agency(
    name: object, type_hint: str | None = None, code_hint: str | None = None
) -> Resolution:
    """Resolve one agency name; `type_hint` is an agency type, `code_hint` a Kemendagri code.
    The name as written first, then its other forms (module forms), its segments, the central
    agency's short form at its end and the local place it names; the first decision wins, and an
    undecided name keeps the most telling candidates for a person. A province's unit named after
    the kabupaten/kota it serves is the province's."""
    found = _resolve(name, type_hint, code_hint)
    hint = (type_hint or "").strip().lower()
    if name is None or hint in ("kabupaten", "kota") or not _PROVINCIAL_UNIT.search(norm(name)):
        return found
    if not found.agency_id and not found.final:
        where = location_of(str(name), current_code(code_hint))
        if where:
            return Resolution(
                where[:2], "provincial unit", "a province's unit at the place it names"
            )
    if found.agency_id and "." in found.agency_id and found.agency_id[:2] in name_index().names:
        return Resolution(
            found.agency_id[:2],
            "provincial unit",
            f"a province's unit serving {name_index().names[found.agency_id]}",
        )
    provinces = {c[:2] for c, _, _ in found.candidates if "." in c}
    if not found.agency_id and len(provinces) == 1 and len(found.candidates) > 1:
        return Resolution(
            provinces.pop(), "provincial unit", "every place it can serve is in one province"
        )
    return found


def _resolve(name: object, type_hint: str | None, code_hint: str | None) -> Resolution:
    first = resolve_form(name, type_hint, code_hint)
    if first.agency_id or name is None:
        return first
    raw = str(name)
    variants = forms.variants(raw)
    for form in variants:
        r = resolve_form(form, type_hint, code_hint)
        if r.agency_id:
            return Resolution(r.agency_id, r.method, _read_as(form, r.note), r.candidates)
        if r.final and not first.final:
            return r
    if first.final:  # a hospital or enterprise none of whose forms a registry knows
        return first
    code = current_code(code_hint)
    for form in [raw, *variants]:
        r = _resolve_segments(form, type_hint, code)
        if r:
            return r
    agency_id = _central_at_end(forms.without_parentheses(raw))
    if agency_id:
        return Resolution(agency_id, "central agency named at the end")
    agency_id = _minister_short_form(raw)
    if agency_id:
        return Resolution(agency_id, "minister's short form")
    for form in [raw, *variants]:
        r = _resolve_place(expand_words(norm(form)), code)
        if r:  # decided, or the kabupaten/kota the place can lie in as candidates
            return r
    return first


def _read_as(form: str, note: str) -> str:
    return f"read as {form!r}" + (f"; {note}" if note else "")
