"""harmonized_innovations, full or incremental: rewrite only the innovations new change-log rows touch.

Incremental when the table was last built on the same merged_innovations (generation), the same
campaign start, from a change-log position not ahead of the log, and its checksum then passed
the gate; otherwise (first run, full refresh since, failed gate, unknown state) a full rebuild.
Data, part digests and state change in one transaction (jippnas_orchestration.incremental).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..failpoints import failpoint
from ..incremental import (
    combined_checksum,
    has_table,
    lock,
    log_position,
    new_generation,
    part_digests,
    part_of,
    query,
    raw_rows,
    read_state,
    replace_rows_of,
    rows_of_parts,
    rows_where_in,
    state_table,
    write_digests,
    write_state,
)
from ..quality.history import verdict
from ..warehouse import Warehouse
from .pipeline import build_overlaid

TABLE = "harmonized_innovations"
SUITE = "harmonized_innovations"


@dataclass
class Update:
    mode: str  # full | incremental
    reason: str
    checksum: str
    rows: int  # rows in the table
    validate: pd.DataFrame  # the rows the gate must validate (all of them on the full path)
    changed: list[str] = field(default_factory=list)
    position: int = 0


def _why_full(conn, wh: Warehouse, state: dict | None, merged_gen, start: date, upto: int):
    if state is None or not has_table(conn, TABLE):
        return "no state of harmonized_innovations yet"
    # both None: merged_innovations was last built before it kept a generation, and not since
    if state.get("merged_generation") != merged_gen:
        return "merged_innovations was rebuilt since (full refresh)"
    if state.get("campaign_start") != start.isoformat():
        return "the campaign start changed"
    if int(state["position"]) > upto:
        return "the change log is behind the recorded position"
    v = verdict(wh, SUITE, state["checksum"])
    if v is None or not v.success:
        return "the table's last content has no passing gate result"
    return None


def update_harmonized(wh: Warehouse, campaign_start: date, incremental: bool = True) -> Update:
    with wh.begin() as conn:
        # readers (consuming) hold SHARE on the state: take it first, then hold new change-log rows
        # back until this commits (a change_id is then never committed below the position taken)
        lock(conn, state_table(TABLE), "EXCLUSIVE")
        lock(conn, "innovation_change_log", "SHARE")
        state = read_state(conn, TABLE)
        merged = read_state(conn, "merged_innovations")
        merged_gen = merged["generation"] if merged else None
        upto = log_position(conn)
        reason = (
            _why_full(conn, wh, state, merged_gen, campaign_start, upto)
            if incremental
            else "not a submission run"
        )
        if reason is None:
            update = _incremental(wh, conn, state, campaign_start, upto)
            generation = state["generation"]
        else:
            update = _full(wh, conn, campaign_start, upto, reason)
            generation = new_generation()
        write_state(
            wh,
            conn,
            TABLE,
            {
                "generation": generation,
                "position": upto,
                "merged_generation": merged_gen,
                "campaign_start": campaign_start.isoformat(),
                "checksum": update.checksum,
                "rows": update.rows,
            },
        )
        failpoint("harmonized_innovations.before_commit")
    return update


def _full(wh: Warehouse, conn, campaign_start: date, upto: int, reason: str) -> Update:
    log = query(conn, "SELECT * FROM innovation_change_log WHERE change_id <= :b", {"b": upto})
    df = build_overlaid(query(conn, "SELECT * FROM merged_innovations"), log, campaign_start)
    wh.replace_table(TABLE, df, primary_key=["innovation_id"], conn=conn)
    columns, rows = raw_rows(conn, f'SELECT * FROM "{TABLE}" ORDER BY innovation_id')
    digests = part_digests(columns, rows)
    write_digests(wh, conn, TABLE, digests, None)
    stored = pd.DataFrame(rows, columns=columns)
    return Update(
        "full", reason, combined_checksum(columns, digests), len(rows), stored, position=upto
    )


def _incremental(wh: Warehouse, conn, state: dict, campaign_start: date, upto: int) -> Update:
    after = int(state["position"])
    changed = sorted(
        set(
            query(
                conn,
                "SELECT DISTINCT innovation_id FROM innovation_change_log "
                "WHERE change_id > :a AND change_id <= :b",
                {"a": after, "b": upto},
            )["innovation_id"]
        )
    )
    if changed:
        merged = rows_where_in(conn, "merged_innovations", "innovation_id", changed)
        log = rows_where_in(
            conn,
            "innovation_change_log",
            "innovation_id",
            changed,
            extra=" AND change_id <= :upto",
            params={"upto": upto},
        )
        df = build_overlaid(merged, log, campaign_start)
        replace_rows_of(wh, conn, TABLE, "innovation_id", changed, df)
        parts = {part_of(i) for i in changed}
        columns, rows = rows_of_parts(conn, TABLE, parts)
        digests = write_digests(wh, conn, TABLE, part_digests(columns, rows), parts)
        checksum = combined_checksum(columns, digests)
        total = int(digests["rows"].sum())
        wanted = set(changed)
        key = columns.index("innovation_id")
        validate = pd.DataFrame(
            sorted((r for r in rows if r[key] in wanted), key=lambda r: r[key]), columns=columns
        )
    else:
        checksum, total = state["checksum"], int(state["rows"])
        validate = query(conn, f'SELECT * FROM "{TABLE}" WHERE 1 = 0')
    return Update(
        "incremental",
        f"{len(changed)} innovations changed since change {after}",
        checksum,
        total,
        validate,
        changed,
        upto,
    )
