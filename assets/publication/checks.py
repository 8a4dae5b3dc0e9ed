"""The publication gate: Great Expectations suites as blocking asset checks."""

import math
from datetime import date

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from jippnas_orchestration.links import DATA_DOCS_PAGE
from jippnas_orchestration.publication.publish import current_manifest
from resources import ExpectationsResource, OutputResource, WarehouseResource

HARMONIZED_GATE = "harmonized_innovations_gate"
PORTAL_GATE = "portal_candidate_gate"
MAX_SHRINK, MAX_GROWTH = 0.30, 1.00   # allowed change of the row count against the published version


def row_bounds(previous_rows: int | None) -> tuple[int, int | None]:
    if not previous_rows:
        return 1, None
    return math.floor(previous_rows * (1 - MAX_SHRINK)), math.ceil(previous_rows * (1 + MAX_GROWTH)) + 100


def _result(gate, output: OutputResource) -> AssetCheckResult:
    failed = gate.failed
    table = "\n".join(
        f"| {o.expectation} | {o.column or ''} | {o.unexpected_count if o.unexpected_count is not None else ''} "
        f"| {o.observed if o.observed is not None else ''} | {', '.join(map(str, o.sample_keys[:5]))} |"
        for o in failed)
    return AssetCheckResult(
        passed=gate.success, severity=AssetCheckSeverity.ERROR,
        metadata={
            "expectations": len(gate.outcomes), "failed_expectations": len(failed), "rows": gate.rows,
            "failures": MetadataValue.md(
                "| expectation | column | unexpected | observed | sample keys |\n|---|---|---|---|---|\n" + table
                if failed else "all expectations met"),
            "results_json": MetadataValue.path(gate.results_path or ""),
            "data_docs": MetadataValue.url(output.url(DATA_DOCS_PAGE)),
        })


def _parameters(wh) -> dict:
    return {"agency_ids": wh.read_table("agencies", ["agency_id"])["agency_id"].tolist(),
            "max_year": date.today().year + 1}


@asset_check(asset="harmonized_innovations", name=HARMONIZED_GATE, blocking=True,
             description="Great Expectations suite expectations/harmonized_innovations.json; blocks everything "
                         "downstream, publication included, when it fails.")
def harmonized_innovations_gate(warehouse: WarehouseResource, expectations: ExpectationsResource,
                                output: OutputResource) -> AssetCheckResult:
    wh = warehouse.get()
    gate = expectations.validate("harmonized_innovations", wh.read_table("harmonized_innovations"), _parameters(wh))
    return _result(gate, output)


@asset_check(asset="portal_candidate", name=PORTAL_GATE, blocking=True,
             description="Great Expectations suite expectations/portal_candidate.json: public columns only, no "
                         "e-mail or phone, vocabularies, and a bounded row-count change against the published "
                         "version. Blocks publication when it fails.")
def portal_candidate_gate(warehouse: WarehouseResource, expectations: ExpectationsResource,
                          output: OutputResource) -> AssetCheckResult:
    wh = warehouse.get()
    manifest = current_manifest(output.path())
    lo, hi = row_bounds(manifest["row_count"] if manifest else None)
    gate = expectations.validate("portal_candidate", wh.read_table("portal_candidate"),
                                 {**_parameters(wh), "min_rows": lo, "max_rows": hi})
    return _result(gate, output)
