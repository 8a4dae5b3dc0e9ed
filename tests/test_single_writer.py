"""One writer per table, and every read a declared dependency: checked against the SQL a real run executes."""

import io
import json
import re
import time
from collections import defaultdict

import pytest
import sqlalchemy as sa
from dagster import DagsterEventType, DagsterInstance

from jippnas_orchestration import tables
from jippnas_orchestration.definitions import defs
from jippnas_orchestration.jobs import submission_job
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse, engine_for
from resources import WAREHOUSE_POOL

from .helpers import run_pipeline
from .submission_fixtures import doc

NAME = r'"?([a-z_][a-z0-9_]*)"?'
WRITES = [
    re.compile(p, re.I)
    for p in (
        rf"^\s*INSERT\s+INTO\s+{NAME}",
        rf"^\s*UPDATE\s+{NAME}",
        rf"^\s*DELETE\s+FROM\s+{NAME}",
        rf"^\s*CREATE\s+TABLE\s+{NAME}",
        rf"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{NAME}",
        rf"^\s*ALTER\s+TABLE\s+{NAME}",
    )
]
RENAMED_TO = re.compile(rf"RENAME\s+TO\s+{NAME}", re.I)
READS = re.compile(rf"\b(?:FROM|JOIN)\s+{NAME}", re.I)


def table_of(name: str) -> str:
    return name.removesuffix("__incoming")


class Recorder:
    """Every statement the warehouse engines execute, with its time and bound parameters."""

    def __init__(self, url: str):
        self.statements = []
        self.engines = {engine_for(url), engine_for(url, for_writes=False)}
        for eng in self.engines:
            sa.event.listen(eng, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        params = (
            list(getattr(context, "compiled_parameters", None) or []) if context is not None else []
        )
        insert = POSITIONAL_INSERT.match(statement)
        if not params and insert and parameters:
            # a plain DBAPI executemany (the SQLite bulk load): name the positional values
            names = [n.strip().strip('"') for n in insert.group(1).split(",")]
            rows = parameters if executemany else [parameters]
            params = [dict(zip(names, row)) for row in rows]
        self.statements.append((time.time(), statement, params))

    def close(self):
        for eng in self.engines:
            sa.event.remove(eng, "before_cursor_execute", self._seen)


POSITIONAL_INSERT = re.compile(r'\s*INSERT INTO "?\w+"? \(([^)]*)\) VALUES \(\?', re.I)


def step_windows(instance, run_id):
    starts, windows = {}, {}
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev is None:
            continue
        if ev.event_type == DagsterEventType.STEP_START:
            starts[ev.step_key] = entry.timestamp
        elif ev.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            windows[ev.step_key] = (starts[ev.step_key], entry.timestamp)
    return windows


@pytest.mark.slow
def test_each_table_has_one_writer_and_reads_follow_declared_dependencies(
    sqlite_url, sample_dir, tmp_path
):
    wh = Warehouse(sqlite_url)
    ensure_schema(
        wh.engine
    )  # the persistent tables exist before the run: their DDL is set-up, not a write
    assert submit_files(sorted((sample_dir / "submissions").glob("*.json")), io.StringIO(), wh) == 0
    instance = DagsterInstance.ephemeral()
    recorder = Recorder(sqlite_url)
    try:
        result = run_pipeline(sqlite_url, sample_dir, instance=instance)
    finally:
        recorder.close()
    assert result.success
    # then a submission run: the incremental paths write by row (DELETE ... WHERE id IN)
    h = wh.read_sql("SELECT innovation_id, agency_id FROM harmonized_innovations LIMIT 1")
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps(
            doc(
                innovation={"innovation_id": h["innovation_id"][0]},
                agency_id=h["agency_id"][0],
                changes={"status": "berhenti"},
            )
        )
    )
    assert submit_files([path], io.StringIO(), wh) == 0
    second = Recorder(sqlite_url)
    try:
        incremental = run_pipeline(
            sqlite_url, sample_dir, selection=submission_job.selection, instance=instance
        )
    finally:
        second.close()
    recorder.statements += second.statements
    assert incremental.success
    materialized = [
        e.event_specific_data.materialization
        for e in incremental.get_asset_materialization_events()
    ]
    modes = {
        m.asset_key.to_user_string(): m.metadata["mode"].value
        for m in materialized
        if "mode" in m.metadata
    }
    assert modes == {
        a: "incremental"
        for a in (
            "harmonized_innovations",
            "agency_completeness",
            "national_summary",
            "campaign_history",
            "field_provenance",
            "portal_candidate",
            "innovation_replications",
            "affair_coverage",
            "replication_opportunities",
        )
    }, modes
    windows = [
        *step_windows(instance, result.run_id).items(),
        *step_windows(instance, incremental.run_id).items(),
    ]
    repo = defs.get_repository_def()
    step_asset, deps = {}, {}
    for ad in repo.assets_defs_by_key.values():
        if ad.is_executable:
            (key,) = ad.keys
            name = key.to_user_string()
            step_asset[ad.node_def.name] = name
            deps[name] = {d.to_user_string() for d in ad.asset_deps[key]}
    for cd in defs.asset_checks:
        step_asset[cd.node_def.name] = next(iter(cd.check_keys)).asset_key.to_user_string()
    asset_names = set(deps)

    written = defaultdict(set)  # (table, slice) -> assets whose steps wrote it
    read = defaultdict(set)  # step -> tables read
    unattributed = []
    for at, sql, params in recorder.statements:
        step = next((s for s, (a, b) in windows if a <= at <= b), None)
        targets = set()
        for pattern in WRITES:
            m = pattern.match(sql)
            if m:
                targets.add(table_of(m.group(1)))
                targets |= {table_of(n) for n in RENAMED_TO.findall(sql)}
        reads = (
            set()
            if targets
            else {table_of(n) for n in READS.findall(sql) if not n.startswith("sqlite_")}
        )
        if not targets and not reads:
            continue
        if step is None:
            unattributed.append(sql)
            continue
        for t in targets:
            if t in tables.SLICED or t in tables.SELF_SLICED:
                columns = tables.SLICED[t][0] if t in tables.SLICED else (tables.SELF_SLICED[t],)
                slices = {
                    tuple(p.get(c) for c in columns) for p in params if all(c in p for c in columns)
                }
                assert slices, (
                    f"{step}: write to shared table {t} without its slice columns: {sql[:120]}"
                )
                for sl in slices:
                    written[(t, sl)].add(step_asset[step])
            else:
                written[(t, None)].add(step_asset[step])
        read[step] |= reads
    assert unattributed == []
    assert ("harmonized_innovations", None) in written and (
        "innovation_change_log",
        None,
    ) in written

    # one writer per table (per slice of a shared log), and it is the declared one
    for (table, sl), who in sorted(written.items(), key=str):
        assert len(who) == 1, f"{table} {sl or ''} written by {sorted(who)}"
        if table in tables.SLICED:
            assert who == {tables.SLICED[table][1][sl]}, (table, sl, who)
        elif table in tables.SELF_SLICED:  # each slice by the asset it is named after
            assert who == {sl[0]}, (table, sl, who)
        else:
            assert who == tables.writers(table, asset_names), (table, who)
    # every writer is in the warehouse pool, so two runs never write at once
    for (_, _), who in written.items():
        for asset in who:
            ad = repo.assets_defs_by_key[
                next(k for k in repo.assets_defs_by_key if k.to_user_string() == asset)
            ]
            assert ad.node_def.pool == WAREHOUSE_POOL, asset

    # every table a step reads is written by its own asset or by one it declares as a dependency
    for step, seen in read.items():
        asset = step_asset[step]
        allowed = {asset} | deps[asset]
        for table in seen:
            who = tables.writers(table, asset_names)
            assert who & allowed or table in tables.EXTERNAL, (
                f"{step} reads {table} (written by {sorted(who) or 'nobody'}) without declaring it"
            )
