"""submission_sensor evaluated with build_sensor_context against a real warehouse."""

import json

from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from jippnas_orchestration.definitions import defs
from jippnas_orchestration.jobs import submission_job
from jippnas_orchestration.sensors import submission_sensor
from jippnas_orchestration.submissions.intake import store_document
from jippnas_orchestration.submissions.watch import new_pending, run_key_for
from resources import WarehouseResource

from .submission_fixtures import doc, seed_warehouse


def evaluate(url, cursor=None, instance=None):
    ctx = build_sensor_context(cursor=cursor, resources={"warehouse": WarehouseResource(url=url)},
                               instance=instance or DagsterInstance.ephemeral())
    result = submission_sensor(ctx)
    return result, ctx.cursor


def test_skip_then_one_run_per_batch_and_the_cursor_advances(sqlite_url):
    wh = seed_warehouse(sqlite_url)
    instance = DagsterInstance.ephemeral()
    result, cursor = evaluate(sqlite_url, instance=instance)
    assert isinstance(result, SkipReason) and cursor is None
    batch = [doc(), doc()]
    for d in batch:
        store_document(wh, d, "t")
    result, cursor = evaluate(sqlite_url, instance=instance)
    assert isinstance(result, RunRequest)
    assert result.run_key == run_key_for([d["submission_id"] for d in batch])
    assert json.loads(cursor)["submission_id"] in {d["submission_id"] for d in batch}
    # the run asked for is under way: nothing new to ask
    run = instance.create_run_for_job(defs.get_job_def(submission_job.name), tags=result.tags)
    again, same = evaluate(sqlite_url, cursor, instance)
    assert isinstance(again, SkipReason) and same == cursor and "active" in again.skip_message
    # that run crashed before deciding them: the still-pending submissions are asked for again, once
    instance.report_run_failed(run)
    retry, same = evaluate(sqlite_url, cursor, instance)
    assert isinstance(retry, RunRequest) and same == cursor
    assert retry.run_key == run_key_for([d["submission_id"] for d in batch]) + f"-after-{run.run_id[:8]}"
    late = doc()
    store_document(wh, late, "t")
    result, newer = evaluate(sqlite_url, cursor, instance)
    assert isinstance(result, RunRequest) and result.run_key == run_key_for([late["submission_id"]])
    assert json.loads(newer)["received_at"] >= json.loads(cursor)["received_at"]


def test_cursor_logic_orders_by_received_time_then_id():
    import pandas as pd

    rows = pd.DataFrame({"submission_id": ["b", "a", "c"],
                         "received_at": ["2024-01-01 00:00:01", "2024-01-01 00:00:01", "2024-01-01 00:00:02"]})
    fresh, cursor = new_pending(rows, None)
    assert fresh == ["a", "b", "c"]
    fresh2, _ = new_pending(rows, json.dumps({"received_at": "2024-01-01T00:00:01+00:00", "submission_id": "a"}))
    assert fresh2 == ["b", "c"]
    assert new_pending(rows, cursor) == ([], None)
