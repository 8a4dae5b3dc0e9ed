"""Fault drills: kill -9 during publication, PostgreSQL restarted mid-run, IGA down, the daemon killed.

Each drill asserts that nothing is lost or half-done, and that the next run puts things right.
Runs start the way an operator starts them: `dagster asset materialize` in its own process, or
the dagster-daemon. Failpoints (jippnas_orchestration/testing/failpoints.py) hold a process at
an exact moment so the kill lands there every time.
"""

import hashlib
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
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, RunsFilter

from jippnas_orchestration.publication.publish import content_checksum
from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.submissions.intake import store_document
from jippnas_orchestration.testing.iga_server import IgaServer
from jippnas_orchestration.testing.postgres import _pg_tool, _run_as_pg, start_postgres
from jippnas_orchestration.warehouse import Warehouse

from .helpers import run_pipeline

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def cli(select: str, env: dict, failpoint: str | None = None, marker: Path | None = None):
    env = dict(env, **({"JIPPNAS_FAILPOINT": f"{failpoint}:{marker}"} if failpoint else {}))
    return subprocess.Popen(
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(
                f"the run ended before reaching the failpoint:\n{proc.stdout.read()[-3000:]}"
            )
        assert time.monotonic() < deadline, f"failpoint {path.name} not reached"
        time.sleep(0.1)


def finish(proc: subprocess.Popen, timeout: float = 600) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def portal_view(wh: Warehouse, out: Path) -> dict:
    manifest = json.loads((out / "portal" / "manifest.json").read_text())
    table = wh.read_sql("SELECT * FROM portal_innovations ORDER BY innovation_id")
    return {
        "manifest": manifest,
        "table_checksum": content_checksum(table),
        "files": {n: sha(out / "portal" / n) for n in manifest["files"]},
        "committed": wh.read_table("portal_publications")["version"].iloc[-1],
    }


def agree(view: dict) -> bool:
    m = view["manifest"]
    return (
        view["table_checksum"] == m["checksum"]
        and view["files"] == m["files"]
        and view["committed"] == m["version"]
    )


def copy_database(source, url: str, target, db: str) -> None:
    """The database at `url` on server `source`, copied into database `db` of server `target`."""

    def tool(name: str, server, *args: str, **kwargs) -> bytes:
        where = ["-h", "127.0.0.1", "-p", str(server.port), "-U", server.user]
        env = dict(os.environ, PGPASSWORD=server.password)
        done = subprocess.run(
            [_pg_tool(name), *where, *args], env=env, capture_output=True, **kwargs
        )
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    dump = tool("pg_dump", source, "-Fc", url.rsplit("/", 1)[1])
    tool("pg_restore", target, "--no-owner", "-d", db, input=dump)


def new_source_content(url: str, sample_dir: Path, label: str) -> None:
    """A change on the source side (a title), carried through the gates up to a validated candidate."""
    wh = Warehouse(url)
    wh.execute(
        "UPDATE merged_innovations SET title = :t WHERE innovation_id = "
        "(SELECT MIN(innovation_id) FROM merged_innovations)",
        {"t": f"Judul {label}"},
    )
    assert run_pipeline(
        url,
        sample_dir,
        selection=[AssetKey("harmonized_innovations"), AssetKey("portal_candidate")],
    ).success


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "storage, point",
    # each moment on SQLite; on PostgreSQL the one where the table is committed but not the files
    [
        ("sqlite", "publish.archived"),
        ("sqlite", "publish.table_swapped"),
        ("sqlite", "publish.installed"),
        ("postgres", "publish.table_swapped"),
    ],
)
def test_kill_9_during_publication_leaves_table_files_and_manifest_in_step(
    storage, point, materialized, tmp_path, sample_dir
):
    published = materialized(storage)
    url, out = published.url, published.out
    wh = Warehouse(url)
    home = tmp_path / "home"
    home.mkdir()
    env = dict(
        os.environ, DAGSTER_HOME=str(home), JIPPNAS_WAREHOUSE_URL=url, JIPPNAS_OUTPUT_DIR=str(out)
    )
    before = portal_view(wh, out)
    new_source_content(url, sample_dir, f"{storage} {point}")
    marker = tmp_path / point
    proc = cli("portal_innovations", env, point, marker)
    wait_for(marker, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    now = portal_view(wh, out)
    if point == "publish.archived":  # nothing committed: the published version stands, whole
        assert agree(now) and now == before
    elif point == "publish.table_swapped":
        # committed, files one version behind: the whole archive waits
        assert now["committed"] != before["committed"] and now["manifest"] == before["manifest"]
        archive = out / "portal_versions" / now["committed"]
        assert (
            json.loads((archive / "manifest.json").read_text())["checksum"] == now["table_checksum"]
        )
    else:  # switched: everything is the new version
        assert agree(now) and now["committed"] != before["committed"]
    # the next run puts the files in step with the table and publishes the candidate
    code, log = finish(cli("portal_innovations", env))
    assert code == 0, log[-3000:]
    after = portal_view(wh, out)
    candidate = wh.read_sql("SELECT * FROM portal_candidate ORDER BY innovation_id")
    assert agree(after) and after["manifest"]["checksum"] == content_checksum(candidate)
    assert not list((out / "portal_versions").glob(".*"))  # nothing half-written left behind


@pytest.mark.postgres
@pytest.mark.subprocess
def test_postgres_restarted_during_a_run_leaves_no_table_half_written(
    materialized, pg_server, tmp_path, sample_dir
):
    published = materialized("postgres")
    out = published.out
    server = start_postgres()  # its own server: the session's is shared with other tests
    try:
        url = server.create_database("drill")
        copy_database(pg_server, published.url, server, "drill")
        wh = Warehouse(url)
        wh.execute(
            "UPDATE merged_innovations SET title = 'Judul baru' WHERE innovation_id = "
            "(SELECT MIN(innovation_id) FROM merged_innovations)"
        )
        tables = [
            "harmonized_innovations",
            "agency_completeness",
            "national_summary",
            "portal_candidate",
            "portal_innovations",
            "quality_history",
        ]
        before = {
            t: wh.read_sql(f'SELECT * FROM "{t}"')
            .sort_values(list(wh.read_sql(f'SELECT * FROM "{t}" LIMIT 0').columns[:2]))
            .reset_index(drop=True)
            for t in tables
        }
        home = tmp_path / "home"
        home.mkdir()
        env = dict(
            os.environ,
            DAGSTER_HOME=str(home),
            JIPPNAS_WAREHOUSE_URL=url,
            JIPPNAS_OUTPUT_DIR=str(out),
        )
        marker = tmp_path / "paused"
        proc = cli("harmonized_innovations*", env, "harmonized_innovations.before_commit", marker)
        wait_for(marker, proc)  # the new table is written inside the open transaction
        restart = _run_as_pg(
            [
                _pg_tool("pg_ctl"),
                "-D",
                str(server.datadir),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "-l",
                str(server.datadir.parent / "log"),
                "restart",
            ],
            check=False,
        )
        assert restart.returncode == 0, restart.stderr
        marker.with_name(marker.name + ".release").touch()
        code, log = finish(proc)
        assert code != 0
        assert (
            "became unavailable during a write; the transaction was rolled back, nothing of it was committed"
            in log
        )
        for t in tables:
            now = (
                wh.read_sql(f'SELECT * FROM "{t}"')
                .sort_values(list(before[t].columns[:2]))
                .reset_index(drop=True)
            )
            assert now.equals(before[t]), t
        assert wh.read_sql(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE '%%incoming'"
        ).empty
        code, log = finish(cli("harmonized_innovations*", env))
        assert code == 0, log[-3000:]
        assert "Judul baru" in set(wh.read_table("portal_innovations")["title"])
        kipp = wh.read_sql(
            "SELECT * FROM national_summary WHERE dimension = 'programme' AND value = 'KIPP'"
        ).iloc[0]
        assert (kipp["innovations"], kipp["updated"], kipp["pending"]) == (973, 0, 973)
    finally:
        server.stop()


@pytest.mark.subprocess
def test_iga_down_for_a_whole_run_keeps_the_previous_read_and_says_so(materialized, sample_dir):
    published = materialized("sqlite")  # everything materialized, in the instance's history
    url, out = published.url, published.out
    with IgaServer(sample_dir / "iga") as iga:
        base = iga.url
        env = dict(
            os.environ,
            DAGSTER_HOME=published.instance.root_directory,
            JIPPNAS_WAREHOUSE_URL=url,
            JIPPNAS_OUTPUT_DIR=str(out),
            JIPPNAS_IGA_SOURCE=base,
            JIPPNAS_SOURCE_RETRY_DELAY_S="1",
            JIPPNAS_SOURCE_RETRIES="2",
        )
        code, log = finish(cli("raw_iga", env))  # the last good read, over HTTP
        assert code == 0, log[-3000:]
    wh = Warehouse(url)
    raw_before = wh.read_sql("SELECT * FROM raw_iga ORDER BY source_record_id")
    portal_before = portal_view(wh, out)
    # the server is gone: every request is refused, for every try and every retry of the asset
    code, log = finish(cli("*", env))
    assert code != 0
    assert f"IGA: gave up on {base}/tahun after 5 tries" in log
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        run = instance.get_runs(limit=1)[0]
        retried = [
            e
            for e in instance.all_logs(run.run_id)
            if e.dagster_event
            and e.dagster_event.step_key == "raw_iga"
            and e.dagster_event.event_type_value == "STEP_UP_FOR_RETRY"
        ]
        assert len(retried) == 2  # the RetryPolicy's two retries (with backoff) after the first try
    assert wh.read_sql("SELECT * FROM raw_iga ORDER BY source_record_id").equals(raw_before)
    assert agree(portal_view(wh, out)) and portal_view(wh, out) == portal_before
    # the report (as report_after_failure_sensor asks for it) says IGA is stale, and why
    code, log = finish(cli("data_quality_report", env))
    assert code == 0, log[-3000:]
    page = (out / "reports" / "index.html").read_text()
    assert (
        'id="sumber-usang-iga"' in page
        and "Data IGA (Kemendagri) usang: pembacaan terakhir gagal" in page
    )
    # why, in the report's words (the English error with its URL stays in the run's log)
    assert "server tidak memberi jawaban yang dapat dipakai setelah" in page
    assert f"{base}/tahun" not in page and 'id="sumber-usang-kipp"' not in page
    assert json.loads((out / "reports" / "summary.json").read_text())["stale_sources"] == ["IGA"]


def _submission(target, marker):
    return {
        "submission_id": str(uuid.uuid4()),
        "innovation": {"innovation_id": target["innovation_id"]},
        "agency_id": target["agency_id"],
        "submitted_by": {"name": "Uji", "email": "uji@example.go.id"},
        "submitted_at": datetime.now(timezone.utc).isoformat(),
        "changes": {"status": "berlanjut_tanpa_pengembangan", "outcomes": marker},
    }


@pytest.mark.daemon
@pytest.mark.postgres
def test_daemon_killed_while_submissions_are_pending_applies_each_exactly_once(
    materialized, tmp_path
):
    published = materialized("postgres")
    pg_url = published.url
    wh = Warehouse(pg_url)
    targets = wh.read_sql(
        "SELECT innovation_id, agency_id FROM harmonized_innovations WHERE sources LIKE '%KIPP%' "
        "ORDER BY innovation_id LIMIT 12"
    )
    home = tmp_path / "daemon_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    env = dict(
        os.environ,
        DAGSTER_HOME=str(home),
        JIPPNAS_WAREHOUSE_URL=pg_url,
        JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S="2",
        JIPPNAS_OUTPUT_DIR=str(published.out),
    )
    logs = tmp_path / "daemon.log"

    def start():
        return subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=logs.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    docs = [_submission(t, f"hasil {i}") for i, t in enumerate(targets.to_dict("records"))]
    DagsterInstance.from_config(
        str(home)
    ).dispose()  # the instance's storage exists before two processes open it
    first = start()
    second = None
    try:
        for d in docs[:6]:
            store_document(wh, d, "drill")
        with DagsterInstance.from_config(str(home)) as instance:
            deadline = time.monotonic() + 180
            while not instance.get_runs(RunsFilter(job_name="submission_job"), limit=1):
                assert time.monotonic() < deadline and first.poll() is None, logs.read_text()[
                    -3000:
                ]
                time.sleep(0.5)
        os.kill(first.pid, signal.SIGKILL)  # the daemon dies; what it started carries on or not
        first.wait()
        for d in docs[6:]:  # more arrive while no daemon is watching
            store_document(wh, d, "drill")
        second = start()
        ids = [d["submission_id"] for d in docs]
        deadline = time.monotonic() + 300
        while True:
            states = wh.read_sql(
                "SELECT submission_id, state FROM innovation_submissions WHERE submission_id IN :ids",
                {"ids": tuple(ids)},
            )
            if (states["state"] == "accepted").sum() == len(ids):
                break
            assert time.monotonic() < deadline, (
                f"{states['state'].value_counts().to_dict()}\n" + logs.read_text()[-3000:]
            )
            assert second.poll() is None, logs.read_text()[-3000:]
            time.sleep(1)
        log = wh.read_sql(
            "SELECT submission_id, field FROM innovation_change_log WHERE submission_id IN :ids",
            {"ids": tuple(ids)},
        )
        assert (
            len(log) == 2 * len(ids) and log.groupby(["submission_id", "field"]).size().max() == 1
        )
        # and the innovations show them once the submission run that followed is through
        deadline = time.monotonic() + 300
        with DagsterInstance.from_config(str(home)) as instance:
            while any(
                r.status
                not in (
                    DagsterRunStatus.SUCCESS,
                    DagsterRunStatus.FAILURE,
                    DagsterRunStatus.CANCELED,
                )
                for r in instance.get_runs(RunsFilter(job_name="submission_job"))
            ):
                assert time.monotonic() < deadline, logs.read_text()[-3000:]
                time.sleep(1)
        h = wh.read_table("harmonized_innovations").set_index("innovation_id")
        for d in docs:
            assert h.loc[d["innovation"]["innovation_id"], "outcomes"] == d["changes"]["outcomes"]
    finally:
        for proc in (second, first):
            if proc is not None:
                try:
                    os.killpg(proc.pid, signal.SIGINT if proc is second else signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if second is not None:
            try:
                second.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(second.pid, signal.SIGKILL)
