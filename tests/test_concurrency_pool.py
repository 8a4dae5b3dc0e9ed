"""The warehouse pool of the shipped dagster.yaml: two runs started together never write at the same time.

Two `dagster asset materialize` processes on one Dagster instance, as a scheduled refresh and a
submission run would be: the second starts while the first is inside a warehouse writer. Their step
windows are read from the instance afterwards. (Two runs whose first claims fell in the same instant
were seen to both get the one slot on a SQLite instance; the SQLite warehouse's BEGIN IMMEDIATE still
keeps their transactions apart.)
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance

from jippnas_orchestration.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
SELECTIONS = ("raw_kipp,raw_inolan", "raw_iga,agencies")


def windows(instance, run_id):
    starts, out = {}, []
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev and ev.event_type == DagsterEventType.STEP_START:
            starts[ev.step_key] = entry.timestamp
        elif ev and ev.event_type == DagsterEventType.STEP_SUCCESS:
            out.append((starts[ev.step_key], entry.timestamp, ev.step_key))
    return out


def blocked(instance) -> bool:
    return any(
        "Step blocked by limit for pool warehouse" in (e.user_message or "")
        for r in instance.get_runs()
        for e in instance.all_logs(r.run_id)
    )


def two_runs_at_once(tmp_path, home: Path, pooled: bool) -> list:
    """Run A is held inside its raw_kipp step (a failpoint) while run B starts; then A goes on."""
    DagsterInstance.from_config(
        str(home)
    ).dispose()  # set the storage up once, before two processes open it
    env = dict(
        os.environ,
        DAGSTER_HOME=str(home),
        JIPPNAS_WAREHOUSE_URL=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        JIPPNAS_OUTPUT_DIR=str(tmp_path / "output"),
    )
    marker = home / "held"

    def start(selection, extra):
        return subprocess.Popen(
            [
                str(BIN / "dagster"),
                "asset",
                "materialize",
                "-m",
                "jippnas_orchestration.definitions",
                "--select",
                selection,
            ],
            cwd=PROJECT_ROOT,
            env=dict(env, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    a = start(SELECTIONS[0], {"JIPPNAS_FAILPOINT": f"raw_kipp.landed:{marker}"})
    procs = [a]
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert a.poll() is None and time.monotonic() < deadline, (
                a.stdout.read()[-3000:] if a.poll() else "slow"
            )
            time.sleep(0.2)
        procs.append(start(SELECTIONS[1], {}))
        if pooled:  # B asks for the warehouse while A holds it: B waits
            with DagsterInstance.from_config(str(home)) as instance:
                while not blocked(instance):
                    assert procs[1].poll() is None and time.monotonic() < deadline
                    time.sleep(0.5)
        else:  # no pool: B runs to its end while A is held
            procs[1].wait(timeout=300)
        marker.with_name(marker.name + ".release").touch()
        for proc in procs:
            out, _ = proc.communicate(timeout=300)
            assert proc.returncode == 0, out[-3000:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert len(runs) == 2
        return [windows(instance, r.run_id) for r in runs]


def overlaps(a, b) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1, _ in a for s2, e2, _ in b)


@pytest.mark.subprocess
def test_warehouse_writers_of_two_runs_never_overlap(tmp_path):
    pooled = tmp_path / "pooled"
    pooled.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", pooled / "dagster.yaml")
    first, second = two_runs_at_once(tmp_path, pooled, pooled=True)
    assert len(first) == len(second) == 2 and not overlaps(first, second)
    # the same two runs on an instance without the pool do overlap: the test can tell
    plain = tmp_path / "plain"
    plain.mkdir()
    first, second = two_runs_at_once(tmp_path, plain, pooled=False)
    assert overlaps(first, second)
