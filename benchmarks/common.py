"""Shared by the benchmark scripts: the scaled data set, a PostgreSQL server, result files."""

from __future__ import annotations

import json
import resource
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
RESULTS = ROOT / "benchmarks" / "results"
SCALE, SEED = 30, 7


def scaled_data() -> Path:
    """The 150,000-record set (`jippnas generate --scale 30 --seed 7`), made once."""
    from jippnas_orchestration.generator.write import generate

    target = WORK / f"scale{SCALE}"
    if not (target / "SAMPLE.json").exists():
        generate(target, scale=SCALE, seed=SEED)
    return target


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def timed(store: dict, key: str):
    start = time.perf_counter()
    yield
    store[key] = round(time.perf_counter() - start, 2)


def save(name: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        **data,
        "peak_rss_mb": peak_rss_mb(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1))
    print(json.dumps(data, indent=1))
