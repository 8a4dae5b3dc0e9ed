"""Keep the real-data fixture (tests/data/real) apart from the development set it must not quote.

A fixture row goes when any of its fields (written names, titles, agencies, LAN units, notes) contains
a string of three words or more that the development set writes (a written name, a title, an
agency as written, a LAN unit), unless that string is a registry name or alias or a typed region
('Kota X', 'Pemprov X'): those are knowledge, not the set's rows. An InoLAN innovation and its LAN unit
go together. Usage (from the project root):

    .venv/bin/python scripts/real_fixture_overlap.py ../shared/devset/real           # report
    .venv/bin/python scripts/real_fixture_overlap.py ../shared/devset/real --remove  # and drop them
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from pathlib import Path

from jippnas_orchestration.agencies.registry import central_agencies, regions

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "real"
DEVSET_FIELDS = {
    "agencies.csv": ("written_name",),
    "innovations.csv": ("title", "agency_written"),
    "lan_units.csv": ("unit_instansi",),
}
REGION_FORMS = ("", "kota ", "kabupaten ", "kab ", "pemkot ", "pemkab ", "provinsi ", "pemprov ")
LAN_ID = re.compile(r"\bid=(\d+)\b")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (text or "").lower()).split())


def _knowledge() -> set[str]:
    names = {_norm(a) for c in central_agencies() for a in [c["agency_name"], *c["aliases"]]}
    for r in regions():
        base = _norm(r.base)
        names |= {f"{form}{base}" for form in REGION_FORMS}
        names |= {f"pemerintah {form}{base}" for form in REGION_FORMS if form}
    return names


def quoted_strings(devset: Path) -> set[str]:
    """The development set's strings of three words or more that are not registry knowledge."""
    found = {
        _norm(row[field])
        for name, fields in DEVSET_FIELDS.items()
        for row in csv.DictReader(open(devset / name, encoding="utf-8"))
        for field in fields
    }
    known = _knowledge()
    return {s for s in found if len(s.split()) >= 3 and s not in known}


def _quotes(row: dict, strings: set[str]) -> str | None:
    text = f" {' '.join(_norm(v) for v in row.values())} "
    return next((s for s in sorted(strings) if f" {s} " in text), None)


def _read(name: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO((FIXTURE / name).read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), list(reader)


def _write(name: str, fields: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)  # the files' dialect: quoted as needed, CRLF
    writer.writeheader()
    writer.writerows(rows)
    (FIXTURE / name).write_text(out.getvalue(), encoding="utf-8", newline="")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("devset", type=Path)
    ap.add_argument("--remove", action="store_true")
    args = ap.parse_args()
    strings = quoted_strings(args.devset)
    tables = {name: _read(name) for name in DEVSET_FIELDS}
    gone_lan: set[str] = set()
    for name, (_fields, rows) in tables.items():
        for row in rows:
            hit = _quotes(row, strings)
            if hit:
                print(f"{name}: {next(iter(row.values()))!r} quotes {hit!r}")
                if name != "agencies.csv":
                    gone_lan |= set(LAN_ID.findall(row.get("source", ""))) | {row.get("lan_id", "")}
    gone_lan.discard("")

    def keep(name: str, row: dict) -> bool:
        lan = row.get("lan_id") or next(iter(LAN_ID.findall(row.get("source", ""))), "")
        inolan = name == "lan_units.csv" or row.get("programme") == "InoLAN"
        return not _quotes(row, strings) and not (inolan and lan in gone_lan)

    for name, (fields, rows) in tables.items():
        kept = [row for row in rows if keep(name, row)]
        print(f"{name}: {len(rows)} rows, {len(rows) - len(kept)} quoting the development set")
        if args.remove and len(kept) != len(rows):
            _write(name, fields, kept)


if __name__ == "__main__":
    main()
