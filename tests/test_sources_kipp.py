"""KIPP workbook parsing against each irregularity the contract lists."""

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from jippnas_orchestration.sources.kipp import KippFormatError, kode_nri, read_kipp

HEAD = [
    "Kode NRI",
    "Tahun",
    "Judul Inovasi",
    "Instansi",
    "Jenis Instansi",
    "Kategori",
    "Penghargaan",
    "SDGs",
    "Nama Inovator",
    "Email Inovator",
    "No. HP Inovator",
]


def row(nri, year=2019, title="SIPADU (Sistem Pelayanan Terpadu)", agency="Kab. Banyuwangi"):
    return [
        nri,
        year,
        title,
        agency,
        "Kabupaten",
        "Kesehatan",
        f"Top 45/{year}",
        "3, 10",
        "Siti",
        "s@x.id",
        "0812",
    ]


def write_book(path: Path, rows, header=HEAD, title_lines=2, sheet="Top Inovasi", extra_sheet=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "Catatan" if extra_sheet else sheet
    if extra_sheet:
        ws = wb.create_sheet(sheet)
    for i in range(title_lines):
        ws.append([f"DAFTAR TOP INOVASI {i}"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_header_found_below_title_lines_and_spelling_variants(tmp_path):
    header = [
        " KODE NRI ",
        "tahun",
        "Judul  Inovasi",
        "INSTANSI",
        "jenis instansi",
        "Kategori",
        "Penghargaan",
        "SDGS",
        "Nama Inovator",
        "E-mail Inovator",
        "No HP Inovator",
    ]
    path = write_book(
        tmp_path / "a.xlsx", [row("012345"), row("609805")], header=header, title_lines=3
    )
    result = read_kipp(path)
    assert list(result.records["kode_nri"]) == ["012345", "609805"]
    assert set(result.records["no_hp_inovator"]) == {"0812"}
    assert result.records["source_location"].iloc[0] == "a.xlsx, sheet 'Top Inovasi', row 5"


def test_numeric_kode_nri_gets_its_leading_zeros_back(tmp_path):
    path = write_book(tmp_path / "a.xlsx", [row(12345), row(609805.0)])
    assert list(read_kipp(path).records["kode_nri"]) == ["012345", "609805"]
    assert (
        kode_nri(" 000042 ") == "000042"
        and kode_nri("609805.0") == "609805"
        and kode_nri("12345") == "012345"
    )


def test_blank_rows_and_total_row_are_not_records(tmp_path):
    path = write_book(
        tmp_path / "a.xlsx", [row("100001"), [None] * 11, row("100002"), ["Jumlah", 2]]
    )
    result = read_kipp(path)
    assert len(result.records) == 2 and result.rows_read == 2 and len(result.rejected) == 0


def test_bad_rows_are_quarantined_with_file_row_and_field(tmp_path):
    rows = [
        row("100001"),
        row("100002", title=""),
        row("100003", year=20019),
        row("100004", year="2021"),
        row("100005", year="dua ribu"),
    ]
    result = read_kipp(write_book(tmp_path / "b.xlsx", rows))
    assert list(result.records["kode_nri"]) == ["100001", "100004"]
    assert result.records["tahun"].tolist() == [2019, 2021]
    reasons = result.rejected.set_index("source_record_id")["reason"]
    assert (
        reasons["100002"]
        == "b.xlsx, sheet 'Top Inovasi', row 5, field 'Judul Inovasi': title is empty"
    )
    assert "row 6, field 'Tahun': not a plausible year: 20019" in reasons["100003"]
    assert "row 8, field 'Tahun'" in reasons["100005"]
    assert '"kode_nri": "100003"' in result.rejected.set_index("source_record_id")["raw"]["100003"]
    assert result.balanced


def test_repeated_kode_nri_exact_is_counted_conflict_is_quarantined(tmp_path):
    rows = [row("100001"), row("100001"), row("100001", title="Judul Lain")]
    result = read_kipp(write_book(tmp_path / "c.xlsx", rows))
    assert len(result.records) == 1 and result.exact_duplicates == 1
    assert len(result.rejected) == 1
    assert "already read at c.xlsx, sheet 'Top Inovasi', row 4" in result.rejected["reason"].iloc[0]
    assert "judul_inovasi" in result.rejected["reason"].iloc[0]
    assert result.balanced


def test_directory_reads_every_workbook(tmp_path):
    write_book(tmp_path / "2014.xlsx", [row("100001")])
    write_book(tmp_path / "2019.xlsx", [row("100002")], extra_sheet=False)
    result = read_kipp(tmp_path)
    assert sorted(result.records["kode_nri"]) == ["100001", "100002"]


def test_missing_sheet_or_header_is_a_clear_error(tmp_path):
    with pytest.raises(KippFormatError, match="no sheet 'Top Inovasi'"):
        read_kipp(write_book(tmp_path / "x.xlsx", [row("1")], sheet="Lain"))
    with pytest.raises(KippFormatError, match="no header row with 'Kode NRI'"):
        read_kipp(write_book(tmp_path / "y.xlsx", [row("1")], header=["NRI?", "Tahun"]))


@pytest.mark.parametrize(
    "content,why",
    [
        ("truncated", "not an Excel workbook (a damaged or truncated .xlsx zip archive)"),
        (b"Kode NRI;Tahun\n100001;2019\n", "not an Excel workbook (the file is not a valid .xlsx"),
        (b"", "the file is empty; expected an Excel workbook (.xlsx)"),
        ("zip", "not an Excel workbook (a zip archive without the parts of an .xlsx workbook)"),
        (
            bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
            "not an .xlsx workbook (an old-format .xls",
        ),
    ],
    ids=["truncated", "garbage", "empty", "other-zip", "xls"],
)
def test_unreadable_workbook_names_the_file_in_plain_words(tmp_path, content, why):
    """Not calamine's 'ZipError: invalid Zip archive: Could not find EOCD' without a file name."""
    (tmp_path / "kipp").mkdir()
    good = write_book(tmp_path / "kipp" / "2019.xlsx", [row("100001")])
    bad = tmp_path / "kipp" / "a.xlsx"
    if content == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif content == "zip":
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("readme.txt", "not a workbook")
    else:
        bad.write_bytes(content)
    with pytest.raises(KippFormatError) as err:
        read_kipp(tmp_path / "kipp")
    assert str(err.value).startswith(f"{bad}: {why}")


def test_sheet_not_starting_at_a1_and_whitespace_only_cells(tmp_path):
    """Rows and columns count from A1 even when the first ones are empty; a whitespace-only title
    is empty for the checks but stays as written in the quarantined row's raw snapshot."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Top Inovasi"
    ws.append([])
    ws.append([None, None, "DAFTAR TOP INOVASI"])
    ws.append([None, *HEAD])
    ws.append([None, *row("100001")])
    ws.append([None, *row("100002", title="   ")])
    ws.append([None, *row(7, year=2019.0)])
    wb.save(tmp_path / "d.xlsx")
    result = read_kipp(tmp_path / "d.xlsx")
    assert list(result.records["kode_nri"]) == ["100001", "000007"]
    assert result.records["source_location"].tolist() == [
        "d.xlsx, sheet 'Top Inovasi', row 4",
        "d.xlsx, sheet 'Top Inovasi', row 6",
    ]
    assert result.records["tahun"].tolist() == [2019, 2019]
    rejected = result.rejected.set_index("source_record_id")
    assert rejected.loc["100002", "reason"] == (
        "d.xlsx, sheet 'Top Inovasi', row 5, field 'Judul Inovasi': title is empty"
    )
    assert '"judul_inovasi": "   "' in rejected.loc["100002", "raw"]
