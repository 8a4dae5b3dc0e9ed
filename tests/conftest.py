"""Shared fixtures: a real PostgreSQL 15 server for the session, fresh databases, the sample."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

# a source that stays down is retried with the real policy's shape (3 retries, doubling, jitter) but
# from a short delay: in process, the production 30 s, 60 s, 120 s would be minutes of sleep per test.
# Set before the assets are imported (the policy is read at definition time).
os.environ.setdefault("JIPPNAS_SOURCE_RETRY_DELAY_S", "0.5")

from jippnas_orchestration.settings import SAMPLE_DIR  # noqa: E402
from jippnas_orchestration.testing.postgres import start_postgres  # noqa: E402
from jippnas_orchestration.warehouse import Warehouse  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def pg_server():
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    return pg_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


@pytest.fixture(params=["sqlite", "postgres"])
def warehouse_url(request, tmp_path) -> str:
    """Run a test against both warehouses the contract allows."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    server = request.getfixturevalue("pg_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def warehouse(warehouse_url) -> Warehouse:
    return Warehouse(warehouse_url)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Tests never touch the developer's .jippnas/, output/ or .dagster/."""
    for var in (
        "JIPPNAS_WAREHOUSE_URL",
        "JIPPNAS_KIPP_SOURCE",
        "JIPPNAS_IGA_SOURCE",
        "JIPPNAS_INOLAN_SOURCE",
        "JIPPNAS_CAMPAIGN_START",
        "JIPPNAS_PUBLIC_BASE_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    os.makedirs(tmp_path / "dagster_home", exist_ok=True)
