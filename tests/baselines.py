"""The sample, materialized once per test session and storage, copied for each test that starts there.

Most pipeline tests begin with "the whole pipeline ran on the sample" and then do what they test
(a submission wave, a broken source, a kill). That first run is the same every time and costs most
of such a test, so it is built once per key (storage, submissions applied first) on first use and
each test gets a copy of everything the run left: the warehouse (SQLite through the backup API,
PostgreSQL as `CREATE DATABASE ... TEMPLATE`), the output directory (hard links between portal
versions and the `portal` symlink kept) and the Dagster instance's storage, so a test continues from
exactly where that run stopped (portal_candidate's record of the similar_innovations materialization
included). Every baseline is built at one fixed moment (BASELINE_CLOCK, JIPPNAS_CLOCK during
the build), so one build serves the tests that go on at that moment (`frozen`: the clock stays
set for the test) and those that go on at the real time, any day (the pipeline has simply not
run for a while).

The pytest-xdist workers share the baselines (and the PostgreSQL server, tests/conftest.py): a
baseline lives in the session's shared temporary folder, and whichever worker needs a key first
builds it while holding the key's lock; the others wait for it and copy.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from jippnas_orchestration.metrics.history import CLOCK_VAR
from jippnas_orchestration.settings import SAMPLE_DIR
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse, engine_for

from .helpers import run_pipeline

BASELINE_CLOCK = "2026-03-02T09:00:00+07:00"  # when every baseline's run ran (Jakarta time)


@dataclass
class Published:
    """A test's own copy of a materialized sample."""

    url: str
    out: Path  # JIPPNAS_OUTPUT_DIR, set for the test
    instance: DagsterInstance  # the instance the baseline ran in, copied
    run_out: Path  # the output directory that run wrote (the paths in its metadata name it)

    @property
    def wh(self) -> Warehouse:
        return Warehouse(self.url)

    def run(self, **kwargs):
        """The pipeline again on the sample, in this copy's instance (`run_pipeline`'s arguments)."""
        kwargs.setdefault("instance", self.instance)
        return run_pipeline(self.url, kwargs.pop("sources", SAMPLE_DIR), **kwargs)


@contextmanager
def locked(path: Path):
    """An exclusive lock on `path`, across the session's worker processes."""
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Baselines:
    """Session-wide: `copy(...)` builds the baseline on first use and hands out copies. `root` is
    shared by the session's workers."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def copy(
        self,
        kind: str,
        submissions: bool = False,
        frozen: bool = False,
        *,
        request: pytest.FixtureRequest,
        dest: Path,
        mp: pytest.MonkeyPatch,
    ) -> Published:
        """A copy for the test of `request`, in `dest`; its environment set through `mp` (with
        `frozen`, the clock stays at BASELINE_CLOCK for the test)."""
        assert kind in ("sqlite", "postgres"), kind
        if kind == "postgres" and request.node.get_closest_marker("postgres") is None:
            # however early the session's server started: the fast tier must not run this test
            raise RuntimeError(f"{request.node.nodeid} uses PostgreSQL: mark it postgres")
        if frozen:
            mp.setenv(CLOCK_VAR, BASELINE_CLOCK)
        pg = request.getfixturevalue("pg_server") if kind == "postgres" else None
        home = self.root / f"{kind}-{'submitted' if submissions else 'plain'}"
        dest.mkdir(parents=True, exist_ok=True)
        # held while copying too: a PostgreSQL template must have no other session open
        with locked(self.root / f"{home.name}.lock"):
            if not (home / "built").exists():
                self._build(home, pg, submissions)
            url = _copy_warehouse(pg, (home / "url").read_text(), dest)
        out = dest / "out"
        copy_tree(home / "out", out)
        mp.setenv("JIPPNAS_OUTPUT_DIR", str(out))
        instance_dir = dest / "instance"
        copy_tree(home / "instance", instance_dir)
        instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(instance_dir)))
        request.addfinalizer(instance.dispose)
        return Published(url, out, instance, home / "out")

    @staticmethod
    def _build(home: Path, pg, submissions: bool) -> None:
        shutil.rmtree(home, ignore_errors=True)  # what a failed build left
        home.mkdir(parents=True)
        db = f"base_{uuid.uuid4().hex[:12]}"
        url = pg.create_database(db) if pg else f"sqlite:///{home / 'warehouse.sqlite'}"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("JIPPNAS_OUTPUT_DIR", str(home / "out"))
            mp.setenv(CLOCK_VAR, BASELINE_CLOCK)
            if submissions:
                files = sorted((SAMPLE_DIR / "submissions").glob("*.json"))
                assert submit_files(files, io.StringIO(), Warehouse(url)) == 0
            instance_dir = home / "instance"
            instance_dir.mkdir()
            instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(instance_dir)))
            try:
                assert run_pipeline(url, SAMPLE_DIR, instance=instance).success
            finally:
                instance.dispose()
        for for_writes in (True, False):  # a template database must have no open connection
            engine_for(url, for_writes).dispose()
        (home / "url").write_text(url)
        (home / "built").touch()


def _copy_warehouse(pg, url: str, dest: Path) -> str:
    if pg is None:
        target = dest / "warehouse.sqlite"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as src:
            with sqlite3.connect(target) as copy:
                src.backup(copy)
        return f"sqlite:///{target}"
    template = url.rsplit("/", 1)[1]
    db = f"t_{uuid.uuid4().hex[:12]}"
    eng = sa.create_engine(pg.url(), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(  # a pooled connection of the build would block the copy
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{template}' AND pid <> pg_backend_pid()"
        )
        c.exec_driver_sql(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    eng.dispose()
    return pg.url(db)


def copy_tree(src: Path, dest: Path) -> None:
    """Copy a directory keeping symlinks as links and files hard-linked to each other as such."""
    seen: dict[tuple[int, int], Path] = {}
    for root, dirs, files in os.walk(src):
        here = dest / Path(root).relative_to(src)
        here.mkdir(parents=True, exist_ok=True)
        for name in dirs + files:
            path, target = Path(root) / name, here / name
            if path.is_symlink():
                target.symlink_to(os.readlink(path))
                if name in dirs:
                    dirs.remove(name)  # a link to a folder is not walked into
            elif name in files:
                st = path.stat()
                first = seen.setdefault((st.st_dev, st.st_ino), target)
                if first is target:
                    shutil.copy2(path, target)
                else:
                    os.link(first, target)
