from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.quality.gates import HARMONIZED_GATE, HARMONIZED_GATE_SPEC, run_gate
from jippnas_orchestration.harmonize.harmonized_innovations import HARMONIZED_INNOVATIONS
from jippnas_orchestration.harmonize.pipeline import build_merged
from jippnas_orchestration.incremental import state, update_for
from resources import (
    WAREHOUSE_POOL,
    CampaignResource,
    ExpectationsResource,
    OutputResource,
    WarehouseResource,
)


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["staged_source_records", "innovation_source_map", "agencies"],
    description="What the sources say: one row per distinct innovation, merged from its source records "
    "(KIPP > InoLAN > IGA for text; unions for SDGs and awards), before any update submission.",
)
def merged_innovations(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    source_map = wh.read_table("innovation_source_map")
    df = build_merged(wh.read_table("staged_source_records"), source_map, wh.read_table("agencies"))
    with wh.transaction() as tx:  # a new generation: harmonized_innovations then rebuilds in full
        tx.replace_table("merged_innovations", df, primary_key=["innovation_id"])
        state.write(tx, "merged_innovations", {"generation": state.new_generation()})
    by_sources = df["sources"].value_counts().to_dict()
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            "source_records": len(source_map),
            "records_merged": len(source_map) - len(df),
            "kipp_innovations": int(df["sources"].str.contains("KIPP").sum()),
            "by_sources": MetadataValue.json({k: int(v) for k, v in by_sources.items()}),
            "preview": MetadataValue.md(
                df[["innovation_id", "title", "agency_name", "year_first", "sources"]]
                .head(10)
                .to_markdown(index=False)
            ),
        }
    )


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql", "greatexpectations"},
    pool=WAREHOUSE_POOL,
    deps=["merged_innovations", "innovation_change_log", "agencies"],
    check_specs=[HARMONIZED_GATE_SPEC],
    description="One row per distinct innovation: the merged sources with the accepted update submissions "
    "laid over them (latest submitted_at wins, field by field), scored for completeness and "
    "update status. The only writer of this table; its gate runs on what was stored.",
)
def harmonized_innovations(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    expectations: ExpectationsResource,
    output: OutputResource,
    campaign: CampaignResource,
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_for(context, wh, HARMONIZED_INNOVATIONS, campaign_start=campaign.start_date())
    check = run_gate(
        wh,
        expectations,
        output,
        "harmonized_innovations",
        HARMONIZED_GATE,
        update.validate,
        context.run_id,
        checksum=update.checksum,
        table_rows=update.rows if update.mode == "incremental" else None,
    )
    df = update.validate
    return MaterializeResult(
        check_results=[check],
        metadata={
            "dagster/row_count": update.rows,
            **update.metadata,
            "rows_rewritten": len(df),
            "change_log_position": update.position,
            "checksum": check.metadata["checksum"].value,
            "preview": MetadataValue.md(
                df[
                    [
                        "innovation_id",
                        "title",
                        "agency_name",
                        "year_first",
                        "sources",
                        "completeness",
                    ]
                ]
                .head(10)
                .to_markdown(index=False)
            ),
        },
    )
