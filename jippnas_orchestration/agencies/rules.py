"""The resolver's rules over one written form of a name (`resolve.py` tries the forms).

Order of evidence (deterministic):
1. the whole name is a known central-agency alias ("Kemenkes", "Kementerian Kesehatan RI");
2. a hospital or an enterprise: its registry decides, or it goes to review (never to its region);
3. the name is a region with its type ("Pemkab Banyuwangi", "Kota Bandung", "Prov. Jawa Barat");
4. the name is a bare region name ("Banyuwangi") and the type hint or the Kemendagri code picks
   exactly one region — a kabupaten/kota twin (Bandung, Bogor, ...) is never guessed;
5. the name is an office of a central agency ("Kantor Imigrasi ... Jakarta Selatan");
6. the name is an office of a regional government ("Dinas Kesehatan Kota Cirebon" -> 32.74).
Small typos are tolerated by a fuzzy match that must be both strong and unambiguous.
Anything else is unresolved and goes to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from . import forms
from .office_patterns import CENTRAL_OFFICE_PATTERNS
from .places import kecamatan_named
from .registry import (
    OLD_PAPUA_CODES,
    PROVINCE_ALIASES,
    PROVINCE_TYPED_ALIASES,
    central_agencies,
    central_units,
    region_aliases,
    regions,
)
from .units import (
    enterprise_kind,
    enterprise_match,
    hospital_core,
    hospital_form,
    hospital_name_words,
    hospital_owners,
    hospital_owners_at,
    hospital_owners_near,
    hospital_type,
    is_hospital,
)

_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")

# Region type prefixes, longest first (normalised, punctuation removed).
_PREFIXES = [
    ("pemerintah kabupaten administrasi", "kabupaten"),
    ("pemerintah kabupaten", "kabupaten"),
    ("pemerintah kab", "kabupaten"),
    ("kabupaten administrasi", "kabupaten"),
    ("pemkab", "kabupaten"),
    ("kabupaten", "kabupaten"),
    ("kab", "kabupaten"),
    ("pemerintah kota administrasi", "kota"),
    ("pemerintah kota", "kota"),
    ("kota administrasi", "kota"),
    ("kota adm", "kota"),
    ("pemkot", "kota"),
    ("pemko", "kota"),  # Sumatra's usage: 'Pemko Medan'
    ("kota", "kota"),
    ("pemerintah provinsi", "provinsi"),
    ("pemerintah prov", "provinsi"),
    ("pemprov", "provinsi"),
    ("provinsi", "provinsi"),
    ("propinsi", "provinsi"),
    ("prov", "provinsi"),
]
_NOISE_PREFIXES = ("pemerintah daerah ", "pemda ")
_CENTRAL_SUFFIXES = (" republik indonesia", " ri")

# Abbreviations inside region names (normalised): "Kep. Riau" -> "Kepulauan Riau".
_NAME_ABBREVIATIONS = {"kep": "kepulauan", "kepl": "kepulauan", "sel": "selatan", "utr": "utara"}


def norm(text: object) -> str:
    """Lower case, '&' as 'dan', punctuation as space, single spaces."""
    if text is None:
        return ""
    s = str(text).replace("&", " dan ").replace("’", "'")
    s = _PUNCT.sub(" ", s.lower()).replace("_", " ")
    return _SPACE.sub(" ", s).strip()


def compact_key(text: str) -> str:
    return text.replace(" ", "")


@dataclass(frozen=True)
class Resolution:
    agency_id: str | None
    method: str  # how it was decided; "unresolved" when agency_id is None
    note: str = ""
    # for a person when unresolved: (agency_id, score 0-1, evidence), best first
    candidates: tuple[tuple[str, float, str], ...] = ()
    # unresolved on purpose (a hospital or enterprise no registry knows): no other reading of the
    # name may then give it to the region it stands in
    final: bool = False


@dataclass
class _Index:
    central: dict[str, str]  # alias key -> agency_id
    central_phrases: list[tuple[str, str]]  # (normalised phrase, agency_id) for in-text search
    by_type: dict[str, dict[str, str]]  # type -> base key -> code
    any_type: dict[str, list[str]]  # base key -> codes of every type
    by_code: dict[str, str]  # code -> type
    names: dict[str, str]  # agency_id -> canonical name
    # written names and short forms (not generated ones), normalised: a name that opens with one
    # and goes on ('PLN UID Jawa Timur', 'BMKG Stasiun Klimatologi Semarang') is a unit of it
    written: dict[str, str] = field(default_factory=dict)

    @cached_property
    def written_words(self) -> int:
        return max((len(w.split()) for w in self.written), default=0)

    @cached_property
    def phrase_rank(self) -> dict[str, int]:
        """Each in-text phrase at its first position in central_phrases (earlier wins)."""
        rank: dict[str, int] = {}
        for i, (phrase, _) in enumerate(self.central_phrases):
            rank.setdefault(phrase, i)
        return rank

    @cached_property
    def phrase_words(self) -> int:
        return max((len(p.split()) for p, _ in self.central_phrases), default=0)

    def central_office(self, n: str) -> str | None:
        """The agency of the earliest listed phrase that stands in `n` as whole words: word n-grams
        looked up in a dict rather than every phrase searched in the text."""
        words, best = n.split(), None
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + self.phrase_words) + 1):
                r = self.phrase_rank.get(" ".join(words[i:j]))
                if r is not None and (best is None or r < best):
                    best = r
        if best is not None:
            return self.central_phrases[best][1]
        for j in range(min(len(words) - 1, self.written_words), 0, -1):
            agency_id = self.written.get(" ".join(words[:j]))
            if agency_id:
                return agency_id
        return None

    @cached_property
    def phrases_by_head(self) -> dict[str, list[tuple[str, str]]]:
        """First word -> (phrase, agency) of the in-text phrases and written names opening with it;
        a phrase's agency is that of its first listing."""
        out: dict[str, dict[str, str]] = {}
        for phrase, agency_id in [*self.central_phrases, *self.written.items()]:
            words = phrase.split()
            if len(words) >= 2 and len(phrase) >= 10:
                out.setdefault(words[0], {}).setdefault(phrase, agency_id)
        return {head: list(phrases.items()) for head, phrases in out.items()}

    @cached_property
    def phrase_heads(self) -> list[str]:
        return list(self.phrases_by_head)

    def central_office_typo(self, n: str) -> str | None:
        """'Badan Pusat Statstik Kabupaten X', 'PT Tekom Indonesia Divisi ...': a name opening with a
        central agency's phrase or written name mistyped by one letter is that agency's unit —
        before the region it names is taken for its owner."""
        words = n.split()
        if words[:1] == ["pt"] and len(words) > 2:
            words = words[1:]  # 'PT Tekom Indonesia': the company's own name opens after 'PT'
        if not words:
            return None
        candidates = list(self.phrases_by_head.get(words[0], []))
        if len(words[0]) >= 5:  # a long first word may carry the typo itself ('Tekom')
            for head in process.extract(
                words[0], self.phrase_heads, scorer=OSA.distance, score_cutoff=1, limit=None
            ):
                if head[0] != words[0]:
                    candidates += self.phrases_by_head[head[0]]
        if not candidates:
            return None
        for j in range(min(len(words), self.phrase_words), 1, -1):
            prefix = " ".join(words[:j])
            if len(prefix) < 10:
                break
            found = {
                agency_id
                for phrase, agency_id in candidates
                if abs(len(phrase) - len(prefix)) <= 1
                and OSA.distance(prefix, phrase, score_cutoff=1) <= 1
            }
            if found:
                return found.pop() if len(found) == 1 else None
        return None


_GEOGRAPHIC_HEADS = frozenset({"teluk", "kepulauan", "pulau", "tanjung"})
_MINISTRY_PREFIXES = ("kementerian", "kemen", "kem")
_INITIAL_SKIP = {"dan", "bidang", "republik", "indonesia", "ri", "di", "serta", "untuk"}


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w not in _INITIAL_SKIP)


def _generated_aliases(name: str) -> list[str]:
    """Short forms people write for a ministry or lembaga from its full name: 'Kementerian LHK',
    'KemenPPPA', 'Kemenko PMK' from the subject's initials, 'BNPB' from a lembaga's name."""
    n = norm(name.split("/")[0])
    words = n.split()
    out: list[str] = []
    if words[:1] == ["kementerian"]:
        coordinating = words[1:2] == ["koordinator"]
        subject = words[2:] if coordinating else words[1:]
        ini = _initials(subject)
        if len(ini) >= 2:
            heads = ("kemenko", "kementerian koordinator") if coordinating else _MINISTRY_PREFIXES
            out += [f"{h} {ini}" for h in heads]
    elif (
        words
        and words[0] in ("badan", "lembaga", "komisi", "arsip", "perpustakaan")
        and len(words) >= 3
    ):
        ini = _initials(words)
        if len(ini) >= 3:
            out.append(ini)
    return out


@lru_cache(maxsize=1)
def name_index() -> _Index:
    central: dict[str, str] = {}
    phrases: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    written: dict[str, str] = {}
    generated: dict[str, set[str]] = {}
    for c in central_agencies():
        names[c["agency_id"]] = c["agency_name"]
        for alias in [c["agency_name"], *c["aliases"]]:
            n = norm(alias)
            central.setdefault(compact_key(n), c["agency_id"])
            if len(n) >= 3:
                written.setdefault(n, c["agency_id"])
            # single short tokens (KAI, BRI, ORI) are too ambiguous to search for inside text
            if " " in n or len(n) >= 6:
                phrases.append((n, c["agency_id"]))
            for g in _generated_aliases(alias):
                generated.setdefault(compact_key(g), set()).add(c["agency_id"])
    by_type: dict[str, dict[str, str]] = {"provinsi": {}, "kabupaten": {}, "kota": {}}
    any_type: dict[str, list[str]] = {}
    by_code: dict[str, str] = {}
    for r in regions():
        by_code[r.code] = r.type
        names[r.code] = r.name
        keys = {compact_key(norm(r.base))}
        if r.type == "provinsi":
            keys.add(compact_key(norm(r.name)))
        for k in keys:
            by_type[r.type][k] = r.code
            any_type.setdefault(k, []).append(r.code)
    for alias, code in PROVINCE_ALIASES.items():
        by_type["provinsi"].setdefault(compact_key(alias), code)
        if code not in any_type.setdefault(compact_key(alias), []):
            any_type[compact_key(alias)].append(code)
    for a in (
        region_aliases()
    ):  # former names and short forms: exact only (Kobar/Kubar are one letter apart)
        key = compact_key(norm(a["alias"]))
        by_type[a["type"]].setdefault(key, a["code"])
        if a["bare_ok"] and a["code"] not in any_type.setdefault(key, []):
            any_type[key].append(a["code"])
    # 'Kabupaten Bintuni' for Teluk Bintuni, 'Kabupaten Meranti' for Kepulauan Meranti: a name that
    # opens with a geographic word is often written without it (with its type only: bare, the rest
    # of the name may be a place of its own)
    for r in regions():
        words = norm(r.base).split()
        if len(words) >= 2 and words[0] in _GEOGRAPHIC_HEADS:
            key = compact_key(" ".join(words[1:]))
            if key not in any_type and key not in by_type[r.type]:
                by_type[r.type][key] = r.code
    for alias, code in PROVINCE_TYPED_ALIASES.items():
        by_type["provinsi"].setdefault(compact_key(alias), code)
        if compact_key(alias) in any_type and code not in any_type[compact_key(alias)]:
            any_type[compact_key(alias)].append(
                code
            )  # bare 'Yogyakarta': the kota or the province, never guessed
    # a generated short form counts only when it names one agency and clashes with nothing written
    for key, owners in generated.items():
        if len(owners) == 1 and key not in central and key not in any_type:
            central[key] = next(iter(owners))
    for phrase, agency_id in CENTRAL_OFFICE_PATTERNS.items():
        phrases.append((phrase, agency_id))
    for unit in central_units():
        phrase = expand_words(norm(unit["phrase"]))
        phrases.append((phrase, unit["agency_id"]))
        if phrase.startswith("bandar udara internasional "):  # 'Bandara Juanda': written without it
            phrases.append(
                ("bandar udara " + phrase[len("bandar udara internasional ") :], unit["agency_id"])
            )
    phrases.sort(key=lambda p: -len(p[0]))
    return _Index(central, phrases, by_type, any_type, by_code, names, written)


def _strip_central_suffix(n: str) -> str:
    for suffix in _CENTRAL_SUFFIXES:
        if n.endswith(suffix):
            return n[: -len(suffix)].strip()
    return n


def _fuzzy_unique(query: str, choices: dict[str, str], cutoff: float = 90.0) -> str | None:
    """Best fuzzy match above `cutoff`, only if no other choice comes close (margin 4)."""
    if len(query) < 5 or not choices:
        return None
    hits = process.extract(query, list(choices), scorer=fuzz.ratio, limit=2, score_cutoff=cutoff)
    if not hits:
        return None
    if len(hits) > 1 and hits[0][1] - hits[1][1] < 4 and choices[hits[0][0]] != choices[hits[1][0]]:
        return None
    return choices[hits[0][0]]


def _typo_candidates(query: str, choices: dict[str, str]) -> list[tuple[str, int]]:
    """Codes whose name is within a typo of `query` (one edit from 5 letters on, two from 9), nearest
    first: (code, edits)."""
    if len(query) < 5 or not choices:
        return []
    hits = process.extract(query, list(choices), scorer=OSA.distance, score_cutoff=2, limit=None)
    out: dict[str, int] = {}
    for key, dist, _ in hits:
        allowed = 1 if min(len(key), len(query)) < 9 else 2
        if min(len(key), len(query)) < 8 and key[0] != query[0]:
            continue  # 'Barut' is a short form, not 'Garut' mistyped: short names keep their first letter
        if dist <= allowed and (choices[key] not in out or dist < out[choices[key]]):
            out[choices[key]] = int(dist)
    return sorted(out.items(), key=lambda kv: (kv[1], kv[0]))


def _typo_unique(
    query: str, choices: dict[str, str], code: str | None
) -> tuple[str | None, list[tuple[str, int]]]:
    """The one region a typo'd name can mean: the unique nearest, or among equally near ones the one
    the Kemendagri code names. Otherwise None, and the candidates for a person."""
    cands = _typo_candidates(query, choices)
    if not cands:
        return None, []
    best = [c for c, d in cands if d == cands[0][1]]
    if len(best) == 1:
        return best[0], cands
    if code in best:
        return code, cands
    return None, cands


def _split_prefix(n: str) -> tuple[str | None, str]:
    for noise in _NOISE_PREFIXES:
        if n.startswith(noise):
            n = n[len(noise) :]
    for prefix, rtype in _PREFIXES:
        if n == prefix:
            return None, n
        if n.startswith(prefix + " "):
            return rtype, n[len(prefix) + 1 :].strip()
    return None, n


def current_code(code: str | None) -> str | None:
    """A Kemendagri code in its current form (pre-2022 Papua codes mapped), or None if unknown."""
    if not code:
        return None
    c = str(code).strip()
    if re.fullmatch(r"\d{4}", c):
        c = f"{c[:2]}.{c[2:]}"
    c = OLD_PAPUA_CODES.get(c, c)
    return c if c in name_index().by_code else None


def _region_in_text(n: str, code: str | None = None) -> str | None:
    """Find '<type word> <region>' inside a longer name. The most specific mention wins (a kabupaten
    or kota over its province: 'Puskesmas X Kabupaten Y Provinsi Z' belongs to Y), then the last one.
    A region name with a typo counts when it can mean one region only."""
    idx = name_index()
    tokens = n.split()
    found: list[tuple[int, int, str]] = []
    unknown_kabupaten = False
    for i in range(len(tokens)):
        for prefix, rtype in _PREFIXES:
            ptoks = prefix.split()
            if tokens[i : i + len(ptoks)] != ptoks:
                continue
            rest = tokens[i + len(ptoks) :]
            hit = None
            for j in range(len(rest), 0, -1):  # longest region name first
                hit = idx.by_type[rtype].get("".join(rest[:j]))
                if hit:
                    break
            if not hit:
                for j in range(min(len(rest), 4), 0, -1):
                    hit, _ = _typo_unique("".join(rest[:j]), idx.by_type[rtype], code)
                    if hit:
                        break
            if hit:
                found.append((0 if rtype == "provinsi" else 1, i, hit))
            elif rtype == "kabupaten" and rest:
                unknown_kabupaten = True
            break
    if found and max(found)[0] == 0 and unknown_kabupaten:
        return None  # 'X, Kabupaten <unknown>, Provinsi Y': a kabupaten's unit, not the province's
    return max(found)[2] if found else None


# Words that open the name of a regional government's office ('Dinas Kesehatan Banyuwangi').
OFFICE_WORDS = frozenset(
    """dinas badan bappeda bapenda bappenda rsud puskesmas kecamatan kelurahan desa sekretariat
setda sekda satpol bpbd disdukcapil dukcapil inspektorat bagian upt uptd dprd bkpsdm bkd dpmptsp bpkad diskominfo
dispendukcapil bapeda kantor unit dinkes disnaker disnakertrans disdik disdikbud dispendik disperindag
dishub dispar disparbud dinsos dpmpptsp bpmptsp bptsp bappelitbangda bappelitbang bpkpd bpkd bapenda
bppkad dlh blh dpupr dpu dpkp dkp diskan dispertan distan disbun disnak dispora disporapar dispusip
dinkop diskop diskopukm dpmd dpmdes dp3a dppkb bkpsdm bkppd bpsdm setwan damkar biro rsu rsia
rsj rsjd uptd upt baperida bapperida brida bappedalitbang bapelitbang""".split()
)
# Offices that, further on in a name, say whose unit the first words are.
_INNER_OFFICE_WORDS = frozenset({"dinas", "dinkes", "disdik", "dispendik", "disdikbud", "bappeda"})
# 'Disper', 'Dinsosnaker': the abbreviations of a regional office ('Dinas ...') follow one pattern
OFFICE_ABBREVIATION = re.compile(r"^(?:dis|din)[a-z0-9]{2,12}$")


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    """Every region name key -> itself, for typo matching without a type (twins stay one name with
    two regions, so a typo near a twin is never guessed)."""
    return {k: k for k in name_index().any_type}


def _region_after_office(n: str, hint: str | None, code: str | None) -> str | None:
    """'Dinas Kesehatan Banyuwangi': an office followed by a bare region name that can mean one region
    only (a twin needs the type or the code)."""
    tokens = n.split()
    # '<a school or unit> Dinas Pendidikan Takalar': the office it answers to, named further on
    inner = next((i for i, t in enumerate(tokens) if i and t in _INNER_OFFICE_WORDS), None)
    if inner is not None and not (
        tokens[0] in OFFICE_WORDS or OFFICE_ABBREVIATION.match(tokens[0])
    ):
        tokens = tokens[inner:]
    if len(tokens) < 2 or not (tokens[0] in OFFICE_WORDS or OFFICE_ABBREVIATION.match(tokens[0])):
        return None
    idx = name_index()
    if tokens[0] in ("kecamatan", "kec"):
        # 'Kecamatan Depok' is a kecamatan of that name (Sleman's or Cirebon's), not Kota Depok
        places = kecamatan_named(" ".join(tokens[1:]))
        if places:
            return next(iter(places)) if len(places) == 1 else (code if code in places else None)
    for j in range(max(1, len(tokens) - 3), len(tokens)):
        candidates = idx.any_type.get("".join(tokens[j:]), [])
        if hint in ("provinsi", "kabupaten", "kota"):
            candidates = [c for c in candidates if idx.by_code[c] == hint]
        if len(candidates) == 1:
            if len(candidates[0]) == 2 and re.search(r"\b(?:kabupaten|kab|kota)\b", n):
                return None  # a kabupaten's or kota's unit whose region is not known: not the province's
            return candidates[0]
        if len(candidates) > 1 and code in candidates:
            return code
    return None


def _name_forms(n: str) -> list[str]:
    """The name as written, and without a leading 'Pemerintah'/'Pemda' that only says 'government of'
    ('Pemerintah Daerah Istimewa Yogyakarta', 'Pemda DIY')."""
    forms = [n]
    for noise in ("pemerintah daerah ", "pemerintah ", "pemda "):
        if n.startswith(noise) and n[len(noise) :]:
            forms.append(n[len(noise) :])
    return forms


def resolve_form(
    name: object, type_hint: str | None = None, code_hint: str | None = None
) -> Resolution:
    """One form of a name, by the order of evidence in the module's docstring."""
    idx = name_index()
    n = expand_words(norm(name))
    hint = (type_hint or "").strip().lower() or None
    regional_hint = hint in ("provinsi", "kabupaten", "kota")
    code = current_code(code_hint)
    if not n:
        if code:
            return Resolution(code, "code", "name missing; Kemendagri code used")
        return Resolution(None, "unresolved", "agency name is empty")

    central_key = compact_key(_strip_central_suffix(n))
    if central_key in idx.central and not regional_hint:
        return Resolution(idx.central[central_key], "central alias")
    for decide_class in (_resolve_enterprise, _resolve_hospital, _resolve_private_school):
        decided = decide_class(str(name), n, code)
        if decided is not None:
            return decided

    typo_cands: list[tuple[str, int]] = []
    rtype, rest = _split_prefix(n)
    if rtype:
        rest = " ".join(
            _NAME_ABBREVIATIONS.get(t, t) if i == 0 else t for i, t in enumerate(rest.split())
        )
        found = idx.by_type[rtype].get(compact_key(rest))
        if found:
            return _with_code_note(found, "region name", code)
        found, typo_cands = _typo_unique(compact_key(rest), idx.by_type[rtype], code)
        found = found or _fuzzy_unique(compact_key(rest), idx.by_type[rtype])
        if found:
            return _with_code_note(found, "region name (typo)", code)
    for form in _name_forms(n)[1:]:
        found = idx.by_type["provinsi"].get(compact_key(form))
        if found and len(idx.any_type.get(compact_key(form), [found])) == 1:
            return _with_code_note(found, "province name", code)

    if regional_hint or hint is None:
        key = compact_key(_split_prefix(n)[1]) if not rtype else compact_key(n)
        candidates = idx.any_type.get(key, [])
        if regional_hint:
            candidates = [c for c in candidates if idx.by_code[c] == hint]
            if not candidates:
                fuzzy, more = _typo_unique(key, idx.by_type[hint], code)
                typo_cands = typo_cands or more
                fuzzy = fuzzy or _fuzzy_unique(key, idx.by_type[hint])
                candidates = [fuzzy] if fuzzy else []
        elif not candidates and not rtype:
            # no type written: a typo'd name counts when it is near one region that has no twin, or
            # when the record's Kemendagri code is among the nearest
            near = _typo_candidates(key, _by_name())
            best = [name for name, d in near if d == near[0][1]] if near else []
            codes = [c for name in best for c in idx.any_type[name]]
            typo_cands = typo_cands or [(c, near[0][1]) for c in codes]
            candidates = [code] if code in codes else codes if len(codes) == 1 else []
        if len(candidates) == 1:
            return _with_code_note(candidates[0], "bare region name", code)
        if len(candidates) > 1:
            if code in candidates:
                return Resolution(code, "bare region name + code")
            return Resolution(
                None,
                "unresolved",
                f"ambiguous region name {name!r}: " + " or ".join(sorted(candidates)),
                tuple(
                    (c, 0.5, "same name, other type (kabupaten/kota twin)")
                    for c in sorted(candidates)
                ),
            )

    agency_id = idx.central_office(n)
    if agency_id:
        return Resolution(agency_id, "central office")
    agency_id = idx.central_office_typo(n)
    if agency_id:
        return Resolution(agency_id, "central office (typo)")
    found = _region_in_text(n, code)
    if found:
        return _with_code_note(found, "regional office", code)
    found = _region_after_office(n, hint, code)
    if found:
        return _with_code_note(found, "regional office (bare region name)", code)
    if not regional_hint:
        fuzzy = _fuzzy_unique(central_key, idx.central, cutoff=92.0)
        if fuzzy:
            return Resolution(fuzzy, "central alias (fuzzy)")
    if typo_cands:
        return Resolution(
            None,
            "unresolved",
            f"{str(name)!r} is a typo away from several regions",
            tuple(
                (c, round(1 - d / 10, 2), f"{d} edit(s) from {idx.names[c]}") for c, d in typo_cands
            ),
        )
    return Resolution(
        None, "unresolved", f"no agency matches {str(name)!r}", _closest(central_key, code)
    )


def _closest(key: str, code: str | None) -> tuple[tuple[str, float, str], ...]:
    """A few nearest names, for the person who will decide."""
    idx = name_index()
    choices = {
        **{k: v for k, v in idx.central.items()},
        **{k: c for t in idx.by_type.values() for k, c in t.items()},
    }
    hits = process.extract(key, list(choices), scorer=fuzz.ratio, limit=8, score_cutoff=60)
    out: dict[str, tuple[str, float, str]] = {}
    if code:
        out[code] = (code, 0.6, f"Kemendagri code in the record ({idx.names.get(code, code)})")
    for k, s, _ in hits:
        aid = choices[k]
        if aid not in out:
            out[aid] = (aid, round(s / 100, 2), f"name similar to {idx.names.get(aid, aid)}")
    return tuple(list(out.values())[:3])


def _with_code_note(agency_id: str, method: str, code: str | None) -> Resolution:
    if code and code != agency_id:
        return Resolution(agency_id, method, f"name decided over Kemendagri code {code}")
    if code:
        return Resolution(agency_id, method + " + code")
    return Resolution(agency_id, method)


# --- real names: other forms, segments, classes of units -----------------------------------------

# Words written short in agency names, read out before anything else ('Dirjen' = 'Ditjen').
_WORD_FORMS = {
    "dirjen": "direktorat jenderal",
    "sekjen": "sekretariat jenderal",
    "setjen": "sekretariat jenderal",
    "irjen": "inspektorat jenderal",
    "itjen": "inspektorat jenderal",
    "bandara": "bandar udara",
    "provsu": "provinsi sumatera utara",  # 'Pemprovsu', 'Provsu': North Sumatra's own short form
    "pemprovsu": "pemerintah provinsi sumatera utara",
}


_HEAD_OF_POLICE = re.compile(r"\b(?:wa)?ka(pol(?:ri|da|res|resta|restabes|sek)\w*)\b")


# Short forms that open a unit's name ('PA Unaaha', 'Kanim Kelas I X', 'MAN 2 Kota X', 'Setdakab X'),
# read out only there: elsewhere the letters mean other things ('MA' is also the Supreme Court).
_HEAD_FORMS = {
    "pa": "pengadilan agama",
    "pta": "pengadilan tinggi agama",
    "pn": "pengadilan negeri",
    "ptun": "pengadilan tata usaha negara",
    "pttun": "pengadilan tinggi tata usaha negara",
    "kanim": "kantor imigrasi",
    "man": "madrasah aliyah negeri",
    "mtsn": "madrasah tsanawiyah negeri",
    "min": "madrasah ibtidaiyah negeri",
    "setda": "sekretariat daerah",
    "setdakab": "sekretariat daerah kabupaten",
    "setdakot": "sekretariat daerah kota",
    "setdako": "sekretariat daerah kota",
    "setdaprov": "sekretariat daerah provinsi",
}
# ... and those read out only before 'negeri' ('MTs Negeri 1 X'; a private 'MTs <foundation>' is not).
_HEAD_FORMS_BEFORE_NEGERI = {
    "ma": "madrasah aliyah",
    "mts": "madrasah tsanawiyah",
    "mi": "madrasah ibtidaiyah",
}


def _expand_head(n: str) -> str:
    head, _, rest = n.partition(" ")
    if not rest:
        return n
    if head in _HEAD_FORMS:
        return f"{_HEAD_FORMS[head]} {rest}"
    if head in _HEAD_FORMS_BEFORE_NEGERI and rest.startswith("negeri "):
        return f"{_HEAD_FORMS_BEFORE_NEGERI[head]} {rest}"
    return n


def expand_words(n: str) -> str:
    n = _expand_head(n)
    n = n.replace("kementrian", "kementerian")
    if "kapol" in n:  # 'Kapolri', 'Wakapolda': the head of the police unit named after 'ka'
        n = _HEAD_OF_POLICE.sub(r"\1", n)
    if not any(w in n for w in _WORD_FORMS):
        return n
    return " ".join(_WORD_FORMS.get(t, t) for t in n.split())


@lru_cache(maxsize=1)
def region_words() -> frozenset[str]:
    """Every word of a region's name or short form: what a unit's name may end in to say where."""
    idx = name_index()
    words: set[str] = set()
    for r in regions():
        words.update(norm(r.base).split())
    for alias in [*PROVINCE_ALIASES, *PROVINCE_TYPED_ALIASES]:
        words.update(alias.split())
    words.update(w for a in region_aliases() for w in norm(a["alias"]).split())
    words.discard("")
    del idx
    return frozenset(words)


def location_of(raw: str, code: str | None) -> str | None:
    """Where a unit stands, from its name: a typed region anywhere, else a bare region name that means
    one region only, written in a segment, a parenthesis or at the end."""
    n = norm(raw)
    found = _region_in_text(n, code)
    if found:
        return found
    idx = name_index()
    pieces = [*forms.segments(forms.without_parentheses(raw)), *forms.parenthesised(raw)]
    tokens = norm(forms.without_parentheses(raw)).split()
    while len(tokens) > 1 and re.fullmatch(r"\d+|[ivx]+", tokens[-1]):
        tokens.pop()  # 'Samsat Palembang 1': the office's number, not a place
    pieces += [" ".join(tokens[j:]) for j in range(max(1, len(tokens) - 3), len(tokens))]
    for piece in pieces:
        candidates = idx.any_type.get(compact_key(norm(piece)), [])
        if len(candidates) == 1:
            return candidates[0]
        if code in candidates:
            return code
        if candidates:  # a kabupaten/kota twin: the province they share is still known
            provinces = {c[:2] for c in candidates}
            if len(provinces) == 1:
                return provinces.pop()
    return current_code(code)


def _located_candidates(location: str | None, evidence: str) -> tuple[tuple[str, float, str], ...]:
    if not location:
        return ()
    idx = name_index()
    out = [(location, 0.4, f"{evidence}: {idx.names[location]}")]
    if len(location) > 2 and location[:2] in idx.names:
        out.append((location[:2], 0.4, f"province of that place: {idx.names[location[:2]]}"))
    return tuple(out)


def _owned_elsewhere(why: str, location: str | None, evidence: str) -> Resolution:
    """Unresolved on purpose: a unit whose owner is not where it stands (an unregistered hospital or
    enterprise, a private school) goes to a person with that place as a candidate, never to it."""
    return Resolution(None, "unresolved", why, _located_candidates(location, evidence), final=True)


# Hospital types that say a regional government owns it ('Rumah Sakit Umum Daerah').
_REGIONAL_HOSPITAL_TYPES = frozenset({"rsud", "rsd", "rsjd", "rskd", "rsudp"})
_OWNER_STATED = re.compile(r"\b(?:milik|pemerintah|pemkab|pemkot|pemprov|pemda)\b")


def _resolve_hospital(raw: str, n: str, code: str | None) -> Resolution | None:
    """A hospital belongs to its owner (module units). None: not a hospital, or its name states its
    owner ('RSUD Kabupaten Sleman') and the ordinary rules decide."""
    if not is_hospital(n):
        return None
    parts = forms.segments(forms.without_parentheses(raw)) or [forms.without_parentheses(raw)]
    named = [p for p in parts if is_hospital(norm(p))] or parts
    words = region_words()
    owners: set[tuple[str, str]] = set()
    for piece in [named[-1], forms.without_parentheses(raw), raw]:
        owners = hospital_owners(expand_words(norm(piece)), words)
        if owners:
            break
    location = location_of(raw, code)
    if location and owners and not any(loc[:2] == location[:2] for _, loc in owners):
        owners = set()  # a hospital so named stands in another province: not this one
    if not owners:
        near = hospital_owners_near(expand_words(norm(named[-1])), location, words)
        if len(near) == 1:
            return Resolution(next(iter(near)), "hospital registry (name variant at its place)")
    if owners:
        ids = {o for o, _ in owners}
        if len(ids) > 1 and location:
            near = {o for o, loc in owners if loc.startswith(location) or location.startswith(loc)}
            ids = near or ids
        if len(ids) == 1:
            return Resolution(next(iter(ids)), "hospital registry")
        idx = name_index()
        return Resolution(
            None,
            "unresolved",
            f"several registered hospitals are named like {raw!r}",
            tuple(
                (o, 0.6, f"owner of a hospital so named: {idx.names.get(o, o)}")
                for o in sorted(ids)
            ),
            final=True,
        )
    hn = expand_words(norm(named[-1]))
    if not hospital_core(hn, words):
        # only a type and a place: 'RSUD Kabupaten Sleman' is Sleman's own; 'RSJD <city>' is the
        # owner of the one mental hospital the registry has there
        if not _OWNER_STATED.search(n) and not re.search(r"\b(?:kabupaten|kab|kota|provinsi)\b", n):
            at = hospital_owners_at(hospital_type(hn), location, words)
            if len(at) == 1:
                return Resolution(next(iter(at)), "hospital registry (type and place)")
            return _named_after_kecamatan(hn)
        return None
    if _OWNER_STATED.search(n) or name_index().central_office(hospital_form(n)):
        return None
    regional = hospital_type(hn) in _REGIONAL_HOSPITAL_TYPES
    typed = _region_in_text(n, code)
    if regional and typed and len(typed) > 2:
        # 'RSUD <name> Kota X': a regional hospital written with its kabupaten/kota is that one's
        return Resolution(typed, "regional hospital with its kabupaten/kota")
    if not typed and (decided := _named_after_kecamatan(hn)):
        return decided
    if regional and location and location.startswith("31"):
        # private hospitals ('RS <name> Jakarta') are nobody's: only a regional one is the province's
        return Resolution("31", "hospital in DKI Jakarta", "Jakarta's hospitals are the province's")
    return _owned_elsewhere(
        f"hospital {raw!r} is not in the hospital registry: where it stands does not say who owns it",
        location,
        "stands in",
    )


# A school's first word after its level: public schools are 'Negeri' ('SDN', 'SMP N'), numbered or
# 'Inpres'; one named after a foundation or a faith ('SD Muhammadiyah 4', 'SMP Islam Terpadu X', 'SMA
# Kristen X', 'MTs Al Falah') is private: a foundation's, no government's.
_SCHOOL_HEAD = re.compile(
    r"^(?:sd|smp|sma|smk|slb|tk|mi|mts|sekolah dasar|sekolah menengah (?:pertama|atas|kejuruan))"
    r"\s+(\S+)"
)
_PUBLIC_SCHOOL_MARKS = frozenset({"negeri", "n", "inpres", "pembina"})


def _resolve_private_school(raw: str, n: str, code: str | None) -> Resolution | None:
    m = _SCHOOL_HEAD.match(n)
    if not m or m.group(1) in _PUBLIC_SCHOOL_MARKS or m.group(1).isdigit():
        return None
    return _owned_elsewhere(
        f"{raw!r} names no public school ('Negeri', numbered): a private one is a foundation's",
        location_of(raw, code),
        "stands in",
    )


def _named_after_kecamatan(hn: str) -> Resolution | None:
    """'RSUD <kecamatan>': a regional hospital named after the one kecamatan of that name is its
    kabupaten's or kota's (in Jakarta the province's)."""
    if hospital_type(hn) not in _REGIONAL_HOSPITAL_TYPES:
        return None
    places = kecamatan_named(" ".join(hospital_name_words(hn)))
    if len(places) != 1:
        return None
    place = next(iter(places))
    return Resolution(
        "31" if place.startswith("31") else place, "regional hospital named after its kecamatan"
    )


def _resolve_enterprise(raw: str, n: str, code: str | None) -> Resolution | None:
    """An enterprise is its own agency (module units); None when the name is not an enterprise's."""
    plain = norm(forms.without_parentheses(raw))
    kind = enterprise_kind(plain) or enterprise_kind(n)
    if not kind:
        return None
    words = region_words()
    for form in (plain, n):
        ids = enterprise_match(form, kind, words)
        if len(ids) == 1:
            return Resolution(next(iter(ids)), "enterprise registry")
    for office in (name_index().central_office, name_index().central_office_typo):
        agency_id = office(n)
        if agency_id and (kind != "bumd" or agency_id not in _central_government_ids()):
            return Resolution(agency_id, "enterprise unit")
    return _owned_elsewhere(
        f"enterprise {raw!r} is not in the registry: an enterprise is its own agency, not its region",
        location_of(raw, code),
        "region named in it (owner?)",
    )


@lru_cache(maxsize=1)
def _central_government_ids() -> frozenset[str]:
    return frozenset(
        c["agency_id"] for c in central_agencies() if c["agency_type"] in ("kementerian", "lembaga")
    )
