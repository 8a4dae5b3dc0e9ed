"""One submission through submission_job on a materialized national-scale warehouse (incremental runs).

usage: python -m benchmarks.bench_submission_incremental ENV_FILE [--runs 5]

ENV_FILE exports DAGSTER_HOME, JIPPNAS_WAREHOUSE_URL, JIPPNAS_OUTPUT_DIR and the three
JIPPNAS_*_SOURCE variables of an environment where everything was materialized
(`dagster asset materialize --select '*'`, e.g. on `jippnas generate DIR --scale 45 --seed 7`
with its submissions stored first). Then, as a user runs it:
1. one submission stored with `jippnas submit`, then `dagster job execute -j submission_job`: the
   first run after a full materialization (its steps find no state of the incremental kind yet,
   or state of another generation: they rebuild in full once);
2. `--runs` more single submissions, each through the same CLI command: wall time, run duration,
   seconds per step and each step's mode (full or incremental);
3. the floor, same environment: `dagster job execute -j submission_job` with nothing pending
   (every step incremental with nothing to redo: the CLI, the Dagster run and fixed costs).
Results: benchmarks/results/submission_incremental.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pipeline import BIN, run_measured, step_timings  # noqa: E402
from benchmarks.common import RESULTS  # noqa: E402

MODULE = ["-m", "jippnas_orchestration.definitions"]


def read_env(path: Path) -> dict:
    env = dict(os.environ)
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


def modes(home: Path) -> dict:
    """Each step's mode (full/incremental) from the latest run's materialization metadata."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    out = {}
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        for e in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
            mat = e.dagster_event.event_specific_data.materialization
            if "mode" in mat.metadata:
                out[mat.asset_key.to_user_string()] = mat.metadata["mode"].value
    return out


def one_run(env: dict, tmp: Path, label: str, doc: dict | None) -> dict:
    home = Path(env["DAGSTER_HOME"])
    if doc is not None:
        path = tmp / f"{label}.json"
        path.write_text(json.dumps(doc))
        run_measured([str(BIN / "jippnas"), "submit", str(path)], env, tmp / f"{label}-submit.log")
    wall, sampler, code = run_measured(
        [str(BIN / "dagster"), "job", "execute", *MODULE, "-j", "submission_job"],
        env,
        tmp / f"{label}.log",
    )
    steps, _, run = step_timings(home, sampler)
    result = {
        "label": label,
        "wall_s": wall,
        "exit": code,
        "peak_mb": sampler.peak_mb(),
        **run,
        "modes": modes(home),
        "steps": sorted(({"step": s["step"], "s": s["s"]} for s in steps), key=lambda s: -s["s"]),
    }
    print(f"   {label}: {wall} s (run {run.get('run_s')} s) {result['modes']}", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("env_file", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = read_env(args.env_file)
    env["PYTHONPATH"] = str(ROOT)
    os.environ.update(env)
    from jippnas_orchestration.warehouse import Warehouse

    started = time.perf_counter()
    wh = Warehouse(env["JIPPNAS_WAREHOUSE_URL"])
    rows = wh.count("harmonized_innovations")
    # distinct innovations of distinct agencies, one per single run
    targets = wh.read_sql(
        "SELECT agency_id, MIN(innovation_id) AS innovation_id FROM harmonized_innovations "
        "GROUP BY agency_id ORDER BY agency_id"
    ).iloc[:: max(1, 300 // (args.runs + 1))]
    tmp = Path(tempfile.mkdtemp(prefix="jippnas-bench-incr-"))
    runs = []
    for i, t in enumerate(targets.head(args.runs + 1).itertuples()):
        doc = {
            "submission_id": str(uuid.uuid4()),
            "innovation": {"innovation_id": t.innovation_id},
            "agency_id": t.agency_id,
            "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "changes": {"outcomes": f"Pengukuran tolok ukur {i}", "status": "berhenti"},
        }
        runs.append(one_run(env, tmp, "first" if i == 0 else f"single-{i}", doc))
    floor = one_run(env, tmp, "floor (nothing pending)", None)
    singles = [r["wall_s"] for r in runs[1:]]
    result = {
        "harmonized_rows": rows,
        "runs": runs,
        "floor": floor,
        "single_wall_median_s": statistics.median(singles) if singles else None,
        "single_wall_max_s": max(singles) if singles else None,
        "target_single_s": 5,
        "duration_s": round(time.perf_counter() - started, 1),
        "load_after": os.getloadavg()[0],
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "submission_incremental.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k not in ("runs", "floor")}, indent=1))


if __name__ == "__main__":
    main()
