from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration import completeness
from jippnas_orchestration.incremental import in_submission_run
from jippnas_orchestration.metrics_update import update_agency_completeness
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
    update = update_agency_completeness(wh, in_submission_run(context))
    context.log.info(f"agency_completeness: {update.mode} ({update.reason})")
    df = wh.read_table(
        "agency_completeness", ["agency_id", "agency_name", "kipp_total", "kipp_pending"]
    )
    behind = df[df["kipp_pending"] > 0].sort_values("kipp_pending", ascending=False)
    return MaterializeResult(
        metadata={
            "dagster/row_count": update.rows,
            "mode": update.mode,
            "mode_reason": update.reason,
            "agencies_recomputed": update.agencies,
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
    deps=["harmonized_innovations"],
    description="National totals of the update campaign: overall, by programme and by agency type.",
)
def national_summary(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    df = completeness.national_summary(
        wh.read_table("harmonized_innovations", completeness.SUMMARY_COLUMNS)
    )
    wh.replace_table("national_summary", df)
    kipp = df[(df["dimension"] == "programme") & (df["value"] == "KIPP")].iloc[0]
    return MaterializeResult(
        metadata={
            "kipp_innovations": int(kipp["innovations"]),
            "kipp_updated": int(kipp["updated"]),
            "kipp_pending": int(kipp["pending"]),
            "kipp_agencies_with_pending": int(kipp["agencies_with_pending"]),
            "summary": MetadataValue.md(df.to_markdown(index=False)),
        }
    )
