"""Submissions at national scale: the backlog applied set-wise; one submission through submission_job.

usage: python -m benchmarks.bench_submissions [--scale 45] [--seed 7] [--single-runs 2]

On the generated set (`jippnas generate benchmarks/.work/scaleN --scale N --seed 7`, made once),
with a fresh SQLite warehouse and a fresh SQLite Dagster instance, as a user runs it:
1. everything materialized without submissions (`dagster asset materialize --select '*'`);
2. the set's whole update campaign stored with `jippnas submit`, then `innovation_change_log`
   materialized alone: the step's seconds from the event log. Floor, same run: a plain bulk insert
   (executemany in one transaction) of the same change-log rows and decided states into scratch
   tables.
   The same pending submissions and reference tables loaded into PostgreSQL, applied in process
   (`apply_pending`), with the COPY floor of the same rows;
3. one accepted-kind submission stored, then `dagster job execute -j submission_job`: wall time,
   run duration and seconds per step (the target is <= 5 s).
Results: benchmarks/results/submissions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pipeline import (  # noqa: E402
    BIN,
    UNBOUNDED_SUBMIT,
    generated,
    run_measured,
    step_timings,
)
from benchmarks.common import RESULTS  # noqa: E402

MODULE = ["-m", "jippnas_orchestration.definitions"]
REFERENCE_TABLES = ("merged_innovations", "innovation_source_map", "agencies")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return round(time.perf_counter() - start, 2)


def _floor(wh, log, states) -> float:
    """A plain bulk write of the same rows: change log and decided states, one transaction."""
    from jippnas_orchestration.warehouse import table_for

    def write():
        with wh.begin() as conn:
            for name, frame in (("floor_change_log", log), ("floor_states", states)):
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
                table_for(name, frame).create(conn)
                wh.insert_frame(conn, name, frame)

    return _timed(write)


def _decided(wh):
    log = wh.read_sql(
        "SELECT submission_id, innovation_id, field, old_value, new_value, submitted_at, "
        "applied_at FROM innovation_change_log"
    )
    states = wh.read_sql(
        "SELECT submission_id, state, reason, innovation_id FROM innovation_submissions"
    )
    return log, states


def backlog_on_postgres(frames: dict, result: dict) -> None:
    import pandas as pd

    from jippnas_orchestration.schema import ensure_schema
    from jippnas_orchestration.submissions.apply import apply_pending
    from jippnas_orchestration.testing.postgres import start_postgres
    from jippnas_orchestration.warehouse import Warehouse

    server = start_postgres()
    try:
        wh = Warehouse(server.create_database("submissions"))
        ensure_schema(wh.engine)
        for t in REFERENCE_TABLES:
            wh.replace_table(t, frames[t])
        subs = frames["innovation_submissions"]
        with wh.begin() as conn:
            wh.insert_frame(
                conn,
                "innovation_submissions",
                subs.assign(received_at=pd.to_datetime(subs["received_at"], utc=True)),
            )
        reports = []
        seconds = _timed(lambda: reports.append(apply_pending(wh, run_id="bench")))
        log, states = _decided(wh)
        result["postgresql"] = {
            "apply_s": seconds,
            "accepted": reports[0].accepted,
            "rejected": reports[0].rejected,
            "change_log_rows": len(log),
            "floor_copy_s": _floor(wh, log, states),
        }
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=45)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--single-runs", type=int, default=2)
    ap.add_argument(
        "--keep-env",
        type=Path,
        help="keep the materialized environment and write its variables to this file (env.sh) "
        "for bench_submission_incremental and bench_submission_latency",
    )
    args = ap.parse_args()
    started = time.perf_counter()
    data, sample = generated(args.scale, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix=f"jippnas-submissions-{args.scale}-"))
    home, out = tmp / "dagster", tmp / "output"
    home.mkdir()
    shutil.copy(ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    url = f"sqlite:///{tmp / 'warehouse.sqlite'}"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "JIPPNAS_WAREHOUSE_URL": url,
        "JIPPNAS_OUTPUT_DIR": str(out),
        "JIPPNAS_KIPP_SOURCE": str(data / "kipp"),
        "JIPPNAS_IGA_SOURCE": str(data / "iga"),
        "JIPPNAS_INOLAN_SOURCE": str(data / "inolan.csv"),
        "JIPPNAS_GROUND_TRUTH": str(data / "ground_truth.csv"),
    }
    result: dict = {
        "scale": args.scale,
        "seed": args.seed,
        "source_records": sample["source_records"],
        "load_before": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    print(f"== submissions at scale {args.scale} ({tmp})", flush=True)

    wall, sampler, code = run_measured(
        [str(BIN / "dagster"), "asset", "materialize", *MODULE, "--select", "*"],
        env,
        tmp / "full.log",
    )
    if code:
        raise RuntimeError(f"the full build failed; see {tmp / 'full.log'}")
    result["full_build"] = {"wall_s": wall, "peak_mb": sampler.peak_mb()}
    print(f"   full build: {wall} s", flush=True)

    from jippnas_orchestration.warehouse import Warehouse

    wh = Warehouse(url)
    files = sorted((data / "submissions").glob("*.json"))
    wall, sampler, code = run_measured(
        [str(BIN / "jippnas"), "submit", *map(str, files)],
        {**env, **UNBOUNDED_SUBMIT},
        tmp / "submit.log",
    )
    frames = {t: wh.read_table(t) for t in (*REFERENCE_TABLES, "innovation_submissions")}
    pending = int((frames["innovation_submissions"]["state"] == "pending").sum())
    result["submit"] = {"wall_s": wall, "exit": code, "pending": pending}
    print(f"   submit: {pending} pending in {wall} s", flush=True)

    wall, sampler, code = run_measured(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            *MODULE,
            "--select",
            "innovation_change_log",
        ],
        env,
        tmp / "backlog.log",
    )
    steps, _, run = step_timings(home, sampler)
    log, states = _decided(wh)
    counts = states["state"].value_counts().to_dict()
    result["backlog_sqlite"] = {
        "wall_s": wall,
        "exit": code,
        "peak_mb": sampler.peak_mb(),
        **run,
        "step_s": next(s["s"] for s in steps if s["step"] == "innovation_change_log"),
        "states": counts,
        "change_log_rows": len(log),
        "applied_once": bool(log.groupby(["submission_id", "field"]).size().max() == 1),
        "floor_insert_s": _floor(wh, log, states),
    }
    print(f"   backlog on SQLite: {result['backlog_sqlite']}", flush=True)
    backlog_on_postgres(frames, result)
    print(f"   backlog on PostgreSQL: {result['postgresql']}", flush=True)

    owned = wh.read_sql(
        "SELECT s.innovation_id, m.agency_id FROM innovation_submissions s "
        "JOIN merged_innovations m "
        "ON m.innovation_id = s.innovation_id WHERE s.state = 'accepted' LIMIT 1"
    ).iloc[0]
    single = []
    for i in range(args.single_runs):
        doc = {
            "submission_id": str(uuid.uuid4()),
            "innovation": {"innovation_id": owned["innovation_id"]},
            "agency_id": owned["agency_id"],
            "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "changes": {"outcomes": f"Pengukuran tolok ukur {i}"},
        }
        path = tmp / f"single-{i}.json"
        path.write_text(json.dumps(doc))
        run_measured(
            [str(BIN / "jippnas"), "submit", str(path)], env, tmp / f"single-submit-{i}.log"
        )
        wall, sampler, code = run_measured(
            [str(BIN / "dagster"), "job", "execute", *MODULE, "-j", "submission_job"],
            env,
            tmp / f"single-{i}.log",
        )
        steps, _, run = step_timings(home, sampler)
        state = wh.read_sql(
            "SELECT state FROM innovation_submissions WHERE submission_id = :s",
            {"s": doc["submission_id"]},
        )["state"].iloc[0]
        single.append(
            {
                "wall_s": wall,
                "exit": code,
                "peak_mb": sampler.peak_mb(),
                **run,
                "state": state,
                "steps": sorted(
                    ({"step": s["step"], "s": s["s"]} for s in steps), key=lambda s: -s["s"]
                ),
            }
        )
        print(f"   one submission, run {i}: {wall} s (run {run['run_s']} s), {state}", flush=True)
    result["single"] = single
    result["target_single_s"] = 5
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["load_after"] = os.getloadavg()[0]
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "submissions.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "single"}, indent=1))
    if args.keep_env:
        names = [k for k in env if k.startswith(("DAGSTER_HOME", "JIPPNAS_"))]
        args.keep_env.write_text("".join(f"export {k}={env[k]}\n" for k in sorted(names)))
        print(f"== environment kept: {tmp} (variables in {args.keep_env})", flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
