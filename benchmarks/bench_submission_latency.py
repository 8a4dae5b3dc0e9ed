"""Submission-to-visible latency with a real dagster-daemon (default 30 s sensor interval).

usage: python benchmarks/bench_submission_latency.py POSTGRES_URL [N]
Runs the sample pipeline into the given warehouse, starts the daemon, then submits N updates one
at a time and waits until each is visible in harmonized_innovations.
"""

import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter, materialize

from benchmarks.common import ROOT, save
from jippnas_orchestration.definitions import defs
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse
from resources import WarehouseResource

BIN = Path(sys.executable).parent


def main(url: str, n: int = 10) -> None:
    home = Path(tempfile.mkdtemp(prefix="jippnas-bench-home-"))
    out = Path(tempfile.mkdtemp(prefix="jippnas-bench-out-"))
    shutil.copy(ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    os.environ.update(
        DAGSTER_HOME=str(home), JIPPNAS_WAREHOUSE_URL=url, JIPPNAS_OUTPUT_DIR=str(out)
    )
    wh = Warehouse(url)
    submit_files(
        sorted((ROOT / "data" / "sample" / "submissions").glob("*.json")), io.StringIO(), wh
    )
    resources = dict(defs.resources, warehouse=WarehouseResource(url=url))
    assert materialize(list(defs.assets) + list(defs.asset_checks), resources=resources).success
    targets = wh.read_sql(
        "SELECT m.source_record_id, h.agency_id, h.innovation_id FROM innovation_source_map m "
        "JOIN harmonized_innovations h USING (innovation_id) WHERE m.source = 'KIPP' "
        f"ORDER BY m.source_record_id LIMIT {n}"
    )
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        cwd=ROOT,
        stdout=(home / "daemon.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    latencies = []
    try:
        time.sleep(10)  # let the daemon load the code location
        for t in targets.itertuples():
            marker = f"benchmark {uuid.uuid4().hex[:8]}"
            doc = {
                "submission_id": str(uuid.uuid4()),
                "innovation": {"source": "KIPP", "source_record_id": t.source_record_id},
                "agency_id": t.agency_id,
                "submitted_at": datetime.now(timezone.utc).isoformat(),
                "submitted_by": {"name": "Bench", "email": "bench@example.go.id"},
                "changes": {"outcomes": marker},
            }
            path = home / "doc.json"
            path.write_text(json.dumps(doc))
            start = time.monotonic()
            subprocess.run(
                [str(BIN / "jippnas"), "submit", str(path)], check=True, capture_output=True
            )
            while True:
                got = wh.read_sql(
                    "SELECT outcomes FROM harmonized_innovations WHERE innovation_id = :i",
                    {"i": t.innovation_id},
                ).iloc[0, 0]
                if got == marker:
                    latencies.append(round(time.monotonic() - start, 1))
                    break
                if time.monotonic() - start > 300:
                    raise RuntimeError(
                        "submission not visible after 300 s; see " + str(home / "daemon.log")
                    )
                time.sleep(0.5)
    finally:
        os.killpg(daemon.pid, signal.SIGINT)
        daemon.wait(timeout=60)
    with DagsterInstance.get() as instance:
        runs = instance.get_run_records(
            RunsFilter(job_name="submission_job", statuses=[DagsterRunStatus.SUCCESS])
        )
        durations = sorted(
            round(r.end_time - r.start_time, 1) for r in runs if r.end_time and r.start_time
        )
    save(
        "submission_latency",
        {
            "submissions": n,
            "latencies_s": latencies,
            "median_s": statistics.median(latencies),
            "max_s": max(latencies),
            "sensor_interval_s": int(os.environ.get("JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S", "30")),
            "submission_runs": len(durations),
            "run_duration_median_s": statistics.median(durations) if durations else None,
            "run_duration_max_s": max(durations) if durations else None,
        },
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10)
