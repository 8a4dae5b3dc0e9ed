"""Sensors: re-run what depends on innovators' update submissions."""

from __future__ import annotations

import os

from dagster import (
    DefaultSensorStatus, RunFailureSensorContext, RunRequest, SensorEvaluationContext, SkipReason, run_failure_sensor,
    sensor,
)

from resources import WarehouseResource

from .jobs import report_job, submission_job
from .submissions.watch import new_pending, run_key_for

SUBMISSION_SENSOR_INTERVAL_S = int(os.environ.get("JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S", "30"))


@sensor(job=submission_job, minimum_interval_seconds=SUBMISSION_SENSOR_INTERVAL_S,
        default_status=DefaultSensorStatus.RUNNING,
        description="Requests one run of innovation_updates and everything downstream for each batch of new "
                    "pending submissions; the cursor is the last (received_at, submission_id) seen.")
def submission_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    wh = warehouse.get()
    rows = wh.read_sql("SELECT submission_id, received_at FROM innovation_submissions WHERE state = 'pending'")
    fresh, cursor = new_pending(rows, context.cursor)
    if not fresh:
        return SkipReason(f"no new pending submissions ({len(rows)} pending already requested)")
    context.update_cursor(cursor)
    return RunRequest(run_key=run_key_for(fresh), tags={"jippnas/submissions": str(len(fresh))})


@run_failure_sensor(request_job=report_job, default_status=DefaultSensorStatus.RUNNING,
                    description="After a failed run (a blocked gate included), rebuild the data-quality report so "
                                "ministry staff see the failure.")
def report_after_failure_sensor(context: RunFailureSensorContext):
    if context.dagster_run.job_name == report_job.name:
        return SkipReason("the report run itself failed; not retrying in a loop")
    return RunRequest(run_key=f"report-after-{context.dagster_run.run_id}")
