"""Running the real pipeline from tests."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from dagster import materialize

from resources import SourcesResource, WarehouseResource


def pipeline_defs():
    from jippnas_orchestration.definitions import defs

    return list(defs.assets) + list(defs.asset_checks or [])


def run_pipeline(
    warehouse_url: str, sources_dir: Path, selection=None, raise_on_error: bool = True, **kwargs
):
    from jippnas_orchestration.definitions import defs

    resources = dict(defs.resources)
    resources["warehouse"] = WarehouseResource(url=warehouse_url)
    resources["sources"] = SourcesResource(
        kipp=str(sources_dir / "kipp"),
        iga=str(sources_dir / "iga"),
        inolan=str(sources_dir / "inolan.csv"),
    )
    return materialize(
        pipeline_defs(),
        resources=resources,
        selection=selection,
        raise_on_error=raise_on_error,
        **kwargs,
    )


def dagster_home(kind: str, home: Path, pg_server=None) -> dict[str, str]:
    """A DAGSTER_HOME as deployed: `sqlite` is the project's .dagster/dagster.yaml (the default,
    run-sharded SQLite storage), `postgres` is deploy/postgres/dagster.yaml on a fresh database of
    the test server. Returns the environment the instance needs (DAGSTER_HOME, DAGSTER_PG_*)."""
    import shutil
    import uuid

    from jippnas_orchestration.settings import PROJECT_ROOT

    home.mkdir(parents=True, exist_ok=True)
    env = {"DAGSTER_HOME": str(home)}
    if kind == "sqlite":
        shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
        return env
    assert kind == "postgres", kind
    db = f"dagster_{uuid.uuid4().hex[:12]}"
    pg_server.create_database(db)
    shutil.copy(PROJECT_ROOT / "deploy" / "postgres" / "dagster.yaml", home / "dagster.yaml")
    return env | {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(pg_server.port),
        "DAGSTER_PG_USERNAME": pg_server.user,
        "DAGSTER_PG_PASSWORD": pg_server.password,
        "DAGSTER_PG_DB": db,
    }


def stop_process_group(proc: subprocess.Popen) -> int:
    """Stop a service started in its own process group (daemon, webserver) as Ctrl-C would; kill it
    if it does not end within a minute."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise


def leaked(values, texts, k: int = 6) -> list[str]:
    """The values (each at least `k` characters) found in any of the texts, as `value in text`
    finds them. A value can occur only if each of its k-character windows occurs, so the texts'
    windows are collected once and only a value whose windows all occur is searched for: seconds,
    where searching ten megabytes for each of ~7,000 values took minutes."""
    texts = [t for t in set(texts) if t]
    windows = set()
    for text in texts:
        windows.update(text[i : i + k] for i in range(len(text) - k + 1))
    found = []
    for value in values:
        assert len(value) >= k, value
        if all(value[i : i + k] in windows for i in range(len(value) - k + 1)):
            if any(value in text for text in texts):
                found.append(value)
    return found
