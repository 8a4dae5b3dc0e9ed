"""Canonical staging: the three raw tables in one vocabulary, each record resolved to an agency.

Categories use the 2021 KIPP list, SDGs are integers 1-17 (stored as '3,10'), awards are parsed
into (label, year), dates are ISO dates. Personal data is not carried into staging.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timezone
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz, process

from ..agencies.resolve import Resolution, norm, resolve_agency
from ..review.model import agency_subject
from ..review.queue import agency_candidates
from ..sources.common import REJECT_COLUMNS, UNRESOLVED_AGENCY, to_json
from ..vocab import CATEGORIES, CATEGORY_VARIANTS, PROGRAMMES, URUSAN_CATEGORY
from .context import with_context

STAGED_COLUMNS = [
    "source",
    "source_record_id",
    "source_location",
    "title",
    "agency_name",
    "agency_type_hint",
    "code_hint",
    "agency_id",
    "agency_method",
    "agency_note",
    "year",
    "start_year",
    "category",
    "category_raw",
    "sdgs",
    "award_label",
    "award_year",
    "stage",
    "summary",
    "outcomes",
    "unit",
    "trial_date",
    "implementation_date",
]
_CATEGORY_LOOKUP = {c.lower(): c for c in CATEGORIES} | CATEGORY_VARIANTS
_JENIS = {
    "kementerian": "kementerian",
    "lembaga": "lembaga",
    "provinsi": "provinsi",
    "kabupaten": "kabupaten",
    "kota": "kota",
    "bumn": "bumn",
    "bumd": "bumd",
    "pemerintah provinsi": "provinsi",
    "pemerintah kabupaten": "kabupaten",
    "pemerintah kota": "kota",
    "lpnk": "lembaga",
}
_AWARD = re.compile(
    r"(top\s*\d+(?:\s*oapsi)?|outstanding achievement[\w\s]*)\s*[/\-]\s*(\d{4})", re.I
)


@lru_cache(maxsize=4096)
def canonical_category(text: str | None) -> str | None:
    n = norm(text)
    if not n:
        return None
    if n in _CATEGORY_LOOKUP:
        return _CATEGORY_LOOKUP[n]
    for prefix in ("bidang ", "kategori "):
        if n.startswith(prefix) and n[len(prefix) :] in _CATEGORY_LOOKUP:
            return _CATEGORY_LOOKUP[n[len(prefix) :]]
    hit = process.extractOne(n, list(_CATEGORY_LOOKUP), scorer=fuzz.ratio, score_cutoff=88)
    return _CATEGORY_LOOKUP[hit[0]] if hit else None


def parse_sdgs(value: object) -> str | None:
    """'3, 10', 'SDG 3 - ...; SDG 10 - ...', '[3,10]' or a list -> '3,10' (only 1-17 kept)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (list, tuple)):
        nums = [int(v) for v in value if str(v).strip().isdigit()]
    else:
        text = str(value)
        if re.search(r"sdg", text, re.I):
            nums = [int(n) for n in re.findall(r"sdgs?\s*(?:ke[-\s]?)?(\d{1,2})", text, re.I)]
        else:
            nums = [int(n) for n in re.findall(r"\b(\d{1,2})\b", text)]
    nums = sorted({n for n in nums if 1 <= n <= 17})
    return ",".join(map(str, nums)) or None


def parse_award(value: object) -> tuple[str | None, int | None]:
    m = _AWARD.search(str(value or ""))
    if not m:
        return None, None
    label = re.sub(r"\s+", " ", m.group(1)).strip()
    label = re.sub(r"(?i)^top", "Top", label).replace("oapsi", "OAPSI").replace("Oapsi", "OAPSI")
    return label, int(m.group(2))


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


@lru_cache(maxsize=65536)
def parse_date(value: object) -> str | None:
    """ISO dates as they are; other forms day first, as Indonesian forms write them (12/07/2021)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if text in ("", "None", "nan", "NaT", "null"):
        return None
    m = _ISO_DATE.match(text) or None
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None and (d := _DMY_DATE.match(text)):
        parts = (d.group(3), d.group(2), d.group(1))
    if parts is not None:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
        except ValueError:
            return None
    ts = pd.to_datetime(text, errors="coerce", dayfirst=True)
    return None if pd.isna(ts) else ts.date().isoformat()


def _int_or_none(value: object) -> int | None:
    try:
        f = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return (
        df[name]
        if name in df.columns
        else pd.Series([None] * len(df), index=df.index, dtype=object)
    )


def stage_kipp(raw: pd.DataFrame) -> pd.DataFrame:
    awards = _col(raw, "penghargaan").map(parse_award)
    return pd.DataFrame(
        {
            "source": "KIPP",
            "source_record_id": raw["source_record_id"],
            "source_location": raw["source_location"],
            "title": raw["judul_inovasi"],
            "agency_name": raw["instansi"],
            "agency_type_hint": _col(raw, "jenis_instansi").map(lambda v: _JENIS.get(norm(v))),
            "code_hint": None,
            "year": raw["tahun"].astype("Int64"),
            "start_year": _col(raw, "tahun_mulai_implementasi").map(_int_or_none).astype("Int64"),
            "category": _col(raw, "kategori").map(canonical_category),
            "category_raw": _col(raw, "kategori"),
            "sdgs": _col(raw, "sdgs").map(parse_sdgs),
            "award_label": awards.map(lambda a: a[0]),
            "award_year": awards.map(lambda a: a[1]).astype("Int64"),
            "stage": None,
            "summary": _col(raw, "ringkasan"),
            "outcomes": None,
            "unit": _col(raw, "unit_penyelenggara_pelayanan"),
            "trial_date": None,
            "implementation_date": None,
        }
    )


def _iga_category(urusan: object) -> str | None:
    try:
        items = json.loads(urusan) if isinstance(urusan, str) else (urusan or [])
    except json.JSONDecodeError:
        items = [urusan]
    for item in items if isinstance(items, list) else [items]:
        cat = URUSAN_CATEGORY.get(str(item).strip().lower())
        if cat:
            return cat
    return None


def _iga_stage(value: object) -> str | None:
    n = norm(value).replace("ujicoba", "uji coba")
    return n if n in ("inisiatif", "uji coba", "penerapan") else None


def stage_iga(raw: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "IGA",
            "source_record_id": raw["source_record_id"],
            "source_location": raw["source_location"],
            "title": raw["nama"],
            "agency_name": _col(raw, "pemda_nama"),
            "agency_type_hint": None,
            "code_hint": _col(raw, "pemda_kode_wilayah"),
            "year": raw["tahun"].astype("Int64"),
            "start_year": _col(raw, "waktu_implementasi")
            .map(lambda v: (parse_date(v) or "")[:4] or None)
            .map(_int_or_none)
            .astype("Int64"),
            "category": _col(raw, "urusan").map(_iga_category),
            "category_raw": _col(raw, "urusan"),
            "sdgs": None,
            "award_label": None,
            "award_year": pd.array([None] * len(raw), dtype="Int64"),
            "stage": _col(raw, "tahapan").map(_iga_stage),
            "summary": _col(raw, "manfaat"),
            "outcomes": _col(raw, "hasil_inovasi"),
            "unit": None,
            "trial_date": _col(raw, "waktu_uji_coba").map(parse_date),
            "implementation_date": _col(raw, "waktu_implementasi").map(parse_date),
        }
    )


def _inolan_region_codes(raw: pd.DataFrame) -> pd.Series:
    """InoLAN's Kemendagri code, else the code its region fields name (`kabkot_nama`, then
    `provinsi_nama`): evidence for twins, typos and a reviewer's candidates, never the agency."""

    @lru_cache(maxsize=4096)
    def code_of(name: str) -> str | None:
        r = resolve_agency(name)
        return r.agency_id if r.agency_id and r.agency_id[:2].isdigit() else None

    codes = _col(raw, "id_kabkot").astype(object)
    out = []
    for code, kabkot, prov in zip(codes, _col(raw, "kabkot_nama"), _col(raw, "provinsi_nama")):
        if isinstance(code, str) and code.strip():
            out.append(code)
            continue
        named = (code_of(v.strip()) for v in (kabkot, prov) if isinstance(v, str) and v.strip())
        out.append(next((c for c in named if c), None))
    return pd.Series(out, index=raw.index, dtype=object)


def stage_inolan(raw: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "INOLAN",
            "source_record_id": raw["source_record_id"],
            "source_location": raw["source_location"],
            "title": raw["judul_inovasi"],
            "agency_name": _col(raw, "instansi_nama"),
            "agency_type_hint": None,
            "code_hint": _inolan_region_codes(raw),
            "year": raw["tahun"].astype("Int64"),
            "start_year": pd.array([None] * len(raw), dtype="Int64"),
            "category": None,
            "category_raw": None,
            "sdgs": _col(raw, "id_sdgs").map(parse_sdgs),
            "award_label": None,
            "award_year": pd.array([None] * len(raw), dtype="Int64"),
            "stage": None,
            "summary": _col(raw, "deskripsi"),
            "outcomes": None,
            "unit": _col(raw, "unit_kerja"),
            "trial_date": None,
            "implementation_date": None,
        }
    )


def _resolve_with_decisions(name, hint, code, overrides: dict[str, str | None]) -> Resolution:
    subject = agency_subject(name, hint)
    if subject in overrides:
        decided = overrides[subject]
        if decided:
            return Resolution(decided, "review decision")
        return Resolution(None, "unresolved", "a person decided no agency fits this name")
    return resolve_agency(name, hint, code)


def resolve_agencies(
    staged: pd.DataFrame, overrides: dict[str, str | None] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Attach agency_id to every staged record; unresolved records come back as rejections and as
    the review questions about their names. `overrides`: people's decisions (review.model)."""
    overrides = overrides or {}
    keys = (
        staged[["agency_name", "agency_type_hint", "code_hint"]]
        .astype(object)
        .where(staged[["agency_name", "agency_type_hint", "code_hint"]].notna(), None)
    )
    cache: dict[tuple, Resolution] = {}
    results = []
    for row in keys.itertuples(index=False, name=None):
        if row not in cache:
            cache[row] = _resolve_with_decisions(*row, overrides)
        results.append(cache[row])
    results = with_context(staged, results)
    staged = staged.copy()
    staged["agency_id"] = [r.agency_id for r in results]
    staged["agency_method"] = [r.method for r in results]
    staged["agency_note"] = [r.note or None for r in results]
    bad = staged["agency_id"].isna()
    decided_none = [r.note.startswith("a person decided") for r in results]
    ask = bad & ~pd.Series(decided_none, index=staged.index, dtype=bool)
    questions = agency_candidates(
        staged.loc[ask].assign(
            agency_candidates=[
                to_json([list(c) for c in r.candidates]) for r, a in zip(results, ask) if a
            ]
        )
    )
    now = datetime.now(timezone.utc)
    rejected = pd.DataFrame(
        {
            "source": staged.loc[bad, "source"],
            "source_record_id": staged.loc[bad, "source_record_id"],
            "kind": UNRESOLVED_AGENCY,
            "field": None,
            "reason": "unresolved agency",
            "raw": staged.loc[bad].apply(
                lambda r: to_json(
                    {k: r[k] for k in ("title", "agency_name", "agency_type_hint", "code_hint")}
                ),
                axis=1,
            )
            if bad.any()
            else [],
            "location": staged.loc[bad, "source_location"],
            "stage": "resolve",
            "detail": staged.loc[bad, "agency_note"],
            "rejected_at": now,
        },
        columns=REJECT_COLUMNS,
    )
    return (
        staged.loc[~bad, STAGED_COLUMNS].reset_index(drop=True),
        rejected.reset_index(drop=True),
        questions,
    )


def stage_all(
    raw_kipp: pd.DataFrame, raw_iga: pd.DataFrame, raw_inolan: pd.DataFrame
) -> pd.DataFrame:
    frames = [stage_kipp(raw_kipp), stage_iga(raw_iga), stage_inolan(raw_inolan)]
    staged = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for c in STAGED_COLUMNS:
        if c not in staged.columns:
            staged[c] = None
    return staged[STAGED_COLUMNS]


def resolution_rates(staged_ok: pd.DataFrame, rejected: pd.DataFrame) -> dict[str, float]:
    out = {}
    for source in PROGRAMMES:
        ok = int((staged_ok["source"] == source).sum())
        bad = int((rejected["source"] == source).sum())
        out[source] = round(ok / (ok + bad), 4) if ok + bad else 1.0
    return out
