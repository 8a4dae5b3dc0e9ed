from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.pipeline import build_harmonized
from resources import CampaignResource, WarehouseResource


@asset(group_name="harmonization", kinds={"python", "sql"}, deps=["innovation_source_map", "agencies"],
       description="One row per distinct innovation, merged from its source records (KIPP > InoLAN > IGA for "
                   "text; unions for SDGs and awards) with accepted update submissions overlaid, and its "
                   "completeness and update status.")
def harmonized_innovations(warehouse: WarehouseResource, campaign: CampaignResource) -> MaterializeResult:
    wh = warehouse.get()
    staged = wh.read_table("staged_source_records")
    source_map = wh.read_table("innovation_source_map")
    change_log = wh.read_table("innovation_change_log")
    accepted = wh.read_sql("SELECT innovation_id, submitted_at FROM innovation_submissions WHERE state = 'accepted'")
    df = build_harmonized(staged, source_map, wh.read_table("agencies"), change_log, accepted,
                          campaign.start_date())
    wh.replace_table("harmonized_innovations", df, primary_key=["innovation_id"])
    by_sources = df["sources"].value_counts().to_dict()
    return MaterializeResult(metadata={
        "dagster/row_count": len(df),
        "source_records": len(source_map),
        "records_merged": len(source_map) - len(df),
        "kipp_innovations": int(df["sources"].str.contains("KIPP").sum()),
        "updated": int((df["update_status"] == "updated").sum()),
        "by_sources": MetadataValue.json({k: int(v) for k, v in by_sources.items()}),
        "preview": MetadataValue.md(df[["innovation_id", "title", "agency_name", "year_first", "sources",
                                        "completeness"]].head(10).to_markdown(index=False)),
    })
