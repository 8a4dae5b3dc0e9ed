"""Canonical staging vocabularies."""

import pandas as pd

from jippnas_orchestration.harmonize.staging import (
    canonical_category,
    parse_award,
    parse_date,
    parse_sdgs,
    resolve_agencies,
    stage_all,
)


def test_categories_across_years():
    assert canonical_category("Kesehatan") == "Kesehatan"
    assert canonical_category("  bidang KESEHATAN ") == "Kesehatan"
    assert canonical_category("Penanggulangan Kemiskinan") == "Pengentasan Kemiskinan"
    assert canonical_category("Tatakelola Pemerintahan") == "Tata Kelola Pemerintahan"
    assert canonical_category("TKP") == "Tata Kelola Pemerintahan"
    assert (
        canonical_category("Pelayanan Publik Responsif Gendr")
        == "Pelayanan Publik Responsif Gender"
    )
    assert canonical_category("Olahraga Ekstrem") is None


def test_sdgs_as_integers():
    assert parse_sdgs("3, 10") == "3,10"
    assert (
        parse_sdgs("SDG 3 - Kehidupan Sehat dan Sejahtera; SDG 10 - Berkurangnya Kesenjangan")
        == "3,10"
    )
    assert parse_sdgs([10, 3, 3]) == "3,10"
    assert parse_sdgs("0, 18, 17") == "17"
    assert parse_sdgs(None) is None and parse_sdgs("") is None


def test_awards_and_dates():
    assert parse_award("Top 99/2015") == ("Top 99", 2015)
    assert parse_award("Top 5 OAPSI/2020") == ("Top 5 OAPSI", 2020)
    assert parse_award("top 45 / 2019") == ("Top 45", 2019)
    assert parse_award("Juara") == (None, None)
    assert (
        parse_date("2021-03-15") == "2021-03-15"
        and parse_date("") is None
        and parse_date("bukan") is None
    )


def test_unresolved_agency_is_rejected_with_the_contract_reason():
    kipp = pd.DataFrame(
        {
            "source_record_id": ["1", "2"],
            "source_location": ["a", "b"],
            "judul_inovasi": ["X", "Y"],
            "instansi": ["Kab. Banyuwangi", "Instansi Entah"],
            "jenis_instansi": ["Kabupaten", "Lembaga"],
            "tahun": [2020, 2021],
        }
    )
    empty = pd.DataFrame(
        columns=["source_record_id", "source_location", "nama", "tahun", "judul_inovasi"]
    )
    ok, rejected, _ = resolve_agencies(stage_all(kipp, empty, empty))
    assert ok["agency_id"].tolist() == ["35.10"]
    assert rejected[["source", "source_record_id", "reason", "stage"]].values.tolist() == [
        ["KIPP", "2", "unresolved agency", "resolve"]
    ]
    assert "Instansi Entah" in rejected["detail"].iloc[0] and rejected["location"].iloc[0] == "b"
