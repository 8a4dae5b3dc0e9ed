"""The true world behind the sample: agencies, innovations and how each source spells them."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..agencies.registry import OLD_PAPUA_CODES, central_agencies, regions
from ..vocab import CATEGORIES, CATEGORY_VARIANTS
from . import words

NEW_TO_OLD_PAPUA = {new: old for old, new in OLD_PAPUA_CODES.items()}
_STOP = {"dan", "di", "ke", "untuk", "bagi", "yang"}


@dataclass(slots=True)
class Agency:
    agency_id: str
    name: str
    type: str  # kementerian, lembaga, provinsi, kabupaten, kota, bumn, bumd
    base: str  # region base name, or the official name for central agencies
    aliases: list[str] = field(default_factory=list)

    @property
    def regional(self) -> bool:
        return self.type in ("provinsi", "kabupaten", "kota")


@dataclass(slots=True)  # slots: a large set holds close to a million of them
class Innovation:
    key: str
    agency: Agency
    acronym: str | None
    expansion: str
    category: str
    sdgs: list[int]
    start_year: int
    summary: str
    innovator: tuple[str, str, str]  # name, e-mail, phone
    unit: str

    def canonical_title(self) -> str:
        return f"{self.acronym} ({self.expansion})" if self.acronym else self.expansion


# The registry is append-only; the generator's world is its first rows, so that a sample stays the
# same when the registry learns another agency (regenerate the sample to widen the world).
GENERATOR_CENTRAL_AGENCIES = 234


def all_agencies() -> list[Agency]:
    out = [Agency(r.code, r.name, r.type, r.base) for r in regions()]
    out += [
        Agency(
            c["agency_id"], c["agency_name"], c["agency_type"], c["agency_name"], list(c["aliases"])
        )
        for c in central_agencies()[:GENERATOR_CENTRAL_AGENCIES]
    ]
    return out


def make_acronym(expansion: str) -> str:
    parts = [w for w in re.findall(r"[A-Za-z]+", expansion) if w.lower() not in _STOP][:4]
    acr = "".join(p[:2] if i == 0 else p[:3] for i, p in enumerate(parts))
    return acr.upper()[:10]


def person(rng: random.Random) -> tuple[str, str, str]:
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    email = f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@{rng.choice(['gmail.com', 'yahoo.co.id', 'go.id'])}"
    phone = rng.choice(["08{}-{}-{}", "+62 8{} {} {}", "08{}{}{}"]).format(
        rng.randint(11, 99), rng.randint(1000, 9999), rng.randint(1000, 9999)
    )
    return f"{first} {last}", email, phone


class TitleFactory:
    """Titles unique within an agency and far enough apart that two innovations never look alike,
    except the deliberate near-twins of HARD_NEGATIVES."""

    def __init__(self, rng: random.Random, vocabulary: dict[str, list[str]] | None = None):
        self.rng = rng
        self.vocabulary = vocabulary or words.SMALL
        self.used: dict[str, list[str]] = {}  # agency -> its titles, lower case, words sorted
        self.acronyms: dict[str, set[str]] = {}  # an agency never gives two innovations one acronym

    @staticmethod
    def _key(title: str) -> str:
        # token_sort_ratio(a, b) == ratio(sorted words of a, sorted words of b): sorting each title
        # once, not once per comparison, keeps the check fast for agencies with thousands of titles
        return " ".join(sorted(title.lower().split()))

    def is_free(self, agency_id: str, title: str) -> bool:
        taken = self.used.setdefault(agency_id, [])
        if not taken:
            return True
        hit = process.extractOne(self._key(title), taken, scorer=fuzz.ratio, score_cutoff=80)
        return hit is None

    def take(self, agency_id: str, title: str) -> None:
        self.used.setdefault(agency_id, []).append(self._key(title))

    def generic(self, agency_id: str) -> str | None:
        title = self.rng.choice(words.GENERIC_TITLES)
        if self.is_free(agency_id, title):
            self.take(agency_id, title)
            return title
        return None

    def new(self, agency_id: str) -> tuple[str | None, str]:
        v = self.vocabulary
        for _ in range(200):
            r = self.rng
            expansion = " ".join(
                x
                for x in (
                    r.choice(v["heads"]),
                    r.choice(v["objects"]),
                    r.choice(v["modifiers"]),
                    r.choice(v["targets"]),
                )
                if x
            )
            acronym = make_acronym(expansion)
            if acronym in self.acronyms.setdefault(agency_id, set()):
                continue
            if self.is_free(agency_id, expansion):
                self.take(agency_id, expansion)
                self.acronyms[agency_id].add(acronym)
                return (acronym if r.random() < 0.7 else None), expansion
        raise RuntimeError(f"title space exhausted for agency {agency_id}")


# ---- how sources spell things ----------------------------------------------------------------
def title_variant(inv: Innovation, rng: random.Random, first: bool) -> str:
    """The title as one source record writes it; later records drift from the first."""
    a, e = inv.acronym, inv.expansion
    if a:
        styles = ["{a} ({e})", "{e} ({a})", "{e} - {a}", "{a}: {e}", "{a} - {e}"]
        title = rng.choice(styles).format(a=a, e=e)
    else:
        title = e
    if first:
        return title
    for _ in range(rng.choice([1, 1, 2])):
        op = rng.choice(["case", "typo", "punct", "drop_acronym", "space", "agency"])
        if op == "case":
            title = rng.choice([str.upper, str.lower, str.title])(title)
        elif op == "typo":
            toks = title.split(" ")
            long_idx = [i for i, t in enumerate(toks) if len(t) >= 6 and t.isalpha() and t != a]
            if long_idx:
                i = rng.choice(long_idx)
                t = toks[i]
                j = rng.randint(1, len(t) - 3)
                toks[i] = (
                    t[:j] + t[j + 1] + t[j] + t[j + 2 :]
                    if rng.random() < 0.5
                    else t[:j] + t[j + 1 :]
                )
                title = " ".join(toks)
        elif op == "punct":
            title = (
                rng.choice(['"{}"', "{}.", "{} ", "Inovasi {}"]).format(title)
                if rng.random() < 0.3
                else title.replace(" - ", " – ")
            )
        elif op == "drop_acronym" and a:
            title = e
        elif op == "space":
            title = title.replace(" ", "  ", 1)
        elif op == "agency":  # the report names its own agency in the title
            title = f"{title}{rng.choice([' ', ' di ', ' - '])}{agency_variant(inv.agency, rng, bare_ok=False)}"
    return title


def agency_variant(agency: Agency, rng: random.Random, bare_ok: bool) -> str:
    """Another way of writing the agency's name."""
    b = agency.base
    if agency.type == "kabupaten":
        opts = [
            f"Kabupaten {b}",
            f"Kab. {b}",
            f"Pemkab {b}",
            f"PEMERINTAH KABUPATEN {b.upper()}",
            f"Kabupaten {b.lower()}",
            f"Pemerintah Kabupaten {b}",
        ]
    elif agency.type == "kota":
        opts = [
            f"Kota {b}",
            f"Pemkot {b}",
            f"Pemerintah Kota {b}",
            f"KOTA {b.upper()}",
            f"Kota {b.lower()}",
        ]
    elif agency.type == "provinsi":
        if agency.agency_id == "11":
            opts = ["Pemerintah Aceh", "Provinsi Aceh", "Pemprov Aceh"]
        else:
            opts = [
                f"Provinsi {b}",
                f"Prov. {b}",
                f"Pemprov {b}",
                f"Pemerintah Provinsi {b}",
                f"PROVINSI {b.upper()}",
            ]
    else:
        opts = [agency.name, *agency.aliases]
        if agency.type == "kementerian":
            opts += [f"{agency.name} RI", f"{agency.name} Republik Indonesia"]
    if bare_ok and agency.type in ("kabupaten", "kota") and rng.random() < 0.15:
        return b
    return rng.choice(opts)


def category_variant(category: str, year: int, rng: random.Random) -> str:
    if year <= 2018 and rng.random() < 0.6:
        variants = [k for k, v in CATEGORY_VARIANTS.items() if v == category]
        if variants:
            return rng.choice(variants).title()
    return category


def pick_category(rng: random.Random) -> str:
    return rng.choice(CATEGORIES)


def sdgs_for(category: str, rng: random.Random) -> list[int]:
    main = {
        "Pengentasan Kemiskinan": 1,
        "Pendidikan": 4,
        "Kesehatan": 3,
        "Ketahanan Pangan": 2,
        "Pertumbuhan Ekonomi dan Kesempatan Kerja": 8,
        "Pemberdayaan Masyarakat": 11,
        "Pelayanan Publik Responsif Gender": 5,
        "Perlindungan dan Pelestarian Lingkungan Hidup": 13,
        "Tata Kelola Pemerintahan": 16,
        "Penegakan Hukum": 16,
    }[category]
    extra = rng.sample(range(1, 18), rng.choice([0, 1, 1, 2]))
    return sorted({main, *extra})


def summary_for(expansion: str, rng: random.Random) -> str:
    return f"{rng.choice(words.SUMMARY_OPENERS)} melalui {expansion.lower()}."
