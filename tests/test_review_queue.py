"""The review queue end to end: what the pipeline could not decide is asked, `jippnas review` decides,
and every later run honours the decision (SQLite and PostgreSQL)."""

import json

import pytest
from dagster import AssetKey
from openpyxl import Workbook

from jippnas_orchestration.cli import main as jippnas
from jippnas_orchestration.review.model import (
    KIND_AGENCY,
    KIND_PAIR,
    agency_subject,
    pair_subject,
    review_id,
)
from jippnas_orchestration.warehouse import Warehouse

from .helpers import run_pipeline

SELECTION = [
    AssetKey(k)
    for k in (
        "raw_kipp",
        "raw_iga",
        "raw_inolan",
        "agencies",
        "staged_source_records",
        "innovation_source_map",
        "merged_innovations",
        "innovation_change_log",
        "harmonized_innovations",
        "match_review",
    )
]
INOLAN_HEADER = (
    "external_id;judul_inovasi;tahun;inovator;unit_kerja;deskripsi;id_kabkot;kabkot_nama;"
    "provinsi_nama;instansi_nama;agency_id_panrb;id_sdgs;sdgs_nama"
)
LOST_AGENCY = "Pemerintah Kabupaten Lembah Kabut Biru"


def _inolan_row(rid, title, agency):
    return f"{rid};{title};2022;Nama Orang;Dinas;Deskripsi singkat.;;;;{agency};;3;"


@pytest.fixture
def sources(tmp_path):
    src = tmp_path / "src"
    (src / "kipp").mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Top Inovasi"
    ws.append(["Kode NRI", "Tahun", "Judul Inovasi", "Instansi", "Jenis Instansi"])
    ws.append(
        [
            "000101",
            2021,
            "SIMPEL (Sistem Pembayaran Retribusi Elektronik)",
            "Pemkab Banyuwangi",
            "Kabupaten",
        ]
    )
    wb.save(src / "kipp" / "kipp.xlsx")
    (src / "iga" / "2022").mkdir(parents=True)
    (src / "iga" / "tahun.json").write_text(json.dumps({"data": [2022]}))
    page = {
        "data": [
            {
                "id": "IND2022000001",
                "nama": "SIMPEL (Sistem Informasi Pelayanan)",
                "tahun": 2022,
                "profil_id": 1,
                "pemda": {"kode_wilayah": "35.10", "nama_pemda": "Kab. Banyuwangi"},
            }
        ],
        "meta": {"current_page": 1, "last_page": 1, "per_page": 100, "total": 1},
    }
    (src / "iga" / "2022" / "page-1.json").write_text(json.dumps(page))
    rows = [
        INOLAN_HEADER,
        _inolan_row("T1", "SIMPEL", "Pemerintah Kabupaten Banyuwangi"),
        _inolan_row("T4", "Gerai Layanan Terpadu", LOST_AGENCY),
        _inolan_row("T5", "Gerai Layanan Terpadu Keliling", LOST_AGENCY),
    ]
    (src / "inolan.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


@pytest.mark.slow
def test_decisions_made_with_jippnas_review_survive_full_reruns(
    warehouse_url, sources, monkeypatch, capsys
):
    monkeypatch.setenv("JIPPNAS_WAREHOUSE_URL", warehouse_url)
    run_pipeline(warehouse_url, sources, selection=SELECTION)
    wh = Warehouse(warehouse_url)
    queue = wh.read_table("match_review").set_index("review_id")
    agency_review = review_id(KIND_AGENCY, agency_subject(LOST_AGENCY, None))
    simpel_pair = review_id(KIND_PAIR, pair_subject("INOLAN:T1", "IGA:IND2022000001"))
    expansions_pair = review_id(KIND_PAIR, pair_subject("IGA:IND2022000001", "KIPP:000101"))
    assert (
        queue.loc[agency_review, "status"] == "open"
        and queue.loc[agency_review, "record_count"] == 2
    )
    assert (
        queue.loc[simpel_pair, "status"] == "open"
        and "acronym alone" in queue.loc[simpel_pair, "evidence"]
    )
    assert queue.loc[expansions_pair, "status"] == "open"
    unresolved = wh.read_sql(
        "SELECT source_record_id FROM rejected_source_rows WHERE reason = 'unresolved agency'"
    )
    assert sorted(unresolved["source_record_id"]) == ["T4", "T5"]

    from jippnas_orchestration.reports.data import gather
    from jippnas_orchestration.reports.html import render

    page = render(
        gather(wh, sources)
    )  # the report shows the open queue and the rules that joined records
    assert agency_review in page and simpel_pair in page and "rekaman pertama inovasi" in page

    assert jippnas(["review", "list"]) == 0
    assert agency_review in capsys.readouterr().out
    assert (
        jippnas(["review", "assign", agency_review, "NOT-AN-AGENCY"]) == 1
    )  # refused, nothing stored
    assert jippnas(["review", "assign", agency_review, "35.10", "--by", "operator-a"]) == 0
    assert jippnas(["review", "accept", simpel_pair, "--by", "operator-a"]) == 0
    assert jippnas(["review", "reject", expansions_pair, "--by", "operator-b"]) == 0
    decisions = wh.read_table("review_decisions")
    assert len(decisions) == 3 and set(decisions["decided_by"]) == {"operator-a", "operator-b"}

    def state():
        m = wh.read_table("innovation_source_map").set_index("source_record_id")
        staged = wh.read_table("staged_source_records").set_index("source_record_id")
        return m, staged

    ids_per_run = []
    for _ in range(2):  # the decisions hold on every later run, and ids stay put
        run_pipeline(warehouse_url, sources, selection=SELECTION)
        m, staged = state()
        assert staged.loc[["T4", "T5"], "agency_id"].tolist() == ["35.10", "35.10"]
        assert set(staged.loc[["T4", "T5"], "agency_method"]) == {"review decision"}
        assert not len(
            wh.read_sql("SELECT * FROM rejected_source_rows WHERE reason = 'unresolved agency'")
        )
        assert m.loc["T1", "innovation_id"] == m.loc["IND2022000001", "innovation_id"]
        assert m.loc["000101", "innovation_id"] != m.loc["IND2022000001", "innovation_id"]
        assert "review decision" in set(m.loc[["T1", "IND2022000001"], "match_rule"])
        queue = wh.read_table("match_review").set_index("review_id")
        assert set(queue.loc[[agency_review, simpel_pair, expansions_pair], "status"]) == {
            "decided"
        }
        assert queue.loc[agency_review, "decided_agency_id"] == "35.10"
        assert (queue["status"] == "open").sum() == 0
        ids_per_run.append(m["innovation_id"].to_dict())
    assert ids_per_run[0] == ids_per_run[1]
