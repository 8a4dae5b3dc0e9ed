"""Per-field provenance and similar innovations, on hand-made records with known answers."""

import json

import pandas as pd

from jippnas_orchestration.harmonize.merge import merge_innovations
from jippnas_orchestration.harmonize.provenance import build_provenance, public_provenance
from jippnas_orchestration.similar import build_similar


def staged_records() -> pd.DataFrame:
    base = {
        "agency_id": "35.10",
        "category": None,
        "start_year": None,
        "sdgs": None,
        "award_label": None,
        "award_year": None,
        "stage": None,
        "summary": None,
        "outcomes": None,
        "title": None,
    }
    rows = [
        {
            "source": "KIPP",
            "source_record_id": "K1",
            "year": 2021,
            "title": "Judul KIPP",
            "category": "Kesehatan",
            "sdgs": "3",
            "award_label": "Top 45",
            "award_year": 2021,
        },
        {
            "source": "IGA",
            "source_record_id": "I1",
            "year": 2019,
            "title": "Judul IGA lama",
            "summary": "IGA lama",
            "stage": "uji coba",
            "outcomes": "hasil lama",
            "start_year": 2017,
        },
        {
            "source": "IGA",
            "source_record_id": "I2",
            "year": 2022,
            "title": "Judul IGA",
            "summary": "IGA baru",
            "stage": "penerapan",
            "outcomes": "hasil baru",
            "sdgs": "3,10",
        },
        {
            "source": "INOLAN",
            "source_record_id": "N1",
            "year": 2020,
            "title": "Judul LAN",
            "summary": "ringkasan LAN",
            "start_year": 2018,
        },
        # another innovation, of one record only
        {
            "source": "IGA",
            "source_record_id": "I9",
            "year": 2023,
            "title": "Lain",
            "summary": "lain",
            "agency_id": "32.73",
        },
    ]
    return pd.DataFrame([base | r for r in rows])


SOURCE_MAP = pd.DataFrame(
    {
        "source": ["KIPP", "IGA", "IGA", "INOLAN", "IGA"],
        "source_record_id": ["K1", "I1", "I2", "N1", "I9"],
        "innovation_id": ["JIP-A", "JIP-A", "JIP-A", "JIP-A", "JIP-B"],
    }
)
AGENCIES = pd.DataFrame(
    {
        "agency_id": ["35.10", "32.73"],
        "agency_name": ["Kab. Banyuwangi", "Kota Bandung"],
        "agency_type": ["kabupaten", "kota"],
        "province_code": ["35", "32"],
    }
)
NO_LOG = pd.DataFrame(
    columns=[
        "change_id",
        "submission_id",
        "innovation_id",
        "field",
        "old_value",
        "new_value",
        "submitted_at",
    ]
)


def origin(prov: pd.DataFrame, innovation: str, field: str) -> list[tuple]:
    rows = prov[(prov["innovation_id"] == innovation) & (prov["field"] == field)]
    return sorted(
        zip(
            rows["origin"],
            rows["source_record_id"].fillna(rows["submission_id"]),
            rows["rule"].str[:8],
        )
    )


def test_each_field_names_the_record_the_merge_took_it_from():
    prov = build_provenance(staged_records(), SOURCE_MAP, NO_LOG)
    merged = merge_innovations(staged_records(), SOURCE_MAP, AGENCIES).set_index("innovation_id")
    assert merged.loc["JIP-A", "title"] == "Judul KIPP" and origin(prov, "JIP-A", "title") == [
        ("KIPP", "K1", "first by")
    ]
    # KIPP has no summary: InoLAN comes before IGA
    assert merged.loc["JIP-A", "summary"] == "ringkasan LAN"
    assert origin(prov, "JIP-A", "summary") == [("INOLAN", "N1", "first by")]
    assert origin(prov, "JIP-A", "year_first") == [("IGA", "I1", "earliest")]
    assert origin(prov, "JIP-A", "year_last") == [("IGA", "I2", "latest r")]
    assert origin(prov, "JIP-A", "start_year") == [("IGA", "I1", "earliest")]
    assert merged.loc["JIP-A", "stage"] == "penerapan" and origin(prov, "JIP-A", "stage") == [
        ("IGA", "I2", "most rec")
    ]
    assert [o[1] for o in origin(prov, "JIP-A", "sdgs")] == ["I2", "K1"]
    assert [o[1] for o in origin(prov, "JIP-A", "sources")] == ["I1", "I2", "N1", "K1"]
    assert origin(prov, "JIP-A", "awards") == [("KIPP", "K1", "union of")]
    assert origin(prov, "JIP-B", "title") == [("IGA", "I9", "first by")]
    assert prov[prov["innovation_id"] == "JIP-A"]["field"].nunique() == 15
    assert "status" not in set(prov["field"])  # nothing set it


def test_winning_submission_takes_over_the_fields_it_set():
    log = pd.DataFrame(
        [
            {
                "change_id": 1,
                "submission_id": "S-old",
                "innovation_id": "JIP-A",
                "field": "summary",
                "old_value": None,
                "new_value": json.dumps("lama"),
                "submitted_at": "2024-01-01T00:00:00+07:00",
            },
            {
                "change_id": 2,
                "submission_id": "S-new",
                "innovation_id": "JIP-A",
                "field": "summary",
                "old_value": None,
                "new_value": json.dumps("baru"),
                "submitted_at": "2024-06-01T00:00:00+07:00",
            },
            {
                "change_id": 3,
                "submission_id": "S-old",
                "innovation_id": "JIP-A",
                "field": "status",
                "old_value": None,
                "new_value": json.dumps("berhenti"),
                "submitted_at": "2024-01-01T00:00:00+07:00",
            },
        ]
    )
    prov = build_provenance(staged_records(), SOURCE_MAP, log)
    assert origin(prov, "JIP-A", "summary") == [("submission", "S-new", "accepted")]
    assert origin(prov, "JIP-A", "status") == [("submission", "S-old", "accepted")]
    assert origin(prov, "JIP-A", "title") == [("KIPP", "K1", "first by")]
    public = json.loads(public_provenance(prov, ["title", "summary", "sources", "status"])["JIP-A"])
    assert public == {
        "title": ["KIPP 2021"],
        "summary": ["submission"],
        "status": ["submission"],
        "sources": ["IGA 2019", "IGA 2022", "INOLAN 2020", "KIPP 2021"],
    }
    assert "S-new" not in json.dumps(public)


def test_similar_suggests_only_active_innovations_of_other_agencies():
    df = pd.DataFrame(
        [
            {
                "innovation_id": "A",
                "agency_id": "1",
                "title": "Posyandu keliling balita gizi",
                "summary": None,
                "category": "Kesehatan",
                "status": None,
            },
            {
                "innovation_id": "B",
                "agency_id": "1",
                "title": "Posyandu keliling balita gizi",
                "summary": None,
                "category": "Kesehatan",
                "status": None,
            },  # same agency: never suggested to A
            {
                "innovation_id": "C",
                "agency_id": "2",
                "title": "Posyandu balita gizi buruk",
                "summary": None,
                "category": "Kesehatan",
                "status": None,
            },
            {
                "innovation_id": "D",
                "agency_id": "3",
                "title": "Posyandu keliling balita gizi",
                "summary": None,
                "category": "Kesehatan",
                "status": "berhenti",
            },  # stopped: never suggested
            {
                "innovation_id": "E",
                "agency_id": "4",
                "title": "Sampah bank digital",
                "summary": "sampah plastik",
                "category": "Lingkungan",
                "status": None,
            },
            {
                "innovation_id": "F",
                "agency_id": "5",
                "title": "Bank sampah sekolah",
                "summary": None,
                "category": "Lingkungan",
                "status": None,
            },
        ]
    )
    sim = build_similar(df)
    a = sim[sim["innovation_id"] == "A"]
    assert a["similar_innovation_id"].tolist() == ["C"]
    assert "posyandu" in a["reason"].iloc[0] and "kategori sama: Kesehatan" in a["reason"].iloc[0]
    assert sim[sim["innovation_id"] == "E"]["similar_innovation_id"].tolist() == ["F"]
    agency = dict(zip(df["innovation_id"], df["agency_id"]))
    assert all(
        agency[a] != agency[b] for a, b in zip(sim["innovation_id"], sim["similar_innovation_id"])
    )
    assert "D" not in set(sim["similar_innovation_id"])
    pd.testing.assert_frame_equal(sim, build_similar(df.sample(frac=1, random_state=3)))
