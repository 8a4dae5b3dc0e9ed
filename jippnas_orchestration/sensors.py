"""Sensors: re-run what depends on innovators' submissions; report and alert on failures."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    RunStatusChangeRecordsFilter,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from resources import AlertMailerResource, WarehouseResource

from .jobs import report_job, submission_job
from .submissions.watch import new_pending, run_key_for

SUBMISSION_SENSOR_INTERVAL_S = int(os.environ.get("JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S", "4"))
# the report reads every table (tens of seconds at national scale): at most once per interval
REPORT_SENSOR_INTERVAL_S = int(os.environ.get("JIPPNAS_REPORT_INTERVAL_S", "600"))
ALERT_SENSOR_INTERVAL_S = int(os.environ.get("JIPPNAS_ALERT_SENSOR_INTERVAL_S", "30"))
ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]
MAX_FAILED_IN_A_ROW = 3
WAITING = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING]
DECIDING_STEP = "innovation_change_log"  # the step that reads and claims the pending submissions
DEFER_AT_MOST_S = 1800  # a run stuck longer than this (crashed, never started) gets no more waiting


def _run_yet_to_decide(instance) -> str | None:
    """A submission run whose innovation_change_log step has not started: it will read every pending
    submission the sensor has just seen (the sensor reads them first, then looks at the runs)."""
    statuses = [*WAITING, DagsterRunStatus.STARTED]
    since = datetime.now(timezone.utc) - timedelta(seconds=DEFER_AT_MOST_S)
    records = instance.get_run_records(
        RunsFilter(job_name=submission_job.name, statuses=statuses, created_after=since), limit=5
    )
    for run in (r.dagster_run for r in records):
        if run.step_keys_to_execute is not None and DECIDING_STEP not in run.step_keys_to_execute:
            continue  # e.g. a re-execution of the steps after it
        if run.status in WAITING:
            return run.run_id
        starts = instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START)
        if not any(e.step_key == DECIDING_STEP for e in starts):
            return run.run_id
    return None


@sensor(
    job=submission_job,
    minimum_interval_seconds=SUBMISSION_SENSOR_INTERVAL_S,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests one run of innovation_change_log and everything downstream for each "
    "batch of new pending submissions (cursor: the last received_at, submission_id "
    "seen), unless a submission run has yet to start deciding (it will take them); "
    "asks again for submissions still pending once no submission run is active (a "
    "run that crashed).",
)
def submission_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    wh = warehouse.get()
    rows = wh.read_sql(
        "SELECT submission_id, received_at FROM innovation_submissions WHERE state = 'pending'"
    )
    fresh, cursor = new_pending(rows, context.cursor)
    if fresh:
        waiting = _run_yet_to_decide(context.instance)
        if waiting:  # a burst of submissions then costs one more run, not one per sensor tick
            return SkipReason(
                f"{len(fresh)} new pending submissions: submission run "
                f"{waiting[:8]} has not begun deciding submissions and will take them"
            )
        context.update_cursor(cursor)
        return RunRequest(run_key=run_key_for(fresh), tags={"jippnas/submissions": str(len(fresh))})
    if rows.empty:
        return SkipReason("no pending submissions")
    runs = context.instance.get_runs(
        RunsFilter(job_name=submission_job.name), limit=MAX_FAILED_IN_A_ROW
    )
    if any(r.status in ACTIVE for r in runs):
        return SkipReason(
            f"{len(rows)} pending submissions already requested; a submission run is active"
        )
    if len(runs) == MAX_FAILED_IN_A_ROW and all(r.status == DagsterRunStatus.FAILURE for r in runs):
        return SkipReason(
            f"{len(rows)} submissions pending, but the last {MAX_FAILED_IN_A_ROW} submission runs "
            "failed: not asking again until someone looks (see the alerts)"
        )
    last = runs[0].run_id[:8] if runs else "none"
    return RunRequest(
        run_key=f"{run_key_for(list(rows['submission_id']))}-after-{last}",
        tags={"jippnas/submissions": str(len(rows)), "jippnas/stranded": "true"},
    )


@sensor(
    job=report_job,
    minimum_interval_seconds=REPORT_SENSOR_INTERVAL_S,
    default_status=DefaultSensorStatus.RUNNING,
    description="Rebuilds the data-quality report after successful submission runs, at most once per "
    "JIPPNAS_REPORT_INTERVAL_S (600 s): submission_job leaves the report out so an update reaches "
    "the portal in seconds.",
)
def report_after_submissions_sensor(context: SensorEvaluationContext):
    instance = context.instance
    done = instance.get_run_records(
        RunsFilter(job_name=submission_job.name, statuses=[DagsterRunStatus.SUCCESS]), limit=1
    )
    if not done:
        return SkipReason("no successful submission run yet")
    latest = done[0]
    report = instance.get_latest_materialization_event(AssetKey("data_quality_report"))
    if report is not None and report.timestamp >= latest.end_time:
        return SkipReason("the report is newer than the last submission run")
    if instance.get_runs(RunsFilter(job_name=report_job.name, statuses=ACTIVE), limit=1):
        return SkipReason("a report run is under way")
    return RunRequest(run_key=f"report-after-submissions-{latest.dagster_run.run_id}")


@run_failure_sensor(
    request_job=report_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="After a failed run (a blocked gate included), rebuild the data-quality report so "
    "ministry staff see the failure.",
)
def report_after_failure_sensor(context: RunFailureSensorContext):
    if context.dagster_run.job_name == report_job.name:
        return SkipReason("the report run itself failed; not retrying in a loop")
    return RunRequest(run_key=f"report-after-{context.dagster_run.run_id}")


@run_failure_sensor(
    name="alert_on_run_failure_sensor",
    default_status=DefaultSensorStatus.RUNNING,
    description="E-mails operators (JIPPNAS_ALERT_*) when a run fails or crashes.",
)
def alert_on_run_failure_sensor(context: RunFailureSensorContext, alerts: AlertMailerResource):
    run = context.dagster_run
    message = context.failure_event.message or ""
    steps = [e.step_key for e in context.get_step_failure_events()]
    body = (
        f"Run {run.run_id} of job {run.job_name} failed.\n\n{message}\n\n"
        + (f"Failed steps: {', '.join(steps)}\n" if steps else "")
        + "".join(
            f"\n{e.step_key}: {e.event_specific_data.error.message.strip()}"
            for e in context.get_step_failure_events()
            if e.event_specific_data.error
        )
    )
    if not alerts.send(f"[JIPPNAS] run failed: {run.job_name} ({run.run_id[:8]})", body):
        return SkipReason("alerts not configured (JIPPNAS_ALERT_SMTP_HOST, JIPPNAS_ALERT_TO)")
    return None


# A run ends with one of these. Run status changes are also written to the instance's index (one
# table for all runs, even on the default SQLite storage, where each run has its own event
# database), so a storage id to read them after means the same on SQLite and PostgreSQL; the check
# evaluations are then read run by run.
RUN_ENDS = (
    DagsterEventType.RUN_SUCCESS,
    DagsterEventType.RUN_FAILURE,
    DagsterEventType.RUN_CANCELED,
)
RUNS_PER_TICK = 50  # per way of ending; the rest is read on the next tick


def _ended_runs_cursor(instance) -> dict[str, int]:
    """The newest run end of each kind: where watching begins (the past is not mailed)."""
    cursor = {}
    for kind in RUN_ENDS:
        latest = instance.fetch_run_status_changes(kind, limit=1, ascending=False).records
        cursor[kind.value] = latest[0].storage_id if latest else 0
    return cursor


def _failed_checks(instance, run_id: str) -> list:
    """The failed asset checks of a finished run: the last evaluation of each check (a retried step
    evaluates again) that did not pass."""
    last = {}
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        ev = entry.dagster_event.event_specific_data
        last[(ev.asset_key, ev.check_name)] = ev
    return [ev for ev in last.values() if not ev.passed]


@sensor(
    minimum_interval_seconds=ALERT_SENSOR_INTERVAL_S,
    default_status=DefaultSensorStatus.RUNNING,
    description="E-mails operators (JIPPNAS_ALERT_*) about every asset check that failed, gates "
    "included, once each: it reads the check evaluations of each run that ended (succeeded, failed "
    "or was canceled) since the last tick; the cursor is the storage id of the last run end seen, "
    "per kind (JSON).",
)
def alert_on_failed_check_sensor(context: SensorEvaluationContext, alerts: AlertMailerResource):
    instance = context.instance
    try:
        cursor = json.loads(context.cursor) if context.cursor else None
    except ValueError:
        cursor = None
    if not isinstance(cursor, dict):  # first evaluation (or an older cursor): start from now
        context.update_cursor(json.dumps(_ended_runs_cursor(instance), sort_keys=True))
        return SkipReason("started watching the check evaluations of runs that end from now on")
    ended = []
    for kind in RUN_ENDS:
        after = int(cursor.get(kind.value, 0))
        records = instance.fetch_run_status_changes(
            RunStatusChangeRecordsFilter(kind, after_storage_id=after),
            limit=RUNS_PER_TICK,
            ascending=True,
        ).records
        ended.extend(records)
        if records:
            cursor[kind.value] = records[-1].storage_id
    if not ended:
        return SkipReason("no run ended since the last tick")
    ended.sort(key=lambda r: r.storage_id)
    failed = [
        (r.event_log_entry.run_id, ev)
        for r in ended
        for ev in _failed_checks(instance, r.event_log_entry.run_id)
    ]
    if failed and alerts.enabled():
        lines = []
        for run_id, ev in failed:
            failures = ev.metadata.get("failures")
            lines.append(
                f"- {ev.check_name} on {ev.asset_key.to_user_string()} ({ev.severity.value}), run "
                f"{run_id}\n{failures.value if failures is not None else ''}"
            )
        names = sorted({ev.check_name for _, ev in failed})
        # sent before the cursor moves: a mail server that is down fails the tick, and the same
        # runs are read again on the next one
        alerts.send(
            f"[JIPPNAS] check failed: {', '.join(names)}",
            "Failed asset checks:\n\n" + "\n\n".join(lines),
        )
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    return SkipReason(
        f"{len(ended)} runs ended, {len(failed)} failed checks"
        + ("" if alerts.enabled() or not failed else "; alerts not configured")
    )


# Publishes a candidate someone materialized by hand once its gate passed (portal_innovations'
# automation condition); never one whose blocking check failed.
publication_automation_sensor = AutomationConditionSensorDefinition(
    "publication_automation_sensor",
    target=AssetSelection.assets("portal_innovations"),
    default_status=DefaultSensorStatus.RUNNING,
)
