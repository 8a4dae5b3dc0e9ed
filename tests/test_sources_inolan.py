"""InoLAN CSV parsing: encodings, quoted newlines and ';', short lines."""

import pytest

from jippnas_orchestration.sources.inolan import InolanFormatError, decode, read_inolan

HEADER = (
    "external_id;judul_inovasi;tahun;inovator;unit_kerja;deskripsi;id_kabkot;kabkot_nama;provinsi_nama;"
    "instansi_nama;agency_id_panrb;id_sdgs;sdgs_nama"
)
BODY = (
    'LAN-1;Café Layanan Terpadu;2021;Budi;Dinkes;"Baris satu\nbaris dua; dengan titik koma";3274;Kota Cirebon;'
    "Jawa Barat;Dinas Kesehatan Kota Cirebon;;3,10;Kesehatan\n"
    "LAN-2;Terpotong;2021\n"
    "LAN-3;;2020;A;B;C;;;;Kota Bandung;;1;x\n"
    "LAN-4;Judul;20019;A;B;C;;;;Kota Bandung;;1;x\n"
)


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]
)
def test_encodings_quoted_newlines_and_semicolons(tmp_path, encoding, bom):
    path = tmp_path / "inolan.csv"
    path.write_bytes(bom + (HEADER + "\n" + BODY).encode(encoding))
    result = read_inolan(path)
    rec = result.records.iloc[0]
    assert rec["judul_inovasi"] == "Café Layanan Terpadu"
    assert rec["deskripsi"] == "Baris satu\nbaris dua; dengan titik koma"
    assert rec["external_id"] == "LAN-1" and rec["tahun"] == 2021
    reasons = dict(zip(result.rejected["source_record_id"], result.rejected["reason"]))
    assert reasons["LAN-2"] == "inolan.csv, line 4: too few fields (3 of 13)"
    assert reasons["LAN-3"] == "inolan.csv, line 5, field 'judul_inovasi': title is empty"
    assert reasons["LAN-4"].startswith("inolan.csv, line 6, field 'tahun'")
    assert result.balanced and result.rows_read == 4


def test_decode_detection():
    assert decode("é".encode("utf-8"))[1] == "utf-8"
    assert decode(b"\xef\xbb\xbf" + "é".encode("utf-8")) == ("é", "utf-8-sig")
    assert decode("é–".encode("cp1252")) == ("é–", "cp1252")


def test_missing_header_columns_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id;judul\n1;x\n")
    with pytest.raises(InolanFormatError, match="bad.csv, line 1: header lacks external_id"):
        read_inolan(path)


def test_comma_separated_export_says_so_not_header_lacks(tmp_path):
    """The header is there, in another delimiter: the message says which, not 'header lacks'."""
    path = tmp_path / "inolan.csv"
    path.write_text(HEADER.replace(";", ",") + "\nLAN-1,Judul,2021,,,,,,,,,,\n")
    with pytest.raises(InolanFormatError) as err:
        read_inolan(path)
    assert str(err.value) == (
        f"{path}, line 1: the header is comma-separated; InoLAN exports are ';'-separated"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])  # with and without a byte-order mark
def test_utf16_export_is_named_as_such(tmp_path, encoding):
    path = tmp_path / "inolan.csv"
    path.write_bytes((HEADER + "\n" + BODY).encode(encoding))
    with pytest.raises(InolanFormatError, match=r"inolan\.csv: UTF-16 text") as err:
        read_inolan(path)
    assert str(err.value).startswith(f"{path}: UTF-16 text")
    assert str(err.value).endswith("expected UTF-8 or Windows-1252")


def test_a_workbook_saved_as_csv_is_named_as_such(tmp_path):
    path = tmp_path / "inolan.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InolanFormatError, match="a zip archive .* not a CSV export"):
        read_inolan(path)
