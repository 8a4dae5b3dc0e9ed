from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.incremental import in_submission_run
from jippnas_orchestration.metrics.campaign_history import today
from jippnas_orchestration.metrics.history_update import update_campaign_history
from resources import WAREHOUSE_POOL, CampaignResource, WarehouseResource


@asset(
    group_name="metrics",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["harmonized_innovations", "merged_innovations", "innovation_change_log"],
    description="Campaign progress over time: per day (Jakarta), programme and agency, plus the "
    "national row (agency_id empty), innovations, updated, pending and mean completeness. Each run "
    "replaces today's rows only (the last run of the day wins); past days are never rewritten. The "
    "month ends before the first run are rebuilt once from the change log (recorded_by "
    "'backfill'). A submission run later the same day rewrites only the rows of the agencies whose "
    "innovations changed and the national rows.",
)
def campaign_history(
    context: AssetExecutionContext, warehouse: WarehouseResource, campaign: CampaignResource
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_campaign_history(wh, campaign.start_date(), today(), in_submission_run(context))
    context.log.info(f"campaign_history: {update.mode} ({update.reason})")
    df = update.today
    national = df[df["agency_id"] == ""]
    return MaterializeResult(
        metadata={
            "snapshot_date": df["snapshot_date"].iloc[0],
            "mode": update.mode,
            "mode_reason": update.reason,
            "agencies_recomputed": update.agencies,
            "rows_today": len(df),
            "days_rebuilt": len(update.rebuilt),
            "days_recorded": int(
                wh.read_sql("SELECT COUNT(DISTINCT snapshot_date) AS n FROM campaign_history")["n"][
                    0
                ]
            ),
            "national": MetadataValue.md(
                national.drop(columns="recorded_by").to_markdown(index=False)
            ),
        }
    )
