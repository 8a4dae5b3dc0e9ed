"""Where each incremental table stands (one row per table in `incremental_state`, written by its
table's asset alone, in the transaction that writes the rows it describes: a run failing midway
leaves old rows with old state, whoever starts the next), and the change log."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterable
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa

from ..schema import incremental_state as _state
from ..warehouse import Tx

STATE = "incremental_state"
CHANGE_LOG = "innovation_change_log"


def new_generation() -> str:
    return uuid.uuid4().hex


def read(tx: Tx, table: str) -> dict | None:
    if not tx.has_table(STATE):
        return None
    text = tx.conn.execute(sa.select(_state.c.state).where(_state.c.table_name == table)).scalar()
    return json.loads(text) if text else None


def write(tx: Tx, table: str, state: dict) -> None:
    mine = {"table_name": table}  # the slice as test_single_writer recognizes it
    tx.conn.execute(sa.text(f"DELETE FROM {STATE} WHERE table_name = :table_name"), mine)
    tx.conn.execute(
        _state.insert(),
        {
            "table_name": table,
            "state": json.dumps(state, sort_keys=True, default=str),
            "written_at": datetime.now(timezone.utc),
        },
    )


def hold(tx: Tx, table: str, exclusive: bool) -> None:
    """Hold `table`'s state for the transaction: its writer takes it exclusively, its readers shared,
    so a reader's rows and state stay as read until it commits (PostgreSQL advisory locks; SQLite's
    BEGIN IMMEDIATE already serializes writers)."""
    if tx.is_postgres:
        key = zlib.crc32(f"jippnas:{table}".encode())
        lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        tx.conn.execute(sa.text(f"SELECT {lock}(:k)"), {"k": key})


def log_position(tx: Tx) -> int:
    if not tx.has_table(CHANGE_LOG):
        return 0
    return int(tx.scalar(f"SELECT COALESCE(MAX(change_id), 0) FROM {CHANGE_LOG}"))


def changed_between(tx: Tx, after: int, upto: int) -> set[str]:
    """Innovations with change-log rows in (after, upto]."""
    if upto <= after:
        return set()
    df = tx.query(
        f"SELECT DISTINCT innovation_id FROM {CHANGE_LOG} WHERE change_id > :a AND change_id <= :b",
        {"a": after, "b": upto},
    )
    return set(df["innovation_id"])


def log_rows(tx: Tx, innovations: Iterable[str] | None, upto: int) -> pd.DataFrame:
    """The change-log rows of these innovations up to position `upto` (all innovations: None)."""
    if innovations is None:
        return tx.query(f"SELECT * FROM {CHANGE_LOG} WHERE change_id <= :upto", {"upto": upto})
    extra, params = " AND change_id <= :upto", {"upto": upto}
    return tx.rows_where_in(CHANGE_LOG, "innovation_id", innovations, extra=extra, params=params)
