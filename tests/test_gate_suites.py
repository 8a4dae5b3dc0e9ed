"""The gate suites are built from the vocabularies and patterns the code uses: they cannot drift."""

import pandas as pd
import pytest

from jippnas_orchestration import vocab
from jippnas_orchestration.publication.public import FREE_TEXT, PUBLIC_COLUMNS, portal_frame, scrub
from jippnas_orchestration.quality import suites
from jippnas_orchestration.quality.gate import run_suite

PARAMS = {"agency_ids": ["35.10", "KEMENKES"], "max_year": 2027, "min_rows": 1, "max_rows": 1000}
PERSONAL = ["budi.s@gmail.com", "0812-3456-7890", "+62 812 3456 7890"]


def every_value_frame() -> pd.DataFrame:
    """One row per value of the longest vocabulary; every vocabulary value appears at least once."""
    vocabularies = {
        "category": vocab.CATEGORIES,
        "status": vocab.STATUSES,
        "stage": vocab.STAGES,
        "agency_type": vocab.AGENCY_TYPES,
        "update_status": vocab.UPDATE_STATUSES,
        "sdgs": [str(n) for n in vocab.SDG_NAMES],
    }
    n = max(len(v) for v in vocabularies.values())
    rows = [
        {c: None for c in PUBLIC_COLUMNS}
        | {
            "innovation_id": f"JIP-{i:010d}",
            "title": f"Inovasi {i}",
            "agency_id": PARAMS["agency_ids"][i % 2],
            "agency_name": "Kabupaten Banyuwangi",
            "year_first": 2019,
            "sources": "KIPP",
            "completeness": 0.5,
            "summary": "Melayani 12.000 warga sejak 2019.",
            "similar": "JIP-0000000001,JIP-0000000002",
        }
        | {col: values[i % len(values)] for col, values in vocabularies.items()}
        for i in range(n)
    ]
    return pd.DataFrame(rows)


def test_every_expectation_names_a_known_dimension_and_great_expectations_accepts_the_suites():
    from great_expectations.core import ExpectationSuite

    for name in suites.SUITES:
        spec = suites.suite(name)
        assert {e["meta"]["dimension"] for e in spec["expectations"]} <= set(suites.DIMENSIONS)
        built = ExpectationSuite(name=spec["name"], expectations=spec["expectations"])
        assert len(built.expectations) == len(spec["expectations"])
    with pytest.raises(ValueError, match="unknown data-quality dimension 'privacy'"):
        suites.expectation("expect_column_values_to_not_be_null", "privacy", "", column="title")
    with pytest.raises(KeyError, match="no expectation suite 'portal'"):
        suites.suite("portal")


def test_the_portal_suite_reuses_every_expectation_of_the_harmonized_suite():
    portal = suites.portal_suite()["expectations"]
    for e in suites.harmonized_suite()["expectations"]:
        if (
            e["type"] != "expect_table_columns_to_match_set"
        ):  # the portal demands its exact public set instead
            assert e in portal, e


def test_every_vocabulary_value_passes_and_each_outsider_fails(tmp_path):
    good = every_value_frame()
    for name in suites.SUITES:
        result = run_suite(name, good, PARAMS, "innovation_id", tmp_path)
        assert result.success, [(o.expectation, o.column, o.observed) for o in result.failed]
    bad = good.assign(
        category=good["category"].str.upper(),
        stage="ujicoba",
        agency_type="pemda",
        update_status="updated ",
        sdgs="3,18",
    )
    failed = {
        o.column
        for o in run_suite("harmonized_innovations", bad, PARAMS, "innovation_id", tmp_path).failed
    }
    assert failed == {"category", "stage", "agency_type", "update_status", "sdgs"}


def test_the_gate_refuses_what_scrub_removes_in_every_checked_column(tmp_path):
    frame = every_value_frame()
    dirty = frame.copy()
    for i, column in enumerate(suites.NO_EMAIL):
        dirty.loc[i, column] = f"hubungi {PERSONAL[0]}"
    for i, column in enumerate(suites.NO_PHONE):
        dirty.loc[i + 1, column] = f"WA {PERSONAL[1 + i % 2]}"
    dirty.loc[2, "provenance"] = '{"summary": ["' + PERSONAL[0] + '"]}'
    result = run_suite("portal_candidate", dirty, PARAMS, "innovation_id", tmp_path)
    failed = {(o.expectation, o.column): o for o in result.failed}
    for column in suites.NO_EMAIL + suites.NO_PHONE + ["provenance"]:
        assert ("expect_column_values_to_not_match_regex", column) in failed, column
    assert failed["expect_column_values_to_not_match_regex", "summary"].dimension == suites.VALIDITY
    # portal_frame's scrubbed free text passes: the suite checks the patterns scrub() uses
    cleaned = portal_frame(dirty.drop(columns=["similar", "provenance"]))
    assert all(scrub(p) == "[disembunyikan]" for p in PERSONAL)
    remaining = {
        o.column
        for o in run_suite("portal_candidate", cleaned, PARAMS, "innovation_id", tmp_path).failed
    }
    assert remaining == set(suites.NO_EMAIL + suites.NO_PHONE) - set(
        FREE_TEXT
    )  # scrub() covers FREE_TEXT


def test_outcomes_carry_their_dimension(tmp_path):
    df = every_value_frame().assign(title=None, agency_id="99.99")
    result = run_suite("portal_candidate", df, PARAMS, "innovation_id", tmp_path)
    dims = {(o.expectation, o.column): o.dimension for o in result.failed}
    assert dims == {
        ("expect_column_values_to_not_be_null", "title"): suites.COMPLETENESS,
        ("expect_column_values_to_be_in_set", "agency_id"): suites.CONSISTENCY,
    }
    assert {o.dimension for o in result.outcomes} == {
        suites.COMPLETENESS,
        suites.VALIDITY,
        suites.UNIQUENESS,
        suites.CONSISTENCY,
    }
