"""`make dev`'s UI: a real dagster-webserver serves the code location with its groups and automation."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.testing.postgres import free_port

BIN = Path(sys.executable).parent
QUERY = """{ assetNodes { assetKey { path } groupName description }
  repositoriesOrError { ... on RepositoryConnection { nodes { sensors { name sensorState { status } }
  schedules { name scheduleState { status } } } } } }"""


@pytest.mark.daemon
def test_webserver_shows_assets_in_groups_with_descriptions(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(home))
    proc = subprocess.Popen(
        [
            str(BIN / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        data = None
        while time.monotonic() < deadline:
            try:
                resp = requests.post(f"{url}/graphql", json={"query": QUERY}, timeout=10)
                data = resp.json()["data"]
                if data["assetNodes"]:
                    break
            except (requests.ConnectionError, KeyError, TypeError, ValueError):
                pass
            time.sleep(1)
        assert data and data["assetNodes"], "webserver did not serve the code location in time"
        groups = {}
        for node in data["assetNodes"]:
            groups.setdefault(node["groupName"], set()).add(node["assetKey"]["path"][-1])
            assert node["description"], node
        assert groups["sources"] == {"raw_kipp", "raw_iga", "raw_inolan"}
        assert {"harmonization", "updates", "metrics", "publication", "reports"} <= set(groups)
        repo = data["repositoriesOrError"]["nodes"][0]
        states = {s["name"]: s["sensorState"]["status"] for s in repo["sensors"]}
        states |= {s["name"]: s["scheduleState"]["status"] for s in repo["schedules"]}
        assert states == {
            "submission_sensor": "RUNNING",
            "report_after_failure_sensor": "RUNNING",
            "report_after_submissions_sensor": "RUNNING",
            "alert_on_run_failure_sensor": "RUNNING",
            "alert_on_failed_check_sensor": "RUNNING",
            "publication_automation_sensor": "RUNNING",
            "daily_refresh_schedule": "RUNNING",
        }
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
