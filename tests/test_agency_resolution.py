"""Agency registry and name resolution (contract section 2)."""

import pytest

from jippnas_orchestration.agencies.registry import agencies_frame, regions
from jippnas_orchestration.agencies.resolve import current_code, resolve_agency


def test_registry_has_every_current_region_and_central_agencies():
    df = agencies_frame()
    counts = df["agency_type"].value_counts()
    assert counts["provinsi"] == 38 and counts["kabupaten"] + counts["kota"] == 514
    assert df["agency_id"].is_unique
    names = dict(zip(df["agency_id"], df["agency_name"]))
    assert names["35.10"] == "Kabupaten Banyuwangi" and names["32.73"] == "Kota Bandung"
    assert names["32"] == "Provinsi Jawa Barat" and names["11"] == "Pemerintah Aceh"
    assert {"93", "94", "95", "96"} <= set(names)  # the 2022 Papua provinces
    assert {"kementerian", "lembaga", "bumn", "bumd"} <= set(counts.index)


@pytest.mark.parametrize(
    "name,hint",
    [
        ("Pemkab Banyuwangi", None),
        ("Kab. Banyuwangi", None),
        ("PEMERINTAH KABUPATEN BANYUWANGI", None),
        ("Kabupaten banyuwangi", None),
        ("Banyuwangi", "kabupaten"),
        ("Kabupaten Banyuwangy", None),
    ],
)
def test_banyuwangi_variants(name, hint):
    assert resolve_agency(name, hint).agency_id == "35.10"


@pytest.mark.parametrize(
    "name",
    [
        "Kemenkes",
        "Kementerian Kesehatan RI",
        "Kementerian Kesehatan Republik Indonesia",
        "Kementrian Kesehatan",
    ],
)
def test_ministry_variants(name):
    assert resolve_agency(name).agency_id == "KEMENKES"


def test_twins_are_never_guessed():
    assert resolve_agency("Bandung").agency_id is None
    assert "ambiguous" in resolve_agency("Bandung").note
    assert resolve_agency("Bandung", "kota").agency_id == "32.73"
    assert resolve_agency("Bandung", "kabupaten").agency_id == "32.04"
    assert resolve_agency("Kab. Malang").agency_id == "35.07"
    assert resolve_agency("Kota Malang").agency_id == "35.73"
    assert resolve_agency("Bogor", code_hint="32.71").agency_id == "32.71"


def test_name_decides_over_stale_or_twin_code():
    r = resolve_agency("Kab. Bandung", code_hint="32.73")
    assert r.agency_id == "32.04" and "name decided" in r.note
    assert resolve_agency("Kab. Merauke", code_hint="91.01").agency_id == "93.01"
    assert (
        current_code("9101") == "93.01"
        and current_code("35.10") == "35.10"
        and current_code("99.99") is None
    )


def test_offices_belong_to_their_government_or_ministry():
    assert resolve_agency("Dinas Kesehatan Kota Cirebon").agency_id == "32.74"
    assert resolve_agency("RSUD Kabupaten Sleman").agency_id == "34.04"
    assert resolve_agency("Dinas Pendidikan Provinsi Jawa Barat").agency_id == "32"
    assert resolve_agency("Kantor Imigrasi Kelas I Jakarta Selatan").agency_id == "KEMENIMIPAS"
    assert resolve_agency("Kantor Pertanahan Kota Bandung").agency_id == "ATRBPN"
    # the most specific government mentioned owns it
    assert (
        resolve_agency(
            "Puskesmas Sobo Kecamatan Banyuwangi Kabupaten Banyuwangi Provinsi Jawa Timur"
        ).agency_id
        == "35.10"
    )
    assert resolve_agency("Kab Banyuwangi Prov Jatim").agency_id == "35.10"


def test_provinces_and_special_regions():
    assert resolve_agency("Pemerintah Aceh").agency_id == "11"
    assert resolve_agency("Pemprov DKI Jakarta").agency_id == "31"
    assert resolve_agency("Kota Administrasi Jakarta Selatan").agency_id == "31.74"
    assert resolve_agency("Prov. Papua Pegunungan").agency_id == "95"


@pytest.mark.parametrize("name", ["Instansi Tidak Diketahui", "", None, "Gorontalo"])
def test_unresolvable_names_go_to_review(name):
    r = resolve_agency(name)
    assert r.agency_id is None and r.method == "unresolved"


def test_every_region_resolves_from_its_own_name():
    for region in regions():
        assert resolve_agency(region.name).agency_id == region.code, region


@pytest.mark.parametrize(
    "name,hint,code,expected",
    [
        ("Kab. Sleamn", None, None, "34.04"),  # swapped letters, type written
        ("KOTA SURABYA", None, None, "35.78"),  # a letter dropped
        ("Pemkab Bnayuwangi", None, None, "35.10"),
        ("Pemerintah Kabupaten Gunungkidul", None, None, "34.03"),  # written as one word
        (
            "Dinas Sosial Kabupaten Sleamn",
            None,
            None,
            "34.04",
        ),  # an office, with a typo in its government
        ("Slemna", "kabupaten", None, "34.04"),  # bare name, type from the record
        ("KOTA SURABYA", None, "35.78", "35.78"),
    ],
)
def test_typos_resolve_when_one_region_is_that_close(name, hint, code, expected):
    assert resolve_agency(name, hint, code).agency_id == expected


def test_a_typo_between_two_regions_is_not_guessed_but_the_code_can_decide():
    from rapidfuzz.distance import OSA

    kab = [
        r
        for r in regions()
        if r.type == "kabupaten" and 5 <= len(r.base) <= 8 and " " not in r.base
    ]
    a, b = next(
        (x, y)
        for x in kab
        for y in kab
        if x.code < y.code
        and len(x.base) == len(y.base)
        and OSA.distance(x.base.lower(), y.base.lower()) == 2
    )
    # one letter of a taken from b: now one edit from both
    i = next(k for k in range(len(a.base)) if a.base[k].lower() != b.base[k].lower())
    typo = a.base[:i] + b.base[i] + a.base[i + 1 :]
    r = resolve_agency(f"Kabupaten {typo}")
    assert r.agency_id is None and {c[0] for c in r.candidates} >= {a.code, b.code}
    assert resolve_agency(f"Kabupaten {typo}", code_hint=b.code).agency_id == b.code


def test_typo_never_picks_a_kabupaten_kota_twin_without_the_type():
    r = resolve_agency("Bandnug")
    assert r.agency_id is None


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Pemerintah Daerah Istimewa Yogyakarta", "34"),
        ("Pemda DIY", "34"),
        ("Pemprov DIY", "34"),
        ("Pemerintah Provinsi D.I. Yogyakarta", "34"),
        ("Pemprov DKI", "31"),
        ("Provinsi Yogyakarta", "34"),
        ("Pemprov Jatim", "35"),
        ("Pemerintah Provinsi Kep. Bangka Belitung", "19"),
    ],
)
def test_provinces_by_their_everyday_names(name, expected):
    assert resolve_agency(name).agency_id == expected


def test_a_bare_city_name_that_is_also_a_province_form_is_not_guessed():
    assert resolve_agency("Yogyakarta").agency_id is None
    assert resolve_agency("Yogyakarta", "kota").agency_id == "34.71"


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Kementerian LHK", "KLHK"),
        ("Kemen LHK", "KLHK"),
        ("Kemen PAN-RB", "KEMENPANRB"),
        ("KemenPPPA", "KEMENPPPA"),
        ("Kementerian ESDM RI", "KESDM"),
        ("Kemenko PMK", "KEMENKOPMK"),
        ("Kementerian KP", "KKP"),
        ("Kementerian ATR/BPN", "ATRBPN"),
        ("BNPB", "BNPB"),
        ("Kementrian Pertanian Republik Indonesia", "KEMENTAN"),
    ],
)
def test_ministries_and_agencies_by_their_short_forms(name, expected):
    assert resolve_agency(name).agency_id == expected


def test_unresolved_names_carry_candidates_for_a_person():
    r = resolve_agency("Kab. Antah Berantah")
    assert r.agency_id is None and r.method == "unresolved"
    twins = resolve_agency("Malang")
    assert {c[0] for c in twins.candidates} == {"35.07", "35.73"}


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Kabupaten Toba Samosir", "12.12"),
        ("Pemkab Mamuju Utara", "76.01"),
        ("Pemkot Ujung Pandang", "73.71"),
        ("Provinsi Irian Jaya Barat", "92"),
        ("Pemkab Kukar", "64.02"),
        ("Kukar", "64.02"),
        ("Kota Solo", "33.72"),
        ("Dinas Pendidikan Kabupaten Toba Samosir", "12.12"),
    ],
)
def test_former_names_and_short_forms_of_regions(name, expected):
    assert resolve_agency(name).agency_id == expected


def test_a_short_form_one_letter_from_another_region_is_not_read_as_its_typo():
    # 'Barut' (Barito Utara) and 'Garut' are one letter apart: the short form decides, never the typo rule
    assert resolve_agency("Kabupaten Barut").agency_id == "62.05"
    assert resolve_agency("Kabupaten Garut").agency_id == "32.05"
    assert (
        resolve_agency("Kabupaten Xarut").agency_id is None
    )  # a first letter changed in a short name


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Direktorat Jenderal Pajak", "KEMENKEU"),
        ("Kantor Wilayah DJP Jawa Timur I", "KEMENKEU"),
        ("Ditjen Dukcapil", "KEMENDAGRI"),
        ("Direktorat Jenderal Perhubungan Darat", "KEMENHUB"),
        ("Kantor Urusan Agama Kecamatan Sukajadi", "KEMENAG"),
    ],
)
def test_a_unit_that_names_only_itself_belongs_to_its_ministry(name, expected):
    assert resolve_agency(name).agency_id == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        # an agency's own short form followed by its unit and place
        ("PLN UP3 Malang", "PLN"),
        ("BMKG Stasiun Meteorologi Juanda", "BMKG"),
        ("BRI Kantor Cabang Kediri", "BRI"),
        ("Telkom Witel Denpasar", "TELKOM"),
        ("BPKP Perwakilan Provinsi Bali", "BPKP"),
        ("KPU Kabupaten Gresik", "KPU"),
        # vertical offices named by what they are
        ("Kejati Sulawesi Selatan", "KEJAGUNG"),
        ("Pengadilan Tinggi Agama Surabaya", "MA"),
        ("PTUN Bandung", "MA"),
        ("Kantor Imigrasi Kelas II TPI Kediri", "KEMENIMIPAS"),
        ("Rudenim Pekanbaru", "KEMENIMIPAS"),
        ("Balai Pemasyarakatan Kelas I Malang", "KEMENIMIPAS"),
        ("KPPBC Tipe Madya Pabean Tanjung Perak", "KEMENKEU"),
        ("Kodim 0818 Malang-Batu", "TNI"),
        ("Lanud Abdulrachman Saleh", "TNI"),
        ("Balai KSDA Jawa Timur", "KEMENHUT"),
        ("MTsN 3 Kabupaten Kediri", "KEMENAG"),
    ],
)
def test_vertical_offices_and_units_belong_to_their_central_agency(name, expected):
    assert resolve_agency(name).agency_id == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        # a regional government's own offices stay with it, whatever central word they carry
        ("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kediri", "35.06"),
        ("BPBD Kabupaten Malang", "35.07"),
        ("Badan Kepegawaian Daerah Kota Malang", "35.73"),
        ("Satuan Polisi Pamong Praja Kota Kediri", "35.71"),
    ],
)
def test_regional_offices_are_not_read_as_central_units(name, expected):
    assert resolve_agency(name).agency_id == expected


def test_an_office_with_a_bare_region_name_belongs_to_that_region_unless_it_is_a_twin():
    assert resolve_agency("Dinas Kesehatan Banyuwangi").agency_id == "35.10"
    assert resolve_agency("RSUD Sleman").agency_id == "34.04"
    assert resolve_agency("Dinas Kesehatan Malang").agency_id is None
    assert resolve_agency("Dinas Kesehatan Malang", code_hint="35.73").agency_id == "35.73"


def test_a_typo_without_a_type_resolves_only_away_from_twins():
    assert resolve_agency("Banywangi").agency_id == "35.10"  # one region that close, no twin
    near_twin = resolve_agency("Bnadung")  # Badung, and the Bandung twins
    assert near_twin.agency_id is None and {"32.04", "32.73", "51.03"} <= {
        c[0] for c in near_twin.candidates
    }
    assert resolve_agency("Bnadung", code_hint="32.73").agency_id == "32.73"
