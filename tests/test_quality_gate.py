"""Each expectation fails on purpose-made bad data; the gate result names what failed."""

import pandas as pd
import pytest

from jippnas_orchestration.publication.public import PUBLIC_COLUMNS, portal_frame, scrub
from jippnas_orchestration.quality.gate import load_suite, run_suite

AGENCIES = ["35.10", "32.73", "KEMENKES"]
PARAMS = {"agency_ids": AGENCIES, "max_year": 2027, "min_rows": 2, "max_rows": 10}


def good_frame(n=4) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append(
            {c: None for c in PUBLIC_COLUMNS}
            | {
                "innovation_id": f"JIP-{i:010d}",
                "title": f"Inovasi {i}",
                "agency_id": AGENCIES[i % 3],
                "agency_name": "Kabupaten Banyuwangi",
                "agency_type": "kabupaten",
                "year_first": 2019,
                "sources": "KIPP",
                "category": "Kesehatan",
                "sdgs": "3,10",
                "status": "berhenti",
                "stage": "penerapan",
                "video_url": "https://v.example.go.id/x",
                "completeness": 0.75,
                "replication_count": 2,
                "update_status": "pending",
                "summary": "Hemat 12.000 jam; hubungi kantor.",
                "outcomes": "Naik 35%.",
            }
        )
    df = pd.DataFrame(rows)
    df["replication_count"] = df["replication_count"].astype("Int64")
    return df


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("gate")


def test_good_data_passes_and_docs_are_built(out_dir):
    result = run_suite("portal_candidate", good_frame(), PARAMS, "innovation_id", out_dir)
    assert result.success, [o for o in result.failed]
    assert (out_dir / "data_docs" / "index.html").exists() and (
        out_dir / "quality" / "portal_candidate.json"
    ).exists()
    assert len(result.outcomes) == len(load_suite("portal_candidate")["expectations"])


BAD = {
    "unique innovation_id": (
        lambda d: d.assign(innovation_id="JIP-0000000000"),
        "expect_column_values_to_be_unique",
        "innovation_id",
    ),
    "null title": (lambda d: d.assign(title=None), "expect_column_values_to_not_be_null", "title"),
    "unknown agency": (
        lambda d: d.assign(agency_id="99.99"),
        "expect_column_values_to_be_in_set",
        "agency_id",
    ),
    "year range": (
        lambda d: d.assign(year_first=20019),
        "expect_column_values_to_be_between",
        "year_first",
    ),
    "status vocabulary": (
        lambda d: d.assign(status="aktif"),
        "expect_column_values_to_be_in_set",
        "status",
    ),
    "update_status vocabulary": (
        lambda d: d.assign(update_status="done"),
        "expect_column_values_to_be_in_set",
        "update_status",
    ),
    "category vocabulary": (
        lambda d: d.assign(category="Olahraga"),
        "expect_column_values_to_be_in_set",
        "category",
    ),
    "sdgs range": (lambda d: d.assign(sdgs="3,18"), "expect_column_values_to_match_regex", "sdgs"),
    "url format": (
        lambda d: d.assign(video_url="javascript:alert(1)"),
        "expect_column_values_to_match_regex",
        "video_url",
    ),
    "completeness range": (
        lambda d: d.assign(completeness=1.5),
        "expect_column_values_to_be_between",
        "completeness",
    ),
    "negative replications": (
        lambda d: d.assign(replication_count=-1),
        "expect_column_values_to_be_between",
        "replication_count",
    ),
    "email in text": (
        lambda d: d.assign(summary="hubungi budi.s@gmail.com"),
        "expect_column_values_to_not_match_regex",
        "summary",
    ),
    "phone in text": (
        lambda d: d.assign(outcomes="WA 0812-3456-7890"),
        "expect_column_values_to_not_match_regex",
        "outcomes",
    ),
    "personal column": (
        lambda d: d.assign(email_inovator="x@y.id"),
        "expect_table_columns_to_match_set",
        None,
    ),
    "row count collapse": (lambda d: d.head(1), "expect_table_row_count_to_be_between", None),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_expectation_fails_on_bad_data(case, out_dir):
    mutate, expectation, column = BAD[case]
    result = run_suite("portal_candidate", mutate(good_frame()), PARAMS, "innovation_id", out_dir)
    assert not result.success
    failed = {(o.expectation, o.column) for o in result.failed}
    assert (expectation, column) in failed, failed
    hit = [o for o in result.failed if (o.expectation, o.column) == (expectation, column)][0]
    if column and expectation != "expect_column_values_to_be_unique":
        assert hit.unexpected_count and hit.sample_keys[0].startswith("JIP-")


def test_harmonized_suite_requires_the_contract_columns(out_dir):
    df = good_frame().drop(columns=["update_status"])
    result = run_suite("harmonized_innovations", df, PARAMS, "innovation_id", out_dir)
    assert not result.success


def test_portal_frame_keeps_public_columns_and_scrubs_free_text():
    h = good_frame().assign(
        summary="Kontak: siti@desa.go.id atau +62 812 3456 7890; 12.000 warga terlayani",
        email_inovator="x@y.id",
    )
    out = portal_frame(h)
    assert list(out.columns) == PUBLIC_COLUMNS
    assert (
        out["summary"].iloc[0]
        == "Kontak: [disembunyikan] atau [disembunyikan]; 12.000 warga terlayani"
    )
    assert scrub("Tahun 2021, 3.500 KK, 0812 3456 789") == "Tahun 2021, 3.500 KK, [disembunyikan]"
