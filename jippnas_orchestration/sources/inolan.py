"""InoLAN (LAN, Laboratorium Inovasi) CSV export: ';'-delimited, UTF-8 (BOM or not) or Windows-1252."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .common import (
    UNREADABLE_ROW,
    Collector,
    IngestResult,
    PermanentSourceError,
    file_checksum,
    text_or_none,
)

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


REQUIRED = ("external_id", "judul_inovasi", "tahun")
# other delimiters an export may have been saved with, named as an operator would
OTHER_DELIMITERS = {",": "comma", "\t": "tab", "|": "pipe"}


class InolanFormatError(PermanentSourceError):
    """A CSV file that cannot be read as an InoLAN export (encoding, delimiter, header); not retried."""


def wrong_encoding(path: Path, data: bytes) -> str | None:
    """Why the bytes are not UTF-8/Windows-1252 text, or None: UTF-16/32 and binary files."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return f"{path}: UTF-32 text; expected UTF-8 or Windows-1252"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"{path}: UTF-16 text; expected UTF-8 or Windows-1252"
    if head.startswith(b"PK\x03\x04"):
        return f"{path}: a zip archive (an Excel workbook?), not a CSV export"
    if head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        return f"{path}: an old-format Excel (.xls) file, not a CSV export"
    if b"\x00" in head:
        pairs = head[: len(head) // 2 * 2]
        # UTF-16 without a byte-order mark: every other byte of ASCII text is NUL
        if pairs[1::2].count(0) > len(pairs) // 4 or pairs[0::2].count(0) > len(pairs) // 4:
            return f"{path}: UTF-16 text (no byte-order mark); expected UTF-8 or Windows-1252"
        return f"{path}: binary data (NUL bytes), not a CSV text file"
    return None


def header_problem(path: Path, first_line: str, missing: list[str]) -> str:
    """Why the header lacks columns: another delimiter than ';', or the columns really are absent."""
    for delimiter, label in OTHER_DELIMITERS.items():
        names = [h.strip().strip('"').lower() for h in first_line.split(delimiter)]
        if all(c in names for c in REQUIRED):
            return (
                f"{path}, line 1: the header is {label}-separated; InoLAN exports are ';'-separated"
            )
    return f"{path}, line 1: header lacks {', '.join(missing)}"


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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InolanFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    problem = wrong_encoding(path, data)
    if problem:
        raise InolanFormatError(problem)
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    try:
        header = next(reader)
    except StopIteration:
        raise InolanFormatError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise InolanFormatError(f"{path}, line 1: the header cannot be read ({exc})") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InolanFormatError(header_problem(path, text.split("\n", 1)[0], missing))
    col = Collector("INOLAN", "external_id")
    blank_lines = 0
    start = reader.line_num + 1
    try:
        for fields in reader:
            location = f"{path.name}, line {start}"
            start = reader.line_num + 1
            if not fields or all(not f.strip() for f in fields):
                blank_lines += 1
                continue
            raw = ";".join(fields)
            if len(fields) != len(names):
                col.read += 1
                too = "few" if len(fields) < len(names) else "many"
                hint = "" if too == "few" else "; an unquoted ';'?"
                col.reject(
                    text_or_none(fields[0]),
                    location,
                    None,
                    f"too {too} fields ({len(fields)} of {len(names)}){hint}",
                    raw,
                    kind=UNREADABLE_ROW,
                )
                continue
            rec = {name: text_or_none(v) for name, v in zip(names, fields) if name in COLUMNS}
            rec["source_record_id"] = rec.get("external_id")
            col.offer(rec, location, raw, "judul_inovasi", "tahun")
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise InolanFormatError(f"{path}, line {start}: cannot be read ({exc})") from None
    notes = [f"encoding {encoding}", f"{blank_lines} blank lines skipped"]
    return col.result(COLUMNS, file_checksum([path]), str(path), notes)
