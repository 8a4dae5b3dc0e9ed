"""IGA ingestion over real HTTP (a local server that misbehaves) and from saved pages."""

import json

import pytest

from jippnas_orchestration.sources.iga import FetchPolicy, IgaFetchError, read_iga
from jippnas_orchestration.testing.iga_server import IgaServer

FAST = FetchPolicy(timeout_s=1.0, max_tries=4, backoff_s=0.01, max_backoff_s=0.05)


def test_http_survives_429_500_slow_truncated_and_short_pages(sample_dir):
    expected = read_iga(str(sample_dir / "iga"))
    faults = {
        "tahun": ["503"],
        "2020/1": ["429", "500"],
        "2020/2": ["slow"],
        "2021/3": ["truncate"],
        "2022/1": ["short", "429"],
    }
    with IgaServer(sample_dir / "iga", faults, slow_s=1.5) as server:
        result = read_iga(server.url, FAST)
    assert result.rows_read == expected.rows_read
    assert (
        result.records["source_record_id"].tolist() == expected.records["source_record_id"].tolist()
    )
    assert len(result.rejected) == len(expected.rejected) and result.balanced
    assert any("retried" in n for n in result.notes)
    assert server.requests.count("2020/1") == 3 and server.requests.count("2021/3") == 2
    assert result.records["source_location"].iloc[0].startswith(server.url + "/inovasi?tahun=")


def test_http_gives_up_after_bounded_tries_naming_the_url(sample_dir):
    with IgaServer(sample_dir / "iga", {"2019/2": ["500"] * 10}) as server:
        with pytest.raises(IgaFetchError) as err:
            read_iga(server.url, FAST)
    assert f"{server.url}/inovasi?tahun=2019&page=2" in str(err.value)
    assert "after 4 tries" in str(err.value) and "HTTP 500" in str(err.value)
    assert server.requests.count("2019/2") == 4


def test_directory_mode_reads_nested_fields_and_quarantines(sample_dir, tmp_path):
    root = tmp_path / "iga"
    (root / "2022").mkdir(parents=True)
    (root / "tahun.json").write_text(json.dumps({"data": [2022]}))
    recs = [
        {
            "id": "IND2022040125",
            "nama": "SIPADU",
            "tahun": "2022",
            "pemda": {"kode_wilayah": "35.10", "nama_pemda": "Kab. Banyuwangi"},
            "urusan": ["kesehatan"],
            "usr_asn": {"nama_lengkap": "A", "no_hp": "08"},
        },
        {"id": "IND2022040126", "tahun": 2022, "pemda": {"nama_pemda": "Kota Bandung"}},
        {"id": "IND2022040127", "nama": "X", "tahun": 20019, "pemda": None},
        {"id": "IND2022040128", "nama": "Tanpa tahun", "pemda": {"nama_pemda": "Kota Bandung"}},
    ]
    (root / "2022" / "page-1.json").write_text(
        json.dumps(
            {"data": recs, "meta": {"current_page": 1, "last_page": 1, "per_page": 10, "total": 4}}
        )
    )
    result = read_iga(str(root))
    rec = result.records.iloc[0]
    assert (rec["pemda_kode_wilayah"], rec["pemda_nama"], rec["tahun"]) == (
        "35.10",
        "Kab. Banyuwangi",
        2022,
    )
    assert rec["usr_asn_no_hp"] == "08" and json.loads(rec["urusan"]) == ["kesehatan"]
    reasons = dict(zip(result.rejected["source_record_id"], result.rejected["reason"]))
    assert reasons["IND2022040126"].endswith("record 2, field 'nama': title is empty")
    assert "page-1.json, record 3, field 'tahun'" in reasons["IND2022040127"]
    # a record without a year takes the year its page was published under
    assert result.records.set_index("id").loc["IND2022040128", "tahun"] == 2022


def test_directory_mode_missing_page_is_a_clear_error(tmp_path):
    (tmp_path / "tahun.json").write_text(json.dumps({"data": [2020]}))
    with pytest.raises(IgaFetchError, match="2020/page-1.json not found"):
        read_iga(str(tmp_path))
