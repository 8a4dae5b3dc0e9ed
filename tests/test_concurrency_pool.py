"""The warehouse pool of the shipped dagster.yaml: two runs started together never write at the same time.

The two runs are two `dagster asset materialize` processes, as an operator or the daemon starts them
(two in-process runs in threads of one interpreter can deadlock in Python's logging setup)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance

from jippnas_orchestration.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
SELECTIONS = ["raw_kipp,raw_inolan", "raw_iga,agencies"]


def windows(instance, run_id):
    starts, out = {}, []
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev and ev.event_type == DagsterEventType.STEP_START:
            starts[ev.step_key] = entry.timestamp
        elif ev and ev.event_type == DagsterEventType.STEP_SUCCESS:
            out.append((starts[ev.step_key], entry.timestamp, ev.step_key))
    return out


def two_runs_at_once(url, home, tmp_path):
    DagsterInstance.from_config(str(home)).dispose()  # set the storage up once, before two processes open it
    env = dict(os.environ, DAGSTER_HOME=str(home), JIPPNAS_WAREHOUSE_URL=url,
               JIPPNAS_OUTPUT_DIR=str(tmp_path / "out"))
    procs = [subprocess.Popen([str(BIN / "dagster"), "asset", "materialize", "-m", "jippnas_orchestration.definitions",
                               "--select", sel], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for sel in SELECTIONS]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert len(runs) == 2
        return [windows(instance, r.run_id) for r in runs]


def overlaps(a, b) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1, _ in a for s2, e2, _ in b)


def test_warehouse_writers_of_two_runs_never_overlap(tmp_path):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    pooled = tmp_path / "pooled"
    pooled.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", pooled / "dagster.yaml")
    first, second = two_runs_at_once(url, pooled, tmp_path)
    assert len(first) == len(second) == 2 and not overlaps(first, second)
    # the same two runs on an instance without the pool do overlap: the test can tell
    plain = tmp_path / "plain"
    plain.mkdir()
    first, second = two_runs_at_once(url, plain, tmp_path)
    assert overlaps(first, second)
