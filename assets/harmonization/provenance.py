from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.provenance import STAGED_COLUMNS, build_provenance
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
    "that chose it. Explained by `jippnas explain INNOVATION_ID`.",
)
def field_provenance(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    df = build_provenance(
        wh.read_table("staged_source_records", STAGED_COLUMNS),
        wh.read_table("innovation_source_map"),
        wh.read_table("innovation_change_log"),
        wh.read_table("harmonized_innovations", ["innovation_id"])["innovation_id"],
    )
    wh.replace_table("field_provenance", df)
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            "by_origin": MetadataValue.json(
                {k: int(v) for k, v in df["origin"].value_counts().items()}
            ),
            "fields_set_by_submission": int((df["origin"] == "submission").sum()),
        }
    )
