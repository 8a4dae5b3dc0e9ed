"""Issue 10's three steps: a candidate that failed its gate is never published, however the run is started."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance

from jippnas_orchestration.publication.publish import content_checksum
from jippnas_orchestration.quality.history import verdict
from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.warehouse import Warehouse

from .helpers import run_pipeline

BIN = Path(sys.executable).parent


def portal_state(wh: Warehouse, out: Path) -> dict:
    """Every byte under portal/ and portal_versions/, the table, and the publication log."""
    files = {
        str(p.relative_to(out)): p.read_bytes()
        for d in ("portal", "portal_versions")
        for p in sorted((out / d).rglob("*"))
        if p.is_file()
    }
    return {
        "files": files,
        "link": os.readlink(out / "portal"),
        "table": wh.read_sql("SELECT * FROM portal_innovations ORDER BY innovation_id"),
        "log": wh.read_table("portal_publications"),
    }


def cli(select: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "jippnas_orchestration.definitions",
            "--select",
            select,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def published(materialized):
    sample = materialized("sqlite")
    return sample.url, sample.out


@pytest.mark.subprocess
def test_a_candidate_that_failed_its_gate_is_refused_from_the_cli(published, tmp_path):
    url, out = published
    wh = Warehouse(url)
    # 1. three rows of harmonized_innovations get an impossible year, by hand
    wh.execute(
        "UPDATE harmonized_innovations SET year_first = 1800 WHERE innovation_id IN "
        "(SELECT innovation_id FROM harmonized_innovations ORDER BY innovation_id LIMIT 3)"
    )
    before = portal_state(wh, out)
    home = tmp_path / "home"
    home.mkdir()
    env = dict(
        os.environ, DAGSTER_HOME=str(home), JIPPNAS_WAREHOUSE_URL=url, JIPPNAS_OUTPUT_DIR=str(out)
    )
    # 2. the candidate is built from that table: its gate fails, and so does the run
    step2 = cli("portal_candidate", env)
    assert step2.returncode != 0
    candidate = wh.read_sql("SELECT * FROM portal_candidate ORDER BY innovation_id")
    assert (candidate["year_first"] == 1800).sum() == 3
    failed = verdict(wh, "portal_candidate", content_checksum(candidate))
    assert failed is not None and not failed.success
    assert "expect_column_values_to_be_between(year_first): 3 unexpected" in failed.failed
    # 3. publishing alone is refused: which suites, which expectations, when; nothing moved
    step3 = cli("portal_innovations", env)
    assert step3.returncode != 0
    log = step3.stdout + step3.stderr
    assert (
        "portal_innovations refused to publish the candidate with checksum "
        + content_checksum(candidate)[:12]
        in log
    )
    assert f"suite portal_candidate FAILED at {failed.evaluated_at}" in log
    assert "expect_column_values_to_be_between(year_first): 3 unexpected" in log
    assert (
        "suite harmonized_innovations has no result for checksum" in log
    )  # edited by hand: never validated
    assert f"The published version {before['log']['version'].iloc[-1]} stays in place" in log
    after = portal_state(wh, out)
    assert after["files"] == before["files"] and after["link"] == before["link"]
    assert after["table"].equals(before["table"]) and after["log"].equals(before["log"])
    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_latest_materialization_event(AssetKey("portal_innovations")) is None


@pytest.mark.slow
def test_refused_in_process_too_and_the_repaired_candidate_publishes(published):
    url, out = published
    wh = Warehouse(url)
    sample = Path(__file__).parents[1] / "data" / "sample"
    # a candidate changed after its gate ran (same table, other content) has no result of its own
    wh.execute(
        "UPDATE portal_candidate SET title = 'Judul yang tidak divalidasi' WHERE innovation_id = "
        "(SELECT MIN(innovation_id) FROM portal_candidate)"
    )
    before = portal_state(wh, out)
    result = run_pipeline(
        url, sample, selection=[AssetKey("portal_innovations")], raise_on_error=False
    )
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert (
        "the portal_candidate table is not what the portal_candidate asset built and validated"
        in error
    )
    after = portal_state(wh, out)
    assert after["files"] == before["files"] and after["table"].equals(before["table"])
    # rebuilt by its asset, the candidate is validated again and is the published content: nothing new
    assert run_pipeline(
        url, sample, selection=[AssetKey("portal_candidate"), AssetKey("portal_innovations")]
    ).success
    assert portal_state(wh, out)["files"] == before["files"]
