from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.submissions.apply import apply_pending
from resources import CampaignResource, WarehouseResource


@asset(group_name="updates", kinds={"python", "sql"}, deps=["harmonized_innovations"],
       description="Applies pending update submissions (pemutakhiran) in submitted_at order: validated, "
                   "resolved to an innovation, authorized against its owner agency, written field by field to "
                   "harmonized_innovations and innovation_change_log, each exactly once.")
def innovation_updates(context: AssetExecutionContext, warehouse: WarehouseResource,
                       campaign: CampaignResource) -> MaterializeResult:
    wh = warehouse.get()
    report = apply_pending(wh, campaign.start_date(), run_id=context.run_id)
    states = wh.read_sql("SELECT state, COUNT(*) AS n FROM innovation_submissions GROUP BY state")
    context.log.info(f"accepted {report.accepted}, rejected {report.rejected}, skipped {report.skipped}")
    return MaterializeResult(metadata={
        "accepted": report.accepted, "rejected": report.rejected,
        "claimed_by_another_run": report.skipped, "innovations_changed": len(report.innovations),
        "rejections_by_kind": MetadataValue.json(report.reasons),
        "submissions_by_state": MetadataValue.json({s: int(n) for s, n in zip(states["state"], states["n"])}),
    })
