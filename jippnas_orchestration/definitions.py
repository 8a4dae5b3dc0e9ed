"""The one code location: every asset, check, job, sensor and schedule, with their resources."""

from __future__ import annotations

import os

from dagster import (
    Definitions,
    EnvVar,
    in_process_executor,
    load_asset_checks_from_modules,
    load_assets_from_modules,
)

import assets.harmonization
import assets.metrics
import assets.publication
import assets.replication
import assets.reports
import assets.sources
import assets.updates
from resources import (
    AlertMailerResource,
    CampaignResource,
    ExpectationsResource,
    OutputResource,
    SourcesResource,
    WarehouseResource,
)

from .jobs import refresh_all_job, report_job, submission_job
from .schedules import daily_refresh_schedule
from .sensors import (
    alert_on_failed_check_sensor,
    alert_on_run_failure_sensor,
    publication_automation_sensor,
    report_after_failure_sensor,
    report_after_submissions_sensor,
    submission_sensor,
)


def from_env(name: str) -> EnvVar | None:
    """EnvVar when the variable is set where the code location loads: resolved in each run, shown in the
    UI by name, never by value (the warehouse URL carries a password). Unset: the project default."""
    return EnvVar(name) if os.environ.get(name, "").strip() else None


output_dir = from_env("JIPPNAS_OUTPUT_DIR")
ASSET_MODULES = [
    assets.sources,
    assets.harmonization,
    assets.updates,
    assets.metrics,
    assets.replication,
    assets.publication,
    assets.reports,
]
defs = Definitions(
    assets=[*load_assets_from_modules(ASSET_MODULES), assets.updates.innovation_submissions],
    # every check defined in the asset folders, so a new one cannot be left out by hand
    asset_checks=load_asset_checks_from_modules(ASSET_MODULES),
    jobs=[refresh_all_job, submission_job, report_job],
    sensors=[
        submission_sensor,
        report_after_failure_sensor,
        report_after_submissions_sensor,
        alert_on_run_failure_sensor,
        alert_on_failed_check_sensor,
        publication_automation_sensor,
    ],
    schedules=[daily_refresh_schedule],
    # one process per run: steps are quick, and a process per step would cost ~3 s of imports each
    executor=in_process_executor,
    resources={
        "warehouse": WarehouseResource(url=from_env("JIPPNAS_WAREHOUSE_URL")),
        "sources": SourcesResource(
            kipp=from_env("JIPPNAS_KIPP_SOURCE"),
            iga=from_env("JIPPNAS_IGA_SOURCE"),
            inolan=from_env("JIPPNAS_INOLAN_SOURCE"),
        ),
        "expectations": ExpectationsResource(output_dir=output_dir),
        "output": OutputResource(
            output_dir=output_dir, public_base_url=from_env("JIPPNAS_PUBLIC_BASE_URL")
        ),
        "campaign": CampaignResource(start=from_env("JIPPNAS_CAMPAIGN_START")),
        "alerts": AlertMailerResource(),  # JIPPNAS_ALERT_* read when an alert is sent: off while unset
    },
)
