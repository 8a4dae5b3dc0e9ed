"""What a submission run rebuilds, and how the portal treats suggestions between daily refreshes."""

import pandas as pd
from dagster import (
    AssetMaterialization,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    RunRequest,
    SkipReason,
    build_sensor_context,
)

from jippnas_orchestration.definitions import defs
from jippnas_orchestration.jobs import report_job, submission_job
from jippnas_orchestration.publication.public import DERIVED, PUBLIC_COLUMNS, portal_frame
from jippnas_orchestration.sensors import report_after_submissions_sensor
from jippnas_orchestration.vocab import STOPPED


def test_submission_runs_rebuild_what_an_update_changes_but_leave_suggestions_to_the_daily_refresh():
    selected = {
        k.to_user_string()
        for k in defs.resolve_job_def("submission_job").asset_layer.selected_asset_keys
    }
    assert "similar_innovations" not in selected
    assert "data_quality_report" not in selected  # report_after_submissions_sensor, debounced
    assert {
        "innovation_change_log",
        "harmonized_innovations",
        "field_provenance",
        "agency_completeness",
        "campaign_history",
        "portal_candidate",
        "portal_innovations",
    } <= selected
    everything = {
        k.to_user_string()
        for k in defs.resolve_job_def("refresh_all_job").asset_layer.selected_asset_keys
    }
    assert "similar_innovations" in everything


def test_portal_leaves_out_suggested_innovations_that_stopped_since_suggestions_were_made():
    harmonized = pd.DataFrame(
        {
            "innovation_id": ["INV-A", "INV-B", "INV-C", "INV-D"],
            "status": [None, STOPPED, "berlanjut_dengan_pengembangan", None],
        }
    )
    similar = pd.DataFrame(
        {
            "innovation_id": ["INV-A", "INV-A", "INV-A", "INV-C"],
            "similar_innovation_id": ["INV-B", "INV-C", "INV-GONE", "INV-B"],
            "rank": [1, 2, 3, 1],
            "score": [0.9, 0.8, 0.7, 0.6],
            "reason": ["x", "y", "z", "w"],
        }
    )
    public = [c for c in PUBLIC_COLUMNS if c not in DERIVED]
    out = portal_frame(harmonized.reindex(columns=public), similar)
    by_id = dict(zip(out["innovation_id"], out["similar"]))
    assert by_id["INV-A"] == "INV-C"  # stopped and vanished targets gone, order kept
    assert by_id["INV-C"] is None  # its only suggestion stopped
    assert by_id["INV-B"] is None and by_id["INV-D"] is None


def _finished(instance: DagsterInstance, job) -> str:
    run = instance.create_run_for_job(defs.get_job_def(job.name))
    instance.report_dagster_event(
        DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name=job.name),
        run.run_id,
    )
    return run.run_id


def test_the_report_follows_submission_runs_once_not_once_per_run():
    instance = DagsterInstance.ephemeral()

    def tick():
        return report_after_submissions_sensor(build_sensor_context(instance=instance))

    assert isinstance(tick(), SkipReason)  # no submission run yet
    _finished(instance, submission_job)
    second = _finished(instance, submission_job)
    request = tick()
    assert isinstance(request, RunRequest) and request.run_key.endswith(second)
    # the report is being rebuilt: no second request meanwhile
    report = instance.create_run_for_job(defs.get_job_def(report_job.name))
    assert "under way" in tick().skip_message
    instance.report_run_failed(report)
    instance.report_runless_asset_event(AssetMaterialization("data_quality_report"))
    assert "newer" in tick().skip_message
    third = _finished(instance, submission_job)
    assert tick().run_key.endswith(third)
