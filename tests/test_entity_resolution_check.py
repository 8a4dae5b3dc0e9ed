"""Without ground truth, entity_resolution_quality is not evaluated: skipped in the UI."""

import asyncio
import shutil

from dagster import AssetCheckKey, AssetKey, AssetSelection, DagsterInstance
from dagster._core.loader import LoadingContextForTest
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecordStatus,
    AssetCheckExecutionResolvedStatus,
)

from .helpers import run_pipeline

KEY = AssetCheckKey(AssetKey("innovation_source_map"), "entity_resolution_quality")


def test_no_ground_truth_leaves_the_check_skipped_not_passed(tmp_path, sample_dir, sqlite_url):
    sources = (
        tmp_path / "sources"
    )  # the sample's three sources without the generator's ground_truth.csv
    shutil.copytree(sample_dir / "kipp", sources / "kipp")
    shutil.copytree(sample_dir / "iga", sources / "iga")
    shutil.copy(sample_dir / "inolan.csv", sources / "inolan.csv")
    instance = DagsterInstance.get()  # DAGSTER_HOME: a fresh folder per test (conftest)

    result = run_pipeline(
        sqlite_url, sources, selection=AssetSelection.checks(KEY), instance=instance
    )

    assert result.success and not result.get_asset_check_evaluations()
    logs = [e.message for e in instance.all_logs(result.run_id) if e.message]
    assert any("entity_resolution_quality: not evaluated" in m for m in logs)
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([KEY])[KEY]
    assert (
        record.run_id == result.run_id and record.status == AssetCheckExecutionRecordStatus.PLANNED
    )
    status = asyncio.run(record.resolve_status(LoadingContextForTest(instance)))
    assert status == AssetCheckExecutionResolvedStatus.SKIPPED  # what the UI shows for this run
