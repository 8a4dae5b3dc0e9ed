"""The submissions section of docs/benchmarks.md, from benchmarks/results/submissions.json."""

from __future__ import annotations


def _backlog(r: dict) -> list[str]:
    b, pg = r["backlog_sqlite"], r["postgresql"]
    states = b["states"]
    return [
        "### The backlog, applied set-wise",
        "",
        "Chunks of 5,000 submissions, one transaction each (claim, decide in Python, change log "
        "in bulk, states). Floor, measured in the same run: a plain bulk write of the same "
        "change-log rows and decided states into scratch tables, in one transaction.",
        "",
        "| warehouse | submissions | accepted | rejected | change-log rows | apply s | floor s |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| SQLite (`innovation_change_log` step of a CLI run; run {b['run_s']} s, "
        f"CLI {b['wall_s']} s) | {sum(states.values()):,} | {states.get('accepted', 0):,} | "
        f"{states.get('rejected', 0):,} | {b['change_log_rows']:,} | **{b['step_s']}** | "
        f"{b['floor_insert_s']} |",
        f"| PostgreSQL (`apply_pending` in process; COPY) | "
        f"{pg['accepted'] + pg['rejected']:,} | {pg['accepted']:,} | {pg['rejected']:,} | "
        f"{pg['change_log_rows']:,} | **{pg['apply_s']}** | {pg['floor_copy_s']} |",
        "",
        f"- each submission applied once: {b['applied_once']} (no submission × field twice in "
        "the log). Before, with one transaction per submission, the same backlog kept "
        "`innovation_updates` busy for over 500 s until it was stopped (whole-pipeline table).",
        "",
    ]


def submissions_section(r: dict | None) -> list[str]:
    if not r:
        return []
    sub = r["submit"]
    lines = [
        f"## Submissions at scale {r['scale']}",
        "",
        f"`python -m benchmarks.bench_submissions` (took {r['duration_s']} s; measured "
        f"{r['measured_at']}, load average {r['load_before']:.1f} before, "
        f"{r['load_after']:.1f} after, {r['cpus']} cores): "
        f"`jippnas generate --scale {r['scale']} --seed {r['seed']}` "
        f"({r['source_records']:,} source records), a fresh SQLite warehouse and Dagster "
        "instance, everything materialized without submissions "
        f"({r['full_build']['wall_s']} s), then the set's whole update campaign stored with "
        f"`jippnas submit` ({sub['pending']:,} pending, {sub['wall_s']} s).",
        "",
        *_backlog(r),
        "### One submission through `submission_job`",
        "",
        f"Target: <= {r['target_single_s']} s. `jippnas submit` of one document, then "
        "`dagster job execute -j submission_job` (everything downstream of "
        "`innovation_change_log`).",
        "",
        "| run | CLI wall s | run s | slowest steps (s) |",
        "|---:|---:|---:|---|",
    ]
    for i, s in enumerate(r["single"], 1):
        slow = ", ".join(f"`{x['step']}` {x['s']}" for x in s["steps"][:6])
        lines.append(f"| {i} | {s['wall_s']} | {s['run_s']} | {slow} |")
    lines.append("")
    return lines
