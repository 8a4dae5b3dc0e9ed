"""The one incremental mechanism: a table declared once (`IncrementalTable`: how to build all of it
and what a set of changed innovations touches), one driver (`update`) for every run of it. In one
transaction it holds the states, decides full or incremental and says why, builds, digests a gated
table's parts and writes the state. Full whenever it cannot vouch for the table: not a submission
run (another start may follow a change made by other means), no state, the upstream rebuilt in
full since, a position it cannot account for, a recorded parameter changed, a gated table's last
content without a passing gate result, or the table's own reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..failpoints import failpoint
from ..quality.history import verdict
from ..warehouse import Tx, Warehouse
from . import digests, state

HARMONIZED = "harmonized_innovations"


@dataclass
class Run:
    """What a table's build functions see: the transaction, this run's parameters, the table's
    previous state and the upstream state it consumes."""

    tx: Tx
    params: dict
    state: dict | None
    upstream: dict | None
    position: int  # the change-log position this run brings the table to


@dataclass
class Built:
    redone: int  # keys recomputed (all of them on the full path)
    changed: list[str] | None = None  # innovations whose rows were rewritten (gated tables)
    state: dict = field(default_factory=dict)  # kept with the state for the next run
    metadata: dict = field(default_factory=dict)
    result: object = None  # anything else the asset reports


@dataclass(frozen=True)
class IncrementalTable:
    name: str
    build_all: Callable[[Run], Built]
    # the rows the changed innovations touch; a text instead: why it must be rebuilt in full
    build_changed: Callable[[Run, set[str]], Built | str]
    why_full: Callable[[Run], str | None] = lambda run: None
    upstream: str = HARMONIZED  # whose generation (and position) this table follows
    reads_log: bool = False  # lays the change log itself over its upstream (harmonized only)
    gated: bool = False  # keeps part digests; its last content must have passed its gate
    fixed_params: dict = field(default_factory=dict)  # recorded like the run's parameters


@dataclass
class Update:
    mode: str  # full | incremental
    reason: str
    built: Built
    position: int
    checksum: str | None = None  # gated tables: of the whole table as stored
    rows: int | None = None  # gated tables: rows of the whole table
    validate: pd.DataFrame | None = None  # gated tables: what the gate must see

    @property
    def metadata(self) -> dict:
        return {"mode": self.mode, "mode_reason": self.reason, **self.built.metadata}


def update(wh: Warehouse, table: IncrementalTable, incremental: bool = True, **params) -> Update:
    params = {**table.fixed_params, **{k: _plain(v) for k, v in params.items()}}
    with wh.transaction() as tx:
        state.hold(tx, table.name, exclusive=True)
        if table.reads_log:  # no change_id may then commit below the position taken
            tx.lock(state.CHANGE_LOG, "SHARE")
            upstream, position = state.read(tx, table.upstream), state.log_position(tx)
        else:
            state.hold(tx, table.upstream, exclusive=False)
            upstream = state.read(tx, table.upstream)
            position = int(upstream["position"]) if upstream else 0
        run = Run(tx, params, state.read(tx, table.name), upstream, position)
        reason = _why_full(wh, table, run) if incremental else "not a submission run"
        built = None
        if reason is None:
            after = int(run.state["position"])
            changed = state.changed_between(tx, after, position)
            built = table.build_changed(run, changed)
            if isinstance(built, str):
                reason, built = built, None
            else:
                reason = f"{len(changed)} innovations changed since change {after}"
        mode = "full" if built is None else "incremental"
        if built is None:
            built = table.build_all(run)
        result = Update(mode, reason, built, position)
        if table.gated:
            _digest(tx, table.name, result)
        kept = {
            "generation": state.new_generation() if mode == "full" else run.state["generation"],
            "upstream_generation": (upstream or {}).get("generation"),
            "position": position,
            "params": params,
            "checksum": result.checksum,
            "rows": result.rows,
        }
        state.write(tx, table.name, kept | built.state)
        failpoint(f"{table.name}.before_commit")
    return result


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _why_full(wh: Warehouse, table: IncrementalTable, run: Run) -> str | None:
    mine, upstream = run.state, run.upstream
    if mine is None or not run.tx.has_table(table.name):
        return "no state of this asset yet"
    if upstream is None and not table.reads_log:
        return f"{table.upstream} has no state yet"
    if mine.get("upstream_generation") != (upstream or {}).get("generation"):
        return f"{table.upstream} was rebuilt in full since"
    if int(mine["position"]) > run.position:
        return "the change log is behind the recorded position"
    for key, value in run.params.items():
        before = mine.get("params", {}).get(key)
        if before != value:
            return f"{key.replace('_', ' ')} was {before} at the last run, not {value}"
    if table.gated:
        if digests.kept(run.tx, table.name) is None:
            return "no part digests of the table yet"
        last = verdict(wh, table.name, mine.get("checksum"))
        if last is None or not last.success:
            return "the table's last content has no passing gate result"
    return table.why_full(run)


def _digest(tx: Tx, name: str, result: Update) -> None:
    """Digest the parts rewritten (all on the full path); the checksum, rows and what to validate."""
    changed = result.built.changed
    if result.mode == "full" or changed is None:
        frame = digests.canonical(tx.conform(name, tx.query(f'SELECT * FROM "{name}"')))
        kept = digests.keep(tx, name, digests.digests_of(frame), None)
        result.validate = frame
    else:
        parts = {digests.part_of(i) for i in changed}
        frame = digests.canonical(digests.rows_of_parts(tx, name, parts))
        kept = digests.keep(tx, name, digests.digests_of(frame), parts)
        result.validate = frame[frame["innovation_id"].isin(set(changed))].reset_index(drop=True)
    result.checksum, result.rows = digests.checksum_of(tx, name, kept)


def in_submission_run(context) -> bool:
    """Incremental only in a run that also decides submissions (innovation_change_log): the sensor's
    submission_job, or `--select '*'`. Any other start (one asset from the UI, a backfill) rebuilds
    in full, so a table changed by other means than its asset is still caught there."""
    from dagster import AssetKey

    keys = context.run.asset_selection or context.job_def.asset_layer.selected_asset_keys
    return AssetKey("innovation_change_log") in set(keys)


def update_for(context, wh: Warehouse, table: IncrementalTable, **params) -> Update:
    """`update` as an asset runs it: incremental in a submission run, the mode in the run's log."""
    result = update(wh, table, in_submission_run(context), **params)
    context.log.info(f"{table.name}: {result.mode} ({result.reason})")
    return result
