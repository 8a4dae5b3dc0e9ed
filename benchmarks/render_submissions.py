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
        f"{r['measured_at']}, load average {_load(r, 'load_before')} before, "
        f"{_load(r, 'load_after')} after, {r['cpus']} cores, shared with other work): "
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
        lines.append(f"| {i} | {s['wall_s'] or '–'} | {s['run_s']} | {slow} |")
    lines.append("")
    if r.get("stopped"):
        lines += [f"- {r['stopped']}", ""]
    if r["single"]:
        lines += [_why(r), ""]
    return lines


def _why(r: dict) -> str:
    run = r["single"][0]
    if isinstance(run["run_s"], (int, float)) and run["run_s"] <= r["target_single_s"]:
        return f"Target met: {run['run_s']} s."
    total = sum(x["s"] for x in run["steps"]) or 1
    decide = next((x["s"] for x in run["steps"] if x["step"] == "innovation_change_log"), 0)
    top = run["steps"][:3]
    share = round(100 * sum(x["s"] for x in top) / total)
    names = ", ".join(f"`{x['step']}`" for x in top)
    return (
        f"Target missed ({run['run_s']} s against {r['target_single_s']} s), and not by "
        f"deciding the submission (`innovation_change_log`: {decide} s): every step downstream "
        "still rebuilds its whole table from the whole of its inputs, as in a full refresh — "
        f"{names} take {share}% of the step time. This was measured before incremental "
        "submission runs were built (issue 12, item 3); see the next section for the run "
        "with them."
    )


def _load(r: dict, key: str) -> str:
    return "–" if r.get(key) is None else f"{r[key]:.1f}"


def incremental_section(r: dict | None) -> list[str]:
    """benchmarks/results/submission_incremental.json (bench_submission_incremental)."""
    if not r:
        return []
    lines = [
        "### One submission through `submission_job`, incremental runs",
        "",
        f"`python -m benchmarks.bench_submission_incremental ENV_FILE --runs {len(r['runs']) - 1}` "
        f"(took {r['duration_s']} s; measured {r['measured_at']}, load average "
        f"{_load(r, 'load_after')} after, 2 cores shared with other work) on a SQLite warehouse "
        f"and Dagster instance where everything had been materialized at scale 45 "
        f"({r['harmonized_rows']:,} innovations) with the set's submissions. Each run: `jippnas "
        "submit` of one document (a stop and new outcomes for one innovation of another agency "
        "each time), then `dagster job execute -j submission_job`. A step rebuilds in full where its "
        "state is missing or belongs to another harmonized generation (column modes: the first "
        "run here followed a run that had rebuilt harmonized_innovations in full); the floor is "
        "the same command with nothing pending (every step incremental with nothing to redo: the "
        "CLI, the Dagster run, the gates on zero rows and the steps that still read whole "
        f"tables). Target: <= {r['target_single_s']} s.",
        "",
        "| run | CLI wall s | run s | modes | slowest steps (s) |",
        "|---|---:|---:|---|---|",
    ]
    for x in [*r["runs"], r["floor"]]:
        slow = ", ".join(f"`{s['step']}` {s['s']}" for s in x["steps"][:5])
        modes = sorted(set(x["modes"].values()))
        lines.append(
            f"| {x['label']} | {x['wall_s']} | {x.get('run_s', '–')} | {'/'.join(modes)} | {slow} |"
        )
    lines += [
        "",
        f"- single incremental runs: median {r['single_wall_median_s']} s, max "
        f"{r['single_wall_max_s']} s (CLI wall time, process start included).",
        "",
        _incremental_why(r),
        "",
    ]
    return lines


def _incremental_why(r: dict) -> str:
    singles = r["runs"][1:]
    if not singles:
        return ""
    run_s = sorted(x["run_s"] for x in singles if x.get("run_s") is not None)
    run_median = run_s[len(run_s) // 2] if run_s else None
    if r["single_wall_max_s"] <= r["target_single_s"]:
        return f"Target met: at most {r['single_wall_max_s']} s."
    steps: dict[str, list[float]] = {}
    for run in singles:
        for s in run["steps"]:
            steps.setdefault(s["step"], []).append(s["s"])
    median = sorted(((sorted(v)[len(v) // 2], k) for k, v in steps.items()), reverse=True)
    top = ", ".join(f"`{k}` {v:.1f} s" for v, k in median[:3])
    floor = r["floor"]
    idle = {s["step"]: s["s"] for s in floor["steps"]}
    gate_step = sorted(steps.get("harmonized_innovations", [0.0]))
    gate_extra = gate_step[len(gate_step) // 2] - idle.get("harmonized_innovations", 0.0)
    return (
        f"Target missed: {r['single_wall_median_s']} s median from the command line, "
        f"{run_median} s median for the Dagster run itself (RUN_START to RUN_SUCCESS), against "
        f"{r['target_single_s']} s. Median per step: {top}; every other step "
        f"{max(v for v, _ in median[3:]) if len(median) > 3 else 0:.2f} s or less. With nothing "
        f"pending the run takes {floor.get('run_s')} s ({floor['wall_s']} s from the command "
        f"line, so {floor['wall_s'] - floor.get('run_s', 0):.1f} s of interpreter start and "
        "definitions loading). One submission adds, in `harmonized_innovations` "
        f"({gate_extra:.1f} s more than with nothing pending), mostly the Great Expectations "
        "import that the first gate of a fresh process pays; then the two gates on the changed "
        "rows, the candidate's touched parts and one part published anew (render, link the "
        "others, put the combined files together, replace the part's rows). The first single "
        "run after an upgrade publishes over a version from before parts, so its table is "
        "written whole once."
    )
