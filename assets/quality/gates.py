"""The quality gates: Great Expectations suites run inside the asset that wrote the table.

The gates are check specs of `harmonized_innovations` and `portal_candidate` (blocking), so a
table is never materialized without its gate being evaluated on exactly what was stored. Each
evaluation goes to quality_history with the checksum of the data validated; publication later
demands a passing evaluation of that checksum (jippnas_orchestration.publication.gatekeeper).
"""

import math
from datetime import date, datetime, timezone

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, MetadataValue

from jippnas_orchestration.links import DATA_DOCS_PAGE
from jippnas_orchestration.quality import history
from jippnas_orchestration.quality.retention import Retention, prune_quality
from resources import OutputResource

HARMONIZED_GATE = "harmonized_innovations_gate"
PORTAL_GATE = "portal_candidate_gate"
MAX_SHRINK, MAX_GROWTH = 0.30, 1.00  # allowed change of the row count against the published version

HARMONIZED_GATE_SPEC = AssetCheckSpec(
    HARMONIZED_GATE,
    asset="harmonized_innovations",
    blocking=True,
    description="Great Expectations suite harmonized_innovations (quality/suites.py) on the table "
    "as stored; "
    "blocks everything downstream, publication included, when it fails.",
)
PORTAL_GATE_SPEC = AssetCheckSpec(
    PORTAL_GATE,
    asset="portal_candidate",
    blocking=True,
    description="Great Expectations suite portal_candidate (quality/suites.py): public columns "
    "only, no e-mail or "
    "phone, vocabularies, and a bounded row-count change against the published version. Blocks "
    "publication when it fails; portal_innovations also refuses any content without a passing result.",
)


def row_bounds(previous_rows: int | None) -> tuple[int, int | None]:
    if not previous_rows:
        return 1, None
    return math.floor(previous_rows * (1 - MAX_SHRINK)), math.ceil(
        previous_rows * (1 + MAX_GROWTH)
    ) + 100


def parameters(wh, suite: str, published_rows: int | None = None) -> dict:
    """The suite's run-time values; `published_rows` (the portal's current row count) bounds the
    candidate's."""
    params = {
        "agency_ids": wh.read_table("agencies", ["agency_id"])["agency_id"].tolist(),
        "max_year": date.today().year + 1,
    }
    if suite == "portal_candidate":
        lo, hi = row_bounds(published_rows)
        params |= {"min_rows": lo, "max_rows": hi}
    return params


def run_gate(
    wh,
    expectations,
    output: OutputResource,
    suite: str,
    check_name: str,
    df: pd.DataFrame,
    run_id: str | None,
    checksum: str,
    table_rows: int | None = None,
    published_rows: int | None = None,
) -> AssetCheckResult:
    """Validate `df`, record the verdict under its checksum, bound the history, and report it to Dagster.

    Incremental runs pass the whole table's `checksum` and `table_rows` with only the changed
    rows in `df` (quality.gate.run_suite)."""
    gate = expectations.validate(
        suite, df, parameters(wh, suite, published_rows), checksum=checksum, table_rows=table_rows
    )
    evaluation_id = history.record(wh, gate, run_id)
    prune_quality(wh, output.path(), suite, Retention.from_env(), datetime.now(timezone.utc))
    failed = gate.failed
    table = "\n".join(
        f"| {o.expectation} | {o.column or ''} | {o.unexpected_count if o.unexpected_count is not None else ''} "
        f"| {o.observed if o.observed is not None else ''} | {', '.join(map(str, o.sample_keys[:5]))} |"
        for o in failed
    )
    return AssetCheckResult(
        check_name=check_name,
        passed=gate.success,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "checksum": checksum,
            "evaluation_id": evaluation_id,
            "evaluated_at": gate.evaluated_at,
            "expectations": len(gate.outcomes),
            "failed_expectations": len(failed),
            "rows": gate.rows,
            "failures": MetadataValue.md(
                "| expectation | column | unexpected | observed | sample keys |\n|---|---|---|---|---|\n"
                + table
                if failed
                else "all expectations met"
            ),
            "results_json": MetadataValue.path(gate.results_path or ""),
            "data_docs": MetadataValue.url(output.url(DATA_DOCS_PAGE)),
        },
    )
