"""The one code location: every asset, check, job, sensor and schedule, with their resources."""

from __future__ import annotations

from dagster import Definitions, in_process_executor, load_assets_from_modules

import assets.harmonization
import assets.metrics
import assets.publication
import assets.reports
import assets.sources
import assets.updates
from resources import ExpectationsResource, SourcesResource, WarehouseResource

from .jobs import refresh_all_job, report_job, submission_job
from .schedules import daily_refresh_schedule
from .sensors import report_after_failure_sensor, submission_sensor

defs = Definitions(
    assets=load_assets_from_modules([assets.sources, assets.harmonization, assets.updates, assets.metrics,
                                      assets.publication, assets.reports]),
    asset_checks=[assets.harmonization.entity_resolution_quality, assets.publication.harmonized_innovations_gate,
                  assets.publication.portal_candidate_gate],
    jobs=[refresh_all_job, submission_job, report_job],
    sensors=[submission_sensor, report_after_failure_sensor],
    schedules=[daily_refresh_schedule],
    # one process per run: steps are quick, and a process per step would cost ~3 s of imports each
    executor=in_process_executor,
    resources={"warehouse": WarehouseResource(), "sources": SourcesResource(),
               "expectations": ExpectationsResource()},
)
