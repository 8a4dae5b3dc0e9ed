"""Jobs: the whole pipeline, and what must re-run when submissions arrive."""

from dagster import AssetSelection, define_asset_job

refresh_all_job = define_asset_job(
    "refresh_all_job",
    selection=AssetSelection.all(),
    description="Read the three sources again and rebuild everything downstream of them.",
)

submission_job = define_asset_job(
    "submission_job",
    selection=AssetSelection.assets("innovation_change_log").downstream(),
    description="Decide pending update submissions and refresh everything downstream of them.",
)

report_job = define_asset_job(
    "report_job",
    selection=AssetSelection.assets("data_quality_report"),
    description="Rebuild the data-quality report alone (after a run whose gate failed).",
)
