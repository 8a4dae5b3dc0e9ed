from dagster import AssetCheckResult, MetadataValue, asset_check

from jippnas_orchestration.replication.checks import (
    bad_suggestions,
    coverage_mismatches,
    unknown_replicating_agencies,
)
from resources import WarehouseResource

# blocking: the portal (which publishes opportunities.csv/json) waits for them to pass
SUGGESTIONS_POINT_ELSEWHERE = "suggestions_point_to_other_active_innovations"
REPLICATING_AGENCIES_EXIST = "replicating_agencies_exist"
COVERAGE_RECONCILES = "coverage_reconciles_with_harmonized"


def _result(bad, what: str) -> AssetCheckResult:
    return AssetCheckResult(
        passed=bad.empty,
        metadata={
            what: len(bad),
            "examples": MetadataValue.md(
                bad.head(10).to_markdown(index=False) if len(bad) else "none"
            ),
        },
    )


@asset_check(
    asset="replication_opportunities",
    name=SUGGESTIONS_POINT_ELSEWHERE,
    blocking=True,
    description="No suggestion points to the agency it is for, to a stopped innovation or to an "
    "innovation that does not exist; no reason carries an e-mail address or phone number.",
)
def suggestions_point_elsewhere(warehouse: WarehouseResource) -> AssetCheckResult:
    return _result(bad_suggestions(warehouse.get()), "bad_suggestions")


@asset_check(
    asset="innovation_replications",
    name=REPLICATING_AGENCIES_EXIST,
    blocking=True,
    description="Every replicating agency is in the agencies table.",
)
def replicating_agencies_exist(warehouse: WarehouseResource) -> AssetCheckResult:
    return _result(unknown_replicating_agencies(warehouse.get()), "unknown_agencies")


@asset_check(
    asset="affair_coverage",
    name=COVERAGE_RECONCILES,
    blocking=True,
    description="Each cell's counts equal a count made afresh in SQL from harmonized_innovations, "
    "innovation_affairs and innovation_replications; every region x affair present; one affair "
    "row per innovation.",
)
def coverage_reconciles(warehouse: WarehouseResource) -> AssetCheckResult:
    return _result(coverage_mismatches(warehouse.get()), "mismatches")
