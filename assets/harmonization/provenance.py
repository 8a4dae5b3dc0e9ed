from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.provenance_update import update_field_provenance
from jippnas_orchestration.incremental import in_submission_run
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=[
        "staged_source_records",
        "innovation_source_map",
        "innovation_change_log",
        "harmonized_innovations",
    ],
    description="Where each public value came from: per innovation and field, the source record(s) "
    "(programme, record id, year) or the accepted submission that set it, and the merge rule "
    "that chose it. Explained by `jippnas explain INNOVATION_ID`. A submission run redoes only the "
    "innovations changed since the last materialization.",
)
def field_provenance(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_field_provenance(wh, in_submission_run(context))
    context.log.info(f"field_provenance: {update.mode} ({update.reason})")
    by_origin = update.by_origin
    return MaterializeResult(
        metadata={
            "dagster/row_count": sum(by_origin.values()),
            "mode": update.mode,
            "mode_reason": update.reason,
            "innovations_redone": update.innovations,
            "by_origin": MetadataValue.json(by_origin),
            "fields_set_by_submission": by_origin.get("submission", 0),
        }
    )
