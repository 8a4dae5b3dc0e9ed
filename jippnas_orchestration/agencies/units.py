"""Units whose owner is not where they stand: hospitals and enterprises (BUMN, BUMD).

A hospital written with the city it stands in belongs to its owner — a province, a kabupaten/kota, a
ministry, TNI, POLRI — which only a registry of real hospitals can tell (`hospitals.csv`, sources in
docs/registries/hospitals.md). A hospital the registry lacks is decided from its name only when the
name states the owner ('RSUD Kabupaten Sleman', 'RSUD Provinsi X'); otherwise it goes to review with
the region it stands in as a candidate, never to that region silently.

An enterprise (PDAM, Perumda, PD, PT ... Perseroda, BPD) is an agency of its own type, never its
owning region: it resolves to a registered BUMN/BUMD by its distinctive name, or goes to review.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from .places import is_place
from .registry import central_agencies

# Hospital type words, normalised, longest first, and their short form.
_HOSPITAL_TYPES = (
    ("rumah sakit umum daerah", "rsud"),
    ("rumah sakit umum pusat", "rsup"),
    ("rumah sakit ibu dan anak", "rsia"),
    ("rumah sakit ibu anak", "rsia"),
    ("rumah sakit jiwa daerah", "rsjd"),
    ("rumah sakit jiwa", "rsj"),
    ("rumah sakit khusus daerah", "rskd"),
    ("rumah sakit khusus", "rsk"),
    ("rumah sakit umum", "rsu"),
    ("rumah sakit daerah", "rsd"),
    ("rumah sakit", "rs"),
    ("rumkit", "rs"),
)
HOSPITAL_WORDS = frozenset(
    "rs rsu rsud rsup rsj rsjd rsia rsab rsk rskd rsd rsgm rsau rsal rsad rspad rsupn rsudp".split()
)
# Words of a hospital's name that say what it is, not which one it is.
_GENERIC = frozenset(
    """rs rsu rsud rsup rsupn rsj rsjd rsia rsab rsk rskd rsd rsgm rsudp umum daerah pusat jiwa khusus
    ibu anak dan kelas tipe type a b c d blud uptd upt unit dr dr. drs prof h hj ir r kh sp
    mm mars mkes rumah sakit provinsi kabupaten kota kab prov pemerintah pemkab pemkot pemprov
    regional negeri""".split()
)


# SIRS writes 'RS Umum Daerah', 'RS Jiwa': the same types after 'rs'
_HOSPITAL_TYPES = _HOSPITAL_TYPES + tuple(
    ("rs" + long[len("rumah sakit") :], short)
    for long, short in _HOSPITAL_TYPES
    if long.startswith("rumah sakit ")
)


def hospital_form(n: str) -> str:
    """A normalised name with each hospital type written short: 'rumah sakit umum daerah x' -> 'rsud x'."""
    for long, short in _HOSPITAL_TYPES:
        if long in n:
            n = re.sub(rf"\b{long}\b", short, n)
    return n


def is_hospital(n: str) -> bool:
    return any(t in HOSPITAL_WORDS for t in hospital_form(n).split())


def _core_tokens(n: str, region_words: frozenset[str]) -> list[str]:
    # initials ('R. M.', 'H.') are written or left out at will
    tokens = [t for t in hospital_form(n).split() if t not in _GENERIC and len(t) > 2]
    while tokens and tokens[-1] in region_words:  # where it stands, written after its name
        tokens.pop()
    return tokens


def hospital_name_words(n: str) -> list[str]:
    """The words of a hospital's name after its type and titles, places included."""
    return [t for t in hospital_form(n).split() if t not in _GENERIC]


def hospital_core(n: str, region_words: frozenset[str]) -> str:
    """What names this hospital among others: 'rsud dr saiful anwar malang' -> 'saifulanwar'."""
    return "".join(_core_tokens(n, region_words))


def hospital_type(n: str) -> str | None:
    """The short type a name opens with ('rsud', 'rsj', 'rsjd', ...)."""
    return next((t for t in hospital_form(n).split() if t in HOSPITAL_WORDS), None)


@dataclass(frozen=True)
class Hospital:
    name: str
    owner_id: str
    location_code: str


def _norm(text: str) -> str:
    from .rules import norm  # rules imports this module: import at call time

    return norm(text)


@lru_cache(maxsize=1)
def hospitals() -> tuple[Hospital, ...]:
    path = Path(__file__).with_name("hospitals.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        owner = (row.get("owner_id") or "").strip()
        if not owner:
            continue
        for written in [row["name"], *(row.get("aliases") or "").split("|")]:
            if written.strip():
                out.append(
                    Hospital(written.strip(), owner, (row.get("location_code") or "").strip())
                )
    return tuple(out)


@dataclass
class _HospitalIndex:
    by_core: dict[str, set[tuple[str, str]]]  # core key -> {(owner_id, location_code)}
    by_head: dict[
        str, set[tuple[str, str]]
    ]  # first word of a core -> its hospitals' (owner, location)
    by_type_place: dict[tuple[str, str], set[str]]  # (type, location) -> owners
    # location -> (owner, every word of the name but its type) of the hospitals standing there
    by_place: dict[str, list[tuple[str, frozenset[str]]]]


@lru_cache(maxsize=1)
def _hospital_index(region_words: frozenset[str]) -> _HospitalIndex:
    index = _HospitalIndex({}, {}, {}, {})
    heads: dict[str, set[str]] = {}
    for h in hospitals():
        n = _norm(h.name)
        tokens = _core_tokens(n, region_words)
        core = "".join(tokens)
        if len(core) >= 3:
            index.by_core.setdefault(core, set()).add((h.owner_id, h.location_code))
            heads.setdefault(tokens[0], set()).add(core)
            index.by_head.setdefault(tokens[0], set()).add((h.owner_id, h.location_code))
        kind = hospital_type(n)
        if kind and h.location_code:
            index.by_type_place.setdefault((kind, h.location_code), set()).add(h.owner_id)
        if h.location_code:
            index.by_place.setdefault(h.location_code, []).append(
                (h.owner_id, frozenset(hospital_form(n).split()))
            )
    # a first word is a key of its own only when one hospital's name opens with it
    index.by_head = {
        head: owners
        for head, owners in index.by_head.items()
        if len(heads[head]) == 1 and len(head) >= 5
    }
    return index


def hospital_owners(n: str, region_words: frozenset[str]) -> set[tuple[str, str]]:
    """(owner, location) of registered hospitals this normalised name can mean: its whole
    distinctive name, else that name without a trailing town ('... Soekarjo Purwokerto'), else its
    first word, alone or before a place, when one registered hospital only opens with it ('RSUD
    Margono')."""
    index = _hospital_index(region_words)
    tokens = _core_tokens(n, region_words)
    for cut in range(len(tokens), max(0, len(tokens) - 2), -1):
        core = "".join(tokens[:cut])
        if len(core) >= 3 and core in index.by_core:
            return index.by_core[core]
    if len(tokens) == 1 or (len(tokens) == 2 and is_place(tokens[1])):
        # 'RSUD Margono', 'RSUD Margono Purwokerto'; not 'RS Mitra Keluarga' for 'RSUD Mitra Sehat'
        return index.by_head.get(tokens[0], set())
    return set()


@lru_cache(maxsize=65536)
def _spelling_key(word: str) -> str:
    """A word in one spelling: the old spelling and its mixtures ('Achmad Mochtar', 'Ahmad
    Mukhtar', 'Soedjono'/'Sudjono'/'Sudjono') and doubled letters ('Mohammad') come out alike."""
    for old, new in (("oe", "u"), ("dj", "j"), ("tj", "c"), ("kh", "h"), ("ch", "h")):
        word = word.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", word)


def hospital_owners_near(n: str, location: str | None, region_words: frozenset[str]) -> set[str]:
    """Owners of the registered hospitals standing at `location` (anywhere when not known) whose
    names hold every distinctive word of this one, up to a typo and spelling ('Mohamad'/'Mohammad',
    'Ahmad Mukhtar'/'Achmad Mochtar'): 'RSUD dr M Saleh <kota>' is the registry's 'RS Umum Daerah
    dr. Mohamad Saleh <kota>', initials being written or left out at will."""
    tokens = [_spelling_key(t) for t in _core_tokens(n, region_words)]
    if len("".join(tokens)) < 5:
        return set()
    index = _hospital_index(region_words)
    places = [
        loc
        for loc in index.by_place
        if not location or loc == location or loc.startswith(location + ".")
    ]

    def holds(words: frozenset[str], typos: bool) -> bool:
        keys = {_spelling_key(w) for w in words}
        return all(
            t in keys or (typos and len(t) >= 5 and any(OSA.distance(t, w) <= 1 for w in keys))
            for t in tokens
        )

    for typos in (False, True):  # a name spelt alike first: 'Sudono' is 'Soedono', not 'Soedomo'
        owners = {
            owner for loc in places for owner, words in index.by_place[loc] if holds(words, typos)
        }
        if owners:
            return owners
    return set()


def hospital_owners_at(
    kind: str | None, location: str | None, region_words: frozenset[str]
) -> set[str]:
    """Owners of the registered hospitals of one type standing in one region: 'RSJD <city>' when the
    registry holds one mental hospital there."""
    if not kind or not location:
        return set()
    return _hospital_index(region_words).by_type_place.get((kind, location), set())


# --- enterprises ---------------------------------------------------------------------------------

_BUMD_HEADS = re.compile(
    r"^(?:pdam|perumda|perumdam|pd|perusda|perusahaan daerah|perusahaan umum daerah|bumd|bpr|bprs"
    r"|bank perkreditan rakyat|bank pembangunan daerah|bpd|pt bpr)\b"
)
_ENTERPRISE_HEADS = re.compile(r"^(?:pt|perum|persero|perusahaan umum)\b")
_ENTERPRISE_MARKS = re.compile(r"\b(?:perseroda|persero|tbk)\b")
# Words of an enterprise's name that say what it is, not which one it is.
_LEGAL = re.compile(
    r"\b(?:pt|perum|perumda|perumdam|pdam|pd|perusda|perusahaan umum daerah|perusahaan daerah"
    r"|perusahaan umum|perusahaan|air minum|persero|perseroda|tbk|bumd|daerah)\b"
)


def enterprise_kind(n: str) -> str | None:
    """'bumd' for a regional enterprise's name, 'enterprise' for a company of either kind, else None."""
    if _BUMD_HEADS.match(n) or re.search(r"\bperseroda\b", n):
        return "bumd"
    if _ENTERPRISE_HEADS.match(n) or _ENTERPRISE_MARKS.search(n):
        return "enterprise"
    return None


def enterprise_core(n: str, region_words: frozenset[str]) -> str:
    tokens = _LEGAL.sub(" ", n).split()
    while tokens and tokens[-1] in region_words:
        tokens.pop()
    return "".join(tokens)


@lru_cache(maxsize=1)
def _enterprise_index(region_words: frozenset[str]) -> dict[str, dict[str, set[str]]]:
    """agency type ('bumd'/'bumn') -> core key -> agency ids."""
    index: dict[str, dict[str, set[str]]] = {"bumd": {}, "bumn": {}}
    for c in central_agencies():
        if c["agency_type"] not in index:
            continue
        for written in [c["agency_name"], *c["aliases"]]:
            core = enterprise_core(_norm(written), region_words)
            if len(core) >= 3:
                index[c["agency_type"]].setdefault(core, set()).add(c["agency_id"])
    return index


def enterprise_match(n: str, kind: str, region_words: frozenset[str]) -> set[str]:
    """Registered enterprises whose distinctive name this one carries; a BUMD-headed name ('PD',
    'PDAM', 'Perumda') only among BUMD."""
    core = enterprise_core(n, region_words)
    if len(core) < 3:
        return set()
    index = _enterprise_index(region_words)
    types = ("bumd",) if kind == "bumd" else ("bumn", "bumd")
    return {a for t in types for a in index[t].get(core, set())}
