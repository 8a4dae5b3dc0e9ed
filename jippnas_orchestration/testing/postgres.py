"""Start and stop a throwaway PostgreSQL 15 server on a free loopback port.

The server refuses to run as root, so as root it runs as the `postgres` user (runuser).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = ["/usr/lib/postgresql/15/bin"]


def _pg_tool(name: str) -> str:
    for d in PG_BIN_DIRS:
        p = Path(d) / name
        if p.exists():
            return str(p)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL tool {name!r} not found; install postgresql-15")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    user: str = "jippnas"
    password: str = "jippnas"

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{db}"

    def create_database(self, db: str) -> str:
        import sqlalchemy as sa

        eng = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}"')
            c.exec_driver_sql(f'CREATE DATABASE "{db}"')
        eng.dispose()
        return self.url(db)

    def stop(self) -> None:
        _run_as_pg(
            [_pg_tool("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"], check=False
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def _run_as_pg(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def start_postgres() -> PostgresServer:
    root = Path(tempfile.mkdtemp(prefix="jippnas-pg-"))
    datadir = root / "data"
    pwfile = root / "pw"
    server = PostgresServer(datadir=datadir, port=0)  # the port is chosen just before binding
    pwfile.write_text(server.password)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
    _run_as_pg(
        [
            _pg_tool("initdb"),
            "-D",
            str(datadir),
            "-U",
            server.user,
            "--pwfile",
            str(pwfile),
            "-A",
            "md5",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        ]
    )
    # a free port is only free until someone binds it: if another process took it in between,
    # choose again
    for attempt in range(3):
        server.port = free_port()
        opts = (
            f"-p {server.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
        )
        proc = _run_as_pg(
            [
                _pg_tool("pg_ctl"),
                "-D",
                str(datadir),
                "-o",
                opts,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=False,
        )
        if proc.returncode == 0:
            break
        log = (root / "log").read_text() if (root / "log").exists() else ""
        if attempt == 2 or "already in use" not in log:
            raise RuntimeError(f"PostgreSQL failed to start: {proc.stderr}\n{log}")
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", server.port)) == 0:
                return server
        time.sleep(0.1)
    raise RuntimeError("PostgreSQL did not open its port")
