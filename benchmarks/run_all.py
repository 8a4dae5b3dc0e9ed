"""Run every benchmark against a throwaway PostgreSQL server and write docs/benchmarks.md.

usage: python benchmarks/run_all.py [--skip-latency | --latency-env ENV_FILE] [--skip-pipeline]

The whole-pipeline benchmark (bench_pipeline: scale 45 on SQLite and PostgreSQL, scale 300 on
PostgreSQL, generating the sets once into benchmarks/.work) is the long part; bench_submissions
(scale 45) runs with it and leaves its environment materialized for bench_submission_incremental
(one submission at a time through submission_job) and bench_submission_latency (a real daemon:
20 submissions one by one, then 1,000 within a minute). With --skip-pipeline the latency benchmark
runs on a fresh sample environment, or with --latency-env on an environment already materialized.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import scaled_data  # noqa: E402
from benchmarks.render import render  # noqa: E402
from jippnas_orchestration.testing.postgres import start_postgres  # noqa: E402


def run(module: str, *args: str) -> None:
    print(f"== {module} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args], cwd=ROOT, check=True)


def main() -> None:
    scaled_data()
    run("bench_matching_quality")
    run("bench_steps", "45")
    run("bench_similar")  # reads the warehouse `make run` leaves, if any
    server = start_postgres()
    try:
        url = server.create_database("bench")
        run("bench_ingest", url)
        run("bench_harmonize", url)
        run("bench_gate_publish", url, tempfile.mkdtemp(prefix="jippnas-bench-out-"))
    finally:
        server.stop()
    if "--skip-pipeline" not in sys.argv:
        run("bench_pipeline")  # starts its own PostgreSQL server
        # scale 45: the backlog set-wise; then, on the environment it leaves materialized, one
        # submission at a time through submission_job and the daemon's latency and burst
        env = Path(tempfile.mkdtemp(prefix="jippnas-bench-env-")) / "env.sh"
        run("bench_submissions", "--keep-env", str(env))
        run("bench_submission_incremental", str(env))
        if "--skip-latency" not in sys.argv:
            run("bench_submission_latency", str(env), "--interval", "4")
    elif "--skip-latency" not in sys.argv:
        if "--latency-env" in sys.argv:
            run("bench_submission_latency", sys.argv[sys.argv.index("--latency-env") + 1])
        else:
            run("bench_submission_latency", "--sample", "--interval", "4")
    render()


if __name__ == "__main__":
    main()
