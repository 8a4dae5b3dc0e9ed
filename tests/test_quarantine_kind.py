"""rejected_source_rows.kind is set where a row is quarantined; an old warehouse gets it once."""

import pandas as pd
import pytest

from jippnas_orchestration.harmonize.staging import resolve_agencies, stage_all
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.sources.common import REJECT_KINDS, kind_of_reason
from jippnas_orchestration.sources.iga import read_iga
from jippnas_orchestration.sources.inolan import read_inolan
from jippnas_orchestration.sources.kipp import read_kipp
from jippnas_orchestration.sources.landing import land
from jippnas_orchestration.warehouse import Warehouse

HEADER = (
    "external_id;judul_inovasi;tahun;inovator;unit_kerja;deskripsi;id_kabkot;kabkot_nama;"
    "provinsi_nama;instansi_nama;agency_id_panrb;id_sdgs;sdgs_nama"
)
CIREBON = ";Budi;Dinkes;Ringkas;3274;Kota Cirebon;Jawa Barat;Kota Cirebon;;3;x\n"
BODY = (
    f"LAN-1;Layanan Terpadu;2021{CIREBON}"
    "LAN-2;Terpotong;2021\n"
    "LAN-3;;2020;A;B;C;;;;Kota Bandung;;1;x\n"
    "LAN-4;Judul;20019;A;B;C;;;;Kota Bandung;;1;x\n"
    f"LAN-1;Layanan Terpadu Baru;2021{CIREBON}"
    "LAN-5;Judul;2021;A;B;C;;;;Kota Bandung;;1;x;lebih\n"
    ";Tanpa kunci;2021;A;B;C;;;;Kota Bandung;;1;x\n"
)
EXPECTED = [
    ("LAN-2", "unreadable_row", None),
    ("LAN-3", "missing_field", "judul_inovasi"),
    ("LAN-4", "invalid_value", "tahun"),
    ("LAN-1", "duplicate_id", "external_id"),
    ("LAN-5", "unreadable_row", None),
    (None, "missing_field", "external_id"),
]
OLD_DDL = (
    "CREATE TABLE rejected_source_rows (source TEXT NOT NULL, source_record_id TEXT, "
    "reason TEXT NOT NULL, raw TEXT, location TEXT, stage TEXT NOT NULL, detail TEXT, "
    "rejected_at TIMESTAMP)"
)


@pytest.fixture
def inolan_csv(tmp_path):
    path = tmp_path / "inolan.csv"
    path.write_text(HEADER + "\n" + BODY, encoding="utf-8")
    return path


def triples(df: pd.DataFrame, columns=("source_record_id", "kind", "field")) -> list[tuple]:
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in df[list(columns)].itertuples(index=False)
    ]


def test_each_rule_stores_its_kind_and_field(inolan_csv):
    result = read_inolan(inolan_csv)
    assert triples(result.rejected) == EXPECTED
    # the migration derives from an old reason exactly what the readers now store
    assert [kind_of_reason(r) for r in result.rejected["reason"]] == [
        (k, f) for _, k, f in EXPECTED
    ]


def test_an_unresolved_agency_is_its_own_kind():
    kipp = pd.DataFrame(
        {
            "source_record_id": ["1"],
            "source_location": ["a"],
            "judul_inovasi": ["Y"],
            "instansi": ["Instansi Entah"],
            "jenis_instansi": ["Lembaga"],
            "tahun": [2021],
        }
    )
    empty = pd.DataFrame(
        columns=["source_record_id", "source_location", "nama", "tahun", "judul_inovasi"]
    )
    _, rejected, _ = resolve_agencies(stage_all(kipp, empty, empty))
    assert rejected[["kind", "field", "reason"]].values.tolist() == [
        ["unresolved_agency", None, "unresolved agency"]
    ]


def test_every_sample_reject_has_a_kind_the_migration_would_derive_too(sample_dir):
    for result in (
        read_kipp(sample_dir / "kipp"),
        read_iga(str(sample_dir / "iga")),
        read_inolan(sample_dir / "inolan.csv"),
    ):
        assert len(result.rejected), result.source
        assert set(result.rejected["kind"]) <= set(REJECT_KINDS) - {"other"}
        stored = [(k, f) for _, k, f in triples(result.rejected)]
        assert [kind_of_reason(r) for r in result.rejected["reason"]] == stored


def test_an_older_warehouse_gets_the_column_once_and_new_rows_carry_their_kind(
    warehouse_url, inolan_csv
):
    wh = Warehouse(warehouse_url)
    legacy = read_inolan(inolan_csv).rejected.drop(columns=["kind", "field"]).assign(source="KIPP")
    legacy.loc[len(legacy)] = legacy.iloc[0].to_dict() | {
        "reason": "unresolved agency",
        "stage": "resolve",
    }
    legacy.loc[len(legacy)] = legacy.iloc[0].to_dict() | {"reason": "a reason no rule knows"}
    with wh.begin() as conn:
        conn.exec_driver_sql(OLD_DDL)
        wh.insert_frame(conn, "rejected_source_rows", legacy)

    ensure_schema(wh.engine)
    stored = wh.read_sql("SELECT source_record_id, kind, field, reason FROM rejected_source_rows")
    expected = sorted([(r, *kind_of_reason(r)) for r in legacy["reason"]], key=str)
    assert sorted(triples(stored, ("reason", "kind", "field")), key=str) == expected
    assert {"unresolved_agency", "other", "duplicate_id"} <= set(stored["kind"])

    # derived once: a kind a later run (or a person) set is not derived again
    wh.execute(
        "UPDATE rejected_source_rows SET kind = 'invalid_value' WHERE reason = :r",
        {"r": "a reason no rule knows"},
    )
    ensure_schema(wh.engine)
    assert (
        wh.read_sql(
            "SELECT kind FROM rejected_source_rows WHERE reason = 'a reason no rule knows'"
        )["kind"][0]
        == "invalid_value"
    )

    land(wh, "raw_inolan", read_inolan(inolan_csv))
    new = wh.read_sql(
        "SELECT source_record_id, kind, field FROM rejected_source_rows WHERE source = 'INOLAN'"
    )
    assert sorted(triples(new), key=str) == sorted(EXPECTED, key=str)
    assert wh.count("rejected_source_rows") == len(legacy) + len(EXPECTED)
