"""Submission -> visible in the published portal, with a real dagster-daemon; then a burst of 1,000.

usage:
  python -m benchmarks.bench_submission_latency ENV_FILE [--single 20] [--burst 1000] [--interval 5]
  python -m benchmarks.bench_submission_latency --sample [--single 20] [--burst 900]

ENV_FILE is an environment where everything was materialized (as for bench_submission_incremental:
it exports DAGSTER_HOME, JIPPNAS_WAREHOUSE_URL, JIPPNAS_OUTPUT_DIR and the sources). `--sample`
makes one itself in a temporary folder: the bundled sample, its submissions, everything materialized
with the CLI (as `make run`). Then:
1. the instance: a DAGSTER_HOME without dagster.yaml gets the project's `.dagster/dagster.yaml`
   plus a run queue that dequeues every `--dequeue` s (default 1; Dagster's default is 5); an
   existing dagster.yaml is used as it is (the settings in effect are recorded either way);
2. `dagster-daemon run` (sensors, run queue, run monitoring) with
   JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S=`--interval`; the benchmark waits for the daemon's first
   submission_sensor tick and for the instance to fall quiet (no pending submission, no active run);
3. "single": `--single` submissions of new summaries (a unique token each) for distinct innovations,
   one at a time, each after a random pause of 0..interval s (so submissions fall anywhere between
   two sensor ticks); latency = from the moment the submission is handed to intake (the function
   the portal and `jippnas submit` use) until the published portal shows it: portal/manifest.json
   names the version last committed in portal_publications and portal_innovations holds the new
   summary. Per submission, where the time went, from the run's events: sensor wait, run queue, run
   worker start, steps up to publication, the poll;
4. "burst": `--burst` submissions for distinct innovations (each by its owner agency), paced evenly
   over `--window` s (default 60), then the time until every one is visible; each applied once
   (accepted, exactly one change-log row per submission, no duplicate), runs launched;
5. the cost of starting a run worker: `python -c "import jippnas_orchestration.definitions"`.
The daemon is stopped (SIGINT to its process group, then SIGKILL) at the end, on error and on
Ctrl-C. Results: benchmarks/results/submission_latency.json (rendered by render_latency.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_submission_incremental import read_env  # noqa: E402
from benchmarks.common import RESULTS  # noqa: E402

BIN = Path(sys.executable).parent
MODULE = "jippnas_orchestration.definitions"
SENSOR = "submission_sensor"
JOB = "submission_job"
PUBLISH_STEP = "portal_innovations"
MARKER = "# written by benchmarks/bench_submission_latency.py"
ACTIVE = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")


# -- the environment and the instance ------------------------------------------------------------
def sample_env(root: Path) -> Path:
    """A fresh environment on the bundled sample, materialized with the CLI as `make run` does."""
    sample = ROOT / "data" / "sample"
    values = {
        "DAGSTER_HOME": root / "dagster",
        "JIPPNAS_WAREHOUSE_URL": f"sqlite:///{root / 'warehouse.sqlite'}",
        "JIPPNAS_OUTPUT_DIR": root / "output",
        "JIPPNAS_KIPP_SOURCE": sample / "kipp",
        "JIPPNAS_IGA_SOURCE": sample / "iga",
        "JIPPNAS_INOLAN_SOURCE": sample / "inolan.csv",
    }
    (root / "dagster").mkdir(parents=True, exist_ok=True)
    env_file = root / "env.sh"
    env_file.write_text("".join(f"export {k}={v}\n" for k, v in values.items()))
    env = _env(env_file)
    docs = sorted(str(p) for p in (sample / "submissions").glob("*.json"))
    print(f"== sample environment in {root}: submit, materialize everything", flush=True)
    _check_call([str(BIN / "jippnas"), "submit", *docs], env, root / "submit.log")
    write_instance_yaml(Path(env["DAGSTER_HOME"]), dequeue_s=1)
    _check_call(
        [str(BIN / "dagster"), "asset", "materialize", "-m", MODULE, "--select", "*"],
        env,
        root / "materialize.log",
    )
    return env_file


def _env(env_file: Path) -> dict:
    env = read_env(env_file)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _check_call(cmd: list[str], env: dict, log: Path) -> None:
    with log.open("w") as fh:
        code = subprocess.call(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if code:
        raise RuntimeError(f"{' '.join(cmd[:4])} exited {code}; see {log}")


def write_instance_yaml(home: Path, dequeue_s: int) -> str:
    """The project's embedded instance (.dagster/dagster.yaml) with a run queue that dequeues every
    `dequeue_s` s; an instance that has its own dagster.yaml keeps it."""
    path = home / "dagster.yaml"
    if path.exists() and MARKER not in path.read_text():
        return "kept the instance's own dagster.yaml"
    base = (ROOT / ".dagster" / "dagster.yaml").read_text()
    # the project's own file already sets a run queue: its interval is replaced, not repeated
    base = re.sub(r"\nrun_queue:\n  dequeue_interval_seconds: \d+\n?", "\n", base)
    path.write_text(
        f"{MARKER}: the project's .dagster/dagster.yaml and a run queue that dequeues every "
        f"{dequeue_s} s\n{base}\nrun_queue:\n  dequeue_interval_seconds: {dequeue_s}\n"
    )
    return f"project .dagster/dagster.yaml + run_queue.dequeue_interval_seconds {dequeue_s}"


def instance_settings(instance) -> dict:
    coordinator = instance.run_coordinator
    runs = instance.get_concurrency_config().run_queue_config
    pools = instance.get_concurrency_config().pool_config
    return {
        "run_coordinator": type(coordinator).__name__,
        "dequeue_interval_s": getattr(coordinator, "dequeue_interval_seconds", None),
        "max_concurrent_runs": getattr(runs, "max_concurrent_runs", None),
        "pool_default_limit": getattr(pools, "default_pool_limit", None),
        "pool_granularity": str(getattr(pools, "pool_granularity", None)),
        "run_launcher": type(instance.run_launcher).__name__,
        "run_storage": type(instance.run_storage).__name__,
        "sensor_daemon_loop_s": _sensor_loop_s(),
    }


def _sensor_loop_s() -> float:
    from dagster._daemon import sensor

    return sensor.MIN_INTERVAL_LOOP_TIME  # the sensor daemon evaluates sensors at most this often


# -- the daemon ------------------------------------------------------------------------------------
class Daemon:
    """`dagster-daemon run` in its own process group; stop() is safe to call twice."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        self.started = time.time()
        self.proc = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"dagster-daemon exited with {self.proc.returncode}; see {self.log}")

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        try:  # a run worker the daemon launched may outlive it: it is in the same group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.proc.returncode


def _raise_on_sigterm(*_):
    raise KeyboardInterrupt("SIGTERM")


# -- what Dagster recorded -------------------------------------------------------------------------
def sensor_ticks(instance, after: float) -> list:
    from dagster._core.scheduler.instigation import InstigatorType

    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == SENSOR:
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, after=after)
            return sorted(ticks, key=lambda t: t.timestamp)
    return []


def sensor_status(instance) -> str | None:
    from dagster._core.scheduler.instigation import InstigatorType

    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == SENSOR:
            return state.status.value
    return None


def active_runs(instance) -> list:
    from dagster import DagsterRunStatus, RunsFilter

    return instance.get_run_records(
        RunsFilter(statuses=[DagsterRunStatus(s) for s in ACTIVE]), limit=20
    )


def run_timeline(instance, run_id: str) -> dict:
    """Seconds since the epoch of the run's milestones (None where an event is missing)."""
    from dagster import DagsterEventType, RunsFilter

    record = instance.get_run_records(RunsFilter(run_ids=[run_id]), limit=1)[0]
    out = {
        "run_id": run_id,
        "job": record.dagster_run.job_name,
        "status": record.dagster_run.status.value,
        "created": record.create_timestamp.timestamp(),
        "submissions_tag": record.dagster_run.tags.get("jippnas/submissions"),
    }
    first: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        key = {
            DagsterEventType.RUN_ENQUEUED: "enqueued",
            DagsterEventType.RUN_DEQUEUED: "dequeued",
            DagsterEventType.RUN_STARTING: "starting",
            DagsterEventType.RUN_START: "started",
            DagsterEventType.STEP_START: "first_step",
            DagsterEventType.RUN_SUCCESS: "ended",
            DagsterEventType.RUN_FAILURE: "ended",
        }.get(kind)
        if key and key not in first:
            first[key] = entry.timestamp
        if event.step_key == PUBLISH_STEP and kind == DagsterEventType.STEP_START:
            first["publishing"] = entry.timestamp
        if event.step_key == PUBLISH_STEP and kind == DagsterEventType.STEP_SUCCESS:
            first["published"] = entry.timestamp
    return {**out, **{k: first.get(k) for k in MILESTONES}}


MILESTONES = (
    "enqueued",
    "dequeued",
    "starting",
    "started",
    "first_step",
    "publishing",  # portal_innovations started
    "published",  # portal_innovations succeeded
    "ended",
)


def _gap(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(b - a, 2)


def run_summary(t: dict) -> dict:
    return {
        "run_id": t["run_id"][:8],
        "status": t["status"],
        "submissions_tag": t["submissions_tag"],
        "queued_s": _gap(t["created"], t["dequeued"] or t["starting"]),
        "worker_start_s": _gap(t["starting"], t["started"]),
        "to_first_step_s": _gap(t["started"], t["first_step"]),
        "steps_before_publication_s": _gap(t["first_step"], t["publishing"]),
        "publication_step_s": _gap(t["publishing"], t["published"]),
        "after_publication_s": _gap(t["published"], t["ended"]),
        "run_s": _gap(t["started"], t["ended"]),
        "created_to_end_s": _gap(t["created"], t["ended"]),
    }


# -- the warehouse and the published portal --------------------------------------------------------
class Portal:
    """What the published portal shows: the manifest's version, and records of portal_innovations."""

    def __init__(self, wh, output_dir: Path):
        self.wh = wh
        self.manifest = output_dir / "portal" / "manifest.json"

    def version(self) -> str | None:
        try:
            return json.loads(self.manifest.read_text()).get("version")
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def committed(self) -> str | None:
        if not self.wh.has_table("portal_publications"):
            return None
        got = self.wh.read_sql(
            "SELECT version FROM portal_publications ORDER BY publication_id DESC LIMIT 1"
        )
        return None if got.empty else got.iloc[0, 0]

    def summaries(self, ids: list[str]) -> dict[str, str]:
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join(f":i{n}" for n in range(len(chunk)))
            df = self.wh.read_sql(
                f"SELECT innovation_id, summary FROM portal_innovations WHERE innovation_id IN ({marks})",
                {f"i{n}": v for n, v in enumerate(chunk)},
            )
            out.update(zip(df["innovation_id"], df["summary"].fillna("")))
        return out

    def visible(self, expected: dict[str, str]) -> set[str]:
        """Innovations whose published summary holds their token, provided the files are the
        committed version (the table swap commits first, the `portal` switch follows)."""
        from sqlalchemy.exc import OperationalError

        try:
            version = self.version()
            if version is None or version != self.committed():
                return set()
            got = self.summaries(list(expected))
            if self.version() != version:  # published again while reading: ask again
                return set()
        except OperationalError:  # the table is being swapped
            return set()
        return {i for i, token in expected.items() if token in got.get(i, "")}

    def files_hold(self, expected: dict[str, str]) -> bool | None:
        """The published Parquet file under portal/ holds every token (the combined file; else the
        parts); None: no Parquet there."""
        import pandas as pd

        folder = self.manifest.parent.resolve()
        combined = folder / "innovations.parquet"
        parts = [combined] if combined.exists() else sorted(folder.rglob("*.parquet"))
        if not parts:
            return None
        df = pd.concat(pd.read_parquet(p, columns=["innovation_id", "summary"]) for p in parts)
        got = dict(zip(df["innovation_id"], df["summary"].fillna("")))
        return all(token in got.get(i, "") for i, token in expected.items())


def pick_targets(wh, n: int) -> list[dict]:
    """Distinct published innovations with no pending submission, spread over the id range; each
    with its owner agency (merged_innovations, as intake's decision reads it)."""
    df = wh.read_sql(
        "SELECT m.innovation_id, m.agency_id, p.summary FROM merged_innovations m "
        "JOIN portal_innovations p ON p.innovation_id = m.innovation_id "
        "WHERE m.agency_id IS NOT NULL AND m.innovation_id NOT IN "
        "(SELECT innovation_id FROM innovation_submissions WHERE state = 'pending' "
        "AND innovation_id IS NOT NULL) ORDER BY m.innovation_id"
    )
    if len(df) < n:
        raise SystemExit(f"only {len(df)} innovations to submit for; asked for {n}")
    step = len(df) / n
    rows = df.iloc[[int(i * step) for i in range(n)]]
    return rows.to_dict("records")


def document(target: dict, token: str) -> dict:
    summary = f"Pembaruan ringkasan ({token}). {target['summary'] or ''}"[:15_000]
    return {
        "submission_id": str(uuid.uuid4()),
        "innovation": {"innovation_id": target["innovation_id"]},
        "agency_id": target["agency_id"],
        "submitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "submitted_by": {"name": "Uji Latensi", "email": "latensi@example.go.id"},
        "changes": {"summary": summary},
    }


def store(wh, doc: dict) -> None:
    from jippnas_orchestration.submissions.intake import store_document

    outcome = store_document(wh, doc, "bench_submission_latency")
    if outcome.status != "stored":
        raise RuntimeError(f"intake did not store {doc['submission_id']}: {outcome}")


# -- the phases ------------------------------------------------------------------------------------
def wait_quiet(instance, wh, daemon: Daemon, timeout: float) -> float:
    """Until no submission is pending and no run is active (twice in a row, 2 s apart)."""
    start = time.monotonic()
    calm = 0
    while time.monotonic() - start < timeout:
        daemon.alive()
        pending = wh.read_sql(
            "SELECT COUNT(*) FROM innovation_submissions WHERE state = 'pending'"
        ).iloc[0, 0]
        calm = calm + 1 if not pending and not active_runs(instance) else 0
        if calm >= 2:
            return round(time.monotonic() - start, 1)
        time.sleep(2)
    raise RuntimeError(f"the instance did not fall quiet within {timeout:.0f} s")


def single_phase(instance, wh, portal: Portal, daemon, targets, interval, timeout, rng) -> dict:
    seen_rows = []
    for i, target in enumerate(targets):
        time.sleep(rng.uniform(0, interval))
        token = f"lat-{uuid.uuid4().hex[:12]}"
        doc = document(target, token)
        t0 = time.time()
        store(wh, doc)
        stored = time.time()
        seen = None
        while time.time() - t0 < timeout:
            daemon.alive()
            if portal.visible({target["innovation_id"]: token}):
                seen = time.time()
                break
            time.sleep(0.2)
        if seen is None:
            raise RuntimeError(
                f"submission {i + 1} not visible after {timeout:.0f} s; see {daemon.log}"
            )
        seen_rows.append((doc["submission_id"], target["innovation_id"], token, t0, stored, seen))
        print(f"   single {i + 1}/{len(targets)}: {seen - t0:.1f} s", flush=True)
    wait_quiet(instance, wh, daemon, timeout=1800)  # the runs' last events are written
    earlier = phase_runs(instance, seen_rows[0][3] - 1)
    rows = []
    for n, (sid, iid, token, t0, stored, seen) in enumerate(seen_rows, 1):
        run_id = wh.read_sql(
            "SELECT processed_by_run FROM innovation_submissions WHERE submission_id = :s",
            {"s": sid},
        ).iloc[0, 0]
        t = run_timeline(instance, run_id)
        rows.append(
            {
                "n": n,
                "latency_s": round(seen - t0, 2),
                "store_s": round(stored - t0, 2),
                "sensor_wait_s": _gap(stored, t["created"]),
                **run_summary(t),
                "publication_step_to_seen_s": _gap(t["publishing"], seen),
                # what the run queue held it behind: the longest another run still had to go
                "others_busy_s": busy_at(earlier, t),
                "token": token,
                "innovation_id": iid,
            }
        )
    latencies = [r["latency_s"] for r in rows]
    return {
        "submissions": rows,
        "latencies_s": latencies,
        "median_s": statistics.median(latencies),
        "max_s": max(latencies),
        # distinct innovations: the last version's files hold every token of the phase
        "files_hold_all": portal.files_hold({r["innovation_id"]: r["token"] for r in rows}),
    }


def phase_runs(instance, after: float) -> list[dict]:
    from dagster import RunsFilter

    since = datetime.fromtimestamp(after, timezone.utc)
    return [
        run_timeline(instance, r.dagster_run.run_id)
        for r in instance.get_run_records(RunsFilter(created_after=since))
    ]


def busy_at(runs: list[dict], t: dict) -> float:
    """Seconds the runs created before `t` still had to go when `t` was created (0: none running)."""
    left = [
        o["ended"] - t["created"]
        for o in runs
        if o["run_id"] != t["run_id"] and o["created"] < t["created"] and o["ended"]
    ]
    return round(max([x for x in left if x > 0], default=0.0), 2)


def other_runs(instance, after: float) -> list[dict]:
    """Runs of other jobs in the phase (the report after submission runs): they share the 2 cores."""
    from dagster import RunsFilter

    since = datetime.fromtimestamp(after, timezone.utc)
    return [
        {"job": r.dagster_run.job_name, **run_summary(run_timeline(instance, r.dagster_run.run_id))}
        for r in instance.get_run_records(RunsFilter(created_after=since))
        if r.dagster_run.job_name != JOB
    ]


def burst_phase(instance, wh, portal: Portal, daemon, targets, window, timeout) -> dict:
    from dagster import RunsFilter

    tokens, docs = {}, []
    for target in targets:
        token = f"burst-{uuid.uuid4().hex[:12]}"
        tokens[target["innovation_id"]] = token
        docs.append(document(target, token))
    start = time.time()
    created_after = datetime.fromtimestamp(start, timezone.utc)
    stored_at = []
    for i, doc in enumerate(docs):  # paced: submission i is due at start + i * window / n
        due = start + i * window / len(docs)
        if due > time.time():
            time.sleep(due - time.time())
        store(wh, doc)
        stored_at.append(time.time())
    last_stored = stored_at[-1]
    print(f"   burst: {len(docs)} stored in {last_stored - start:.1f} s", flush=True)
    first_seen: dict[str, float] = {}
    while len(first_seen) < len(tokens) and time.time() - start < timeout:
        daemon.alive()
        now = time.time()
        for iid in portal.visible({k: v for k, v in tokens.items() if k not in first_seen}):
            first_seen[iid] = now
        time.sleep(1)
    done = time.time()
    if len(first_seen) == len(tokens):
        wait_quiet(instance, wh, daemon, timeout=1800)  # the runs' last events are written
    ids = [d["submission_id"] for d in docs]
    states = _count_by(wh, "innovation_submissions", "state", ids)
    log_rows = _count_by(wh, "innovation_change_log", "submission_id", ids)
    per_sub = [log_rows.get(s, 0) for s in ids]
    runs_used = _count_by(wh, "innovation_submissions", "processed_by_run", ids)
    runs = instance.get_run_records(RunsFilter(job_name=JOB, created_after=created_after))
    timelines = [run_timeline(instance, r.dagster_run.run_id) for r in runs]
    all_seen = len(first_seen) == len(tokens)
    return {
        "submissions": len(docs),
        "window_s": window,
        "stored_within_s": round(last_stored - start, 1),
        "all_visible": all_seen,
        "visible": len(first_seen),
        "all_visible_after_first_s": round(max(first_seen.values()) - start, 1)
        if all_seen
        else None,
        "all_visible_after_last_s": round(max(first_seen.values()) - last_stored, 1)
        if all_seen
        else None,
        "gave_up_after_s": None if all_seen else round(done - start, 1),
        "visible_curve": _curve(first_seen, start),
        "states": states,
        "change_log_rows_per_submission": dict(_histogram(per_sub)),
        "applied_once": per_sub.count(1) == len(ids) and states.get("accepted") == len(ids),
        "submission_runs_launched": len(runs),
        "runs_that_decided_them": len(runs_used),
        "runs": [run_summary(t) for t in sorted(timelines, key=lambda t: t["created"])],
        "files_hold_all": portal.files_hold(tokens) if all_seen else None,
        "other_runs": other_runs(instance, start),
    }


def _count_by(wh, table: str, column: str, ids: list[str]) -> dict:
    out: dict = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ", ".join(f":s{n}" for n in range(len(chunk)))
        df = wh.read_sql(
            f"SELECT {column} AS k, COUNT(*) AS n FROM {table} WHERE submission_id IN ({marks}) "
            f"GROUP BY {column}",
            {f"s{n}": v for n, v in enumerate(chunk)},
        )
        for k, n in zip(df["k"], df["n"]):
            out[k] = out.get(k, 0) + int(n)
    return out


def _histogram(values: list[int]) -> list[tuple[str, int]]:
    return sorted((str(v), values.count(v)) for v in set(values))


def _curve(first_seen: dict[str, float], start: float) -> list[list[float]]:
    """(seconds after the first submission, how many visible) at each publication seen."""
    out, total = [], 0
    for at in sorted(set(first_seen.values())):
        total += sum(1 for v in first_seen.values() if v == at)
        out.append([round(at - start, 1), total])
    return out


def import_cost(env: dict, times: int = 3) -> dict:
    """What every run worker pays before its first step: the interpreter and the definitions."""

    def timed(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
        return time.perf_counter() - start

    return {
        "python_s": round(statistics.median(timed("pass") for _ in range(times)), 2),
        "import_dagster_s": round(
            statistics.median(timed("import dagster") for _ in range(times)), 2
        ),
        "import_definitions_s": round(
            statistics.median(timed(f"import {MODULE}") for _ in range(times)), 2
        ),
    }


def _stats(rows: list[dict], key: str) -> dict | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    if not values:
        return None
    return {"median": round(statistics.median(values), 2), "max": round(max(values), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("env_file", type=Path, nargs="?")
    ap.add_argument("--sample", action="store_true", help="a fresh environment on the sample")
    ap.add_argument("--single", type=int, default=20)
    ap.add_argument("--burst", type=int, help="default 1000; 900 with --sample (973 innovations)")
    ap.add_argument("--window", type=float, default=60, help="the burst arrives within this (s)")
    ap.add_argument("--interval", type=int, default=5, help="submission sensor interval (s)")
    ap.add_argument("--dequeue", type=int, default=1, help="run queue dequeue interval (s)")
    ap.add_argument("--timeout", type=float, default=600, help="per single submission (s)")
    ap.add_argument("--burst-timeout", type=float, default=1200)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    if args.sample == (args.env_file is not None):
        ap.error("give ENV_FILE or --sample")
    if not 1 <= args.interval <= 10:
        ap.error("--interval must be 1..10 s")
    if args.burst is None:
        args.burst = 900 if args.sample else 1000
    started = time.perf_counter()
    env_file = args.env_file or sample_env(Path(tempfile.mkdtemp(prefix="jippnas-latency-")))
    env = _env(env_file)
    env["JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S"] = str(args.interval)
    os.environ.update(env)
    home = Path(env["DAGSTER_HOME"])
    instance_note = write_instance_yaml(home, args.dequeue)

    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    from jippnas_orchestration.warehouse import Warehouse

    wh = Warehouse(env["JIPPNAS_WAREHOUSE_URL"])
    portal = Portal(wh, Path(env["JIPPNAS_OUTPUT_DIR"]))
    rng = random.Random(args.seed)
    costs = import_cost(env)
    print(f"== run worker start-up floor: {costs}", flush=True)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    result: dict = {}
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        settings = instance_settings(instance)
        if sensor_status(instance) == "STOPPED":
            raise SystemExit(
                f"{SENSOR} is stopped in this instance: `dagster sensor start {SENSOR} -w "
                "workspace.yaml` with the same DAGSTER_HOME, then run again"
            )
        daemon = Daemon(env, home / "bench-latency-daemon.log")
        try:
            print(f"== daemon started (log {daemon.log}); waiting for a {SENSOR} tick", flush=True)
            while not sensor_ticks(instance, daemon.started):
                daemon.alive()
                if time.time() - daemon.started > 300:
                    raise RuntimeError(f"no {SENSOR} tick within 300 s; see {daemon.log}")
                time.sleep(0.5)
            first_tick = round(
                sensor_ticks(instance, daemon.started)[0].timestamp - daemon.started, 1
            )
            settled = wait_quiet(instance, wh, daemon, timeout=1800)
            print(f"   first tick after {first_tick} s; quiet after {settled} s more", flush=True)
            targets = pick_targets(wh, args.single + args.burst)
            phase_start = time.time()
            single = single_phase(
                instance,
                wh,
                portal,
                daemon,
                targets[: args.single],
                args.interval,
                args.timeout,
                rng,
            )
            ticks = [t.timestamp for t in sensor_ticks(instance, phase_start)]
            single["sensor_tick_spacing_s"] = _spacing(ticks)
            single["other_runs"] = other_runs(instance, phase_start)
            print(f"   single: median {single['median_s']} s, max {single['max_s']} s", flush=True)
            wait_quiet(instance, wh, daemon, timeout=1800)
            burst = (
                burst_phase(
                    instance,
                    wh,
                    portal,
                    daemon,
                    targets[args.single :],
                    args.window,
                    args.burst_timeout,
                )
                if args.burst
                else None
            )
            if burst:
                print(
                    f"   burst: all {burst['visible']} visible after "
                    f"{burst['all_visible_after_first_s']} s; applied once: "
                    f"{burst['applied_once']}; runs {burst['submission_runs_launched']}",
                    flush=True,
                )
        finally:
            code = daemon.stop()
            print(f"== daemon stopped (exit {code})", flush=True)
    rows = single["submissions"]
    result = {
        "environment": str(env_file) if args.env_file else "--sample (fresh, bundled sample)",
        "harmonized_rows": int(wh.count("harmonized_innovations")),
        "warehouse": "PostgreSQL" if wh.is_postgres else "SQLite",
        "sensor_interval_s": args.interval,
        "instance": {**settings, "note": instance_note},
        "report_interval_s": int(os.environ.get("JIPPNAS_REPORT_INTERVAL_S", "600")),
        "daemon_first_tick_s": first_tick,
        "worker_startup": costs,
        "single": single,
        "single_breakdown": {
            k: _stats(rows, k)
            for k in (
                "store_s",
                "sensor_wait_s",
                "queued_s",
                "worker_start_s",
                "to_first_step_s",
                "steps_before_publication_s",
                "publication_step_s",
                "publication_step_to_seen_s",
                "run_s",
            )
        },
        "burst": burst,
        "targets": {
            "single_submissions": 20,
            "single_median_s": 15,
            "single_max_s": 30,
            "burst_submissions": 1000,
            "burst_window_s": 60,
            "burst_all_visible_s": 120,
        },
        "duration_s": round(time.perf_counter() - started, 1),
        "load_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": " ".join(["python -m benchmarks.bench_submission_latency", *sys.argv[1:]]),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "submission_latency.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k not in ("single", "burst")}, indent=1))


def _spacing(ticks: list[float]) -> dict | None:
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    if not gaps:
        return None
    return {
        "ticks": len(ticks),
        "median": round(statistics.median(gaps), 2),
        "max": round(max(gaps), 2),
    }


if __name__ == "__main__":
    main()
