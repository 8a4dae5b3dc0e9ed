from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.campaign_history import (
    SNAPSHOT_COLUMNS,
    backfill,
    backfill_days,
    first_run_day,
    record,
    today,
)
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
    # the snapshot needs five columns; the merged sources only when month ends are still to rebuild
    # (once): a submission run then reads no whole table it does not need
    harmonized = wh.read_table("harmonized_innovations", SNAPSHOT_COLUMNS)
    log = wh.read_table("innovation_change_log")
    first_run = first_run_day(wh, day)
    pending = backfill_days(wh, log, campaign.start_date(), first_run)
    rebuilt = backfill(
        wh,
        harmonized,
        wh.read_table("merged_innovations") if pending else None,
        log,
        campaign.start_date(),
        first_run,
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
