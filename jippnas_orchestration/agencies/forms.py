"""How real agency names are written beyond '<type> <region>', and the plainer forms they stand for.

Each function takes a name as written (not normalised: dashes, commas, slashes and parentheses still
carry meaning here) and returns other forms of it for the resolver to try, in order of trust:
- a parenthesis is either an expansion of the abbreviation before it ('PDAM (Perusahaan Daerah Air
  Minum) X'), an abbreviation of the words before it ('Rumah Sakit Umum Daerah (RSUD) X') or where
  the unit stands ('RSUD X (Bandung)'): the name without it is tried first;
- role titles stand for their government ('Bupati X' -> 'Kabupaten X', 'Menteri X' -> 'Kementerian X');
- English names ('X Regency', 'Health Office of X Province', 'Government of X City');
- '<Province> - <unit>', '<unit>, <region>', '<a>/<b>' are segments of one name;
- noise after the agency ('... dan Tim Y', '... bekerja sama dengan ...').
"""

from __future__ import annotations

import re

_PARENS = re.compile(r"\s*\(([^()]*)\)\s*")
# '<Province> - <unit>' and '<unit>, <region>': a dash with spaces around it, an en/em dash, a comma.
_SEGMENTS = re.compile(r"\s+[-–—]\s+|\s*[–—]\s*|\s*,\s*|\s*;\s*")
# Words after which the rest names someone else: a partner, a team, a programme.
_NOISE_TAIL = re.compile(
    r"\s+(?:dan\s+tim|bersama(?:\s+dengan)?|bekerja\s*sama(?:\s+dengan)?|kerjasama(?:\s+dengan)?"
    r"|berkolaborasi|kolaborasi|melalui|didukung|with|and\s+team)\b.*$",
    re.I,
)

# Role titles and the government they head (normalised words).
ROLE_TITLES = (
    ("wakil walikota", "kota"),
    ("wakil wali kota", "kota"),
    ("wakil bupati", "kabupaten"),
    ("wakil gubernur", "provinsi"),
    ("walikota", "kota"),
    ("wali kota", "kota"),
    ("bupati", "kabupaten"),
    ("gubernur", "provinsi"),
    ("wakil menteri", "kementerian"),
    ("menteri", "kementerian"),
)
_ROLE = re.compile(
    r"^\s*(" + "|".join(re.escape(r).replace(r"\ ", r"\s+") for r, _ in ROLE_TITLES) + r")\b\.?\s+",
    re.I,
)

# English region types: 'Banyuwangi Regency', 'Regency of Banyuwangi', 'City of Surabaya',
# 'West Java Province', 'Provincial Government of West Java'.
_EN_SUFFIX = re.compile(
    r"\b([A-Za-z][\w .'-]*?)\s+(Regency|City|Municipality|Province)\b(?:\s+Government)?", re.I
)
_EN_PREFIX = re.compile(
    r"\b(?:(?:the\s+)?(?:Government|Administration)\s+of\s+(?:the\s+)?)?"
    r"(Regency|City|Municipality|Province|Provincial\s+Government|Regional\s+Government)\s+of\s+"
    r"(?:the\s+)?([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)",
    re.I,
)
_EN_TYPES = {
    "regency": "Kabupaten",
    "city": "Kota",
    "municipality": "Kota",
    "province": "Provinsi",
    "provincial government": "Provinsi",
    "regional government": "Pemerintah Daerah",
}
# Compass words of English province names: 'West Java' -> 'Jawa Barat'.
_EN_COMPASS = {
    "north": "Utara",
    "south": "Selatan",
    "east": "Timur",
    "west": "Barat",
    "central": "Tengah",
    "southeast": "Tenggara",
    "southwest": "Barat Daya",
}
_EN_ISLANDS = {
    "java": "Jawa",
    "sumatra": "Sumatera",
    "sumatera": "Sumatera",
    "kalimantan": "Kalimantan",
    "borneo": "Kalimantan",
    "sulawesi": "Sulawesi",
    "celebes": "Sulawesi",
    "nusa tenggara": "Nusa Tenggara",
    "maluku": "Maluku",
    "moluccas": "Maluku",
    "papua": "Papua",
}
_EN_COMPASS_RE = re.compile(
    r"\b(" + "|".join(_EN_COMPASS) + r")\s+(" + "|".join(_EN_ISLANDS) + r")\b", re.I
)
# 'East Sumba Regency', 'North Lombok': a compass word before any other name, in an English name.
_EN_COMPASS_ANY = re.compile(r"\b(" + "|".join(_EN_COMPASS) + r")\s+([A-Z][a-z]+)\b", re.I)
_EN_MARKERS = re.compile(
    r"\b(?:regency|city|province|provincial|district|government|ministry|office|of|the)\b", re.I
)
# English geographic words of region names: 'Bintuni Bay' is 'Teluk Bintuni'.
_EN_GEOGRAPHIC = re.compile(r"\b([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)\s+(Bay|Islands?)\b")
_EN_GEOGRAPHIC_WORDS = {"bay": "Teluk", "islands": "Kepulauan", "island": "Pulau"}
_EN_OTHER = {
    "special region of yogyakarta": "Daerah Istimewa Yogyakarta",
    "jakarta special capital region": "DKI Jakarta",
    "bangka belitung islands": "Kepulauan Bangka Belitung",
    "riau islands": "Kepulauan Riau",
}


# English names of a region's offices, read as the Indonesian office (then ' of <region>').
_EN_OFFICES = (
    (r"(?:district\s+|regency\s+|city\s+|provincial\s+)?health\s+offices?", "Dinas Kesehatan"),
    (r"(?:district\s+|regency\s+|city\s+|provincial\s+)?education\s+offices?", "Dinas Pendidikan"),
    (
        r"(?:district\s+|regency\s+|city\s+|provincial\s+)?social\s+(?:affairs\s+)?offices?",
        "Dinas Sosial",
    ),
    (
        r"population\s+and\s+civil\s+registration\s+(?:office|agency|service)",
        "Dinas Kependudukan dan Pencatatan Sipil",
    ),
    (r"regional\s+development\s+planning\s+(?:agency|board)", "Bappeda"),
    (r"regional\s+disaster\s+management\s+agency", "BPBD"),
    (r"(?:regional\s+)?general\s+hospital", "RSUD"),
    (r"(?:community\s+|public\s+)?health\s+cent(?:re|er)", "Puskesmas"),
    (
        r"communications?,?\s+(?:and\s+)?informatics?(?:,?\s+(?:and\s+)?\w+){0,3}?\s+(?:office|dept|department|agency|service)",
        "Diskominfo",
    ),
)
_EN_OFFICE_RE = [(re.compile(rf"\b{pat}\b", re.I), idn) for pat, idn in _EN_OFFICES]


def english_office(name: str) -> str | None:
    """'District Health Office, X Regency' -> 'Dinas Kesehatan X Regency' (then read as Indonesian).
    Words before the office name the unit or the region ('Andalas Public Health Centre, Padang
    City', 'Jakarta's Regional Development Planning Agency'): they follow the office."""
    owned = re.match(r"^\s*([A-Z][\w ]*?)'s\s+(.+)$", name)
    if owned:
        name = f"{owned.group(2)} {owned.group(1)}"
    for pattern, office in _EN_OFFICE_RE:
        m = pattern.search(name)
        before = name[: m.start()].strip(" ,") if m else ""
        if m and len(before.split()) <= 3:
            rest = re.sub(r"^[\s,]*(?:of\s+(?:the\s+)?)?", "", name[m.end() :])
            rest = re.sub(r"\s*\b(?:sub-?district|district)\b", "", rest, flags=re.I)
            return f"{office} {before} {rest}".replace("  ", " ").strip()
    return None


def without_parentheses(name: str) -> str:
    return _SPACES.sub(" ", _PARENS.sub(" ", name)).strip()


def parenthesised(name: str) -> list[str]:
    return [p.strip() for p in _PARENS.findall(name) if p.strip()]


_SPACES = re.compile(r"\s+")


def without_noise_tail(name: str) -> str:
    return _NOISE_TAIL.sub("", name).strip()


# Offices held in an agency ('Kepala Dinas X', 'Plt. Bupati X', 'Direktur RSUD X'): the agency follows.
_OFFICE_HOLDER = re.compile(
    r"^\s*(?:(?:plt|plh|pj|pjs|pejabat|penjabat)\b\.?\s*)?"
    r"(?:(?:kepala|sekretaris|direktur|direktur utama|dirut|ketua|kabag|kabid|kasi|kasubag|kasubbag"
    r"|staf|staff|pegawai|asn)\b\.?\s+)?",
    re.I,
)
# Heads written as one word: 'Kapolda X' is the head of 'Polda X', 'Kadinkes' of 'Dinkes'.
_HEAD_WORD = re.compile(r"^\s*(?:wa)?ka((?:pol|din|dis|kan|rut|lapas)\w*)\b", re.I)
# 'Sekda', 'Sekdaprov', 'Sekdakab', 'Sekdakot': the regional secretariat of that government.
_SEKDA = re.compile(r"^\s*sekda(prov|kab|kot|kota)?\b\.?", re.I)
_SEKDA_TYPES = {"prov": "Provinsi", "kab": "Kabupaten", "kot": "Kota", "kota": "Kota", None: ""}


def office_holder_rewrite(name: str) -> str | None:
    """'Kepala Bappeda X' -> 'Bappeda X'; 'Kapolda X' -> 'Polda X'; 'Sekdaprov X' -> 'Sekretariat
    Daerah Provinsi X'."""
    out = _OFFICE_HOLDER.sub("", name, count=1).strip()
    out = _HEAD_WORD.sub(lambda m: m.group(1), out, count=1).strip()
    m = _SEKDA.match(out)
    if m:
        kind = _SEKDA_TYPES[(m.group(1) or "").lower() or None]
        out = f"Sekretariat Daerah {kind} {out[m.end() :].strip()}".replace("  ", " ")
    return out if out and out != name.strip() else None


def role_rewrite(name: str) -> str | None:
    """'Bupati Banyuwangi' -> 'Kabupaten Banyuwangi'; 'Menteri Kesehatan' -> 'Kementerian Kesehatan'."""
    m = _ROLE.match(name)
    if not m:
        return None
    role = _SPACES.sub(" ", m.group(1).lower())
    government = dict(ROLE_TITLES)[role]
    return f"{government.capitalize()} {name[m.end() :].strip()}"


def english_rewrite(name: str) -> str | None:
    """English region types and province names in Indonesian order; None if nothing English."""
    out = name
    for en, idn in _EN_OTHER.items():
        out = re.sub(re.escape(en), idn, out, flags=re.I)
    out = _EN_COMPASS_RE.sub(
        lambda m: f"{_EN_ISLANDS[m.group(2).lower()]} {_EN_COMPASS[m.group(1).lower()]}", out
    )
    out = _EN_GEOGRAPHIC.sub(
        lambda m: f"{_EN_GEOGRAPHIC_WORDS[m.group(2).lower()]} {m.group(1)}", out
    )
    if _EN_MARKERS.search(out):
        out = _EN_COMPASS_ANY.sub(lambda m: f"{m.group(2)} {_EN_COMPASS[m.group(1).lower()]}", out)
    out = re.sub(r"^\s*the\s+", "", out, flags=re.I)
    out = re.sub(r"\b(\w[\w ]*?)\s+provincial\s+government\b", r"Provinsi \1", out, flags=re.I)
    if not re.search(r"\bof\b", out, flags=re.I):  # 'Sragen district'; an 'of' names a unit first
        out = re.sub(r"^([\w ]+?)\s+district(?:\s+government)?$", r"Kabupaten \1", out, flags=re.I)
    out = re.sub(r"^([\w ]+?)\s+(?:city\s+)?government$", r"Pemerintah \1", out, flags=re.I)
    out = re.sub(r"^([\w ]+?)\s+ministry$", r"Ministry of \1", out, flags=re.I)
    out = re.sub(
        r"^(Ministry of (?:Home|Foreign|Religious|Social))$", r"\1 Affairs", out, flags=re.I
    )
    out = _EN_PREFIX.sub(
        lambda m: f"{_EN_TYPES[_SPACES.sub(' ', m.group(1).lower())]} {m.group(2)}", out
    )

    def suffix(m: re.Match) -> str:
        words = m.group(1).split()
        # 'Health Office of Banyuwangi Regency': the region is the words after the last 'of'
        lowered = [w.lower() for w in words]
        cut = len(words) - lowered[::-1].index("of") if "of" in lowered else 0
        head = " ".join(words[:cut])
        return f"{head} {_EN_TYPES[m.group(2).lower()]} {' '.join(words[cut:])}".strip()

    out = _EN_SUFFIX.sub(suffix, out)
    return out if out != name else None


def segments(name: str) -> list[str]:
    """'Jawa Barat - Dinas Kesehatan' -> ['Jawa Timur', 'Dinas Perkebunan']; one segment: []."""
    parts = [p.strip() for p in _SEGMENTS.split(name) if p and p.strip()]
    return parts if len(parts) > 1 else []


def slash_parts(name: str) -> list[str]:
    parts = [p.strip() for p in name.split("/") if p.strip()]
    return parts if len(parts) > 1 else []


def variants(name: str) -> list[str]:
    """Whole-name forms to try after the name as written, most faithful first, without repeats."""
    out: list[str] = []

    def add(form: str | None) -> None:
        if form and form.strip() and form.strip() != name.strip() and form.strip() not in out:
            out.append(form.strip())

    rewrites = (
        without_parentheses,
        without_noise_tail,
        office_holder_rewrite,
        role_rewrite,
        english_rewrite,
        english_office,
        lambda form: re.sub(r"^\s*(?:pemerintah|pemda)\s+", "", form, flags=re.I),
    )
    for _ in range(3):  # rewrites combine: 'Plt. Bupati X (Y)' needs three of them
        before = len(out)
        for rewrite in rewrites:
            for form in [name, *out]:
                add(rewrite(form))
        if len(out) == before:
            break
    return out[:24]
