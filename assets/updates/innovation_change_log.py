from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.submissions.apply import apply_pending
from resources import WAREHOUSE_POOL, WarehouseResource

innovation_submissions = AssetSpec(
    "innovation_submissions",
    group_name="updates",
    kinds={"sql"},
    description="Update submissions (pemutakhiran) as received: inserted by the portal and by `jippnas submit` "
    "as pending, outside Dagster. innovation_change_log decides them (accepted or rejected).",
)


@asset(
    group_name="updates",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=[innovation_submissions, "merged_innovations", "innovation_source_map", "agencies"],
    description="Decides pending update submissions in submitted_at order: validated, resolved to an "
    "innovation, authorized against its owner agency; an accepted one's field changes are "
    "appended here and its state set, each exactly once. harmonized_innovations lays this log "
    "over the merged sources.",
)
def innovation_change_log(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    report = apply_pending(wh, run_id=context.run_id)
    states = wh.read_sql("SELECT state, COUNT(*) AS n FROM innovation_submissions GROUP BY state")
    context.log.info(
        f"accepted {report.accepted}, rejected {report.rejected}, skipped {report.skipped}"
    )
    return MaterializeResult(
        metadata={
            "dagster/row_count": wh.count("innovation_change_log"),
            "accepted": report.accepted,
            "rejected": report.rejected,
            "claimed_by_another_run": report.skipped,
            "innovations_changed": len(report.innovations),
            "rejections_by_kind": MetadataValue.json(report.reasons),
            "submissions_by_state": MetadataValue.json(
                {s: int(n) for s, n in zip(states["state"], states["n"])}
            ),
        }
    )
