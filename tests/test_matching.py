"""Entity resolution and stable ids."""

import pandas as pd

from jippnas_orchestration.harmonize.ids import assign_ids
from jippnas_orchestration.harmonize.matching import match_records
from jippnas_orchestration.harmonize.titles import title_parts


def cluster_records(df):
    return match_records(df).clusters


def recs(rows):
    return pd.DataFrame(rows, columns=["source", "source_record_id", "agency_id", "title"])


def groups(df):
    clusters = cluster_records(df)
    out = {}
    for rid, c in zip(df["source_record_id"], clusters):
        out.setdefault(c, set()).add(rid)
    return sorted(sorted(g) for g in out.values())


def test_title_parts_survive_acronym_reordering():
    a = title_parts("SIPADU (Sistem Pelayanan Terpadu)")
    assert (
        a
        == title_parts("Sistem Pelayanan Terpadu - SIPADU")
        == title_parts("sipadu: sistem pelayanan terpadu")
    )
    assert a.acronym == "sipadu" and a.expansion == "sistem pelayanan terpadu"
    assert title_parts("Inovasi SIPADU (Sistem Pelayanan Terpadu)") == a
    assert title_parts("Puskesmas Keliling").acronym is None


def test_same_innovation_despite_order_punctuation_case_and_typos():
    df = recs(
        [
            ("KIPP", "1", "35.10", "SIPADU (Sistem Pelayanan Terpadu)"),
            ("IGA", "2", "35.10", "Sistem Pelayanan Terpadu - SIPADU"),
            ("IGA", "3", "35.10", "SISTEM PELAYANAN TERPDU"),
            ("INOLAN", "4", "35.10", '"Sistem  Pelayanan Terpadu."'),
            ("IGA", "5", "35.10", "Gerakan Tnggap Bencana Cerdas"),
            ("KIPP", "6", "35.10", "Gerakan Tanggap Bencana Cerdas"),
        ]
    )
    assert groups(df) == [["1", "2", "3", "4"], ["5", "6"]]


def test_near_twins_of_one_agency_stay_apart():
    df = recs(
        [
            ("KIPP", "1", "35.10", "Puskesmas Keliling"),
            ("KIPP", "2", "35.10", "Puskesmas Keliling Terapung"),
            ("IGA", "3", "35.10", "Bank Sampah"),
            ("IGA", "4", "35.10", "Bank Sampah Digital Sekolah"),
            ("IGA", "5", "35.10", "SIPADU (Sistem Pelayanan Terpadu)"),
            ("IGA", "6", "35.10", "SIMPEL (Sistem Pelayanan Terpadu)"),
        ]
    )
    assert groups(df) == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]]


def test_generic_title_of_different_agencies_never_merges():
    df = recs(
        [
            ("KIPP", "1", "35.10", "Mal Pelayanan Publik"),
            ("KIPP", "2", "32.73", "Mal Pelayanan Publik"),
            ("IGA", "3", "32.04", "Mal Pelayanan Publik"),
        ]
    )
    assert groups(df) == [["1"], ["2"], ["3"]]


def test_ids_are_stable_and_new_records_join_existing_innovations():
    df = recs(
        [
            ("KIPP", "1", "35.10", "SIPADU (Sistem Pelayanan Terpadu)"),
            ("KIPP", "2", "35.10", "Puskesmas Keliling"),
        ]
    )
    empty = pd.DataFrame(columns=["source", "source_record_id", "innovation_id"])
    first = assign_ids(df, cluster_records(df), empty)
    again = assign_ids(df, cluster_records(df), first)
    assert first["innovation_id"].tolist() == again["innovation_id"].tolist()
    assert set(again["assignment"]) == {"kept"}
    assert first["innovation_id"].str.fullmatch(r"JIP-[0-9A-F]{10}").all()
    grown = pd.concat(
        [
            recs(
                [
                    ("IGA", "9", "35.10", "Sistem Pelayanan Terpadu - SIPADU"),
                    ("IGA", "8", "35.10", "Pos Imunisasi Sehat"),
                ]
            ),
            df,
        ],
        ignore_index=True,
    )
    third = assign_ids(grown, cluster_records(grown), first).set_index("source_record_id")
    ids = first.set_index("source_record_id")["innovation_id"]
    assert (
        third.loc["1", "innovation_id"] == ids["1"] and third.loc["2", "innovation_id"] == ids["2"]
    )
    assert third.loc["9", "innovation_id"] == ids["1"] and third.loc["9", "assignment"] == "joined"
    assert third.loc["8", "assignment"] == "new" and third.loc["8", "innovation_id"] not in set(ids)


def test_relink_by_a_person_wins_and_kept_records_are_never_renamed():
    df = recs(
        [
            ("KIPP", "1", "35.10", "SIPADU (Sistem Pelayanan Terpadu)"),
            ("IGA", "2", "35.10", "SIPADU (Sistem Pelayanan Terpadu)"),
        ]
    )
    previous = pd.DataFrame(
        {
            "source": ["KIPP", "IGA"],
            "source_record_id": ["1", "2"],
            "innovation_id": ["JIP-AAAAAAAAAA", "JIP-BBBBBBBBBB"],
        }
    )
    kept = assign_ids(df, cluster_records(df), previous)
    assert kept["innovation_id"].tolist() == ["JIP-AAAAAAAAAA", "JIP-BBBBBBBBBB"]
    relinks = pd.DataFrame(
        {"source": ["IGA"], "source_record_id": ["2"], "innovation_id": ["JIP-AAAAAAAAAA"]}
    )
    relinked = assign_ids(df, cluster_records(df), previous, relinks)
    assert relinked["innovation_id"].tolist() == ["JIP-AAAAAAAAAA", "JIP-AAAAAAAAAA"]
    assert relinked["assignment"].tolist() == ["kept", "relinked"]


def test_a_title_naming_its_own_agency_still_matches():
    df = recs(
        [
            ("KIPP", "1", "35.10", "SIPADU (Sistem Pelayanan Terpadu)"),
            ("IGA", "2", "35.10", "SIPADU (Sistem Pelayanan Terpadu) - Kabupaten Banyuwangi"),
            ("IGA", "3", "35.10", "Sistem Pelayanan Terpadu di PEMEIRNTAH KABUPATEN BANYUWANGI"),
            ("IGA", "4", "35.10", "Sistem Pelayanan Terpadu Banyuwangi"),
            ("KIPP", "5", "32.73", "Bandung Juara"),
            ("KIPP", "6", "32.73", "Kota Bandung Juara"),
            ("KIPP", "7", "KEMENKES", "Layanan Rujukan Terpadu Kemenkes"),
            ("KIPP", "8", "KEMENKES", "Layanan Rujukan Terpadu"),
        ]
    )
    assert groups(df) == [["1", "2", "3", "4"], ["5"], ["6"], ["7", "8"]]


def test_a_year_in_the_title_does_not_make_another_innovation():
    df = recs(
        [
            ("IGA", "1", "35.10", "Festival Literasi Desa 2022"),
            ("IGA", "2", "35.10", "Festival Literasi Desa"),
            ("IGA", "3", "35.10", "Festival Literasi Desa Tahun 2023"),
            ("IGA", "4", "35.10", "Festival Kopi Desa"),
        ]
    )
    assert groups(df) == [["1", "2", "3"], ["4"]]
