from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.incremental import update_for
from jippnas_orchestration.metrics.campaign_history import CAMPAIGN_HISTORY
from jippnas_orchestration.metrics.history import ensure_recorded_by, today
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
    ensure_recorded_by(wh)  # its own transaction, before the update takes the write lock
    update = update_for(
        context, wh, CAMPAIGN_HISTORY, campaign_start=campaign.start_date(), day=today()
    )
    df = update.built.result
    national = df[df["agency_id"] == ""]
    return MaterializeResult(
        metadata={
            "snapshot_date": df["snapshot_date"].iloc[0],
            **update.metadata,
            "rows_today": len(df),
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
