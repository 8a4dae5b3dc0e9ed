"""Shared fixtures: a real PostgreSQL 15 server for the session, fresh databases, the sample.

Test tiers (README, "Test tiers"): `make test` runs everything; `make test-fast` leaves out the
tests carrying one of TIER_MARKERS. Markers are set here where a fixture tells (a test that asks for
the PostgreSQL server, is parametrized on "postgres", or uses the stack or the offline browser), and
by hand where a test starts a process itself. A test that starts Chromium, a Dagster service, the
CLI or PostgreSQL without the marker saying so fails (`_process_guard`), so no test slips into the
fast tier by being forgotten.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import uuid
from functools import partial
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId

# a source that stays down is retried with the real policy's shape (3 retries, doubling, jitter) but
# from a short delay: in process, the production 30 s, 60 s, 120 s would be minutes of sleep per test.
# Set before the assets are imported (the policy is read at definition time).
os.environ.setdefault("JIPPNAS_SOURCE_RETRY_DELAY_S", "0.5")

from jippnas_orchestration.settings import SAMPLE_DIR  # noqa: E402
from jippnas_orchestration.testing.postgres import PostgresServer, start_postgres  # noqa: E402
from jippnas_orchestration.warehouse import Warehouse  # noqa: E402

from .baselines import Baselines, locked  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

# the markers `make test-fast` deselects (registered in pyproject.toml, run with --strict-markers)
TIER_MARKERS = ("postgres", "browser", "daemon", "subprocess", "slow")


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        on_postgres = any(isinstance(v, str) and v == "postgres" for v in params.values())
        if on_postgres or names & {"pg_server", "pg_url", "stack"}:
            item.add_marker(pytest.mark.postgres)
        if "stack" in names:  # code server, webserver, daemon and static server as processes
            item.add_marker(pytest.mark.daemon)
        if "browser" in names:  # tests/offline_browser.py's headless Chromium
            item.add_marker(pytest.mark.browser)
        # `make test` runs on pytest-xdist workers (--dist loadgroup): the tests sharing a module-
        # or class-scoped fixture go to one worker, so the fixture is built once, not once per worker
        fixturedefs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        if any(d.scope in ("module", "class") for defs in fixturedefs.values() for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    yield  # the other plugins' hooks, pytest-xdist's among them
    # pytest-xdist 3.8 tags a grouped test for --dist loadgroup by appending "@group" to
    # item._nodeid, which pytest 9.2 no longer reads (Node.nodeid is str(item._id)): without this
    # the groups are silently ignored and a module's fixture is built on both workers
    for item in items:
        tagged = getattr(item, "_nodeid", None)
        if tagged and tagged != item.nodeid:
            item._id = NodeId.parse(tagged)


def _marker_needed(args) -> tuple[str, str] | None:
    """(marker, what) for a command a test must be marked for; None for any other process (the
    ones Dagster or a library starts on its own)."""
    argv = shlex.split(args) if isinstance(args, str) else [os.fspath(a) for a in args]
    names = [Path(a).name for a in argv]
    if not names:
        return None
    if {"chromium", "chromium-browser"} & set(names):
        return "browser", "Chromium"
    if {"initdb", "pg_ctl", "postgres"} & set(names):
        return "postgres", "a PostgreSQL server"
    if {"dagster-daemon", "dagster-webserver"} & set(names) or (
        names[0] == "dagster" and names[1:3] in (["api", "grpc"], ["dev"])
    ):
        return "daemon", "a Dagster service"
    if names[0] in ("dagster", "jippnas") or (
        names[0].startswith("python") and any("jippnas_orchestration" in a for a in argv[1:])
    ):
        return "subprocess", "the project's CLI in another process"
    return None


@pytest.fixture(autouse=True)
def _process_guard(request, monkeypatch):
    """Fail a test that starts a process its markers do not announce (see the module docstring)."""
    marks = {m.name for m in request.node.iter_markers()}
    original = subprocess.Popen.__init__

    def guarded(self, args, *a, **kw):
        needed = _marker_needed(args)
        if needed:
            marker, what = needed
            enough = {marker, "daemon"} if marker == "subprocess" else {marker}
            if not marks & enough:
                raise RuntimeError(
                    f"{request.node.nodeid} starts {what} ({args!r}) without "
                    f"@pytest.mark.{marker}: mark it, or `make test-fast` would run it"
                )
        original(self, args, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", guarded)


def _shared_dir(config) -> Path:
    """The session's temporary folder that every pytest-xdist worker sees (the controller's; a
    worker's own folder is inside it)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


@pytest.fixture(scope="session")
def pg_server(request):
    """One PostgreSQL server for the session, shared by its workers: the first to need it starts
    it; the controller stops it when every worker is done (pytest_sessionfinish)."""
    shared = _shared_dir(request.config)
    info = shared / "postgres.json"
    with locked(shared / "postgres.lock"):
        if not info.exists():
            server = start_postgres()
            info.write_text(json.dumps({"datadir": str(server.datadir), "port": server.port}))
    return _started_server(info)


def _started_server(info: Path) -> PostgresServer:
    known = json.loads(info.read_text())
    return PostgresServer(datadir=Path(known["datadir"]), port=known["port"])


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        return  # a worker: the server outlives it
    info = _shared_dir(session.config) / "postgres.json"
    if info.exists():
        _started_server(info).stop()


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


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request) -> str:
    """The warehouse kind a test runs on: both the contract allows."""
    return request.param


@pytest.fixture(scope="session")
def _baselines(request) -> Baselines:
    return Baselines(_shared_dir(request.config) / "baselines")


@pytest.fixture
def materialized(_baselines, request, tmp_path, monkeypatch):
    """`materialized(kind, submissions=False, frozen=False)`: this test's own copy of the sample with
    everything materialized (tests/baselines.py), JIPPNAS_OUTPUT_DIR pointing at its output."""
    return partial(_baselines.copy, request=request, dest=tmp_path / "materialized", mp=monkeypatch)


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
