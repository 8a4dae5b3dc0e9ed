"""KIPP (Kementerian PANRB, SINOVIK) workbooks: sheet 'Top Inovasi', header found by 'Kode NRI'.

Read with calamine (Rust; python-calamine), ten times faster than openpyxl. Its cell values are
brought to what openpyxl gives, so the landed rows and the quarantine are the same: empty cells
are None, whole numbers int (Excel stores every number as a double), dates datetime. Calamine
reads a whitespace-only text cell as empty; for the few rows that are quarantined, such cells are
looked up in the sheet's XML so the row's raw snapshot keeps the text it had.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError

from .common import (
    Collector,
    IngestResult,
    PermanentSourceError,
    blank,
    file_checksum,
    text_or_none,
    to_json,
)

SHEET = "top inovasi"
# normalised header (letters and digits only) -> column name in raw_kipp
HEADERS = {
    "kodenri": "kode_nri",
    "nri": "kode_nri",
    "tahun": "tahun",
    "judulinovasi": "judul_inovasi",
    "namainovasi": "judul_inovasi",
    "instansi": "instansi",
    "namainstansi": "instansi",
    "jenisinstansi": "jenis_instansi",
    "unitpenyelenggarapelayanan": "unit_penyelenggara_pelayanan",
    "unitpenyelenggara": "unit_penyelenggara_pelayanan",
    "kelompok": "kelompok",
    "kategori": "kategori",
    "penghargaan": "penghargaan",
    "sdgs": "sdgs",
    "sdg": "sdgs",
    "tahunmulaiimplementasi": "tahun_mulai_implementasi",
    "ringkasan": "ringkasan",
    "namainovator": "nama_inovator",
    "inovator": "nama_inovator",
    "emailinovator": "email_inovator",
    "nohpinovator": "no_hp_inovator",
    "nomorhpinovator": "no_hp_inovator",
    "hpinovator": "no_hp_inovator",
    "notelpinovator": "no_hp_inovator",
}
COLUMNS = [
    "kode_nri",
    "tahun",
    "judul_inovasi",
    "instansi",
    "jenis_instansi",
    "unit_penyelenggara_pelayanan",
    "kelompok",
    "kategori",
    "penghargaan",
    "sdgs",
    "tahun_mulai_implementasi",
    "ringkasan",
    "nama_inovator",
    "email_inovator",
    "no_hp_inovator",
]
REQUIRED = {"kode_nri", "tahun", "judul_inovasi", "instansi"}


class KippFormatError(PermanentSourceError):
    """A workbook that cannot be read or is not laid out as the contract says; not retried."""


OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # old .xls, and password-protected .xlsx


def not_a_workbook(path: Path, exc: Exception | None = None) -> KippFormatError:
    """What is wrong with a file calamine could not open, in plain words, from its first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as err:
        return KippFormatError(f"{path}: cannot be read ({err.strerror or err})")
    if not head:
        return KippFormatError(f"{path}: the file is empty; expected an Excel workbook (.xlsx)")
    if isinstance(exc, PasswordError):
        return KippFormatError(f"{path}: the workbook is password-protected; save it without one")
    if head.startswith(OLE_MAGIC):
        return KippFormatError(
            f"{path}: not an .xlsx workbook (an old-format .xls or a password-protected file); "
            "save it as an Excel workbook (.xlsx) without a password"
        )
    if head.startswith(b"PK"):
        if not zipfile.is_zipfile(path):
            why = "a damaged or truncated .xlsx zip archive"
        elif isinstance(exc, XmlError):
            why = "the workbook's XML is damaged"
        else:
            why = "a zip archive without the parts of an .xlsx workbook"
        return KippFormatError(f"{path}: not an Excel workbook ({why})")
    return KippFormatError(
        f"{path}: not an Excel workbook (the file is not a valid .xlsx zip archive)"
    )


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


def cell_value(value: object) -> object:
    """A calamine cell as openpyxl reads it."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


class SheetXml:
    """The raw text of single cells, straight from the sheet's XML (loaded on first use)."""

    def __init__(self, path: Path, sheet_name: str):
        self.path, self.sheet_name = path, sheet_name
        self._xml: bytes | None = None
        self._shared: list[str] | None = None

    def _load(self, zf: zipfile.ZipFile) -> bytes:
        ns = {
            "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            "p": "http://schemas.openxmlformats.org/package/2006/relationships",
        }
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        sheet = next(
            e for e in book.iterfind("m:sheets/m:sheet", ns) if e.get("name") == self.sheet_name
        )
        rid = sheet.get(f"{{{ns['r']}}}id")
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = next(
            e.get("Target") for e in rels.iterfind("p:Relationship", ns) if e.get("Id") == rid
        )
        return zf.read(target.lstrip("/") if target.startswith("/") else f"xl/{target}")

    def text(self, row_no: int, col: int) -> str | None:
        """The cell's text, or None when it has none (or the XML is not laid out as expected)."""
        letters = ""
        n = col + 1
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        try:
            with zipfile.ZipFile(self.path) as zf:
                if self._xml is None:
                    self._xml = self._load(zf)
                cell = re.search(
                    rb'<c r="%s%d"([^>]*?)(?:/>|>(.*?)</c>)' % (letters.encode(), row_no),
                    self._xml,
                    re.S,
                )
                if cell is None or cell.group(2) is None:
                    return None
                body = cell.group(2).decode()
                if b't="s"' in cell.group(1):
                    if self._shared is None:
                        root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
                        self._shared = [
                            "".join(t.text or "" for t in si.iter() if t.tag.endswith("}t"))
                            for si in root
                        ]
                    return self._shared[int(re.search(r"<v>(\d+)</v>", body).group(1))]
                return unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", body, re.S))) or None
        except (
            KeyError,
            StopIteration,
            AttributeError,
            IndexError,
            ValueError,
            zipfile.BadZipFile,
        ):
            return None


def _read_workbook(path: Path, col: Collector) -> list[str]:
    notes = []
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise not_a_workbook(path, exc) from None
    except OSError as exc:
        raise KippFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        name = next((n for n in wb.sheet_names if n.strip().lower() == SHEET), None)
        if name is None:
            raise KippFormatError(
                f"{path}: no sheet 'Top Inovasi' (sheets: {', '.join(wb.sheet_names)})"
            )
        # skip_empty_area=False: rows and columns counted from A1, as the file numbers them
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise KippFormatError(
                f"{path}, sheet '{name}': the sheet cannot be read (damaged workbook: {exc})"
            ) from None
        xml = SheetXml(path, name)
        mapping: dict[int, str] | None = None
        skipped = 0
        for row_no, cells in enumerate(rows, start=1):
            row = [cell_value(c) for c in cells]
            if mapping is None:
                keys = [header_key(c) for c in row]
                if "kodenri" in keys:
                    mapping = {i: HEADERS[k] for i, k in enumerate(keys) if k in HEADERS}
                    missing = REQUIRED - set(mapping.values())
                    if missing:
                        raise KippFormatError(
                            f"{path}, sheet 'Top Inovasi', row {row_no}: header lacks "
                            + ", ".join(sorted(missing))
                        )
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
            rec = {
                k: (kode_nri(v) if k == "kode_nri" else v if k == "tahun" else text_or_none(v))
                for k, v in rec.items()
            }
            rec["source_record_id"] = rec.get("kode_nri")
            rejected = len(col.rejects)
            col.offer(
                rec,
                f"{path.name}, sheet 'Top Inovasi', row {row_no}",
                raw,
                "judul_inovasi",
                "tahun",
            )
            if len(col.rejects) > rejected and any(v is None for v in raw.values()):
                _restore_blank_text(col.rejects[-1], raw, mapping, xml, row_no)
        if mapping is None:
            raise KippFormatError(f"{path}, sheet 'Top Inovasi': no header row with 'Kode NRI'")
        notes.append(f"{path.name}: {skipped} blank or total lines skipped")
    finally:
        wb.close()
    return notes


def _restore_blank_text(
    reject: dict, raw: dict, mapping: dict[int, str], xml: SheetXml, row_no: int
) -> None:
    """A quarantined row keeps whitespace-only cells as written (calamine reads them as empty)."""
    changed = False
    for i, name in mapping.items():
        if raw.get(name) is None:
            text = xml.text(row_no, i)
            if text is not None and text.strip() == "":
                raw[name] = text
                changed = True
    if changed:
        reject["raw"] = to_json(raw)


def read_kipp(source: str | Path) -> IngestResult:
    paths = workbook_paths(source)
    col = Collector("KIPP", "Kode NRI", {"judul_inovasi": "Judul Inovasi", "tahun": "Tahun"})
    notes: list[str] = []
    for path in paths:
        notes += _read_workbook(path, col)
    return col.result(COLUMNS, file_checksum(paths), str(source), notes)
