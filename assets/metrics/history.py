from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.campaign_history import backfill, first_run_day, record, today
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
    "'backfill').",
)
def campaign_history(warehouse: WarehouseResource, campaign: CampaignResource) -> MaterializeResult:
    wh = warehouse.get()
    day = today()
    harmonized = wh.read_table("harmonized_innovations")
    rebuilt = backfill(
        wh,
        harmonized,
        wh.read_table("merged_innovations"),
        wh.read_table("innovation_change_log"),
        campaign.start_date(),
        first_run_day(wh, day),
    )
    df = record(wh, harmonized, day)
    national = df[df["agency_id"] == ""]
    return MaterializeResult(
        metadata={
            "snapshot_date": day.isoformat(),
            "rows_today": len(df),
            "days_rebuilt": len(rebuilt),
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
