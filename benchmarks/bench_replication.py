"""The three replication tables on a materialized warehouse: full builds, and one submission's
incremental update.

usage: python -m benchmarks.bench_replication WAREHOUSE.sqlite [LABEL]

WAREHOUSE.sqlite: a copy of a warehouse where everything up to harmonized_innovations was
materialized (e.g. `jippnas generate DIR --scale 45 --seed 7`, its submissions stored, then
`dagster asset materialize --select '*'`); it is modified (tables added, one submission stored).
1. In a child process, the three full builds in asset order (innovation_replications,
   affair_coverage, replication_opportunities) and the portal files: seconds each, and the
   child's peak RSS (what the assets cost together).
2. Then, in this process: harmonized_innovations and the three rebuilt in full once (so each has
   its incremental state), one submission of an innovation's owner that stops it and lists two
   replicating agencies, decided as the change log decides it, harmonized_innovations
   incremental, and the three incremental: the seconds each adds to a submission run (in
   process, without Dagster's per-step overhead).
Results: benchmarks/results/replication_<LABEL>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import RESULTS, peak_rss_mb  # noqa: E402

START = date(2023, 1, 1)


def _tables():
    from jippnas_orchestration.replication.affair_coverage import AFFAIR_COVERAGE
    from jippnas_orchestration.replication.innovation_replications import INNOVATION_REPLICATIONS
    from jippnas_orchestration.replication.replication_opportunities import (
        REPLICATION_OPPORTUNITIES,
    )

    return [INNOVATION_REPLICATIONS, AFFAIR_COVERAGE, REPLICATION_OPPORTUNITIES]


def full_builds(url: str) -> dict:
    from jippnas_orchestration.incremental import update
    from jippnas_orchestration.replication.portal import opportunity_files
    from jippnas_orchestration.schema import ensure_schema
    from jippnas_orchestration.warehouse import Warehouse

    wh = Warehouse(url)
    ensure_schema(wh.engine)
    out = {"rss_before_mb": peak_rss_mb()}
    for table in _tables():
        start = time.perf_counter()
        result = update(wh, table, incremental=False)
        out[f"{table.name}_full_s"] = round(time.perf_counter() - start, 2)
        out[f"{table.name}_rows"] = result.built.result
    start = time.perf_counter()
    files = opportunity_files(wh)
    out["opportunity_files_s"] = round(time.perf_counter() - start, 2)
    out["opportunity_files_mb"] = {k: round(len(v) / 1e6, 1) for k, v in files.items()}
    out["three_full_s"] = round(sum(out[f"{t.name}_full_s"] for t in _tables()), 2)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _gated(wh, result) -> None:
    """What the passing gate of harmonized_innovations records (the gate itself is measured in
    bench_gate_publish), so the next run of the gated table may go incremental."""
    from datetime import datetime, timezone

    from jippnas_orchestration.quality import history
    from jippnas_orchestration.quality.gate import ExpectationOutcome, GateResult

    outcome = ExpectationOutcome("expect_table_row_count_to_be_between", None, True, 0, 0)
    now = datetime.now(timezone.utc).isoformat()
    history.record(
        wh,
        GateResult(
            "harmonized_innovations", True, result.rows, now, [outcome], checksum=result.checksum
        ),
    )


def one_submission(url: str) -> dict:
    from jippnas_orchestration.harmonize.harmonized_innovations import HARMONIZED_INNOVATIONS
    from jippnas_orchestration.incremental import update
    from jippnas_orchestration.submissions.apply import apply_pending
    from jippnas_orchestration.submissions.intake import store_document
    from jippnas_orchestration.warehouse import Warehouse

    wh = Warehouse(url)
    out = {}
    start = time.perf_counter()
    _gated(wh, update(wh, HARMONIZED_INNOVATIONS, incremental=False, campaign_start=START))
    for table in _tables():
        update(wh, table, incremental=False)
    out["setup_full_s"] = round(time.perf_counter() - start, 2)
    target = wh.read_sql(
        "SELECT innovation_id, agency_id FROM harmonized_innovations WHERE agency_type = 'kabupaten' "
        "AND (status IS NULL OR status <> 'berhenti') ORDER BY innovation_id LIMIT 1"
    ).iloc[0]
    others = wh.read_sql(
        "SELECT agency_id FROM agencies WHERE agency_type = 'kota' ORDER BY agency_id LIMIT 2"
    )["agency_id"].tolist()
    store_document(
        wh,
        {
            "submission_id": str(uuid.uuid4()),
            "innovation": {"innovation_id": target["innovation_id"]},
            "agency_id": target["agency_id"],
            "submitted_by": {"name": "Bench", "email": "bench@example.go.id"},
            "submitted_at": "2026-12-06T10:00:00+07:00",
            "changes": {"status": "berhenti", "status_reason": "uji", "replicated_by": others},
        },
        "bench",
    )
    apply_pending(wh)
    start = time.perf_counter()
    result = update(wh, HARMONIZED_INNOVATIONS, incremental=True, campaign_start=START)
    out["harmonized_incremental_s"] = round(time.perf_counter() - start, 2)
    out["harmonized_mode"] = f"{result.mode} ({result.reason})"
    added = 0.0
    for table in _tables():
        start = time.perf_counter()
        result = update(wh, table, incremental=True)
        seconds = time.perf_counter() - start
        added += seconds
        out[f"{table.name}_incremental_s"] = round(seconds, 2)
        out[f"{table.name}_mode"] = f"{result.mode} ({result.reason})"
        out[f"{table.name}_redone"] = result.built.redone
    out["three_incremental_s"] = round(added, 2)
    return out


def main() -> None:
    path = Path(sys.argv[1]).resolve()
    label = sys.argv[2] if len(sys.argv) > 2 else "scale45"
    url = f"sqlite:///{path}"
    from jippnas_orchestration.warehouse import Warehouse

    innovations = Warehouse(url).count("harmonized_innovations")
    child = subprocess.run(
        [sys.executable, __file__, "--full", url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    out = {
        "label": label,
        "innovations": innovations,
        "cpus": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 2),
        "full": json.loads(child.stdout.strip().splitlines()[-1]),
        "submission": one_submission(url),
        "load_after": round(os.getloadavg()[0], 2),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"replication_{label}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))


def replication_section(r: dict | None) -> list[str]:
    if not r:
        return []
    f, s = r["full"], r["submission"]
    names = ("innovation_replications", "affair_coverage", "replication_opportunities")
    lines = [
        f"## Replication tables, {r['label']}",
        "",
        f"`python -m benchmarks.bench_replication WAREHOUSE {r['label']}` on a copy of a materialized "
        f"warehouse ({r['innovations']:,} innovations; {r['cpus']} cores, load average "
        f"{r['load_before']} before / {r['load_after']} after, shared with other work; "
        f"{r['measured_at']}). In process, without Dagster's per-step overhead. Target at scale 45: "
        "the three together <= 30 s and <= 1 GB.",
        "",
        "| table | rows | full build | one submission (incremental) |",
        "|---|---:|---:|---:|",
    ]
    for name in names:
        lines.append(
            f"| `{name}` | {f[f'{name}_rows']:,} | {f[f'{name}_full_s']} s | "
            f"{s[f'{name}_incremental_s']} s ({s[f'{name}_redone']} redone) |"
        )
    lines += [
        f"| **the three** | | **{f['three_full_s']} s** | **{s['three_incremental_s']} s** |",
        "",
        f"- peak memory of the process building the three in full: {f['peak_rss_mb']} MB "
        f"({f['rss_before_mb']} MB before the first).",
        f"- `opportunities.csv` / `.json` rendered in {f['opportunity_files_s']} s "
        f"({f['opportunity_files_mb']['opportunities.csv']} / "
        f"{f['opportunity_files_mb']['opportunities.json']} MB), once per portal version.",
        "- The submission stops one active kabupaten innovation and lists two replicating agencies: "
        f"the coverage of the {s['affair_coverage_redone']} agencies it counted for (before or after) "
        f"and the opportunities of its {s['replication_opportunities_redone']} affair(s) are redone, "
        "nothing else. Wall times on a machine shared with other work (see the load average above): "
        "not measured on an idle machine.",
        "",
    ]
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--full":
        print(json.dumps(full_builds(sys.argv[2])))
    else:
        main()
