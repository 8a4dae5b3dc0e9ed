from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.incremental import update_for
from jippnas_orchestration.metrics.agency_completeness import AGENCY_COMPLETENESS
from jippnas_orchestration.metrics.national_summary import NATIONAL_SUMMARY
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="metrics",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["harmonized_innovations", "innovation_change_log"],
    description="Per agency: innovations total, updated and pending (all programmes, and the KIPP campaign "
    "alone in kipp_*), and mean completeness. A submission run recomputes only the agencies whose "
    "innovations changed since the last materialization; anything else rebuilds every row.",
)
def agency_completeness(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_for(context, wh, AGENCY_COMPLETENESS)
    df = wh.read_table(
        "agency_completeness", ["agency_id", "agency_name", "kipp_total", "kipp_pending"]
    )
    behind = df[df["kipp_pending"] > 0].sort_values("kipp_pending", ascending=False)
    return MaterializeResult(
        metadata={
            "dagster/row_count": update.built.result,
            **update.metadata,
            "agencies_with_pending_kipp": len(behind),
            "most_behind": MetadataValue.md(
                behind[["agency_id", "agency_name", "kipp_total", "kipp_pending"]]
                .head(10)
                .to_markdown(index=False)
                or "none"
            ),
        }
    )


@asset(
    group_name="metrics",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["harmonized_innovations", "innovation_change_log"],
    description="National totals of the update campaign: overall, by programme and by agency type. "
    "Derived from exact per-agency totals: a submission run recomputes only those of the agencies "
    "whose innovations changed; anything else rebuilds them all.",
)
def national_summary(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    update = update_for(context, warehouse.get(), NATIONAL_SUMMARY)
    df = update.built.result
    kipp = df[(df["dimension"] == "programme") & (df["value"] == "KIPP")].iloc[0]
    return MaterializeResult(
        metadata={
            **update.metadata,
            "kipp_innovations": int(kipp["innovations"]),
            "kipp_updated": int(kipp["updated"]),
            "kipp_pending": int(kipp["pending"]),
            "kipp_agencies_with_pending": int(kipp["agencies_with_pending"]),
            "summary": MetadataValue.md(df.to_markdown(index=False)),
        }
    )
