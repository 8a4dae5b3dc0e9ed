"""The two gate suites, built from the project's own vocabularies and patterns: one source of truth.

An expectation is a plain dict in Great Expectations 1.x's suite format (`type`, `kwargs`, `meta`),
so this module imports no great_expectations; quality.gate turns the dicts into a suite at run time.
Every expectation names its data-quality dimension in `meta.dimension` (quality_history.dimension).
`{"$PARAMETER": name}` values are filled per run by assets/quality/gates.py:parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from ..columns import EMAIL, PHONE, PUBLIC_COLUMNS, URL
from ..sources.common import MIN_YEAR
from ..vocab import AGENCY_TYPES, CATEGORIES, SDG_NAMES, STAGES, STATUSES, UPDATE_STATUSES

COMPLETENESS, VALIDITY, UNIQUENESS = "completeness", "validity", "uniqueness"
CONSISTENCY, TIMELINESS = "consistency", "timeliness"
DIMENSIONS = (COMPLETENESS, VALIDITY, UNIQUENESS, CONSISTENCY, TIMELINESS)

HARMONIZED, PORTAL = "harmonized_innovations", "portal_candidate"

# contract section 3: the columns harmonized_innovations must carry
HARMONIZED_REQUIRED = [
    "innovation_id",
    "title",
    "agency_id",
    "year_first",
    "sources",
    "category",
    "sdgs",
    "status",
    "completeness",
    "missing_fields",
    "update_status",
    "last_updated_at",
]
KEY_FIELDS = ["innovation_id", "title", "agency_id", "year_first", "sources", "update_status"]
# public columns that must not carry an e-mail address / a phone number
NO_EMAIL = [
    "title",
    "summary",
    "outcomes",
    "awards",
    "agency_name",
    "video_url",
    "replicated_by",
    "status",
]
NO_PHONE = ["title", "summary", "outcomes", "awards", "agency_name"]
_SDG = "(?:" + "|".join(str(n) for n in sorted(SDG_NAMES, reverse=True)) + ")"
SDG_LIST = f"^{_SDG}(?:,{_SDG})*$"  # comma list of SDG numbers, as harmonize writes them
MAX_SIMILAR = 5
SIMILAR_IDS = f"^[^,@ ]+(,[^,@ ]+){{0,{MAX_SIMILAR - 1}}}$"


def expectation(type_: str, dimension: str, notes: str, **kwargs) -> dict:
    if dimension not in DIMENSIONS:
        raise ValueError(
            f"{type_}: unknown data-quality dimension {dimension!r}; one of {DIMENSIONS}"
        )
    return {"type": type_, "kwargs": kwargs, "meta": {"notes": notes, "dimension": dimension}}


def param(name: str) -> dict:
    return {"$PARAMETER": name}


def in_set(column: str, values, notes: str, dimension: str = VALIDITY) -> dict:
    value_set = values if isinstance(values, dict) else list(values)
    return expectation(
        "expect_column_values_to_be_in_set", dimension, notes, column=column, value_set=value_set
    )


def shared_expectations() -> list[dict]:
    """What both gates demand of an innovation row."""
    return [
        expectation(
            "expect_column_values_to_be_unique",
            UNIQUENESS,
            "one row per innovation",
            column="innovation_id",
        ),
        *[
            expectation(
                "expect_column_values_to_not_be_null",
                COMPLETENESS,
                f"{column} is a key or required field",
                column=column,
            )
            for column in KEY_FIELDS
        ],
        in_set("agency_id", param("agency_ids"), "every agency_id exists in agencies", CONSISTENCY),
        expectation(
            "expect_column_values_to_be_between",
            VALIDITY,
            "plausible years",
            column="year_first",
            min_value=MIN_YEAR,
            max_value=param("max_year"),
        ),
        in_set("update_status", UPDATE_STATUSES, "campaign status vocabulary"),
        in_set("status", STATUSES, "sustainability status vocabulary"),
        in_set("category", CATEGORIES, "KIPP 2021 category list"),
        in_set("agency_type", AGENCY_TYPES, "agency types of the contract"),
        in_set("stage", STAGES, "IGA stages"),
        expectation(
            "expect_column_values_to_match_regex",
            VALIDITY,
            "SDGs are integers 1-17",
            column="sdgs",
            regex=SDG_LIST,
        ),
        expectation(
            "expect_column_values_to_match_regex",
            VALIDITY,
            "video links are http(s) URLs",
            column="video_url",
            regex=URL,
        ),
        expectation(
            "expect_column_values_to_be_between",
            VALIDITY,
            "completeness is a fraction",
            column="completeness",
            min_value=0,
            max_value=1,
        ),
        expectation(
            "expect_column_values_to_be_between",
            VALIDITY,
            "replications are counted from zero",
            column="replication_count",
            min_value=0,
        ),
    ]


def harmonized_suite() -> dict:
    return {
        "name": HARMONIZED,
        "meta": {"notes": "Gate on the harmonized innovation table"},
        "expectations": [
            expectation(
                "expect_table_columns_to_match_set",
                VALIDITY,
                "the contract's required columns are present",
                column_set=HARMONIZED_REQUIRED,
                exact_match=False,
            ),
            *shared_expectations(),
        ],
    }


def no_personal_data() -> list[dict]:
    """No e-mail address or phone number published: the patterns scrub() removes."""

    def absent(column: str, pattern: str, notes: str) -> dict:
        return expectation(
            "expect_column_values_to_not_match_regex", VALIDITY, notes, column=column, regex=pattern
        )

    return [
        *[absent(c, EMAIL, "no e-mail addresses published") for c in NO_EMAIL],
        *[absent(c, PHONE, "no phone numbers published") for c in NO_PHONE],
        absent(
            "provenance",
            EMAIL,
            "provenance names programmes and years, never a person's e-mail address",
        ),
    ]


def portal_suite() -> dict:
    return {
        "name": PORTAL,
        "meta": {"notes": "Gate on the dataset about to be published"},
        "expectations": [
            expectation(
                "expect_table_columns_to_match_set",
                VALIDITY,
                "public columns only: no personal-data column",
                column_set=list(PUBLIC_COLUMNS),
                exact_match=True,
            ),
            expectation(
                "expect_table_row_count_to_be_between",
                CONSISTENCY,
                "no sudden collapse or explosion against the published version",
                min_value=param("min_rows"),
                max_value=param("max_rows"),
            ),
            *shared_expectations(),
            *no_personal_data(),
            expectation(
                "expect_column_values_to_match_regex",
                VALIDITY,
                f"at most {MAX_SIMILAR} innovation ids, nothing else",
                column="similar",
                regex=SIMILAR_IDS,
            ),
        ],
    }


SUITES: dict[str, Callable[[], dict]] = {HARMONIZED: harmonized_suite, PORTAL: portal_suite}


def suite(name: str) -> dict:
    try:
        return SUITES[name]()
    except KeyError:
        raise KeyError(f"no expectation suite {name!r}; the suites are {sorted(SUITES)}") from None
