from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.campaign_history import record, today
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(group_name="metrics", kinds={"pandas", "sql"}, pool=WAREHOUSE_POOL, deps=["harmonized_innovations"],
       description="Campaign progress over time: per day (Jakarta), programme and agency, plus the national "
                   "row (agency_id empty), innovations, updated, pending and mean completeness. Each run replaces "
                   "today's rows only (the last run of the day wins); past days are never rewritten.")
def campaign_history(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    day = today()
    df = record(wh, wh.read_table("harmonized_innovations"), day)
    national = df[df["agency_id"] == ""]
    return MaterializeResult(metadata={
        "snapshot_date": day.isoformat(), "rows_today": len(df),
        "days_recorded": int(wh.read_sql("SELECT COUNT(DISTINCT snapshot_date) AS n FROM campaign_history")["n"][0]),
        "national": MetadataValue.md(national.to_markdown(index=False)),
    })
