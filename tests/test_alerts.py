"""Failure alerts reach operators by e-mail: a real SMTP server (aiosmtpd) on loopback, real failed runs,
on the Dagster instances as deployed: the default run-sharded SQLite one and PostgreSQL."""

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
)

from jippnas_orchestration.sensors import alert_on_failed_check_sensor, alert_on_run_failure_sensor
from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.testing.postgres import free_port
from jippnas_orchestration.warehouse import Warehouse
from resources import AlertMailerResource

from .helpers import dagster_home, run_pipeline, stop_process_group
from .submission_fixtures import harmonized, seed_warehouse

BIN = Path(sys.executable).parent
CHECK_MAIL = "[JIPPNAS] check failed: portal_candidate_gate"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 Message accepted for delivery"

    def with_subject(self, subject: str) -> list:
        return [m for _, m in self.messages if m["Subject"] == subject]


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("JIPPNAS_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JIPPNAS_ALERT_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("JIPPNAS_ALERT_SMTP_STARTTLS", "false")
    monkeypatch.setenv("JIPPNAS_ALERT_FROM", "jippnas@example.go.id")
    monkeypatch.setenv("JIPPNAS_ALERT_TO", "ops@example.go.id, data@example.go.id")
    yield inbox
    controller.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def instance_env(request, tmp_path, monkeypatch) -> dict[str, str]:
    """DAGSTER_HOME (and DAGSTER_PG_*) of an instance configured as deployed, set for this process."""
    pg = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    env = dagster_home(request.param, tmp_path / "dagster_home", pg)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture
def instance(instance_env):
    with DagsterInstance.from_config(instance_env["DAGSTER_HOME"]) as inst:
        yield inst


def break_the_gate(url: str) -> None:
    """A harmonized table with an impossible year: portal_candidate's gate will fail."""
    wh = seed_warehouse(url)
    h = harmonized(wh).reset_index()
    h.loc[0, "year_first"] = 1800
    wh.replace_table("harmonized_innovations", h, primary_key=["innovation_id"])


def failed_gate_run(url, sample_dir, instance, broken: bool = False):
    """portal_candidate built from a harmonized table with impossible years: its gate fails, the run fails."""
    if not broken:
        break_the_gate(url)
    result = run_pipeline(
        url,
        sample_dir,
        selection=[AssetKey("portal_candidate")],
        raise_on_error=False,
        instance=instance,
    )
    assert not result.success
    return result


def tick(instance, cursor: str | None):
    """One evaluation of alert_on_failed_check_sensor, as the daemon makes it: (result, new cursor)."""
    with build_sensor_context(
        instance=instance, cursor=cursor, resources={"alerts": AlertMailerResource()}
    ) as ctx:
        return alert_on_failed_check_sensor(ctx), ctx.cursor


@pytest.mark.slow
def test_failed_run_and_failed_check_mail_the_operators(sqlite_url, sample_dir, smtp, instance):
    if "sqlite" in type(instance.event_log_storage).__name__.lower():
        # the default storage: each run its own database; reading events across runs by a plain
        # storage id raised there ("a cursor that is not run-aware") on every tick
        assert instance.event_log_storage.is_run_sharded
    started, cursor = tick(instance, None)
    assert isinstance(started, SkipReason)  # starts watching from now
    result = failed_gate_run(sqlite_url, sample_dir, instance)

    ctx = build_run_status_sensor_context(
        sensor_name="alert_on_run_failure_sensor",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"alerts": AlertMailerResource()},
    ).for_run_failure()
    alert_on_run_failure_sensor(ctx)
    seen, cursor = tick(instance, cursor)
    assert isinstance(seen, SkipReason) and "1 runs ended, 1 failed checks" in seen.skip_message

    assert len(smtp.messages) == 2
    (to1, run_mail), (to2, check_mail) = smtp.messages
    assert to1 == to2 == ["ops@example.go.id", "data@example.go.id"]
    assert (
        run_mail["Subject"]
        == f"[JIPPNAS] run failed: {result.dagster_run.job_name} ({result.run_id[:8]})"
    )
    assert "Failed steps: portal_candidate" in run_mail.get_content()
    assert check_mail["Subject"] == CHECK_MAIL
    body = check_mail.get_content()
    assert "portal_candidate_gate on portal_candidate (ERROR)" in body and result.run_id in body
    assert "expect_column_values_to_be_between | year_first | 1" in body
    # the cursor moved: the same failure is not mailed twice
    again, cursor = tick(instance, cursor)
    assert "no run ended" in again.skip_message and len(smtp.messages) == 2
    # a later failure is mailed, and only it
    second = failed_gate_run(sqlite_url, sample_dir, instance, broken=True)
    tick(instance, cursor)
    assert len(smtp.messages) == 3
    body = smtp.messages[2][1].get_content()
    assert second.run_id in body and result.run_id not in body


@pytest.mark.slow
def test_the_past_and_an_older_cursor_are_not_mailed(sqlite_url, sample_dir, smtp, instance):
    """Watching starts from now: failures before the first tick, or before an upgrade from the
    integer cursor of earlier versions, are not mailed (and the tick does not fail)."""
    failed_gate_run(sqlite_url, sample_dir, instance)
    for old in (None, "12345"):
        started, cursor = tick(instance, old)
        assert "started watching" in started.skip_message
        assert isinstance(json.loads(cursor), dict)
        assert "no run ended" in tick(instance, cursor)[0].skip_message
    assert smtp.messages == []


@pytest.mark.slow
def test_without_alert_settings_nothing_is_sent(sqlite_url, sample_dir, monkeypatch):
    for name in ("SMTP_HOST", "TO"):
        monkeypatch.delenv(f"JIPPNAS_ALERT_{name}", raising=False)
    instance = DagsterInstance.ephemeral()
    result = failed_gate_run(sqlite_url, sample_dir, instance)
    ctx = build_run_status_sensor_context(
        sensor_name="alert_on_run_failure_sensor",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"alerts": AlertMailerResource()},
    ).for_run_failure()
    skipped = alert_on_run_failure_sensor(ctx)
    assert isinstance(skipped, SkipReason) and "alerts not configured" in skipped.skip_message


# -- from a real dagster-daemon --------------------------------------------------------------------
def _sensor_state(instance, name: str):
    from dagster._core.scheduler.instigation import InstigatorType

    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == name:
            return state
    return None


@pytest.mark.daemon
def test_daemon_mails_a_failed_gate_once(
    sqlite_url, sample_dir, smtp, instance_env, instance, tmp_path
):
    """The sensor as `make dev` and the stack run it: a real daemon ticks it every few seconds on the
    instance's own storage; a failed gate reaches the SMTP server once and no tick fails."""
    break_the_gate(sqlite_url)
    # the storages' tables exist before the daemon starts (two processes creating one SQLite
    # schema at once fail: "table ... already exists")
    instance.get_runs(limit=1)
    instance.all_instigator_state()
    instance.fetch_run_status_changes(DagsterEventType.RUN_FAILURE, limit=1)
    env = dict(
        os.environ,
        **instance_env,
        JIPPNAS_WAREHOUSE_URL=sqlite_url,
        JIPPNAS_ALERT_SENSOR_INTERVAL_S="2",
        JIPPNAS_OUTPUT_DIR=str(tmp_path / "output"),
    )
    log_path = tmp_path / "daemon.log"
    log = log_path.open("w")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    sensor = "alert_on_failed_check_sensor"
    try:

        def ticks():
            """The sensor's finished ticks."""
            state = _sensor_state(instance, sensor)
            if state is None:
                return []
            found = instance.get_ticks(state.instigator_origin_id, state.selector_id)
            return [t for t in found if t.status.value != "STARTED"]

        def wait_for(what: str, done, timeout: float = 180):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                failed = [t for t in ticks() if t.status.value == "FAILURE"]
                assert not failed, f"{sensor} tick failed: {failed[0].error}"
                if done():
                    return
                assert daemon.poll() is None, log_path.read_text()[-3000:]
                time.sleep(0.5)
            pytest.fail(f"{what} not within {timeout} s:\n{log_path.read_text()[-3000:]}")

        # the first tick starts watching from now: the failure must come after it
        wait_for(f"{sensor}'s first tick", lambda: ticks())
        result = failed_gate_run(sqlite_url, sample_dir, instance, broken=True)
        wait_for("the check mail", lambda: smtp.with_subject(CHECK_MAIL))
        ticked = len(ticks())
        wait_for("two more ticks", lambda: len(ticks()) >= ticked + 2, timeout=60)

        mails = [m for m in smtp.with_subject(CHECK_MAIL) if result.run_id in m.get_content()]
        assert len(mails) == 1, [m.get_content() for m in mails]
        body = mails[0].get_content()
        assert "portal_candidate_gate on portal_candidate (ERROR)" in body
        assert "expect_column_values_to_be_between | year_first | 1" in body
        assert all(t.status.value == "SKIPPED" for t in ticks()), ticks()

        # then a successful gate, as an operator fixes the data: no mail, and every sensor the
        # daemon ticks (submissions, report, alerts) stays green
        mailed = len(smtp.with_subject(CHECK_MAIL))
        h = harmonized(Warehouse(sqlite_url)).reset_index()
        Warehouse(sqlite_url).replace_table("harmonized_innovations", h, ["innovation_id"])
        fixed = run_pipeline(
            sqlite_url, sample_dir, selection=[AssetKey("portal_candidate")], instance=instance
        )
        assert fixed.success
        ticked = len(ticks())
        wait_for("two ticks after the good run", lambda: len(ticks()) >= ticked + 2, timeout=60)
        assert len(smtp.with_subject(CHECK_MAIL)) == mailed
        from dagster._core.scheduler.instigation import InstigatorType

        states = instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        assert {s.instigator_name for s in states} >= {sensor, "submission_sensor"}
        for state in states:
            found = instance.get_ticks(state.instigator_origin_id, state.selector_id)
            failed = [t for t in found if t.status.value == "FAILURE"]
            assert not failed, f"{state.instigator_name}: {failed[0].error}"
    finally:
        code = stop_process_group(daemon)
        log.close()
    assert code in (0, -signal.SIGINT, 130), log_path.read_text()[-2000:]
