"""Failure alerts reach operators by e-mail: a real SMTP server (aiosmtpd) on loopback, real failed runs."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from dagster import (
    AssetKey,
    DagsterInstance,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
)

from jippnas_orchestration.sensors import alert_on_failed_check_sensor, alert_on_run_failure_sensor
from jippnas_orchestration.testing.postgres import free_port
from resources import AlertMailerResource

from .helpers import run_pipeline
from .submission_fixtures import harmonized, seed_warehouse


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


def failed_gate_run(url, sample_dir, instance):
    """portal_candidate built from a harmonized table with impossible years: its gate fails, the run fails."""
    wh = seed_warehouse(url)
    h = harmonized(wh).reset_index()
    h.loc[0, "year_first"] = 1800
    wh.replace_table("harmonized_innovations", h, primary_key=["innovation_id"])
    result = run_pipeline(
        url,
        sample_dir,
        selection=[AssetKey("portal_candidate")],
        raise_on_error=False,
        instance=instance,
    )
    assert not result.success
    return result


def test_failed_run_and_failed_check_mail_the_operators(sqlite_url, sample_dir, smtp):
    instance = DagsterInstance.ephemeral()
    alerts = AlertMailerResource()
    watch = build_sensor_context(instance=instance, resources={"alerts": alerts})
    assert isinstance(alert_on_failed_check_sensor(watch), SkipReason)  # starts watching from now
    result = failed_gate_run(sqlite_url, sample_dir, instance)

    ctx = build_run_status_sensor_context(
        sensor_name="alert_on_run_failure_sensor",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"alerts": alerts},
    ).for_run_failure()
    alert_on_run_failure_sensor(ctx)
    checks = build_sensor_context(
        instance=instance, cursor=watch.cursor, resources={"alerts": alerts}
    )
    alert_on_failed_check_sensor(checks)

    assert len(smtp.messages) == 2
    (to1, run_mail), (to2, check_mail) = smtp.messages
    assert to1 == to2 == ["ops@example.go.id", "data@example.go.id"]
    assert (
        run_mail["Subject"]
        == f"[JIPPNAS] run failed: {result.dagster_run.job_name} ({result.run_id[:8]})"
    )
    assert "Failed steps: portal_candidate" in run_mail.get_content()
    assert check_mail["Subject"] == "[JIPPNAS] check failed: portal_candidate_gate"
    body = check_mail.get_content()
    assert "portal_candidate_gate on portal_candidate (ERROR)" in body and result.run_id in body
    assert "expect_column_values_to_be_between | year_first | 1" in body
    # the cursor moved: the same failure is not mailed twice
    again = build_sensor_context(
        instance=instance, cursor=checks.cursor, resources={"alerts": alerts}
    )
    assert isinstance(alert_on_failed_check_sensor(again), SkipReason) and len(smtp.messages) == 2


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
