from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.incremental import in_submission_run
from jippnas_orchestration.metrics.metrics_update import (
    update_agency_completeness,
    update_national_summary,
)
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
    deps=["harmonized_innovations", "innovation_change_log"],
    description="National totals of the update campaign: overall, by programme and by agency type. "
    "Derived from exact per-agency totals: a submission run recomputes only those of the agencies "
    "whose innovations changed; anything else rebuilds them all.",
)
def national_summary(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    update = update_national_summary(warehouse.get(), in_submission_run(context))
    context.log.info(f"national_summary: {update.mode} ({update.reason})")
    df = update.summary
    kipp = df[(df["dimension"] == "programme") & (df["value"] == "KIPP")].iloc[0]
    return MaterializeResult(
        metadata={
            "mode": update.mode,
            "mode_reason": update.reason,
            "agencies_recomputed": update.agencies,
            "kipp_innovations": int(kipp["innovations"]),
            "kipp_updated": int(kipp["updated"]),
            "kipp_pending": int(kipp["pending"]),
            "kipp_agencies_with_pending": int(kipp["agencies_with_pending"]),
            "summary": MetadataValue.md(df.to_markdown(index=False)),
        }
    )
