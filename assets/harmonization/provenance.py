from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.field_provenance import FIELD_PROVENANCE
from jippnas_orchestration.incremental import update_for
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
    update = update_for(context, warehouse.get(), FIELD_PROVENANCE)
    by_origin = update.built.result
    return MaterializeResult(
        metadata={
            "dagster/row_count": sum(by_origin.values()),
            **update.metadata,
            "by_origin": MetadataValue.json(by_origin),
            "fields_set_by_submission": by_origin.get("submission", 0),
        }
    )
