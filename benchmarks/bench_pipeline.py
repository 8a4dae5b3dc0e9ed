"""The whole pipeline as a user runs it, with the floors measured in the same run.

usage: python -m benchmarks.bench_pipeline [--runs sqlite/45,postgresql/45,postgresql/300]
                                           [--no-submissions] [--seed 7]

For each generated set (`jippnas generate benchmarks/.work/scaleN --scale N --seed 7`, made once)
and each warehouse backend: a fresh SQLite Dagster instance and a fresh warehouse, the set's
submissions stored with `jippnas submit` (as `make run` does), then
`dagster asset materialize -m jippnas_orchestration.definitions --select '*'` with the contract's
environment variables. Wall time and peak memory of the whole process tree (sampled from /proc),
per step from the run's Dagster event log (STEP_START .. STEP_SUCCESS) with the tree's peak while
the step ran. Beside it, the floors: the same source files read by the fastest plain reader, and a
plain COPY (SQLite: one executemany) of the same landed rows. Results are merged into
benchmarks/results/pipeline.json under "<backend>/scale<N>".
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import RESULTS, WORK  # noqa: E402

BIN = Path(sys.executable).parent
TARGETS = {45: {"wall_s": 60, "peak_mb": 2048}, 300: {"wall_s": 600, "peak_mb": 8192}}
SOURCES = ("raw_kipp", "raw_iga", "raw_inolan")


# ---- memory of a process tree ------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


class TreeSampler(threading.Thread):
    """Resident memory of a process and all its descendants, every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []  # (unix time, bytes)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            kids, tree, total = _children(), [self.pid], 0
            while tree:
                p = tree.pop()
                total += _rss(p)
                tree += kids.get(p, [])
            self.samples.append((time.time(), total))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def peak_mb(self, start: float | None = None, end: float | None = None) -> float:
        got = [
            b
            for t, b in self.samples
            if (start is None or t >= start) and (end is None or t <= end)
        ]
        return round(max(got, default=0) / 2**20, 1)


# the generated files at scale hold one file of all submissions (scale 300: ~280k documents,
# ~230 MB), beyond the intake limits meant for what people send
UNBOUNDED_SUBMIT = {
    "JIPPNAS_SUBMIT_MAX_FILE_BYTES": str(10**12),
    "JIPPNAS_SUBMIT_MAX_DOCUMENTS": str(10**9),
}


def run_measured(
    cmd: list[str], env: dict, log: Path, timeout: float | None = None
) -> tuple[float, TreeSampler, int]:
    """Run, sampling the tree's memory; past `timeout` seconds the whole tree is stopped (exit -15)."""
    start = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 15)
            code = proc.wait()
        sampler.stop()
    return round(time.perf_counter() - start, 2), sampler, code


# ---- the data set ------------------------------------------------------------------------------
def generated(scale: int, seed: int) -> tuple[Path, dict]:
    """The set, made once; its generation time and peak memory are kept beside it."""
    target = WORK / f"scale{scale}"
    info_path = WORK / f"scale{scale}.generation.json"
    if not (target / "SAMPLE.json").exists():
        WORK.mkdir(parents=True, exist_ok=True)
        wall, sampler, code = run_measured(
            [
                str(BIN / "jippnas"),
                "generate",
                str(target),
                "--scale",
                str(scale),
                "--seed",
                str(seed),
            ],
            dict(os.environ),
            WORK / f"scale{scale}.log",
        )
        if code:
            raise RuntimeError(f"generation failed; see {WORK / f'scale{scale}.log'}")
        info_path.write_text(json.dumps({"wall_s": wall, "peak_mb": sampler.peak_mb()}))
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    return target, {**json.loads((target / "SAMPLE.json").read_text()), "generation": info}


# ---- floors ------------------------------------------------------------------------------------
def read_floors(data: Path) -> dict:
    """The same files read by the fastest plain reader we have: cells or records, no validation."""
    from python_calamine import CalamineWorkbook

    out = {}
    start = time.perf_counter()
    cells = 0
    for path in sorted((data / "kipp").glob("*.xlsx")):
        wb = CalamineWorkbook.from_path(str(path))
        cells += sum(len(r) for r in wb.get_sheet_by_name("Top Inovasi").to_python())
        wb.close()
    out["raw_kipp"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    records = 0
    for page in sorted((data / "iga").glob("*/page-*.json")):
        records += len(json.loads(page.read_bytes())["data"])
    out["raw_iga"] = round(time.perf_counter() - start, 2)
    timings = []
    start = time.perf_counter()
    with (data / "inolan.csv").open(encoding="cp1252", newline="") as fh:
        sum(
            1 for _ in csv.reader(fh, delimiter=";")
        )  # the plain read is the floor; its count is not needed
    timings.append(time.perf_counter() - start)
    import pyarrow.csv as pacsv

    start = time.perf_counter()
    pacsv.read_csv(
        data / "inolan.csv",
        read_options=pacsv.ReadOptions(encoding="cp1252"),
        parse_options=pacsv.ParseOptions(
            delimiter=";", newlines_in_values=True, invalid_row_handler=lambda r: "skip"
        ),
    )
    timings.append(time.perf_counter() - start)
    out["raw_inolan"] = round(min(timings), 2)
    out["total"] = round(sum(out[s] for s in SOURCES), 2)
    out["readers"] = (
        "KIPP: python-calamine cells; IGA: json.loads per page; InoLAN: the faster of csv.reader and pyarrow.csv"
    )
    return out


def copy_floor(url: str) -> dict:
    """A plain bulk load of the rows the pipeline landed in raw_*, into empty tables of the same shape."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    out = {}
    try:
        for name in SOURCES:
            floor = f"{name}_floor"
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{floor}"')
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f'CREATE TABLE "{floor}" (LIKE "{name}")')
                else:
                    conn.exec_driver_sql(
                        f'CREATE TABLE "{floor}" AS SELECT * FROM "{name}" WHERE 0'
                    )
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                if engine.dialect.name == "postgresql":
                    buf = io.StringIO()
                    cur.copy_expert(f'COPY "{name}" TO STDOUT WITH (FORMAT csv)', buf)
                    buf.seek(0)
                    start = time.perf_counter()
                    cur.copy_expert(f'COPY "{floor}" FROM STDIN WITH (FORMAT csv)', buf)
                    raw.commit()
                else:
                    rows = cur.execute(f'SELECT * FROM "{name}"').fetchall()
                    marks = ", ".join("?" * len(cur.description))
                    start = time.perf_counter()
                    cur.executemany(f'INSERT INTO "{floor}" VALUES ({marks})', rows)
                    raw.commit()
                out[name] = round(time.perf_counter() - start, 2)
            finally:
                raw.close()
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP TABLE "{floor}"')
    finally:
        engine.dispose()
    out["total"] = round(sum(out[s] for s in SOURCES), 2)
    return out


# ---- the run and its event log -----------------------------------------------------------------
def step_timings(home: Path, sampler: TreeSampler) -> tuple[list[dict], dict, dict]:
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        record = instance.get_run_records(limit=1)[0]
        logs = instance.all_logs(record.dagster_run.run_id)
    starts, steps, checks = {}, [], {}
    for e in logs:
        if not e.is_dagster_event:
            continue
        kind = e.dagster_event.event_type_value
        if kind == "STEP_START":
            starts[e.step_key] = e.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and e.step_key in starts:
            t0 = starts[e.step_key]
            steps.append(
                {
                    "step": e.step_key,
                    "s": round(e.timestamp - t0, 2),
                    "ok": kind == "STEP_SUCCESS",
                    "peak_mb": sampler.peak_mb(t0, e.timestamp + sampler.interval),
                    "start_mb": sampler.peak_mb(t0 - sampler.interval, t0 + sampler.interval),
                }
            )
        elif kind == "ASSET_CHECK_EVALUATION":
            data = e.dagster_event.event_specific_data
            checks[data.check_name] = {
                "passed": data.passed,
                **{
                    k: v.value
                    for k, v in data.metadata.items()
                    if isinstance(v.value, (int, float, str, bool))
                },
            }
    stopped = sampler.samples[-1][0] if sampler.samples else time.time()
    done = {s["step"] for s in steps}
    for step, t0 in starts.items():  # a step still running when the run was stopped
        if step not in done:
            steps.append(
                {
                    "step": step,
                    "s": round(stopped - t0, 2),
                    "ok": False,
                    "unfinished": True,
                    "peak_mb": sampler.peak_mb(t0),
                    "start_mb": sampler.peak_mb(t0 - sampler.interval, t0 + sampler.interval),
                }
            )
    run = {
        "run_s": round(record.end_time - record.start_time, 2)
        if record.end_time and record.start_time
        else None,
        "run_status": record.dagster_run.status.value,
    }
    return steps, checks, run


def table_counts(url: str) -> dict:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        present = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            return {
                t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar()
                for t in (
                    *SOURCES,
                    "staged_source_records",
                    "harmonized_innovations",
                    "portal_innovations",
                    "innovation_submissions",
                )
                if t in present
            }
    finally:
        engine.dispose()


def bench_one(
    scale: int,
    backend: str,
    seed: int,
    submissions: bool,
    pg_url: str | None,
    timeout: float | None = None,
) -> dict:
    data, sample = generated(scale, seed)
    tmp = Path(tempfile.mkdtemp(prefix=f"jippnas-pipeline-{backend}-{scale}-"))
    home, out = tmp / "dagster", tmp / "output"
    home.mkdir()
    shutil.copy(ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp / 'warehouse.sqlite'}"
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
        "scale": scale,
        "seed": seed,
        "backend": backend,
        "source_records": sample["source_records"],
        "submissions": submissions,
        "sample": sample,
        "load_before": os.getloadavg()[0],
    }
    print(
        f"== scale {scale} on {backend}: {sample['source_records']:,} source records ({tmp})",
        flush=True,
    )
    if submissions:
        wall, sampler, code = run_measured(
            [
                str(BIN / "jippnas"),
                "submit",
                *map(str, sorted((data / "submissions").glob("*.json"))),
            ],
            {**env, **UNBOUNDED_SUBMIT},
            tmp / "submit.log",
        )
        result["submit"] = {"wall_s": wall, "peak_mb": sampler.peak_mb(), "exit": code}
        print(f"   submit: {wall} s", flush=True)
    wall, sampler, code = run_measured(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "jippnas_orchestration.definitions",
            "--select",
            "*",
        ],
        env,
        tmp / "materialize.log",
        timeout,
    )
    steps, checks, run = step_timings(home, sampler)
    result.update(
        wall_s=wall,
        peak_mb=sampler.peak_mb(),
        exit=code,
        steps=steps,
        checks=checks,
        **run,
        steps_s=round(sum(s["s"] for s in steps), 2),
        log=str(tmp / "materialize.log"),
        load_after=os.getloadavg()[0],
    )
    print(f"   materialize: {wall} s, peak {result['peak_mb']} MB, exit {code}", flush=True)
    result["timed_out"] = code == -15
    result["rows"] = table_counts(url)
    result["floors"] = {
        "read_s": read_floors(data),
        "copy_s": copy_floor(url) if "raw_iga" in result["rows"] else {},
    }
    target = TARGETS.get(scale)
    if target:
        result["target"] = target
        result["met"] = {
            "wall": wall <= target["wall_s"],
            "memory": result["peak_mb"] <= target["peak_mb"],
        }
    matching = next((s for s in steps if s["step"] == "innovation_source_map"), None)
    if matching:
        result["matching_ms_per_record"] = round(1000 * matching["s"] / sample["source_records"], 4)
    if code == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def save(results: list[dict]) -> None:
    path = RESULTS / "pipeline.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    merged = json.loads(path.read_text()) if path.exists() else {"runs": {}}
    for r in results:
        r["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        merged["runs"][
            f"{r['backend']}/scale{r['scale']}" + ("" if r["submissions"] else "/no-submissions")
        ] = r
    merged["cpus"] = os.cpu_count()
    path.write_text(json.dumps(merged, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--runs",
        default="sqlite/45,postgresql/45,postgresql/300",
        help="backend/scale pairs; scale 300 on SQLite is left out by default (its target is on PostgreSQL)",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-submissions", action="store_true")
    ap.add_argument(
        "--timeout-min",
        type=float,
        help="stop a materialization after this many minutes (kept as unfinished)",
    )
    args = ap.parse_args()
    server = None
    try:
        for item in args.runs.split(","):
            backend, scale = item.split("/")
            pg_url = None
            if backend == "postgresql":
                from jippnas_orchestration.testing.postgres import start_postgres

                server = server or start_postgres()
                pg_url = server.create_database(f"pipeline{scale}")
            result = bench_one(
                int(scale),
                backend,
                args.seed,
                not args.no_submissions,
                pg_url,
                args.timeout_min * 60 if args.timeout_min else None,
            )
            save([result])
            print(
                json.dumps(
                    {k: v for k, v in result.items() if k not in ("steps", "sample")}, indent=1
                ),
                flush=True,
            )
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
