"""A real dagster-daemon notices a `jippnas submit` and the change becomes visible."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.warehouse import Warehouse

from .helpers import stop_process_group

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.daemon


@pytest.mark.postgres
def test_daemon_applies_a_submission_within_a_bounded_time(materialized, tmp_path):
    published = materialized("postgres")
    pg_url = published.url
    wh = Warehouse(pg_url)
    target = wh.read_sql(
        "SELECT m.source_record_id, h.agency_id, h.innovation_id FROM innovation_source_map m "
        "JOIN harmonized_innovations h USING (innovation_id) WHERE m.source = 'KIPP' "
        "ORDER BY m.source_record_id LIMIT 1"
    ).iloc[0]
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    env = dict(
        os.environ,
        DAGSTER_HOME=str(home),
        JIPPNAS_WAREHOUSE_URL=pg_url,
        JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S="2",
        JIPPNAS_OUTPUT_DIR=str(published.out),
    )
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        marker = f"hasil uji {uuid.uuid4().hex[:8]}"
        doc = {
            "submission_id": str(uuid.uuid4()),
            "innovation": {"source": "KIPP", "source_record_id": target["source_record_id"]},
            "agency_id": target["agency_id"],
            "submitted_by": {"name": "Uji", "email": "uji@example.go.id"},
            "submitted_at": datetime.now(timezone.utc).isoformat(),
            "changes": {"status": "berlanjut_tanpa_pengembangan", "outcomes": marker},
        }
        path = tmp_path / "submission.json"
        path.write_text(json.dumps(doc))
        submitted = time.monotonic()
        out = subprocess.run(
            [str(BIN / "jippnas"), "submit", str(path)], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stdout + out.stderr
        deadline = submitted + 240
        seen = None
        while time.monotonic() < deadline:
            row = wh.read_sql(
                "SELECT outcomes, status FROM harmonized_innovations WHERE innovation_id = :i",
                {"i": target["innovation_id"]},
            ).iloc[0]
            if row["outcomes"] == marker:
                seen = time.monotonic() - submitted
                break
            assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(1)
        assert seen is not None, (
            "change not visible in time:\n" + (tmp_path / "daemon.log").read_text()[-3000:]
        )
        assert row["status"] == "berlanjut_tanpa_pengembangan"
        state = wh.read_sql(
            "SELECT state FROM innovation_submissions WHERE submission_id = :s",
            {"s": doc["submission_id"]},
        ).iloc[0, 0]
        assert state == "accepted"
        print(f"submission visible after {seen:.1f} s")
    finally:
        code = stop_process_group(daemon)
        log.close()
    assert code in (0, -signal.SIGINT, 130), (tmp_path / "daemon.log").read_text()[-2000:]
