"""Write the sample world in the contract's source formats, irregularities included.

The ground truth, the IGA pages and the submissions are written as they are made (IGA records go
through one spill file per year before they are paged), so memory holds the world and the KIPP
rows, not the 1.5 million records of a scale-300 set. The bytes are those of the straightforward
in-memory writer: the same seed gives the same files at every scale.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import shutil
import tempfile
from array import array
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from openpyxl import Workbook

from ..sources.inolan import COLUMNS as INOLAN_COLUMNS
from ..vocab import AGENCY_TYPE_LABELS, SDG_NAMES, STAGES, STATUSES
from . import words
from .build import World, build_world, submission_uuid
from .entities import (
    NEW_TO_OLD_PAPUA,
    Innovation,
    agency_variant,
    category_variant,
    person,
    title_variant,
)

KIPP_HEADERS = [
    "Kode NRI",
    "Tahun",
    "Judul Inovasi",
    "Instansi",
    "Jenis Instansi",
    "Unit Penyelenggara Pelayanan",
    "Kelompok",
    "Kategori",
    "Penghargaan",
    "SDGs",
    "Tahun Mulai Implementasi",
    "Ringkasan",
    "Nama Inovator",
    "Email Inovator",
    "No. HP Inovator",
]
# How the second workbook spells the same headers.
KIPP_HEADER_VARIANTS = {
    "Kode NRI": " KODE NRI ",
    "Tahun": "tahun",
    "Judul Inovasi": "Judul  Inovasi",
    "Instansi": "INSTANSI",
    "No. HP Inovator": "No HP Inovator",
    "Email Inovator": "E-mail Inovator",
    "SDGs": "SDGS",
    "Tahun Mulai Implementasi": "Tahun Mulai  Implementasi ",
}
UNRESOLVABLE = [
    "Instansi Tidak Diketahui",
    "UPT Pelayanan Terpadu",
    "Kantor Bersama Samsat Wilayah III",
]


TRUTH_FIELDS = ["source", "source_record_id", "innovation_key", "agency_id", "expected"]


class Truth:
    """Ground truth rows (which innovation and agency each source record really is), written to
    ground_truth.csv as they come; kept in memory: the KIPP records of each innovation and the
    set of innovations seen."""

    def __init__(self, path: Path):
        self._fh = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._fh, fieldnames=TRUTH_FIELDS)
        self._writer.writeheader()
        self.kipp_records: dict[str, list[str]] = {}
        self.innovation_keys: set[str] = set()

    def add(
        self,
        source: str,
        rid: str,
        inv: Innovation | None,
        expected: str = "ok",
        agency_id: str | None = None,
    ) -> None:
        self._writer.writerow(
            {
                "source": source,
                "source_record_id": rid,
                "innovation_key": inv.key if inv else "",
                "agency_id": agency_id
                if agency_id is not None
                else (inv.agency.agency_id if inv else ""),
                "expected": expected,
            }
        )
        if inv:
            self.innovation_keys.add(inv.key)
            if source == "KIPP":
                self.kipp_records.setdefault(inv.key, []).append(rid)

    def close(self) -> None:
        self._fh.close()


class JsonArrayFile:
    """Writes `json.dumps(docs, ensure_ascii=False, indent=1)` one document at a time."""

    def __init__(self, path: Path):
        self._fh = path.open("w")
        self.count = 0

    def append(self, doc: dict) -> None:
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        self._fh.write(
            ("[\n" if self.count == 0 else ",\n")
            + "\n".join(" " + line for line in text.split("\n"))
        )
        self.count += 1

    def close(self) -> None:
        self._fh.write("\n]" if self.count else "[]")
        self._fh.close()


def _sdgs_text(sdgs: list[int], rng: random.Random) -> str:
    if rng.random() < 0.5:
        return ", ".join(map(str, sdgs))
    return "; ".join(f"SDG {s} - {SDG_NAMES[s]}" for s in sdgs)


def _unique_ids(rng: random.Random, n: int, fmt, lo: int, hi: int) -> list[str]:
    picked = rng.sample(range(lo, hi), n)
    return [fmt(x) for x in picked]


# ---- KIPP ------------------------------------------------------------------------------------
def _kipp_rows(world: World, rng: random.Random, truth: Truth) -> list[dict]:
    nris = _unique_ids(rng, len(world.kipp) + 20, lambda x: f"{x:06d}", 1, 999999)
    seen: set[str] = set()
    rows = []
    for (inv, year, award), nri in zip(world.kipp, nris):
        first = inv.key not in seen
        seen.add(inv.key)
        person_ = inv.innovator if first else person(rng)
        rows.append(
            {
                "Kode NRI": nri,
                "Tahun": year if rng.random() < 0.9 else str(year),
                "Judul Inovasi": title_variant(inv, rng, first),
                "Instansi": agency_variant(inv.agency, rng, bare_ok=True),
                "Jenis Instansi": AGENCY_TYPE_LABELS[inv.agency.type],
                "Unit Penyelenggara Pelayanan": inv.unit,
                "Kelompok": rng.choice(["Umum", "Umum", "Khusus", "Replikasi"]),
                "Kategori": category_variant(inv.category, year, rng),
                "Penghargaan": award,
                "SDGs": _sdgs_text(inv.sdgs, rng),
                "Tahun Mulai Implementasi": min(inv.start_year, year),
                "Ringkasan": inv.summary,
                "Nama Inovator": person_[0],
                "Email Inovator": person_[1],
                "No. HP Inovator": person_[2],
            }
        )
        truth.add("KIPP", nri, inv)
    spare = iter(nris[len(world.kipp) :])
    template = dict(rows[0])
    # rows an agency cannot be found for: kept, then quarantined as 'unresolved agency'
    for name in UNRESOLVABLE:
        nri = next(spare)
        rows.append(
            {
                **template,
                "Kode NRI": nri,
                "Instansi": name,
                "Jenis Instansi": "Lembaga",
                "Judul Inovasi": f"Layanan {name}",
            }
        )
        truth.add("KIPP", nri, None, "unresolved agency", "")
    bad = [
        ("Judul Inovasi", ""),
        ("Judul Inovasi", "   "),
        ("Judul Inovasi", None),
        ("Tahun", "20019"),
        ("Tahun", "dua ribu"),
    ]
    for fld, value in bad:
        nri = next(spare)
        rows.append({**template, "Kode NRI": nri, fld: value})
        truth.add("KIPP", nri, None, f"rejected: {fld}")
    for original in rng.sample(rows[: len(world.kipp)], 2):  # a conflicting re-use of a Kode NRI
        rows.append(
            {**original, "Judul Inovasi": original["Judul Inovasi"] + " (revisi)", "Tahun": 2023}
        )
    for original in rng.sample(rows[: len(world.kipp)], 2):  # an exact repeat
        rows.append(dict(original))
    rng.shuffle(rows)
    return rows


def _write_kipp(rows: list[dict], outdir: Path, rng: random.Random) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    early, late = [], []
    for r in rows:
        (early if str(r["Tahun"]).isdigit() and int(r["Tahun"]) <= 2018 else late).append(r)
    for name, part, variant in (
        ("top-inovasi-2014-2018.xlsx", early, False),
        ("top-inovasi-2019-2023.xlsx", late, True),
    ):
        wb = Workbook(write_only=True)
        notes = wb.create_sheet("Keterangan")
        notes.append(["Sumber: SINOVIK Kementerian PANRB"])
        ws = wb.create_sheet("Top Inovasi")
        ws.append(["DAFTAR TOP INOVASI PELAYANAN PUBLIK"])
        ws.append(["Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"])
        ws.append([])
        headers = KIPP_HEADERS[:]
        if variant:  # another column order and spelling
            headers = headers[1:4] + [headers[0]] + headers[4:]
        ws.append([KIPP_HEADER_VARIANTS.get(h, h) if variant else h for h in headers])
        for _i, row in enumerate(part):
            if variant and rng.random() < 0.01:
                ws.append([])
            values = []
            for h in headers:
                v = row[h]
                if variant and h == "Kode NRI":
                    v = int(v)  # this export lost the text format: leading zeros must be restored
                values.append(v)
            ws.append(values)
        ws.append([])
        ws.append(["Jumlah", len(part)])
        wb.save(outdir / name)
        _freeze_zip(outdir / name)


def _freeze_zip(path: Path) -> None:
    """openpyxl stamps the current time into the workbook and its zip entries; pin them so the
    same seed gives the same bytes."""
    import re
    import zipfile

    entries = []
    with zipfile.ZipFile(path) as zin:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2024-01-01T00:00:00Z",
                    data,
                )
            entries.append((info.filename, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for filename, data in entries:
            zout.writestr(
                zipfile.ZipInfo(filename, date_time=(2024, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


# ---- IGA -------------------------------------------------------------------------------------
def _iga_records(world: World, rng: random.Random, truth: Truth, pages: "IgaPages") -> int:
    counters: dict[int, int] = {}
    seen: set[str] = set()
    twins = _twins(world)
    # ids stay six digits below the 900000 block of the bad records below: a step of 7 until a
    # year holds more than ~114,000 records (scale ~100), then the widest step that fits
    per_year = Counter(year for _, year in world.iga)
    busiest = max(per_year.values(), default=1)
    step = 7 if busiest * 7 + 100000 < 900000 else max(1, 799999 // busiest)
    template: dict | None = None
    for inv, year in world.iga:
        counters[year] = counters.get(year, 0) + 1
        rid = f"IND{year}{counters[year] * step + 100000:06d}"
        first = inv.key not in seen
        seen.add(inv.key)
        a = inv.agency
        code: str | None = a.agency_id
        roll = rng.random()
        if a.agency_id in NEW_TO_OLD_PAPUA and roll < 0.6:
            code = NEW_TO_OLD_PAPUA[a.agency_id]  # stale pre-2022 code
        elif roll < 0.08:
            code = None
        elif roll < 0.13 and a.agency_id in twins:
            code = twins[a.agency_id]  # the same-named twin's code
        pemda = {"kode_wilayah": code, "nama_pemda": agency_variant(a, rng, bare_ok=False)}
        if code is None and rng.random() < 0.5:
            pemda.pop("kode_wilayah")
        stage = rng.choice([*STAGES, "penerapan", "penerapan", None])
        asn = person(rng) if not first or rng.random() < 0.5 else inv.innovator
        start = datetime(max(2015, inv.start_year), rng.randint(1, 12), rng.randint(1, 28))
        rec = {
            "id": rid,
            "nama": title_variant(inv, rng, first),
            "tahun": year if rng.random() < 0.9 else str(year),
            "profil_id": 5000 + int(a.agency_id.replace(".", "")) % 9000 + year,
            "pemda": pemda,
            "tahapan": stage,
            "inisiator": rng.choice(
                ["ASN", "Masyarakat", "Kepala Daerah", "Anggota DPRD", "OPD", None]
            ),
            "jenis_inovasi": rng.choice(["Digital", "Non Digital", "Belum ditentukan"]),
            "bentuk_inovasi_str": rng.choice(
                [
                    "Inovasi Pelayanan Publik",
                    "Inovasi Tata Kelola Pemerintahan Daerah",
                    "Inovasi Daerah lainnya",
                ]
            ),
            "urusan": words.URUSAN_BY_CATEGORY[inv.category][: rng.choice([1, 2])],
            "is_covid": 1 if rng.random() < 0.05 else 0,
            "tujuan": f"Meningkatkan layanan {inv.expansion.lower()}.",
            "manfaat": inv.summary,
            "hasil_inovasi": rng.choice(words.OUTCOMES),
            "waktu_uji_coba": start.date().isoformat() if rng.random() < 0.8 else "",
            "waktu_implementasi": (start + timedelta(days=120)).date().isoformat()
            if rng.random() < 0.7
            else None,
            "predikat_pemda": rng.choice(
                ["Sangat Inovatif", "Inovatif", "Kurang Inovatif", "Tidak Dapat Dinilai"]
            ),
            "skor_indeks": round(rng.uniform(20, 95), 2),
            "usr_asn": {"nama_lengkap": asn[0], "no_hp": asn[2]},
        }
        pages.add(rec)
        template = template or rec
        truth.add("IGA", rid, inv)
    assert template is not None
    n = pages.count
    extra = []
    for i, (fld, value) in enumerate(
        [("nama", None), ("nama", ""), ("tahun", "20019"), ("tahun", "n/a")]
    ):
        rid = f"IND2023{900000 + i:06d}"
        rec = json.loads(json.dumps(template))
        rec.update({"id": rid, fld: value, "tahun": value if fld == "tahun" else 2023})
        if fld == "nama" and value is None:
            rec.pop("nama")
        extra.append(rec)
        truth.add("IGA", rid, None, f"rejected: {fld}")
    for i in range(2):
        rid = f"IND2023{910000 + i:06d}"
        rec = json.loads(json.dumps(template))
        rec.update(
            {
                "id": rid,
                "tahun": 2023,
                "nama": f"Inovasi Tanpa Pemda {i + 1}",
                "pemda": {"kode_wilayah": None, "nama_pemda": "Pemda Tidak Diketahui"},
            }
        )
        extra.append(rec)
        truth.add("IGA", rid, None, "unresolved agency", "")
    # rng.sample picks the same positions from a range as from the list of records
    for original in pages.fetch(rng.sample(range(n), 2)):
        extra.append(original)  # exact repeat
    for original in pages.fetch(rng.sample(range(n), 2)):
        original["nama"] = str(original["nama"]) + " Tahap II"  # same id, other content
        extra.append(original)
    for rec in extra:
        pages.add(rec)
    return pages.count


def _twins(world: World) -> dict[str, str]:
    by_base: dict[str, list[str]] = {}
    for a in world.agencies:
        if a.type in ("kabupaten", "kota"):
            by_base.setdefault(a.base, []).append(a.agency_id)
    return {x: y for ids in by_base.values() if len(ids) == 2 for x, y in (ids, ids[::-1])}


def _year_of(rec: dict) -> int:
    try:
        return int(rec["tahun"])
    except (TypeError, ValueError):
        return 2023


class IgaPages:
    """IGA records grouped by year in spill files (one JSON line each), then cut into pages."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        outdir.mkdir(parents=True, exist_ok=True)
        self.spill = Path(tempfile.mkdtemp(prefix=".spill-", dir=outdir))
        self.files: dict[int, object] = {}
        self.sizes: dict[int, int] = {}
        self.where = array("i")  # record n -> its year group (the line is found by counting)
        self.line = array("i")
        self.count = 0

    def add(self, rec: dict) -> None:
        y = _year_of(rec)
        group = y if 2018 <= y <= 2023 else 2023
        if group not in self.files:
            self.files[group] = (self.spill / f"{group}.jsonl").open("w", encoding="utf-8")
            self.sizes[group] = 0
        self.files[group].write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.where.append(group)
        self.line.append(self.sizes[group])
        self.sizes[group] += 1
        self.count += 1

    def fetch(self, positions: list[int]) -> list[dict]:
        """Fresh copies of the records added at these positions."""
        out = []
        for pos in positions:
            group, line = self.where[pos], self.line[pos]
            self.files[group].flush()
            with (self.spill / f"{group}.jsonl").open(encoding="utf-8") as fh:
                text = next(itertools.islice(fh, line, None))
            out.append(json.loads(text))
        return out

    def write(self, per_page: int) -> None:
        (self.outdir / "tahun.json").write_text(json.dumps({"data": sorted(self.files)}))
        for fh in self.files.values():
            fh.close()
        for year in sorted(self.files):
            ydir = self.outdir / str(year)
            ydir.mkdir(exist_ok=True)
            total = self.sizes[year]
            last = max(1, -(-total // per_page))
            with (self.spill / f"{year}.jsonl").open(encoding="utf-8") as fh:
                for page in range(1, last + 1):
                    chunk = [line.rstrip("\n") for line in itertools.islice(fh, per_page)]
                    meta = {
                        "current_page": page,
                        "last_page": last,
                        "per_page": per_page,
                        "total": total,
                    }
                    # what json.dumps({"data": chunk, "meta": meta}, ensure_ascii=False) gives
                    body = '{"data": [' + ", ".join(chunk) + '], "meta": ' + json.dumps(meta) + "}"
                    (ydir / f"page-{page}.json").write_text(body)
        shutil.rmtree(self.spill)


# ---- InoLAN ----------------------------------------------------------------------------------
def _inolan_owner(inv: Innovation, rng: random.Random) -> str:
    a = inv.agency
    if a.regional and rng.random() < 0.6:
        unit = rng.choice(
            [
                "Dinas Kesehatan",
                "Dinas Pendidikan",
                "RSUD",
                "Dinas Sosial",
                "Bappeda",
                "Dinas Kependudukan dan Pencatatan Sipil",
                "Badan Kepegawaian Daerah",
            ]
        )
        if a.type == "provinsi":
            return (
                f"{unit} Provinsi {a.base}" if a.agency_id != "11" else f"{unit} Aceh Provinsi Aceh"
            )
        return f"{unit} {'Kabupaten' if a.type == 'kabupaten' else 'Kota'} {a.base}"
    return agency_variant(a, rng, bare_ok=False)


def _inolan_rows(world: World, rng: random.Random, truth: Truth) -> list[list[str]]:
    ids = _unique_ids(rng, len(world.inolan) + 20, lambda x: f"LAN-{x:06d}", 1, 999999)
    seen: set[str] = set()
    region_by_code = {a.agency_id: a for a in world.agencies if a.regional}
    rows = []
    for (inv, year), rid in zip(world.inolan, ids):
        first = inv.key not in seen
        seen.add(inv.key)
        a = inv.agency
        kab = a if a.type in ("kabupaten", "kota") else None
        prov = region_by_code.get(a.agency_id[:2]) if a.regional else None
        desc = (
            f"{inv.summary}\nTahapan: uji coba; penerapan – café digital {year}."
            if rng.random() < 0.3
            else inv.summary
        )
        rows.append(
            [
                rid,
                title_variant(inv, rng, first),
                str(year),
                person(rng)[0],
                inv.unit,
                desc,
                (kab.agency_id.replace(".", "") if kab and rng.random() < 0.8 else ""),
                kab.name if kab else "",
                prov.base if prov else "",
                _inolan_owner(inv, rng),
                str(rng.randint(1000, 9999)) if rng.random() < 0.5 else "",
                ",".join(map(str, inv.sdgs)),
                "; ".join(SDG_NAMES[s] for s in inv.sdgs),
            ]
        )
        truth.add("INOLAN", rid, inv)
    spare = iter(ids[len(world.inolan) :])
    template = rows[0]
    for name in UNRESOLVABLE[:2]:
        rid = next(spare)
        rows.append([rid, f"Gagasan {name}", "2022", *template[3:9], name, *template[10:]])
        truth.add("INOLAN", rid, None, "unresolved agency", "")
    for fld, idx, value in (("judul_inovasi", 1, ""), ("tahun", 2, "20019")):
        rid = next(spare)
        row = [rid, *template[1:]]
        row[idx] = value
        rows.append(row)
        truth.add("INOLAN", rid, None, f"rejected: {fld}")
    for _ in range(2):
        rid = next(spare)
        rows.append([rid, "Baris terpotong", "2021"])  # too few fields
        truth.add("INOLAN", rid, None, "rejected: too few fields")
    original = rng.choice(rows[: len(world.inolan)])
    rows.append(list(original))  # exact repeat
    conflict = list(rng.choice(rows[: len(world.inolan)]))
    conflict[1] = conflict[1] + " Versi Baru"
    rows.append(conflict)  # same id, other content
    rng.shuffle(rows)
    return rows


def _write_inolan(rows: list[list[str]], path: Path, encoding: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(INOLAN_COLUMNS)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))


# ---- submissions -----------------------------------------------------------------------------
def _submissions(world: World, rng: random.Random, truth: Truth, outdir: Path) -> int:
    """Write the submission files (each a JSON array); returns how many documents."""
    nri_of = truth.kipp_records
    inv_by_key = {inv.key: inv for inv in world.innovations}
    tz = timezone(timedelta(hours=7))

    def when(start: datetime, end: datetime) -> str:
        span = int((end - start).total_seconds())
        return (start + timedelta(seconds=rng.randint(0, span))).replace(tzinfo=tz).isoformat()

    def doc(inv: Innovation, changes: dict, at: str, agency_id: str | None = None) -> dict:
        name, email, _ = person(rng)
        return {
            "submission_id": submission_uuid(rng),
            "innovation": {"source": "KIPP", "source_record_id": rng.choice(nri_of[inv.key])},
            "agency_id": agency_id or inv.agency.agency_id,
            "submitted_by": {"name": name, "email": email},
            "submitted_at": at,
            "changes": changes,
        }

    def full_changes(inv: Innovation) -> dict:
        return {
            "status": rng.choice(STATUSES[:2]) if rng.random() < 0.9 else "berhenti",
            "status_reason": "Masih berjalan dan dianggarkan dalam APBD.",
            "summary": inv.summary + " Diperbarui oleh inovator.",
            "outcomes": rng.choice(words.OUTCOMES),
            "replication_count": rng.randint(0, 6),
            "replicated_by": [a.agency_id for a in rng.sample(regional, rng.randint(0, 2))],
            "sdgs": inv.sdgs,
            "video_url": f"https://video.example.go.id/inovasi/{inv.key.lower()}",
            "contact_email": inv.innovator[1],
        }

    regional = [x for x in world.agencies if x.regional]
    campaign = (datetime(2023, 1, 2), datetime(2024, 7, 31))
    outdir.mkdir(exist_ok=True)
    files = {
        name: JsonArrayFile(outdir / name)
        for name in ("pemutakhiran-2023-2024.json", "pemutakhiran-2022.json", "ditolak-contoh.json")
    }
    first_accepted: dict | None = None
    other_agency = [a.agency_id for a in world.agencies]
    for key in world.kipp_keys:
        inv = inv_by_key[key]
        if key not in world.pending_keys:
            d = doc(inv, full_changes(inv), when(*campaign))
            first_accepted = first_accepted or d
            files["pemutakhiran-2023-2024.json"].append(d)
            if rng.random() < 0.1:  # a later, partial correction: the latest value wins
                files["pemutakhiran-2023-2024.json"].append(
                    doc(
                        inv,
                        {"outcomes": rng.choice(words.OUTCOMES)},
                        when(datetime(2024, 8, 1), datetime(2024, 9, 30)),
                    )
                )
            continue
        roll = rng.random()
        if roll < 0.55:
            continue  # never answered the campaign
        if roll < 0.7:  # answered before the campaign
            files["pemutakhiran-2022.json"].append(
                doc(inv, full_changes(inv), when(datetime(2022, 3, 1), datetime(2022, 11, 30)))
            )
        elif roll < 0.85:  # submitted for another agency
            wrong = rng.choice([a for a in other_agency if a != inv.agency.agency_id])
            files["ditolak-contoh.json"].append(
                doc(inv, full_changes(inv), when(*campaign), agency_id=wrong)
            )
        else:  # accepted but still incomplete
            d = doc(
                inv,
                {"video_url": f"https://video.example.go.id/{inv.key.lower()}"},
                when(*campaign),
            )
            first_accepted = first_accepted or d
            files["pemutakhiran-2023-2024.json"].append(d)
    # content a person must fix: each is stored, then rejected with its reason
    some = inv_by_key[sorted(set(world.kipp_keys) - world.pending_keys)[0]]
    bad = [
        {**doc(some, {"status": "aktif"}, when(*campaign))},
        {**doc(some, {"sdgs": [0, 18]}, when(*campaign))},
        {**doc(some, {"video_url": "javascript:alert(1)"}, when(*campaign))},
        {**doc(some, {"replication_count": -2}, when(*campaign))},
        {**doc(some, {"summary": "x"}, "2031-01-01T00:00:00+07:00")},
        {
            **doc(some, {"summary": "Tidak ada"}, when(*campaign)),
            "innovation": {"source": "KIPP", "source_record_id": "000000"},
        },
        {
            **doc(some, {"summary": "Tidak ada"}, when(*campaign)),
            "innovation": {"innovation_id": "JIP-DOESNOTEXIST"},
        },
    ]
    for d in bad:
        files["ditolak-contoh.json"].append(d)
    files["ditolak-contoh.json"].append(first_accepted)  # the same submission again
    for f in files.values():
        f.close()
    return sum(f.count for f in files.values())


# ---- entry point -----------------------------------------------------------------------------
def generate(outdir: Path | str, scale: int = 1, seed: int = 2024) -> dict:
    """Write the three sources, the submissions and the ground truth under `outdir`."""
    outdir = Path(outdir)
    rng = random.Random(seed + 1)
    world = build_world(seed, scale)
    for sub in ("kipp", "iga", "submissions"):
        shutil.rmtree(outdir / sub, ignore_errors=True)
    outdir.mkdir(parents=True, exist_ok=True)
    truth = Truth(outdir / "ground_truth.csv")
    kipp_rows = _kipp_rows(world, rng, truth)
    _write_kipp(kipp_rows, outdir / "kipp", rng)
    n_kipp = len(kipp_rows)
    del kipp_rows
    pages = IgaPages(outdir / "iga")
    n_iga = _iga_records(world, rng, truth, pages)
    pages.write(per_page=100 if scale < 5 else 1000)
    inolan = _inolan_rows(world, rng, truth)
    _write_inolan(inolan, outdir / "inolan.csv", "cp1252")
    n_submissions = _submissions(world, rng, truth, outdir / "submissions")
    truth.close()
    pending_agencies = {
        inv.agency.agency_id for inv in world.innovations if inv.key in world.pending_keys
    }
    summary = {
        "seed": seed,
        "scale": scale,
        "kipp_rows": n_kipp,
        "iga_records": n_iga,
        "inolan_rows": len(inolan),
        "source_records": n_kipp + n_iga + len(inolan),
        "kipp_distinct": len(world.kipp_keys),
        "kipp_entries": len(world.kipp),
        "kipp_pending": len(world.pending_keys),
        "kipp_pending_agencies": len(pending_agencies),
        "distinct_innovations": len(truth.innovation_keys),
        "submissions": n_submissions,
    }
    (outdir / "SAMPLE.json").write_text(json.dumps(summary, indent=1))
    return summary
