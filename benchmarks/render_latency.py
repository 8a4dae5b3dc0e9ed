"""The latency section of docs/benchmarks.md, from benchmarks/results/submission_latency.json."""

from __future__ import annotations

import statistics


def _v(x) -> str:
    return "–" if x is None else f"{x}"


def _met(ok: bool, full: bool = True) -> str:
    """A verdict only for a run of the target's size (a --sample check with fewer submissions: none)."""
    if not full:
        return "smaller than the target's setting: no verdict"
    return "met" if ok else "**missed**"


def latency_section(r: dict | None) -> list[str]:
    if not r or "single" not in r:  # results of the older benchmark (harmonized table, 30 s)
        return []
    inst, single, t = r["instance"], r["single"], r["targets"]
    w = r["worker_startup"]
    lines = [
        "## Submission to visible in the published portal, with the daemon running",
        "",
        f"`{r['command']}` (took {r['duration_s']} s; measured {r['measured_at']}, load average "
        f"{r['load_after']} after, {r['cpus']} cores shared with other work) on "
        f"{r['environment']}: {r['harmonized_rows']:,} innovations, {r['warehouse']} warehouse, "
        f"Dagster instance on {inst.get('run_storage', 'SQLite (its default storage)')}. A real `dagster-daemon run` (sensors, run queue, run "
        f"monitoring): `submission_sensor` every {r['sensor_interval_s']} s "
        f"(`JIPPNAS_SUBMISSION_SENSOR_INTERVAL_S`; the sensor daemon itself evaluates sensors at "
        f"most every {inst['sensor_daemon_loop_s']} s), {inst['run_coordinator']} dequeuing every "
        f"{inst['dequeue_interval_s']} s, at most {_v(inst['max_concurrent_runs'])} runs at a "
        f"time, pools limited to {_v(inst['pool_default_limit'])} step per pool "
        f"({inst['note']}); {inst['run_launcher']}: each run is a new process. The report after "
        f"submission runs at most every {r['report_interval_s']} s (as deployed).",
        "",
        "Visible means: `portal/manifest.json` names the version last committed in "
        "`portal_publications`, and `portal_innovations` holds the submission's new summary (a "
        "unique token); the Parquet files under `portal/` were checked to hold every token at "
        f"the end of each phase (single: {_v(single.get('files_hold_all'))}"
        + (f", burst: {_v(r['burst'].get('files_hold_all'))}" if r.get("burst") else "")
        + "). A submission is handed to intake (`store_document`, what the portal and `jippnas "
        "submit` call); the clock starts before it.",
        "",
        f"### {len(single['latencies_s'])} submissions, one at a time",
        "",
        f"Each for another innovation, by its owner agency, after a random pause of 0–"
        f"{r['sensor_interval_s']} s. Target: median <= {t['single_median_s']} s, max <= "
        f"{t['single_max_s']} s. Columns from the run's events: sensor = stored until the run "
        "was created; queue = created until dequeued; worker = launched until the run worker "
        "began (a new process importing the definitions); steps = first step until "
        "`portal_innovations` began; publish→seen = `portal_innovations` began until the "
        "benchmark saw the new version (polling every 0.2 s); busy = how long an earlier run "
        "(the previous submission run, a report) still had to go when this run was created: the "
        "queue holds a run while another holds the `warehouse` pool its first step needs.",
        "",
        "| # | latency s | sensor | queue | busy | worker | to 1st step | steps | publish→seen "
        "| run s | run |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in single["submissions"]:
        lines.append(
            f"| {s['n']} | **{s['latency_s']}** | {_v(s['sensor_wait_s'])} | {_v(s['queued_s'])} "
            f"| {_v(s.get('others_busy_s'))} | {_v(s['worker_start_s'])} | {_v(s['to_first_step_s'])} | "
            f"{_v(s['steps_before_publication_s'])} | {_v(s['publication_step_to_seen_s'])} | "
            f"{_v(s['run_s'])} | {s['run_id']} |"
        )
    median_ok = single["median_s"] <= t["single_median_s"]
    max_ok = single["max_s"] <= t["single_max_s"]
    full = len(single["latencies_s"]) >= t.get("single_submissions", 20)
    b = r["single_breakdown"]
    spacing = single.get("sensor_tick_spacing_s") or {}
    lines += [
        "",
        f"- latency: median **{single['median_s']} s** ({_met(median_ok, full)}), max "
        f"**{single['max_s']} s** ({_met(max_ok, full)}).",
        f"- medians: sensor wait {_median(b, 'sensor_wait_s')} s (ticks "
        f"{_v(spacing.get('median'))} s apart, at most {_v(spacing.get('max'))} s), queue "
        f"{_median(b, 'queued_s')} s, run worker start {_median(b, 'worker_start_s')} s, steps "
        f"before publication {_median(b, 'steps_before_publication_s')} s, the publication "
        f"step {_median(b, 'publication_step_s')} s, of which {_tail(single['submissions'])} s "
        "after the new version was visible (the next run waits for it: busy); whole run "
        f"{_median(b, 'run_s')} s.",
        f"- a run worker's fixed cost, measured alone: `python -c \"import "
        f'jippnas_orchestration.definitions"` {w["import_definitions_s"]} s (of which `import '
        f"dagster` {w['import_dagster_s']} s, the interpreter {w['python_s']} s).",
        *_others(single.get("other_runs")),
        "",
    ]
    lines += _burst(r.get("burst"), t)
    return lines


def _tail(rows: list[dict]) -> str:
    """Median seconds the publication step went on after the benchmark saw its version."""
    tails = [
        r["publication_step_s"] - r["publication_step_to_seen_s"]
        for r in rows
        if r.get("publication_step_s") is not None
        and r.get("publication_step_to_seen_s") is not None
    ]
    # seen before the step's end event was written: nothing after (never "-0.0")
    return _v(max(0.0, round(statistics.median(tails), 1)) if tails else None)


def _median(b: dict, key: str) -> str:
    return _v((b.get(key) or {}).get("median"))


def _others(runs: list[dict] | None) -> list[str]:
    if not runs:
        return []
    jobs = sorted({x["job"] for x in runs})
    return [
        "- other runs in the phase, sharing the cores: "
        + "; ".join(
            f"`{j}` ×{sum(1 for x in runs if x['job'] == j)} (run s: "
            f"{', '.join(_v(x['run_s']) for x in runs if x['job'] == j)})"
            for j in jobs
        )
        + "."
    ]


def _burst(b: dict | None, t: dict) -> list[str]:
    if not b:
        return []
    ok = b["all_visible"] and b["all_visible_after_first_s"] <= t["burst_all_visible_s"]
    full = b["submissions"] >= t["burst_submissions"] and b["window_s"] <= t["burst_window_s"]
    lines = [
        f"### A burst: {b['submissions']:,} submissions within {b['window_s']:.0f} s",
        "",
        f"{b['submissions']:,} submissions for distinct innovations, each by its owner agency, "
        f"handed to intake evenly over {b['window_s']:.0f} s (all stored within "
        f"{b['stored_within_s']} s). Target: {t['burst_submissions']:,} within "
        f"{t['burst_window_s']} s all visible within {t['burst_all_visible_s']} s, each applied "
        "once.",
        "",
        (
            f"- all {b['visible']:,} visible **{b['all_visible_after_first_s']} s** after the "
            f"first was stored ({_met(ok, full)}), {b['all_visible_after_last_s']} s after the last."
            if b["all_visible"]
            else f"- **not all visible**: {b['visible']:,} of {b['submissions']:,} after "
            f"{b['gave_up_after_s']} s (missed)."
        ),
        "- visible over time (s after the first submission: how many): "
        + ", ".join(f"{at} s: {n:,}" for at, n in b["visible_curve"])
        + ".",
        f"- applied once: **{b['applied_once']}** — states "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(b["states"].items()))
        + "; change-log rows per submission "
        + ", ".join(f"{k}: {v:,}" for k, v in b["change_log_rows_per_submission"].items())
        + f"; {b['submission_runs_launched']} `submission_job` runs launched, "
        f"{b['runs_that_decided_them']} of them decided these submissions.",
        *_others(b.get("other_runs")),
        "",
        "| run | submissions seen by the sensor | queue s | worker s | steps s | publication s | run s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for x in b["runs"]:
        lines.append(
            f"| {x['run_id']} | {_v(x['submissions_tag'])} | {_v(x['queued_s'])} | "
            f"{_v(x['worker_start_s'])} | {_v(x['steps_before_publication_s'])} | "
            f"{_v(x['publication_step_s'])} | {_v(x['run_s'])} |"
        )
    lines += [
        "",
        "A run decides every submission pending when its `innovation_change_log` step starts; the "
        "sensor asks for no new run while one has yet to reach that step, and the run queue "
        "holds a run whose warehouse steps would wait for another run's pool slot.",
        "",
    ]
    return lines
