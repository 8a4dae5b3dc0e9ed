"""Entity resolution: which source records are the same innovation.

Candidate pairs are blocked by resolved agency (never all pairs of the whole set). Titles are
split into an acronym and its expansion, so 'SIPADU (Sistem Pelayanan Terpadu)' and 'Sistem
Pelayanan Terpadu - SIPADU' compare equal; the expansions are compared with rapidfuzz's
the better of token_sort_ratio and ratio, which survives word order, case, punctuation and small
typos but, unlike a token-set measure, does not call 'Puskesmas Keliling' a match of
'Puskesmas Keliling Terapung'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..agencies.registry import central_agencies, regions
from ..agencies.resolve import norm

MATCH_THRESHOLD = 90.0          # expansions alike enough on their own
ACRONYM_THRESHOLD = 85.0        # when both titles carry the same acronym
ACRONYM_ALIKE = 80.0            # acronyms this close are one acronym with a typo
_SPLIT = re.compile(r"^(.+?)\s*(?:\(([^()]+)\)|\s[-–—:]\s|:\s)\s*(.*)$")
_FILLER = re.compile(r"^(?:inovasi|program inovasi)\s*[:\-–]?\s+(?=\S)", re.I)


@dataclass(frozen=True)
class TitleParts:
    acronym: str | None
    expansion: str


def title_parts(title: object) -> TitleParts:
    """Split 'ACR (Expansion)', 'Expansion (ACR)', 'Expansion - ACR', 'ACR: Expansion' and the like."""
    text = str(title or "").strip().strip("\"'“”‘’ .").strip()
    text = re.sub(r"\s+", " ", text)
    text = _FILLER.sub("", text)
    m = _SPLIT.match(text)
    parts: list[str] = []
    if m:
        parts = [p for p in (m.group(1), m.group(2), m.group(3)) if p and p.strip()]
    if len(parts) == 2:
        a, b = (norm(p) for p in parts)
        if len(a.split()) == 1 and len(b.split()) >= 2:
            return TitleParts(a, b)
        if len(b.split()) == 1 and len(a.split()) >= 2:
            return TitleParts(b, a)
    n = norm(text)
    if len(n.split()) == 1:
        return TitleParts(n, "")
    return TitleParts(None, n)


_YEAR = re.compile(r"(?:\s(?:tahun|th|thn))?\s(?:19|20)\d{2}\b")


def without_years(expansion: str) -> str:
    """'Festival Literasi 2022' is the same innovation reported again: years say nothing of identity."""
    stripped = _YEAR.sub("", f" {expansion}").strip()
    return stripped if len(stripped.split()) >= 2 else expansion


def _same(pa: TitleParts, pb: TitleParts, score: float) -> bool:
    if pa.acronym and pb.acronym:
        acr = fuzz.ratio(pa.acronym, pb.acronym)
        if acr >= 100:
            return score >= ACRONYM_THRESHOLD or not pa.expansion or not pb.expansion
        if acr < ACRONYM_ALIKE:
            return False
    if not pa.expansion or not pb.expansion:  # an acronym alone against an expansion: too little
        return False
    return score >= MATCH_THRESHOLD


_TRAILING_SEPARATORS = re.compile(r"[\s\-–—:,.]+$")
_TYPE_WORDS = r"(?:pemerintah\s+)?(?:kabupaten|kab\.?|kota|provinsi|prov\.?|pemkab|pemkot|pemprov)|pemerintah"


@lru_cache(maxsize=1)
def _agency_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {r.code: [r.base] for r in regions()}
    names["11"].append("Nanggroe Aceh Darussalam")
    for c in central_agencies():
        names[c["agency_id"]] = [a for a in [c["agency_name"], *c["aliases"]] if len(a) >= 3]
    return names


def _name_regex(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    return r"[\s\-.,/&]*".join(re.escape(w) for w in words)


@lru_cache(maxsize=4096)
def _own_name_pattern(agency_id: str) -> re.Pattern | None:
    """Titles often carry their own agency ('SIPADU - Kabupaten Banyuwangi', 'X di Kab. Sleman'); that
    says nothing about which innovation it is. A typed mention goes wherever it stands, a bare name
    only at the end."""
    names = _agency_names().get(agency_id)
    if not names:
        return None
    alt = "|".join(sorted((_name_regex(n) for n in names), key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[\s\-–—:,(]))\s*(?:(?:di|pada)\s+)?"
                      rf"(?:(?:{_TYPE_WORDS})\s+(?:{alt})\b|(?:{alt})\s*[.)]?\s*$)", re.IGNORECASE)


def strip_own_agency(title: str, agency_id: str) -> str:
    """The title without mentions of its own agency (and the separators they leave behind)."""
    pattern = _own_name_pattern(agency_id)
    if pattern is None or not title:
        return title
    stripped = _TRAILING_SEPARATORS.sub("", re.sub(r"\s+", " ", pattern.sub(" ", title))).strip(" -–—:,")
    if not re.search(r"\w", stripped) or (len(stripped.split()) < 2 and not stripped.isupper()):
        return title  # 'Kota Bandung Juara' is a name in itself, not 'Juara' of Kota Bandung
    return stripped


_TYPE_TOKENS = ("pemerintah", "kabupaten", "kab", "kota", "provinsi", "prov", "pemkab", "pemkot", "pemprov",
                "administrasi")


@lru_cache(maxsize=65536)
def _is_type_token(token: str) -> bool:
    return token in _TYPE_TOKENS or (len(token) >= 6 and any(fuzz.ratio(token, t) >= 80 for t in _TYPE_TOKENS))


@lru_cache(maxsize=65536)
def _norm_token(token: str) -> str:
    return norm(token)


def strip_own_agency_tail(title: str, agency_id: str) -> str:
    """Like strip_own_agency, for a mention with a typo ('... di PEMEIRNTAH KABUPATEN SOLOK SELATAN'):
    from a type word on, the rest of the title must be the agency's own name, within small typos."""
    names = [norm(n) for n in _agency_names().get(agency_id, [])]
    tokens = title.split()
    normed = [_norm_token(t) for t in tokens]
    for i in range(1, len(tokens)):
        if not _is_type_token(normed[i]):
            continue
        j = i
        while j < len(tokens) and _is_type_token(normed[j]):
            j += 1
        rest = " ".join(n for n in normed[j:] if n)
        if rest and any(fuzz.ratio(rest, n) >= 85 for n in names):
            cut = i - 1 if normed[i - 1] in ("di", "pada") else i
            head = _TRAILING_SEPARATORS.sub("", " ".join(tokens[:cut]))
            return head if len(head.split()) >= 2 or head.isupper() else title
    return title


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_records(records: pd.DataFrame) -> pd.Series:
    """A cluster number per record (index-aligned); records are compared only within an agency."""
    order = records.sort_values(["agency_id", "source", "source_record_id"]).index
    recs = records.loc[order]
    parts = []
    for t, a in zip(recs["title"], recs["agency_id"]):
        p = title_parts(strip_own_agency(strip_own_agency_tail(str(t or ""), a), a))
        parts.append(TitleParts(p.acronym, without_years(p.expansion)))
    uf = _UnionFind(len(recs))
    agencies = recs["agency_id"].to_numpy()
    start = 0
    n_pairs = 0
    while start < len(recs):
        end = start
        while end < len(recs) and agencies[end] == agencies[start]:
            end += 1
        block = parts[start:end]
        if len(block) > 1:
            exps = [p.expansion for p in block]
            # token_sort_ratio survives word order; plain ratio survives a typo that re-sorts a word
            # (the cutoff lets rapidfuzz skip hopeless pairs early; scores below it come back as 0)
            scores = np.maximum(
                process.cdist(exps, exps, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=-1,
                              score_cutoff=ACRONYM_THRESHOLD),
                process.cdist(exps, exps, scorer=fuzz.ratio, dtype=np.uint8, workers=-1,
                              score_cutoff=ACRONYM_THRESHOLD))
            n_pairs += len(block) * (len(block) - 1) // 2
            # only pairs that could match: expansions alike, or both carrying an acronym
            ii, jj = np.nonzero(np.triu(scores >= ACRONYM_THRESHOLD, k=1))
            for i, j in zip(ii.tolist(), jj.tolist()):
                if _same(block[i], block[j], float(scores[i, j])):
                    uf.union(start + i, start + j)
            # an acronym alone ('SIPADU') scores low against its expansion: pair equal acronyms directly
            acr_idx = [k for k, p in enumerate(block) if p.acronym]
            if len(acr_idx) > 1:
                by_acr: dict[str, list[int]] = {}
                for k in acr_idx:
                    by_acr.setdefault(block[k].acronym, []).append(k)
                for ks in by_acr.values():
                    for k in ks[1:]:
                        if _same(block[ks[0]], block[k], float(scores[ks[0], k])):
                            uf.union(start + ks[0], start + k)
        start = end
    roots = [uf.find(i) for i in range(len(recs))]
    out = pd.Series(roots, index=order, name="cluster")
    out.attrs["candidate_pairs"] = n_pairs
    return out.loc[records.index]
