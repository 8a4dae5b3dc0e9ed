"""The warehouse pool of the shipped dagster.yaml: two runs started together never write at the same time."""

import shutil
import threading

from dagster import AssetKey, DagsterEventType, DagsterInstance

from jippnas_orchestration.settings import PROJECT_ROOT

from .helpers import run_pipeline


def windows(instance, run_id):
    starts, out = {}, []
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev and ev.event_type == DagsterEventType.STEP_START:
            starts[ev.step_key] = entry.timestamp
        elif ev and ev.event_type == DagsterEventType.STEP_SUCCESS:
            out.append((starts[ev.step_key], entry.timestamp, ev.step_key))
    return out


def two_runs_at_once(url, sample_dir, home):
    selections = [[AssetKey("raw_kipp"), AssetKey("raw_inolan")], [AssetKey("raw_iga"), AssetKey("agencies")]]
    barrier, results = threading.Barrier(2, timeout=120), []
    DagsterInstance.from_config(str(home)).dispose()  # set the storage up once, before two threads open it

    def go(selection):
        with DagsterInstance.from_config(str(home)) as instance:
            barrier.wait()
            result = run_pipeline(url, sample_dir, selection=selection, instance=instance)
            results.append((instance, result))
            assert result.success
            results[-1] = windows(instance, result.run_id)

    threads = [threading.Thread(target=go, args=(s,)) for s in selections]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    return results


def overlaps(a, b) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1, _ in a for s2, e2, _ in b)


def test_warehouse_writers_of_two_runs_never_overlap(tmp_path, sample_dir):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    pooled = tmp_path / "pooled"
    pooled.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", pooled / "dagster.yaml")
    first, second = two_runs_at_once(url, sample_dir, pooled)
    assert len(first) == len(second) == 2 and not overlaps(first, second)
    # the same two runs on an instance without the pool do overlap: the test can tell
    plain = tmp_path / "plain"
    plain.mkdir()
    first, second = two_runs_at_once(url, sample_dir, plain)
    assert overlaps(first, second)
