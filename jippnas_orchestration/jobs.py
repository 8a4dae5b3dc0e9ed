"""Jobs: the whole pipeline, and what must re-run when submissions arrive."""

from dagster import AssetSelection, define_asset_job

refresh_all_job = define_asset_job(
    "refresh_all_job",
    selection=AssetSelection.all(),
    description="Read the three sources again and rebuild everything downstream of them.",
)

# Suggestions compare every innovation with every other: minutes at national scale, and one
# innovator's update barely moves them. The daily refresh recomputes them; between refreshes the
# portal leaves out suggested innovations that have since stopped (publication.public.portal_frame).
# The data-quality report reads every table (about 34 s at national scale): report_after_submissions_sensor
# rebuilds it at most every JIPPNAS_REPORT_INTERVAL_S after submission runs, so an update is not
# held back by it.
SUBMISSION_SKIPS = AssetSelection.assets("similar_innovations", "data_quality_report")

submission_job = define_asset_job(
    "submission_job",
    selection=AssetSelection.assets("innovation_change_log").downstream() - SUBMISSION_SKIPS,
    description="Decide pending update submissions and refresh everything downstream of them "
    "(similar-innovation suggestions: by the daily refresh; the report: by "
    "report_after_submissions_sensor).",
)

report_job = define_asset_job(
    "report_job",
    selection=AssetSelection.assets("data_quality_report"),
    description="Rebuild the data-quality report alone (after submission runs, debounced, or after a "
    "run that failed).",
)
