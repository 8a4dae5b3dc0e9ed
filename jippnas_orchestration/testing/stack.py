"""The production topology as separate processes on this machine (`make stack`, tests/test_stack.py).

What deploy/docker/docker-compose.yml runs in containers, started here without Docker:
PostgreSQL (the Dagster instance and the warehouse, each with its own role), the user-code gRPC
server, dagster-webserver, dagster-daemon and a static web server for $JIPPNAS_OUTPUT_DIR. The
instance is deploy/stack/dagster.yaml (QueuedRunCoordinator with a limit, runs as subprocesses of
the code server); the webserver and the daemon load deploy/stack/workspace.yaml, which points at
the gRPC server. Only the code server (and so the runs it launches) gets the warehouse URL.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ..settings import PROJECT_ROOT
from .postgres import PostgresServer, free_port, start_postgres

BIN = Path(sys.executable).parent
STACK_DIR = PROJECT_ROOT / "deploy" / "stack"
LOCATION = "jippnas"
REPOSITORY = "__repository__"
HOST = "127.0.0.1"

# The mutation the UI's "Materialize" / "Launch run" buttons send.
LAUNCH_MUTATION = """
mutation LaunchPipelineExecution($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message stack }
    ... on InvalidSubsetError { message }
    ... on PipelineNotFoundError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on UnauthorizedError { message }
  }
}"""

RUN_QUERY = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { runId status jobName startTime endTime creationTime tags { key value } }
  }
}"""


class StackError(RuntimeError):
    pass


@dataclass
class Stack:
    root: Path
    output_dir: Path
    warehouse_url: str
    secrets: list[str]  # passwords that must never reach the UI
    ports: dict[str, int]
    env: dict[str, str]  # what the webserver and the daemon see
    code_env: dict[str, str]  # what the code server (and so every run) sees
    pg: PostgresServer | None = None  # owned: stopped with the stack
    temporary: bool = False  # root made by start_stack: removed with the stack
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def webserver_url(self) -> str:
        return f"http://{HOST}:{self.ports['webserver']}"

    @property
    def static_url(self) -> str:
        return f"http://{HOST}:{self.ports['static']}"

    # -- processes -------------------------------------------------------------------------
    def _start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.root / "logs" / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_default_signals,
        )
        log.close()
        self.procs[name] = proc
        return proc

    def log(self, name: str, chars: int = 4000) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def _alive(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is not None:
            raise StackError(f"{name} exited with {proc.returncode}:\n{self.log(name)}")

    def _wait(self, name: str, ready, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._alive(name)
            if ready():
                return
            time.sleep(0.5)
        raise StackError(f"{name} not ready after {timeout:.0f} s:\n{self.log(name)}")

    def check(self) -> None:
        """Every service still running."""
        for name in self.procs:
            self._alive(name)

    def stop(self) -> None:
        """SIGTERM to each service's process group (the code server's holds its runs), SIGKILL if it lingers."""
        for name in reversed(list(self.procs)):
            if self.procs[name].poll() is None:
                _signal_group(self.procs[name], signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            _signal_group(
                proc, signal.SIGKILL
            )  # whatever is left of the group: a lingering run worker
            proc.wait(timeout=30)
        if self.pg:
            self.pg.stop()
            self.pg = None
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- the webserver's GraphQL API -------------------------------------------------------
    def graphql(self, query: str, variables: dict | None = None) -> dict:
        resp = requests.post(
            f"{self.webserver_url}/graphql",
            json={"query": query, "variables": variables or {}},
            timeout=60,
        )
        resp.raise_for_status()
        body = resp.json()
        if body.get("errors"):
            raise StackError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def launch(
        self,
        job: str,
        assets: list[str] | None = None,
        checks: list[tuple[str, str]] | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        """Launch a job (or an asset selection of it) as the UI does; returns the run id."""
        selector = {
            "repositoryLocationName": LOCATION,
            "repositoryName": REPOSITORY,
            "pipelineName": job,
        }
        if assets is not None:
            selector["assetSelection"] = [{"path": [a]} for a in assets]
            selector["assetCheckSelection"] = [
                {"assetKey": {"path": [a]}, "name": c} for a, c in checks or []
            ]
        params = {
            "selector": selector,
            "mode": "default",
            "runConfigData": {},
            "executionMetadata": {
                "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]
            },
        }
        result = self.graphql(LAUNCH_MUTATION, {"executionParams": params})[
            "launchPipelineExecution"
        ]
        if result["__typename"] != "LaunchRunSuccess":
            raise StackError(f"launch of {job} refused: {result}")
        return result["run"]["runId"]

    def run(self, run_id: str) -> dict:
        return self.graphql(RUN_QUERY, {"runId": run_id})["runOrError"]

    def wait_run(self, run_id: str, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                return run
            self.check()
            time.sleep(1)
        raise StackError(
            f"run {run_id} not finished after {timeout:.0f} s; last status {run['status']}\n"
            f"{self.log('code-server')}"
        )


def _default_signals() -> None:
    """A service started from a background job inherits SIGINT ignored, and Dagster maps SIGTERM onto
    SIGINT's handler: restore both so the service can be stopped cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _create_role_and_db(admin_url: str, role: str, password: str, db: str) -> None:
    import sqlalchemy as sa

    eng = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        c.exec_driver_sql(f'CREATE DATABASE "{db}" OWNER "{role}"')
    eng.dispose()


def _port_free(port: int) -> int:
    return port or free_port()


def start_stack(
    root: Path | None = None,
    *,
    sensor_interval_s: int = 30,
    ports: dict[str, int] | None = None,
    pg: PostgresServer | None = None,
    extra_code_env: dict[str, str] | None = None,
) -> Stack:
    """Bring the services up, each ready before the next starts. `pg`: a running server to create the
    two databases in; without it, DAGSTER_PG_* and JIPPNAS_WAREHOUSE_URL from the environment are used
    when set, else a throwaway PostgreSQL is started (and stopped with the stack)."""
    temporary = root is None
    root = Path(root or tempfile.mkdtemp(prefix="jippnas-stack-"))
    (root / "logs").mkdir(parents=True, exist_ok=True)
    home, output = root / "dagster_home", root / "output"
    home.mkdir(exist_ok=True)
    output.mkdir(exist_ok=True)
    shutil.copy(STACK_DIR / "dagster.yaml", home / "dagster.yaml")
    ports_given = ports
    ports = {
        name: _port_free((ports or {}).get(name, 0)) for name in ("code", "webserver", "static")
    }

    base = {k: v for k, v in os.environ.items() if not k.startswith(("JIPPNAS_", "DAGSTER_"))}
    owned = None
    if pg is None and os.environ.get("DAGSTER_PG_HOST") and os.environ.get("JIPPNAS_WAREHOUSE_URL"):
        pg_env = {
            k: os.environ[k]
            for k in (
                "DAGSTER_PG_HOST",
                "DAGSTER_PG_PORT",
                "DAGSTER_PG_USERNAME",
                "DAGSTER_PG_PASSWORD",
                "DAGSTER_PG_DB",
            )
        }
        warehouse_url, passwords = (
            os.environ["JIPPNAS_WAREHOUSE_URL"],
            [os.environ["DAGSTER_PG_PASSWORD"]],
        )
    else:
        if pg is None:
            pg = owned = start_postgres()
        tag = uuid.uuid4().hex[:8]
        dagster_pw, warehouse_pw = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        _create_role_and_db(pg.url(), f"dagster_{tag}", dagster_pw, f"dagster_{tag}")
        _create_role_and_db(pg.url(), f"warehouse_{tag}", warehouse_pw, f"warehouse_{tag}")
        pg_env = {
            "DAGSTER_PG_HOST": HOST,
            "DAGSTER_PG_PORT": str(pg.port),
            "DAGSTER_PG_USERNAME": f"dagster_{tag}",
            "DAGSTER_PG_PASSWORD": dagster_pw,
            "DAGSTER_PG_DB": f"dagster_{tag}",
        }
        warehouse_url = (
            f"postgresql+psycopg2://warehouse_{tag}:{warehouse_pw}@{HOST}:{pg.port}/warehouse_{tag}"
        )
        passwords = [dagster_pw, warehouse_pw]

    env = {
        **base,
        **pg_env,
        "DAGSTER_HOME": str(home),
        "JIPPNAS_CODE_SERVER_HOST": HOST,
        "JIPPNAS_CODE_SERVER_PORT": str(ports["code"]),
    }
    static_url = f"http://{HOST}:{ports['static']}"
    code_env = {
        **env,
        **{k: v for k, v in os.environ.items() if k.startswith("JIPPNAS_")},
        "JIPPNAS_WAREHOUSE_URL": warehouse_url,
        "JIPPNAS_OUTPUT_DIR": str(output),
        "JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S": str(sensor_interval_s),
        **(extra_code_env or {}),
    }
    code_env.setdefault("JIPPNAS_PUBLIC_BASE_URL", static_url)
    stack = Stack(
        root=root,
        output_dir=output,
        warehouse_url=warehouse_url,
        secrets=passwords,
        ports=ports,
        env=env,
        code_env=code_env,
        pg=owned,
        temporary=temporary,
    )
    workspace = str(STACK_DIR / "workspace.yaml")
    try:
        # the static server first: its port is in the code server's JIPPNAS_PUBLIC_BASE_URL, so
        # it must be bound before anyone else can take it
        stack._start(
            "static",
            [
                sys.executable,
                "-m",
                "http.server",
                str(ports["static"]),
                "-b",
                HOST,
                "-d",
                str(output),
            ],
            base,
        )
        stack._wait("static", lambda: _http_ok(f"{static_url}/"))
        stack._start(
            "code-server",
            [
                str(BIN / "dagster"),
                "api",
                "grpc",
                "-m",
                "jippnas_orchestration.definitions",
                "-d",
                str(PROJECT_ROOT),
                "-h",
                HOST,
                "-p",
                str(ports["code"]),
                "--location-name",
                LOCATION,
            ],
            code_env,
        )
        health = [
            str(BIN / "dagster"),
            "api",
            "grpc-health-check",
            "-h",
            HOST,
            "-p",
            str(ports["code"]),
        ]
        stack._wait(
            "code-server",
            lambda: subprocess.run(health, env=env, capture_output=True).returncode == 0,
        )

        # a free port is only free until someone binds it: when another process took the
        # webserver's between choosing and binding, choose again (only clients use that port)
        for attempt in range(3):
            seen = len(stack.log("webserver", chars=10**9))
            stack._start(
                "webserver",
                [
                    str(BIN / "dagster-webserver"),
                    "-w",
                    workspace,
                    "-h",
                    HOST,
                    "-p",
                    str(stack.ports["webserver"]),
                ],
                env,
            )
            try:
                stack._wait("webserver", lambda: _http_ok(f"{stack.webserver_url}/server_info"))
                break
            except StackError:
                taken = "address already in use" in stack.log("webserver", 10**9)[seen:]
                if attempt == 2 or not taken or (ports_given or {}).get("webserver"):
                    raise
                stack.ports["webserver"] = free_port()

        stack._start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", workspace], env)
        liveness = [str(BIN / "dagster-daemon"), "liveness-check"]
        stack._wait(
            "daemon", lambda: subprocess.run(liveness, env=env, capture_output=True).returncode == 0
        )

    except BaseException:
        stack.stop()
        raise
    return stack


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make stack", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root", type=Path, help="folder for DAGSTER_HOME, outputs and logs (default: temporary)"
    )
    parser.add_argument("--webserver-port", type=int, default=3000)
    parser.add_argument("--static-port", type=int, default=8080)
    parser.add_argument("--code-port", type=int, default=4000)
    parser.add_argument(
        "--sensor-interval", type=int, default=4, help="JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the services too, as Ctrl-C does
    stack = start_stack(
        args.root,
        sensor_interval_s=args.sensor_interval,
        ports={
            "webserver": args.webserver_port,
            "static": args.static_port,
            "code": args.code_port,
        },
    )
    env_file = (
        stack.root / "stack.env"
    )  # for `jippnas submit|status|...` against this stack; holds passwords
    env_file.touch(mode=0o600)
    env_file.write_text(
        "".join(
            f"export {k}={shlex.quote(v)}\n"
            for k, v in sorted(stack.code_env.items())
            if k.startswith(("JIPPNAS_", "DAGSTER_"))
        )
    )
    print(
        f"Dagster UI       {stack.webserver_url}\n"
        f"reports, portal  {stack.static_url}/reports/index.html\n"
        f"code server      {HOST}:{stack.ports['code']} (gRPC)\n"
        f"DAGSTER_HOME     {stack.env['DAGSTER_HOME']}\n"
        f"logs             {stack.root / 'logs'}\n"
        f"jippnas commands . {env_file} && .venv/bin/jippnas status\n"
        "Ctrl-C stops every service.",
        flush=True,
    )
    try:
        while True:
            stack.check()
            time.sleep(2)
    except KeyboardInterrupt:
        return 0
    except StackError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
