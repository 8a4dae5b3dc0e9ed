"""InoLAN (LAN, Laboratorium Inovasi) CSV export: ';'-delimited, UTF-8 (BOM or not) or Windows-1252."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .common import UNREADABLE_ROW, Collector, IngestResult, file_checksum, text_or_none

COLUMNS = [
    "external_id",
    "judul_inovasi",
    "tahun",
    "inovator",
    "unit_kerja",
    "deskripsi",
    "id_kabkot",
    "kabkot_nama",
    "provinsi_nama",
    "instansi_nama",
    "agency_id_panrb",
    "id_sdgs",
    "sdgs_nama",
]


class InolanFormatError(ValueError):
    pass


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 with BOM, UTF-8, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_inolan(source: str | Path) -> IngestResult:
    path = Path(source)
    if not path.exists():
        raise InolanFormatError(f"{path}: InoLAN source not found")
    text, encoding = decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    try:
        header = next(reader)
    except StopIteration:
        raise InolanFormatError(f"{path.name}: the file is empty") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in ("external_id", "judul_inovasi", "tahun") if c not in names]
    if missing:
        raise InolanFormatError(f"{path.name}, line 1: header lacks {', '.join(missing)}")
    col = Collector("INOLAN", "external_id")
    blank_lines = 0
    start = reader.line_num + 1
    for fields in reader:
        location = f"{path.name}, line {start}"
        start = reader.line_num + 1
        if not fields or all(not f.strip() for f in fields):
            blank_lines += 1
            continue
        raw = ";".join(fields)
        if len(fields) < len(names):
            col.read += 1
            col.reject(
                text_or_none(fields[0]),
                location,
                None,
                f"too few fields ({len(fields)} of {len(names)})",
                raw,
                kind=UNREADABLE_ROW,
            )
            continue
        if len(fields) > len(names):
            col.read += 1
            col.reject(
                text_or_none(fields[0]),
                location,
                None,
                f"too many fields ({len(fields)} of {len(names)}); an unquoted ';'?",
                raw,
                kind=UNREADABLE_ROW,
            )
            continue
        rec = {name: text_or_none(v) for name, v in zip(names, fields) if name in COLUMNS}
        rec["source_record_id"] = rec.get("external_id")
        col.offer(rec, location, raw, "judul_inovasi", "tahun")
    notes = [f"encoding {encoding}", f"{blank_lines} blank lines skipped"]
    return col.result(COLUMNS, file_checksum([path]), str(path), notes)
