"""KIPP (Kementerian PANRB, SINOVIK) workbooks: sheet 'Top Inovasi', header found by 'Kode NRI'."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from .common import Collector, IngestResult, blank, file_checksum, text_or_none

SHEET = "top inovasi"
# normalised header (letters and digits only) -> column name in raw_kipp
HEADERS = {
    "kodenri": "kode_nri", "nri": "kode_nri", "tahun": "tahun", "judulinovasi": "judul_inovasi",
    "namainovasi": "judul_inovasi", "instansi": "instansi", "namainstansi": "instansi",
    "jenisinstansi": "jenis_instansi", "unitpenyelenggarapelayanan": "unit_penyelenggara_pelayanan",
    "unitpenyelenggara": "unit_penyelenggara_pelayanan", "kelompok": "kelompok", "kategori": "kategori",
    "penghargaan": "penghargaan", "sdgs": "sdgs", "sdg": "sdgs",
    "tahunmulaiimplementasi": "tahun_mulai_implementasi", "ringkasan": "ringkasan",
    "namainovator": "nama_inovator", "inovator": "nama_inovator", "emailinovator": "email_inovator",
    "nohpinovator": "no_hp_inovator", "nomorhpinovator": "no_hp_inovator", "hpinovator": "no_hp_inovator",
    "notelpinovator": "no_hp_inovator",
}
COLUMNS = [
    "kode_nri", "tahun", "judul_inovasi", "instansi", "jenis_instansi", "unit_penyelenggara_pelayanan",
    "kelompok", "kategori", "penghargaan", "sdgs", "tahun_mulai_implementasi", "ringkasan",
    "nama_inovator", "email_inovator", "no_hp_inovator",
]
REQUIRED = {"kode_nri", "tahun", "judul_inovasi", "instansi"}


class KippFormatError(ValueError):
    pass


def header_key(cell: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(cell or "").lower())


def kode_nri(value: object) -> str | None:
    """Kode NRI as text; a number Excel stripped of leading zeros gets them back (6 digits)."""
    if blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return str(value)
        return f"{int(value):06d}"
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):  # a number that went through a float on its way to text
        text = text.split(".")[0]
    return f"{int(text):06d}" if text.isdigit() and len(text) < 6 else text


def workbook_paths(source: str | Path) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("~$"))
        if not files:
            raise KippFormatError(f"{path}: no .xlsx workbook in this directory")
        return files
    if not path.exists():
        raise KippFormatError(f"{path}: KIPP source not found")
    return [path]


def _read_workbook(path: Path, col: Collector) -> list[str]:
    notes = []
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next((ws for ws in wb.worksheets if ws.title.strip().lower() == SHEET), None)
        if sheet is None:
            raise KippFormatError(f"{path.name}: no sheet 'Top Inovasi' (sheets: {', '.join(wb.sheetnames)})")
        mapping: dict[int, str] | None = None
        skipped = 0
        for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if mapping is None:
                keys = [header_key(c) for c in row]
                if "kodenri" in keys:
                    mapping = {i: HEADERS[k] for i, k in enumerate(keys) if k in HEADERS}
                    missing = REQUIRED - set(mapping.values())
                    if missing:
                        raise KippFormatError(f"{path.name}, sheet 'Top Inovasi', row {row_no}: header lacks "
                                              + ", ".join(sorted(missing)))
                continue
            if all(blank(c) for c in row):
                skipped += 1
                continue
            first = next((str(c).strip().lower() for c in row if not blank(c)), "")
            if first.startswith(("jumlah", "total")):
                skipped += 1
                continue
            rec = {name: row[i] if i < len(row) else None for i, name in mapping.items()}
            raw = {k: v for k, v in rec.items()}
            rec = {k: (kode_nri(v) if k == "kode_nri" else v if k == "tahun" else text_or_none(v))
                   for k, v in rec.items()}
            rec["source_record_id"] = rec.get("kode_nri")
            col.offer(rec, f"{path.name}, sheet 'Top Inovasi', row {row_no}", raw, "judul_inovasi", "tahun")
        if mapping is None:
            raise KippFormatError(f"{path.name}, sheet 'Top Inovasi': no header row with 'Kode NRI'")
        notes.append(f"{path.name}: {skipped} blank or total lines skipped")
    finally:
        wb.close()
    return notes


def read_kipp(source: str | Path) -> IngestResult:
    paths = workbook_paths(source)
    col = Collector("KIPP", "Kode NRI", {"judul_inovasi": "Judul Inovasi", "tahun": "Tahun"})
    notes: list[str] = []
    for path in paths:
        notes += _read_workbook(path, col)
    return col.result(COLUMNS, file_checksum(paths), str(source), notes)
