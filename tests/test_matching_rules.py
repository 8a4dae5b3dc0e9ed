"""Matching rules that must hold on exports the project did not write: versions, meaning-bearing words,
typos, acronyms, and people's decisions. Cases are the project's own."""

import pandas as pd
import pytest

from jippnas_orchestration.harmonize.matching import acronym_fits, match_records
from jippnas_orchestration.harmonize.titles import title_parts


def recs(rows):
    return pd.DataFrame(rows, columns=["source", "source_record_id", "agency_id", "title"])


def groups(df, **kw):
    result = match_records(df, **kw)
    out = {}
    for rid, c in zip(df["source_record_id"], result.clusters):
        out.setdefault(c, set()).add(rid)
    return sorted(sorted(g) for g in out.values())


def test_a_newer_version_is_the_same_innovation():
    df = recs(
        [
            ("KIPP", "1", "63.01", "Kartu Sehat Lansia"),
            ("IGA", "2", "63.01", "Kartu Sehat Lansia 2.0"),
            ("IGA", "3", "63.01", "Kartu Sehat Lansia Versi 3"),
            ("IGA", "4", "63.01", "KARTU SEHAT LANSIA PLUS"),
            ("INOLAN", "5", "63.01", "Kartu Sehat Lansia Jilid II"),
            ("IGA", "6", "63.01", "SIGAP BUMIL (Siaga Persalinan Ibu Hamil) v2"),
            ("KIPP", "7", "63.01", "SIGAP BUMIL: Siaga Persalinan Ibu Hamil"),
        ]
    )
    assert groups(df) == [["1", "2", "3", "4", "5"], ["6", "7"]]


def test_one_word_that_changes_the_meaning_keeps_innovations_apart():
    df = recs(
        [
            ("KIPP", "1", "64.72", "Layanan Izin Masuk Pelabuhan Online"),
            ("KIPP", "2", "64.72", "Layanan Izin Keluar Pelabuhan Online"),
            ("IGA", "3", "64.72", "Posyandu Anak Ceria"),
            ("IGA", "4", "64.72", "Posyandu Lansia Ceria"),
            ("IGA", "5", "64.72", "Bank Data Desa"),
            ("IGA", "6", "64.72", "Bank Dana Desa"),
            ("IGA", "7", "64.72", "Ojek Sampah Pasar"),
            ("IGA", "8", "64.72", "Ojek Sampah Pantai"),
        ]
    )
    assert groups(df) == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"], ["8"]]


def test_typos_in_several_words_and_in_the_leading_word_still_match():
    df = recs(
        [
            ("KIPP", "1", "64.72", "Layanan Izin Keluar Pelabuhan Online"),
            ("IGA", "2", "64.72", "Layanan Izin Kleuar Pelabuhan Onlien"),
            ("IGA", "3", "64.72", "Lyanan Izin Keluar Pelabuhan Online"),
            ("INOLAN", "4", "64.72", "Inovsai Layanan Izin Keluar Pelabuhan Online"),
            ("IGA", "5", "64.72", "Pelabuhan Online Layanan Izin Keluar"),
        ]
    )
    assert groups(df) == [["1", "2", "3", "4", "5"]]


def test_a_recurring_typo_is_still_a_typo_but_a_common_word_is_a_word():
    rows = [("IGA", f"w{i}", f"a{i}", "Gerobak Sampah Keliling") for i in range(6)]
    rows += [
        ("IGA", f"t{i}", f"a{i}", "Gerobak Smapah Keliling") for i in range(3)
    ]  # swapped letters
    rows += [("IGA", f"g{i}", f"a{i}", "Gerobak Sayur Keliling") for i in range(6)]
    df = recs(rows)
    by_agency = match_records(df).clusters.groupby(df["agency_id"]).nunique()
    assert by_agency[["a0", "a1", "a2"]].tolist() == [
        2,
        2,
        2,
    ]  # sampah+smapah together, sayur apart


def test_acronyms_with_hyphens_and_mixed_case_are_acronyms():
    assert title_parts("SIPANDU-KIA").acronym == "sipandukia"
    assert title_parts("e-SiMoNa - Sistem Monitoring Nelayan") == title_parts(
        "Sistem Monitoring Nelayan (e-SiMoNa)"
    )
    assert title_parts("KARTU SEHAT (Kartu Sehat Anak Terpadu)").acronym == "kartusehat"
    df = recs(
        [
            ("KIPP", "1", "52.01", "SIPANDU-KIA (Sistem Pelayanan Terpadu Kesehatan Ibu Anak)"),
            ("IGA", "2", "52.01", "SIPANDU-KIA"),
            ("IGA", "3", "52.01", "Sistem Pelayanan Terpadu Kesehatan Ibu Anak"),
            ("IGA", "4", "52.01", "SIPANDU (Sistem Pelayanan Terpadu)"),
            ("INOLAN", "5", "52.01", "sipandu"),
        ]
    )
    assert groups(df) == [["1", "2", "3"], ["4", "5"]]


def test_an_acronym_alone_beside_two_innovations_goes_to_review_not_to_a_guess():
    df = recs(
        [
            ("IGA", "1", "52.01", "SIMPEL"),
            ("IGA", "2", "52.01", "SIMPEL (Sistem Informasi Pelayanan)"),
            ("KIPP", "3", "52.01", "SIMPEL (Sistem Pembayaran Retribusi Elektronik)"),
        ]
    )
    result = match_records(df)
    assert len(set(result.clusters)) == 3
    reviewed = {
        frozenset((r.a_source_record_id, r.b_source_record_id))
        for r in result.review_pairs.itertuples()
    }
    assert frozenset(("1", "2")) in reviewed and frozenset(("1", "3")) in reviewed
    assert all(result.review_pairs["agency_id"] == "52.01")


def test_people_decide_pairs_and_a_rejected_pair_never_merges_again():
    df = recs(
        [
            ("IGA", "1", "52.01", "SIMPEL"),
            ("IGA", "2", "52.01", "SIMPEL (Sistem Informasi Pelayanan)"),
            ("KIPP", "3", "52.01", "SIMPEL (Sistem Pembayaran Retribusi Elektronik)"),
            ("KIPP", "4", "52.01", "Griya Istirahat Keluarga Pasien"),
            ("IGA", "5", "52.01", "Griya Istirahat Keluarga Pasien"),
        ]
    )
    accepted = {("IGA:1", "IGA:2")}
    rejected = {("IGA:5", "KIPP:4")}
    result = match_records(df, accepted_pairs=accepted, rejected_pairs=rejected)
    assert groups(df, accepted_pairs=accepted, rejected_pairs=rejected) == [
        ["1", "2"],
        ["3"],
        ["4"],
        ["5"],
    ]
    assert result.rule[df["source_record_id"] == "2"].iloc[0] == "review decision"
    asked = {
        (r.a_source + ":" + r.a_source_record_id, r.b_source + ":" + r.b_source_record_id)
        for r in result.review_pairs.itertuples()
    }
    asked = {tuple(sorted(p)) for p in asked}
    assert not asked & (accepted | rejected)  # decided pairs are not asked again
    assert ("IGA:2", "KIPP:3") in asked  # what is still open stays open


def test_match_evidence_names_the_rule():
    df = recs(
        [
            ("KIPP", "1", "35.10", "Sekolah Lapang Iklim"),
            ("IGA", "2", "35.10", "Sekolah Lapang Iklim"),
            ("IGA", "3", "35.10", "Sekolah Lapnag Iklim"),
            ("IGA", "4", "35.10", "Pasar Ikan Higienis"),
        ]
    )
    r = match_records(df)
    rules = dict(zip(df["source_record_id"], r.rule))
    assert rules["4"] == "founding record"
    assert {rules["1"], rules["2"]} == {"founding record", "same title"}
    assert (
        rules["3"] == "title within typos"
        and 0 < r.score[df["source_record_id"] == "3"].iloc[0] < 1
    )


def test_acronym_fits_its_words():
    assert acronym_fits("sahlante", ("sahabat", "lansia", "terlantar", "ramah", "anak"))
    assert acronym_fits("esimone", ("sistem", "monitoring", "nelayan"))
    assert not acronym_fits("kbr", ("sistem", "monitoring", "nelayan"))


def test_joining_words_and_common_abbreviations_do_not_make_another_innovation():
    df = recs(
        [
            ("KIPP", "1", "18.71", "Klinik Kesehatan Ibu dan Anak Terapung"),
            ("IGA", "2", "18.71", "Klinik Kesehatan Ibu Anak Terapung"),
            ("IGA", "3", "18.71", "Klinik KIA Terapung"),
            ("INOLAN", "4", "18.71", "Gerai Adminduk di Pasar"),
            ("IGA", "5", "18.71", "Gerai Administrasi Kependudukan Pasar"),
            ("IGA", "6", "18.71", "Gerai Admindk Pasar"),
            ("IGA", "7", "18.71", "Gerai Adminduk ke Pasar"),
            ("IGA", "8", "18.71", "Gerai Adminduk dari Pasar"),
        ]
    )
    assert groups(df) == [["1", "2", "3"], ["4", "5", "6"], ["7"], ["8"]]


def test_large_agencies_are_blocked_by_word_pairs_without_losing_typo_twins(monkeypatch):
    import jippnas_orchestration.harmonize.matching as matching

    monkeypatch.setattr(matching, "BIG_BLOCK", 5)  # take the blocking path with a small agency
    monkeypatch.setattr(matching, "COMMON_BLOCK_KEY", 4)  # 'layanan' alone is too common to pair on
    # every single word of the twins is common in this agency; only their word pairs are not
    others = ["Pajak", "Parkir", "Perizinan", "Pengaduan", "Persalinan", "Perpustakaan"]
    rows = [
        ("IGA", f"n{i}", "33.74", f"{w} {x} Terpadu")
        for i, w in enumerate(others)
        for x in ("Siaga", "Bencana", "Kartu", "Pintar", "Layanan")
    ]
    rows = [(s, f"{r}-{k}", a, t) for k, (s, r, a, t) in enumerate(rows)]
    rows += [
        ("KIPP", "a1", "33.74", "Layanan Desa Siaga Bencana"),
        ("IGA", "a2", "33.74", "Layanan Dsea Siaga Bencana"),
        ("KIPP", "b1", "33.74", "Layanan Kartu Pintar"),
        ("IGA", "b2", "33.74", "Layanan Kartu Pinter"),
    ]
    found = groups(recs(rows))
    assert ["a1", "a2"] in found and ["b1", "b2"] in found
    assert all(len(g) == 1 for g in found if g[0].startswith("n"))


@pytest.mark.slow
def test_worker_processes_give_the_same_clusters_rules_and_reviews():
    """Agencies are matched in worker processes for large inputs; any number of workers must give
    exactly the one-process result, people's rejections included."""
    from pathlib import Path

    from jippnas_orchestration.harmonize.pipeline import build_staged
    from jippnas_orchestration.sources.iga import read_iga
    from jippnas_orchestration.sources.inolan import read_inolan
    from jippnas_orchestration.sources.kipp import read_kipp

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    staged = build_staged(
        read_kipp(sample / "kipp").records,
        read_iga(str(sample / "iga")).records,
        read_inolan(sample / "inolan.csv").records,
    )[0]
    records = staged[["source", "source_record_id", "agency_id", "title"]]
    one = match_records(records, workers=1)
    # a person split one merged pair: the cannot-link must hold in the workers too
    keys = records["source"] + ":" + records["source_record_id"].astype(str)
    merged = one.clusters[one.clusters.duplicated(keep=False)]
    first = merged[merged == merged.iloc[0]].index[:2]
    rejected = {tuple(sorted(keys.loc[first]))}
    for kw in ({}, {"rejected_pairs": rejected}):
        single, multi = (
            match_records(records, workers=1, **kw),
            match_records(records, workers=2, **kw),
        )
        assert single.clusters.equals(multi.clusters)
        assert single.rule.equals(multi.rule) and single.score.equals(multi.score)
        assert single.review_pairs.equals(multi.review_pairs)
        assert single.candidate_pairs == multi.candidate_pairs > 0
    split = match_records(records, workers=2, rejected_pairs=rejected).clusters
    assert split.loc[first[0]] != split.loc[first[1]]


def test_a_name_read_off_its_expansion_and_an_own_name_inside_the_parenthesis():
    # a syllable name of three words read off every word of a four-word expansion is its acronym
    assert title_parts("Lapor Sam Sigap (Layanan Portal Sampah Sigap)").acronym == "laporsamsigap"
    # three words beside four that it is not read off stay one title
    assert title_parts("Kampung Sehat Mandiri (Kampung Sejahtera Mandiri Desa)").acronym is None
    # a lead word before the acronym is not part of it
    assert title_parts("Program TERANG (Terapi Anak Gembira)").acronym == "terang"
    df = recs(
        [
            ("KIPP", "1", "35.78", "Lapor Sam Sigap"),
            ("IGA", "2", "35.78", "Lapor Sam Sigap (Layanan Portal Sampah Sigap)"),
            ("KIPP", "3", "35.78", "Siaga Ibu (Sistem Antar Jaga Ibu Hamil Kota Surabaya)"),
            ("IGA", "4", "35.78", "Sistem Antar Jaga Ibu Hamil Kota Surabaya (Siaga Ibu)"),
            ("INOLAN", "5", "35.78", "Program TERANG (Terapi Anak Gembira)"),
            ("IGA", "6", "35.78", "TERANG - Terapi Anak Gembira"),
        ]
    )
    assert groups(df) == [["1", "2"], ["3", "4"], ["5", "6"]]


def test_abbreviations_lead_words_and_a_name_written_after_its_words():
    # an acronym in parentheses spelling the words before it only abbreviates them
    assert title_parts("Kartu Sehat (KS) Lansia") == title_parts("Kartu Sehat Lansia")
    # ... unless it does not spell them
    assert title_parts("Sistem Informasi (SIM) Desa").expansion == "sistem informasi sim desa"
    df = recs(
        [
            # 'berbasis' only joins; a lead word ('Pemanfaatan') names no innovation
            ("KIPP", "1", "33.72", "Konseling Lansia (KL) Berbasis Musik"),
            ("IGA", "2", "33.72", "Konseling Lansia Musik"),
            ("KIPP", "3", "33.72", "Pemanfaatan Taman BACA-ASIK (Baca Asyik Keliling Kampung)"),
            ("IGA", "4", "33.72", "Taman Baca Asik"),
            # the same words with the name in parentheses, or written after them
            ("KIPP", "5", "33.72", "Gerakan Bersih Sungai (Kali Resik 24)"),
            ("IGA", "6", "33.72", "Gerakan (Bersih Sungai) Kali Resik 24"),
            # 'Innovation' beside a name is not part of it
            ("KIPP", "7", "33.72", "SIMAS innovation (Sistem Informasi Masjid Sehat)"),
            ("IGA", "8", "33.72", "Sistem Informasi Masjid Sehat (SIMAS)"),
        ]
    )
    assert groups(df) == [["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]]


def test_a_short_name_read_off_its_parenthesis_and_an_english_rendering_of_a_name():
    # 'Sapa Desa' is read off 'SAhabat Pelayanan DESA': a name, not a word the parenthesis glosses
    assert title_parts("Sapa Desa (Sahabat Pelayanan Desa)").acronym == "sapadesa"
    assert title_parts("Posyandu Lansia (Lanjut Usia)") == title_parts("Posyandu Lansia")
    df = recs(
        [
            ("KIPP", "1", "35.09", "Sapa Desa (Sahabat Pelayanan Desa)"),
            ("IGA", "2", "35.09", "Sahabat Pelayanan Desa"),
            # one acronym, its Indonesian expansion and its English rendering: one innovation
            ("KIPP", "3", "35.09", "SIPANDAI (Sistem Pelayanan Data Informasi)"),
            ("KIPP", "4", "35.09", "SIPANDAI: Integrated Information Service System for Villages"),
            # one acronym, two Indonesian expansions: still a question for a person
            ("IGA", "5", "35.09", "SIGAP (Sistem Informasi Gawat Darurat Puskesmas)"),
            ("IGA", "6", "35.09", "SIGAP (Siaga Pangan Keluarga)"),
        ]
    )
    assert groups(df) == [["1", "2"], ["3", "4"], ["5"], ["6"]]


def test_a_name_in_parentheses_before_a_colon_and_its_description():
    named = title_parts(
        "Kartu Antar Jemput Lansia (Kajem Lansia): Layanan Jemput Bola bagi Warga Lanjut Usia"
    )
    assert named == title_parts("Kajem Lansia (Kartu Antar Jemput Lansia)")
    df = recs(
        [
            ("KIPP", "1", "52.03", "Kartu Antar Jemput Lansia (Kajem Lansia): Layanan Jemput Bola"),
            ("IGA", "2", "52.03", "KAJEM LANSIA"),
            ("KIPP", "3", "52.03", "SIPANTAS (Sistem Pantau Stunting): dari posyandu ke dinas"),
            ("IGA", "4", "52.03", "Sistem Pantau Stunting"),
        ]
    )
    assert groups(df) == [["1", "2"], ["3", "4"]]
