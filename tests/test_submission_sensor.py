"""submission_sensor evaluated with build_sensor_context against a real warehouse."""

import json
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from jippnas_orchestration.definitions import defs
from jippnas_orchestration.jobs import submission_job
from jippnas_orchestration.sensors import submission_sensor
from jippnas_orchestration.submissions.intake import store_document
from jippnas_orchestration.submissions.watch import new_pending, run_key_for
from resources import WarehouseResource

from .submission_fixtures import doc, seed_warehouse


def evaluate(url, cursor=None, instance=None):
    ctx = build_sensor_context(
        cursor=cursor,
        resources={"warehouse": WarehouseResource(url=url)},
        instance=instance or DagsterInstance.ephemeral(),
    )
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
    assert (
        retry.run_key
        == run_key_for([d["submission_id"] for d in batch]) + f"-after-{run.run_id[:8]}"
    )
    late = doc()
    store_document(wh, late, "t")
    result, newer = evaluate(sqlite_url, cursor, instance)
    assert isinstance(result, RunRequest) and result.run_key == run_key_for([late["submission_id"]])
    assert json.loads(newer)["received_at"] >= json.loads(cursor)["received_at"]


def test_cursor_logic_orders_by_received_time_then_id():
    import pandas as pd

    rows = pd.DataFrame(
        {
            "submission_id": ["b", "a", "c"],
            "received_at": ["2024-01-01 00:00:01", "2024-01-01 00:00:01", "2024-01-01 00:00:02"],
        }
    )
    fresh, cursor = new_pending(rows, None)
    assert fresh == ["a", "b", "c"]
    fresh2, _ = new_pending(
        rows, json.dumps({"received_at": "2024-01-01T00:00:01+00:00", "submission_id": "a"})
    )
    assert fresh2 == ["b", "c"]
    assert new_pending(rows, cursor) == ([], None)


@pytest.mark.subprocess
def test_no_second_run_while_one_has_yet_to_decide(pg_url, tmp_path):
    """A burst costs one more run: while a submission run has not started innovation_change_log, new
    submissions are left to it (cursor unchanged); once it is deciding, they get a run of their own.
    The deciding run is a real `dagster job execute` held at a failpoint inside the step (on
    PostgreSQL: SQLite would hold its write lock meanwhile, so no submission could arrive)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    wh = seed_warehouse(pg_url)
    instance = DagsterInstance.get()  # $DAGSTER_HOME: shared with the CLI run below
    first = doc()
    store_document(wh, first, "t")
    waiting = instance.create_run_for_job(defs.get_job_def(submission_job.name))  # NOT_STARTED
    result, cursor = evaluate(pg_url, instance=instance)
    assert isinstance(result, SkipReason) and cursor is None
    assert f"submission run {waiting.run_id[:8]} has not begun deciding" in result.skip_message
    instance.report_run_failed(waiting)
    marker = tmp_path / "deciding"
    env = dict(
        os.environ,
        JIPPNAS_WAREHOUSE_URL=pg_url,
        JIPPNAS_FAILPOINT=f"innovation_change_log.chunk1.before_commit:{marker}",
    )
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "job",
            "execute",
            "-m",
            "jippnas_orchestration.definitions",
            "-j",
            submission_job.name,
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert proc.poll() is None, "the run ended before deciding"
            assert time.monotonic() < deadline, "innovation_change_log never started"
            time.sleep(0.1)
        late = doc()
        store_document(wh, late, "t")
        result, cursor = evaluate(pg_url, instance=instance)
        # the held run claimed `first` in its open transaction; `late` came after: a run of its own
        assert isinstance(result, RunRequest), result
        assert result.run_key in {
            run_key_for([late["submission_id"]]),
            run_key_for([first["submission_id"], late["submission_id"]]),
        }
        assert cursor is not None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
