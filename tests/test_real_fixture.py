"""The real pipeline over the real-data fixture (tests/data/real, see its README): floors on the figures.

The fixture's rows become the three sources as the devset's real-data scorer builds them, without the
bundled sample as background: every innovation row one record (KIPP, UNPSA and 'other' rows in a KIPP
workbook, InoLAN rows as InoLAN lines with the LAN record's real unit, IGA rows as IGA page records) and
every agency row one extra KIPP record carrying the written name. The whole pipeline then runs on the
embedded SQLite warehouse and is scored as that scorer scores it, through the contract tables only:
the agency each agency record got (innovation_source_map, else its harmonized innovation; a rejected
record got none) against the labelled one, and pairwise precision/recall of "same innovation_id"
against the fixture's group_id.

The floors sit below today's figures (627 agency rows: agencies_correct 0.981, wrong 1, false_pos
0; 255 innovation rows: pairs precision 1.0, recall 0.801): they catch regressions and are not
targets to tune for.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pytest
from openpyxl import Workbook

from jippnas_orchestration.generator.write import KIPP_HEADERS
from jippnas_orchestration.sources.inolan import COLUMNS as INOLAN_COLUMNS
from jippnas_orchestration.warehouse import Warehouse

from .helpers import run_pipeline

DATA = Path(__file__).resolve().parent / "data" / "real"
PROGRAMME_SOURCE = {
    "KIPP": "KIPP",
    "UNPSA": "KIPP",
    "other": "KIPP",
    "IGA": "IGA",
    "InoLAN": "INOLAN",
}
JENIS = {
    "kementerian": "Kementerian",
    "lembaga": "Lembaga",
    "provinsi": "Provinsi",
    "kabupaten": "Kabupaten",
    "kota": "Kota",
    "bumn": "BUMN",
    "bumd": "BUMD",
}
AGENCY_YEAR = 2019  # year of the agency records: neutral, the written names carry none

FLOOR_AGENCIES_CORRECT = 0.96
FLOOR_WRONG_PLUS_FALSE_POS_SHARE = 0.01
FLOOR_PAIRS_PRECISION = 0.98
FLOOR_PAIRS_RECALL = 0.75


# ---- the fixture as sources ------------------------------------------------------------------
def _read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _award(award: str, year: int) -> str | None:
    a = award.strip()
    if not a:
        return None
    if re.search(r"/\s*\d{4}", a):
        return a
    if a.lower().startswith("top 5 outstanding achievement"):
        return f"Top 5 OAPSI/{year}"
    m = re.match(r"(?i)(top \d+)", a)
    return f"{m.group(1)}/{year}" if m else a


def _kipp_row(**values) -> list:
    return [values.get(h) for h in KIPP_HEADERS]


def build_sources(src: Path) -> tuple[list[dict], list[dict]]:
    """Write kipp/, iga/ and inolan.csv under src; return the innovation and agency rows, each with
    its source_kind and source_record_id."""
    innos, agencies = _read("innovations.csv"), _read("agencies.csv")
    units = {u["lan_id"]: u["unit_instansi"] for u in _read("lan_units.csv")}
    kipp, iga, inolan = [], defaultdict(list), []
    for n, r in enumerate(innos, 1):
        r["row"], year = n, int(r["year"])
        r["source_kind"] = PROGRAMME_SOURCE[r["programme"]]
        if r["source_kind"] == "KIPP":
            r["source_record_id"] = str(900000 + n)
            kipp.append(
                _kipp_row(
                    **{
                        "Kode NRI": r["source_record_id"],
                        "Tahun": year,
                        "Judul Inovasi": r["title"],
                        "Instansi": r["agency_written"] or None,
                        "Kelompok": "Umum",
                        "Kategori": "Tata Kelola Pemerintahan",
                        "Penghargaan": _award(r["award"], year),
                    }
                )
            )
        elif r["source_kind"] == "IGA":
            r["source_record_id"] = f"IND{year}9{n:05d}"
            iga[year].append(
                {
                    "id": r["source_record_id"],
                    "nama": r["title"],
                    "tahun": year,
                    "profil_id": 9000 + n,
                    "pemda": {"nama_pemda": r["agency_written"]},
                    "tahapan": "penerapan",
                    "inisiator": None,
                    "jenis_inovasi": "Belum ditentukan",
                    "bentuk_inovasi_str": None,
                    "urusan": [],
                    "is_covid": 0,
                    "tujuan": None,
                    "manfaat": None,
                    "hasil_inovasi": None,
                    "waktu_uji_coba": "",
                    "waktu_implementasi": "",
                    "predikat_pemda": None,
                    "skor_indeks": None,
                    "usr_asn": None,
                }
            )
        else:
            lan_id = re.search(r"\bid=(\d+)", r["source"]).group(1)  # the cited LAN record
            r["source_record_id"] = f"LAN-R{int(lan_id):04d}"
            line = dict.fromkeys(INOLAN_COLUMNS, "")
            line.update(
                external_id=r["source_record_id"],
                judul_inovasi=r["title"],
                tahun=str(year),
                unit_kerja=units.get(lan_id, ""),
                instansi_nama=r["agency_written"],
            )
            inolan.append([line[c] for c in INOLAN_COLUMNS])
    for n, r in enumerate(agencies, 1):
        r["row"], r["source_kind"], r["source_record_id"] = n, "KIPP", str(700000 + n)
        hint = (r.get("type_hint") or "").strip().lower()
        kipp.append(
            _kipp_row(
                **{
                    "Kode NRI": r["source_record_id"],
                    "Tahun": AGENCY_YEAR,
                    "Judul Inovasi": f"Uji resolusi instansi {n:03d}",
                    "Instansi": r["written_name"],
                    "Jenis Instansi": JENIS.get(hint, hint or None),
                    "Kelompok": "Umum",
                    "Kategori": "Tata Kelola Pemerintahan",
                    "Penghargaan": f"Top 99/{AGENCY_YEAR}",
                }
            )
        )
    keys = [(r["source_kind"], r["source_record_id"]) for r in innos + agencies]
    assert len(set(keys)) == len(keys), "source record ids must be unique"

    (src / "kipp").mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Top Inovasi"
    ws.append(["DAFTAR TOP INOVASI PELAYANAN PUBLIK (data nyata)"])
    ws.append([])
    ws.append(["No.", *KIPP_HEADERS])
    for k, row in enumerate(kipp, 1):
        ws.append([k, *row])
    ws.append(["Jumlah", len(kipp)])
    for (cell,) in ws.iter_rows(min_row=4, min_col=2, max_col=2):  # Kode NRI as text
        cell.number_format = "@"
    wb.save(src / "kipp" / "real-data.xlsx")

    (src / "iga").mkdir()  # the fixture may have no IGA row: the source is then an empty year list
    for year, recs in iga.items():
        (src / "iga" / str(year)).mkdir()
        meta = {"current_page": 1, "last_page": 1, "per_page": 100, "total": len(recs)}
        (src / "iga" / str(year) / "page-1.json").write_text(
            json.dumps({"data": recs, "meta": meta}, ensure_ascii=False), encoding="utf-8"
        )
    (src / "iga" / "tahun.json").write_text(json.dumps({"data": sorted(iga)}), encoding="utf-8")

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(INOLAN_COLUMNS)
    writer.writerows(inolan)
    (src / "inolan.csv").write_bytes(buf.getvalue().encode("utf-8"))
    return innos, agencies


# ---- scoring ---------------------------------------------------------------------------------
def _s(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _key(source, rid) -> tuple[str, str]:
    return _s(source).upper(), _s(rid)


def _rows(wh: Warehouse, name: str) -> list[dict]:
    if not wh.has_table(name):
        return []
    return [{k.lower(): v for k, v in r.items()} for r in wh.read_table(name).to_dict("records")]


def score(innos: list[dict], agencies: list[dict], wh: Warehouse) -> dict:
    smap = {_key(r["source"], r["source_record_id"]): r for r in _rows(wh, "innovation_source_map")}
    rejected = {}
    for r in _rows(wh, "rejected_source_rows"):
        rejected.setdefault(_key(r.get("source"), r.get("source_record_id")), r)
    staged = {
        _key(r.get("source"), r.get("source_record_id")): r
        for r in _rows(wh, "staged_source_records")  # not a contract table: only if it exists
    }
    ag = _rows(wh, "agencies")
    ag_name = {_s(a["agency_id"]): _s(a.get("agency_name")) for a in ag}
    by_name = defaultdict(set)
    for a in ag:
        by_name[_s(a.get("agency_name")).lower()].add(_s(a["agency_id"]))
    harm = {_s(h["innovation_id"]): h for h in _rows(wh, "harmonized_innovations")}

    def got_agency(r) -> tuple[str, str]:
        k = (r["source_kind"], r["source_record_id"])
        m = smap.get(k)
        if m is not None:
            if _s(m.get("agency_id")):
                return _s(m["agency_id"]), "innovation_source_map"
            h = harm.get(_s(m.get("innovation_id")))
            if h is not None and _s(h.get("agency_id")):
                return _s(h["agency_id"]), "harmonized_innovations"
            return "", "mapped, no agency"
        if k in rejected:
            return "", f"rejected: {_s(rejected[k].get('reason'))[:100]}"
        if k in staged and _s(staged[k].get("agency_id")):
            return _s(staged[k]["agency_id"]), "staged only"
        return "", "LOST (in neither innovation_source_map nor rejected_source_rows)"

    def named(aid: str) -> str:
        return f"{aid} {ag_name.get(aid, '?')}" if aid else "(none)"

    outcomes, misses = Counter(), []
    for r in agencies:
        kind = r["expected_kind"]
        label = {"regional": r["expected_region_name"], "central": r["expected_central_name"]}.get(
            kind, ""
        )
        ids = by_name.get(label.strip().lower(), set())
        exp = next(iter(ids)) if kind != "unresolvable" and len(ids) == 1 else None
        got, how = got_agency(r)
        if kind != "unresolvable" and exp is None:
            outcome = "label_unmapped"
        elif exp is None:
            outcome = "correct" if not got else "false_pos"
        elif got == exp:
            outcome = "correct"
        else:
            outcome = "wrong" if got else "abstain"
        outcomes[outcome] += 1
        if outcome != "correct":
            expected = named(exp) if exp else (f"'{label}' (unmapped)" if label else "unresolvable")
            misses.append(
                f"  {outcome}: row {r['row']} [{r['difficulty']}] '{r['written_name']}' | "
                f"expected {expected} | got {named(got)} | {how}"
            )

    for r in innos:
        k = (r["source_kind"], r["source_record_id"])
        r["truth"] = r["group_id"] or f"single-{r['row']}"
        r["pred"] = _s(smap[k]["innovation_id"]) if k in smap else f"unmapped-{r['row']}"

    def pairs(c: Counter) -> int:
        return sum(v * (v - 1) // 2 for v in c.values())

    truth, pred = [r["truth"] for r in innos], [r["pred"] for r in innos]
    tp, pp, tt = pairs(Counter(zip(truth, pred))), pairs(Counter(pred)), pairs(Counter(truth))

    def lab(r) -> str:
        return (
            f"row {r['row']} [{r['source_kind']} {r['source_record_id']}] '{r['title']}' / "
            f"'{r['agency_written']}' -> {r['pred']}, agency {named(got_agency(r)[0])}"
        )

    pair_misses = [
        f"  missed pair {a['group_id']}:\n    {lab(a)}\n    {lab(b)}"
        for a, b in combinations(innos, 2)
        if a["truth"] == b["truth"] and a["pred"] != b["pred"]
    ] + [
        f"  false pair {a['pred']}:\n    {lab(a)}\n    {lab(b)}"
        for a, b in combinations(innos, 2)
        if a["pred"] == b["pred"] and a["truth"] != b["truth"]
    ]
    return {
        "n_agencies": len(agencies),
        "agencies_correct": outcomes["correct"] / len(agencies),
        "wrong": outcomes["wrong"],
        "false_pos": outcomes["false_pos"],
        "abstain": outcomes["abstain"],
        "label_unmapped": outcomes["label_unmapped"],
        "pairs_precision": tp / pp if pp else 1.0,
        "pairs_recall": tp / tt if tt else 1.0,
        "agency_misses": misses,
        "pair_misses": pair_misses,
    }


# ---- the test --------------------------------------------------------------------------------
@pytest.mark.slow
def test_real_fixture_figures_hold_their_floors(sqlite_url, tmp_path):
    innos, agencies = build_sources(tmp_path / "src")
    result = run_pipeline(sqlite_url, tmp_path / "src", raise_on_error=False)
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, f"the pipeline failed on the real-data fixture: steps {failed}"

    f = score(innos, agencies, Warehouse(sqlite_url))
    figures = (
        f"agencies_correct={f['agencies_correct']:.4f} (of {f['n_agencies']}) wrong={f['wrong']} "
        f"false_pos={f['false_pos']} abstain={f['abstain']} label_unmapped={f['label_unmapped']} "
        f"pairs_precision={f['pairs_precision']:.4f} pairs_recall={f['pairs_recall']:.4f}"
    )
    print(figures)
    agency_report = (
        f"{figures}\nagency misses (written name | expected | got | how):\n"
        + "\n".join(f["agency_misses"])
    )
    pair_report = f"{figures}\npair misses:\n" + "\n".join(f["pair_misses"])
    assert f["agencies_correct"] >= FLOOR_AGENCIES_CORRECT, agency_report
    assert f["wrong"] + f["false_pos"] <= FLOOR_WRONG_PLUS_FALSE_POS_SHARE * f["n_agencies"], (
        agency_report
    )
    assert f["pairs_precision"] >= FLOOR_PAIRS_PRECISION, pair_report
    assert f["pairs_recall"] >= FLOOR_PAIRS_RECALL, pair_report
