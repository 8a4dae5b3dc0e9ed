"""What an innovation title says about identity: its acronym and the words of its expansion.

Everything that does not tell two innovations apart is removed first: quotes and trailing
punctuation, a leading "Inovasi", the agency's own name ('... Kabupaten Banyuwangi'), version
marks ('2.0', 'Versi 2', 'PLUS', 'Jilid II') and years ('Festival Literasi 2022'). What is left is
split into an acronym ('SIPADU', 'SIPADU-DESA', 'e-SaPupBeMas', compared in compact lower-case
form) and the words of its expansion, so 'SIPADU (Sistem Pelayanan Terpadu)',
'Sistem Pelayanan Terpadu - SIPADU' and 'SIPADU: SISTEM PELAYANAN TERPADU' are one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, DamerauLevenshtein

from ..agencies.registry import central_agencies, regions
from ..agencies.resolve import norm


@dataclass(frozen=True)
class TitleParts:
    acronym: str | None  # compact lower case: 'sipadudesa'
    expansion: str  # normalised words: 'sistem pelayanan terpadu desa'

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.expansion.split())

    @property
    def compact(self) -> str:
        return self.expansion.replace(" ", "")


_QUOTES = "\"'“”‘’`"
_FILLER = re.compile(r"^(?:program\s+)?([a-z]{6,8})\s*[:\-–]?\s+(?=\S)", re.I)
_SPLIT = re.compile(r"^(.+?)\s*(?:\(([^()]+)\)|\s[-–—:]\s|:\s)\s*(.*)$")
# Marks of a newer version of the same innovation, at the end of a title.
_VERSION = re.compile(
    r"(?:\s*[(\[]\s*(?:versi|ver\.?|v)\s*\d+(?:\.\d+)*\s*[)\]]"
    r"|\s+(?:versi|ver\.?|v\.?)\s*\d+(?:\.\d+)*"
    r"|\s+\d+\.\d+"
    r"|\s+(?:jilid|edisi|generasi|gen|seri|season)\s+(?:\d+|[ivx]+)"
    r"|\s+(?:ii|iii|iv)"
    r"|\s*\+|\s+plus|\s+reborn|\s+[2-9])\s*[.]?$",
    re.I,
)
_YEAR = re.compile(r"(?:\s(?:tahun|th|thn))?\s(?:19|20)\d{2}\b")
_TRAILING_SEPARATORS = re.compile(r"[\s\-–—:,.]+$")
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NOT_ALNUM_LOWER = re.compile(r"[^0-9a-z]")
_TYPE_WORDS = (
    r"(?:pemerintah\s+)?(?:kabupaten|kab\.?|kota|provinsi|prov\.?|pemkab|pemkot|pemprov)|pemerintah"
)
_TYPE_TOKENS = (
    "pemerintah",
    "kabupaten",
    "kab",
    "kota",
    "provinsi",
    "prov",
    "pemkab",
    "pemkot",
    "pemprov",
    "administrasi",
)


_VERSION_ENDINGS = ("plus", "reborn", "ii", "iii", "iv", "x", "+")


def strip_versions(text: str) -> str:
    """'SIPADU (Sistem Pelayanan Terpadu) Versi 2.0' -> 'SIPADU (Sistem Pelayanan Terpadu)'."""
    tail = text.rstrip(" .").lower()
    if not tail or not (tail[-1].isdigit() or tail[-1] in ")]+" or tail.endswith(_VERSION_ENDINGS)):
        return text  # most titles end in a plain word: skip the regular expression
    while True:
        shorter = _VERSION.sub("", text).strip()
        if shorter == text or not re.search(r"\w", shorter):
            return text
        text = shorter


def _without_filler(text: str) -> str:
    """A leading 'Inovasi' (also 'Program Inovasi', also misspelt 'Inoavsi') names no innovation."""
    m = _FILLER.match(text)
    if m and OSA.distance(m.group(1).lower(), "inovasi") <= 1:
        rest = text[m.end() :]
        return rest if len(rest.split()) >= 2 or rest.isupper() else text
    return text


def without_years(expansion: str) -> str:
    """'Festival Literasi 2022' is the same innovation reported again: years say nothing of identity."""
    stripped = _YEAR.sub("", f" {expansion}").strip()
    return stripped if len(stripped.split()) >= 2 else expansion


def _looks_like_acronym(part: str, other: str) -> bool:
    """'SIPADU', 'SIPADU-DESA', 'e-SaPupBeMas', 'Gerpeber' beside a longer expansion; also a short
    name the innovation is known by ('Gerai Sehat', 'Si PINTAR Desa') beside an expansion at
    least two words longer, or one it is read off ('Lapor Sam Sigap' <- LAyanan PORtal SAMpah
    SIGAP)."""
    words, other_words = part.split(), norm(other).split()
    if len(other_words) < 2 or len(words) >= len(other_words) or len(words) > 3:
        return False
    compact = _NOT_ALNUM.sub("", part)
    if not 2 <= len(compact) <= 20:
        return False
    if len(words) == 1 or (len(words) == 2 and part.upper() == part):
        return True
    return (len(other_words) >= len(words) + 2 and len(other_words) >= 4) or _cut_from(
        _compact(part), other_words
    )


def _cut_from(name: str, words: list[str]) -> bool:
    """Is a syllable name read off every word of the expansion in order, each word giving its first
    letter and maybe more of its letters ('payjem' <- Pelayanan JEMput)?"""
    words = [w for w in words if w not in _JOINERS]
    if len(name) < 6 or len(words) < 2:
        return False

    def subsequence(part: str, word: str) -> bool:
        it = iter(word)
        return all(ch in it for ch in part)

    @lru_cache(maxsize=None)
    def fit(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(name)
        word = words[j]
        if i == len(name) or name[i] != word[0]:
            return False
        return any(
            subsequence(name[i + 1 : i + k], word[1:]) and fit(i + k, j + 1)
            for k in range(1, min(len(word), len(name) - i) + 1)
        )

    return fit(0, 0)


def _without_lead_words(part: str) -> str:
    """'Program SELFI' names the innovation SELFI, and so does 'SELFI Innovation'."""
    words = part.split()
    if len(words) >= 2 and words[0].lower() in _LEAD_WORDS:
        words = words[1:]
    if len(words) >= 2 and words[-1].lower() in ("inovasi", "innovation", "program"):
        words = words[:-1]
    return " ".join(words)


def _compact(text: str) -> str:
    return _NOT_ALNUM_LOWER.sub("", text.lower())


# Words that only join others ('Kesehatan Ibu dan Anak' = 'Kesehatan Ibu Anak', 'Layanan Berbasis
# Hipnoterapi' = 'Layanan Hipnoterapi'); 'ke', 'dari', 'untuk' and 'bagi' stay: they say where to or
# for whom.
_JOINERS = frozenset({"dan", "serta", "yang", "di", "pada", "berbasis"})
# Abbreviations every Indonesian public-service title uses, read as the words they stand for.
_ABBREVIATIONS = {
    "adminduk": "administrasi kependudukan",
    "dukcapil": "kependudukan pencatatan sipil",
    "disdukcapil": "dinas kependudukan pencatatan sipil",
    "ptsp": "pelayanan terpadu satu pintu",
    "kia": "kesehatan ibu anak",
    "paud": "pendidikan anak usia dini",
    "umkm": "usaha mikro kecil menengah",
    "ukm": "usaha kecil menengah",
    "ikm": "industri kecil menengah",
    "bumdes": "badan usaha milik desa",
    "ktp": "kartu tanda penduduk",
    "ektp": "kartu tanda penduduk elektronik",
    "pbb": "pajak bumi bangunan",
    "imb": "izin mendirikan bangunan",
    "pbg": "persetujuan bangunan gedung",
    "rsud": "rumah sakit umum daerah",
    "rs": "rumah sakit",
    "tbc": "tuberkulosis",
    "dbd": "demam berdarah dengue",
    "asi": "air susu ibu",
    "bumil": "ibu hamil",
    "kb": "keluarga berencana",
    "sdm": "sumber daya manusia",
    "ibu2": "ibu ibu",
    "rtlh": "rumah tidak layak huni",
    "odgj": "orang dengan gangguan jiwa",
    "pmt": "pemberian makanan tambahan",
}


@lru_cache(maxsize=65536)
def _read_out(word: str) -> str:
    """An abbreviation as its words, also when misspelt ('Adminudk'); any other word as it is."""
    if word in _ABBREVIATIONS:
        return _ABBREVIATIONS[word]
    if len(word) >= 6:
        for abbr, words in _ABBREVIATIONS.items():
            if len(abbr) >= 6 and DamerauLevenshtein.distance(word, abbr) == 1:
                return words
    return word


# English names of services, read in the Indonesian words agencies use for them (after the
# abbreviations are read out: 'PTSP' is a one-stop service too).
_ENGLISH = (
    ("one stop services", "pelayanan terpadu"),
    ("one stop service", "pelayanan terpadu"),
    ("pelayanan terpadu satu pintu", "pelayanan terpadu"),
    ("integrated services", "pelayanan terpadu"),
    ("integrated service", "pelayanan terpadu"),
    ("public services", "pelayanan publik"),
    ("public service", "pelayanan publik"),
    ("poverty alleviation", "penanggulangan kemiskinan"),
    ("poverty reduction", "penanggulangan kemiskinan"),
    ("waste bank", "bank sampah"),
    ("health center", "puskesmas"),
)
_ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(e) for e, _ in _ENGLISH) + r")\b")
# Words that open a title without naming the innovation: 'Pengembangan Klinik X' is 'Klinik X'.
_LEAD_WORDS = frozenset(
    {
        "pengembangan",
        "program",
        "optimalisasi",
        "optimasi",
        "peningkatan",
        "penerapan",
        "implementasi",
        "pendayagunaan",
        "pemanfaatan",
        "penguatan",
        "penyelenggaraan",
        "pelaksanaan",
    }
)


def _without_lead_word(words: list[str]) -> list[str]:
    """Normalised words without a lead word (also misspelt: 'Porgram') when two or more remain."""
    if len(words) >= 3 and (
        words[0] in _LEAD_WORDS
        or (len(words[0]) >= 6 and any(OSA.distance(words[0], w) <= 1 for w in _LEAD_WORDS))
    ):
        return words[1:]
    return words


def _expansion(text: str) -> str:
    """Normalised words; a one-letter prefix ('e-Retribusi', 'm Banking') joins its word; common
    abbreviations and English service names are read out; joining words go when enough words
    remain."""
    words = _without_lead_word(norm(text).split())
    out: list[str] = []
    for w in words:
        if out and len(out[-1]) == 1 and out[-1].isalpha():
            out[-1] += w
        else:
            out.append(w)
    joined = " ".join(_read_out(w) for w in out)
    if _ENGLISH_RE.search(joined):
        joined = _ENGLISH_RE.sub(lambda m: dict(_ENGLISH)[m.group(1)], joined)
    out = joined.split()
    content = [w for w in out if w not in _JOINERS]
    return without_years(" ".join(content if len(content) >= 2 else out))


_GLOSS = re.compile(r"^(.+?)\s*\(([^()]+)\)$")


def _without_gloss(text: str) -> str:
    """'Posyandu Lansia (Lanjut Usia)': a parenthesis spelling out one word of the title ('lansia' is
    read off 'LANjut uSIA') says nothing more about which innovation it is."""
    m = _GLOSS.match(text)
    if not m:
        return text
    head, gloss = norm(_without_lead_words(m.group(1))).split(), norm(m.group(2)).split()
    if len(head) < 2 or not 2 <= len(gloss) <= 3 or _cut_from("".join(head), gloss):
        return text  # 'Lapo Bra (Layanan Pojok Braille)': the whole name is read off it
    letters = "".join(gloss)
    for word in head:
        if len(word) >= 4 and word[0] == letters[0] and len(letters) > len(word):
            it = iter(letters)
            if all(ch in it for ch in word):
                return m.group(1).strip()
    return text


_INLINE_ACRONYM = re.compile(r"\s*\(([A-Za-z]{2,6})\)\s*(?=\S)")


def _without_inline_acronym(text: str) -> str:
    """'Antenatal Care (ANC) Hipnoterapi': an acronym in parentheses that spells the words right
    before it, with the title going on after it, only abbreviates them: 'Antenatal Care
    Hipnoterapi'."""

    def drop(m: re.Match) -> str:
        letters = m.group(1).lower()
        before = norm(text[: m.start()]).split()
        spelt = any(
            _prefixes_spell(letters, before[-k:])
            for k in range(2, min(len(letters), len(before)) + 1)
        )
        return " " if spelt else m.group(0)

    return _INLINE_ACRONYM.sub(drop, text)


def _prefixes_spell(letters: str, words: list[str]) -> bool:
    """Are `letters` the words' beginnings, one or more letters of each, in order ('anc' <- ANtenatal
    Care)?"""
    if not words:
        return not letters
    word = words[0]
    return any(
        letters[:k] == word[:k] and _prefixes_spell(letters[k:], words[1:])
        for k in range(1, min(len(word), len(letters) - len(words) + 1) + 1)
    )


def title_parts(title: object) -> TitleParts:
    """Split 'ACR (Expansion)', 'Expansion (ACR)', 'Expansion - ACR', 'ACR: Expansion' and the like."""
    text = _SPACES.sub(" ", str(title or "")).strip().strip(_QUOTES + " .").strip()
    text = strip_versions(_without_filler(text)).strip(_QUOTES + " .")
    text = _without_gloss(_without_inline_acronym(text))
    compound = _compound(text)
    if compound:
        return compound
    named = _NAMED_THEN_SUBTITLE.match(text)
    if named:
        # 'Papan Kontrol Kesehatan (Papa Sehat): Kontrol Kesehatan Peserta Didik ...': a name and the
        # words it stands for, one in parentheses; what follows the colon describes it
        words, name = named.group(1), named.group(2)
        if len(name.split()) > len(words.split()):
            words, name = name, words
        if len(name.split()) < len(words.split()) or _looks_like_acronym(name, words):
            return TitleParts(_compact(name), _expansion(words))
    subtitled = _acronym_with_subtitle(text)
    if subtitled:
        return subtitled
    m = _SPLIT.match(text)
    if m:
        parts = [p.strip() for p in (m.group(1), m.group(2), m.group(3)) if p and p.strip()]
        if len(parts) == 2:
            a, b = (_without_lead_words(strip_versions(p).strip(_QUOTES + " .")) for p in parts)
            if _looks_like_acronym(a, b):
                return TitleParts(_compact(a), _expansion(b))
            if _looks_like_acronym(b, a):
                return TitleParts(_compact(b), _expansion(a))
    if " " not in text.strip() and _compact(text):
        return TitleParts(_compact(text), "")
    return TitleParts(None, _expansion(text))


_NAMED_THEN_SUBTITLE = re.compile(r"^([^():]+?)\s*\(([^()]{2,40})\)\s*:\s+\S.*$")
_COMPOUND = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
_PARTS = re.compile(r"\s+[-–—/]\s+|\s*/\s*")


def _compound(text: str) -> TitleParts | None:
    """'Expansion A - Expansion B (ACR-A - ACR-B)': two named parts; the last names the product the
    innovation is known by, and identifies it."""
    m = _COMPOUND.match(text)
    if not m:
        return None
    expansions, acronyms = _PARTS.split(m.group(1)), _PARTS.split(m.group(2))
    if len(acronyms) < 2 or len(acronyms) != len(expansions):
        return None
    if not all(_looks_like_acronym(a, e) for a, e in zip(acronyms, expansions)):
        return None
    return TitleParts(_compact(acronyms[-1]), _expansion(expansions[-1]))


_SUBTITLED = re.compile(r"^([A-Z][A-Z0-9]{2,9})\s+([A-Z]?[a-z][\w'-]*(?:\s+[\w'-]+){0,4})$")


def _acronym_with_subtitle(text: str) -> TitleParts | None:
    """'SAKTI Warga Berdaya': an acronym in capitals followed by a motto in ordinary case is that acronym's
    innovation (a later award's subtitle), read as the acronym alone."""
    m = _SUBTITLED.match(text)
    if not m or m.group(2).isupper():
        return None
    return TitleParts(_compact(m.group(1)), "")


# --- the agency's own name inside a title ------------------------------------------------------


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
    return re.compile(
        rf"(?:^|(?<=[\s\-–—:,(]))\s*(?:(?:di|pada)\s+)?"
        rf"(?:(?:{_TYPE_WORDS})\s+(?:{alt})\b|(?:{alt})\s*[.)]?\s*$)",
        re.IGNORECASE,
    )


@lru_cache(maxsize=4096)
def _name_heads(agency_id: str) -> tuple[str, ...]:
    """The first word of each of the agency's names: a title without any of them cannot mention it."""
    return tuple(
        {
            w[0].lower()
            for n in _agency_names().get(agency_id, [])
            if (w := re.findall(r"[A-Za-z0-9]+", n))
        }
    )


def strip_own_agency(title: str, agency_id: str) -> str:
    """The title without mentions of its own agency (and the separators they leave behind)."""
    lowered = title.lower() if title else ""
    if not any(h in lowered for h in _name_heads(agency_id)):
        return title  # the common case, without compiling or running the agency's pattern
    pattern = _own_name_pattern(agency_id)
    if pattern is None or not title:
        return title
    stripped = _TRAILING_SEPARATORS.sub("", _SPACES.sub(" ", pattern.sub(" ", title))).strip(
        " -–—:,"
    )
    if not re.search(r"\w", stripped) or (len(stripped.split()) < 2 and not stripped.isupper()):
        return title  # 'Kota Bandung Juara' is a name in itself, not 'Juara' of Kota Bandung
    return stripped


@lru_cache(maxsize=65536)
def _is_type_token(token: str) -> bool:
    return (
        token in _TYPE_TOKENS
        or (len(token) >= 6 and any(fuzz.ratio(token, t) >= 80 for t in _TYPE_TOKENS))
        or (
            len(token) >= 5
            and any(
                len(t) >= 5 and DamerauLevenshtein.distance(token, t) <= 1 for t in _TYPE_TOKENS
            )
        )
    )


@lru_cache(maxsize=65536)
def _norm_token(token: str) -> str:
    return norm(token)


@lru_cache(maxsize=4096)
def _normed_names(agency_id: str) -> tuple[str, ...]:
    return tuple(norm(n) for n in _agency_names().get(agency_id, []))


def strip_own_agency_tail(title: str, agency_id: str) -> str:
    """Like strip_own_agency, for a mention with a typo ('... di PEMEIRNTAH KABUPATEN SOLOK SELATAN'):
    from a type word on, the rest of the title must be the agency's own name, within small typos."""
    names = _normed_names(agency_id)
    tokens = title.split()
    normed = [_norm_token(t) for t in tokens]
    for i in range(
        2, len(tokens)
    ):  # '... di Kementeian HAM': a mention of the agency itself, misspelt
        if normed[i - 1] not in ("di", "pada"):
            continue
        rest = " ".join(n for n in normed[i:] if n)
        if any(OSA.distance(rest, n) <= max(1, len(n) // 8) for n in names):
            head = _TRAILING_SEPARATORS.sub("", " ".join(tokens[: i - 1]))
            if len(head.split()) >= 2:
                return head
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


def identity_parts(title: object, agency_id: str) -> TitleParts:
    """The parts of a title that identify an innovation within its agency."""
    text = strip_versions(_SPACES.sub(" ", str(title or "")).strip().strip(_QUOTES + " ."))
    return title_parts(_closed(strip_own_agency(strip_own_agency_tail(text, agency_id), agency_id)))


def _closed(text: str) -> str:
    """'X (Expansion ... Kota Y)' less its agency keeps its closing parenthesis."""
    return text + ")" if text.count("(") == text.count(")") + 1 else text
