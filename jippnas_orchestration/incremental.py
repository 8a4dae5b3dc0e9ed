"""Incremental submission runs: what changed since an asset last looked, and checksums kept by part.

Tokens and positions live in the warehouse, written in the same transaction as the data they
describe, so a run that fails midway leaves the old data with the old state and the next run
starts from there, whoever started it (sensor, UI, CLI, backfill):
- `merged_innovations_state.generation`: new at every rebuild of merged_innovations (a full refresh).
- `harmonized_innovations_state`: its own `generation` (new at every full rebuild), `position` (the
  last innovation_change_log.change_id laid over), the merged generation and campaign start it was
  built on, and the table checksum.
- `<asset>_state` of an asset downstream: the harmonized (generation, position) it last consumed.
  The innovations it must redo are those of the change log rows in (its position, harmonized's
  position]; another generation, or anything it cannot account for, means a full rebuild.

The table checksum combines per-part digests (parts: the first PART_CHARS characters of the
innovation id) kept in `<table>_digests`, so one changed row re-hashes one part, not the table;
the full path computes the same digests from the whole table, so both give the same checksum.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .warehouse import Warehouse, _check_ident

PART_CHARS = 6  # "JIP-" + two hex digits: 256 parts of ~600 rows at national scale
CHUNK = 500  # ids per IN (...) list


def state_table(asset: str) -> str:
    return f"{asset}_state"


def digests_table(table: str) -> str:
    return f"{table}_digests"


def new_generation() -> str:
    return uuid.uuid4().hex


def in_submission_run(context) -> bool:
    """Incremental work only in a run that also decides submissions (innovation_change_log): the
    sensor's submission_job, or `--select '*'` (which rebuilds merged_innovations and so goes full
    anyway). Any other start (one asset from the UI, a backfill) rebuilds in full, so a table changed
    by other means than its asset is still caught there."""
    from dagster import AssetKey

    keys = context.run.asset_selection or context.job_def.asset_layer.selected_asset_keys
    return AssetKey("innovation_change_log") in set(keys)


# ---- reads and writes on one connection -------------------------------------------------------
def query(conn: Connection, sql: str, params: dict | None = None) -> pd.DataFrame:
    result = conn.execute(sa.text(sql), dict(params or {}))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def has_table(conn: Connection, name: str) -> bool:
    return sa.inspect(conn).has_table(name)


def read_state(conn: Connection, asset: str) -> dict | None:
    name = state_table(asset)
    if not has_table(conn, name):
        return None
    df = query(conn, f'SELECT * FROM "{_check_ident(name)}"')
    return None if df.empty else df.iloc[0].to_dict()


def write_state(wh: Warehouse, conn: Connection, asset: str, state: dict) -> None:
    """One row: delete and insert (never a DROP, so readers holding a lock keep a stable table)."""
    name = _check_ident(state_table(asset))
    df = pd.DataFrame([state])
    if has_table(conn, name) and set(df.columns) - {
        c["name"] for c in sa.inspect(conn).get_columns(name)
    }:  # state kept by an older release: one more column now
        conn.exec_driver_sql(f'DROP TABLE "{name}"')
    if not has_table(conn, name):
        from .warehouse import table_for

        table_for(name, df).create(conn)
    conn.exec_driver_sql(f'DELETE FROM "{name}"')
    wh.insert_frame(conn, name, df)


def lock(conn: Connection, table: str, mode: str) -> None:
    """PostgreSQL table lock for the transaction (SQLite's BEGIN IMMEDIATE already serializes)."""
    if conn.dialect.name == "postgresql" and has_table(conn, table):
        conn.exec_driver_sql(f'LOCK TABLE "{_check_ident(table)}" IN {mode} MODE')


@contextmanager
def consuming(wh: Warehouse, upstream: str = "harmonized_innovations"):
    """A write transaction in which `upstream`'s table and state stay as read (its writer waits)."""
    with wh.begin() as conn:
        lock(conn, state_table(upstream), "SHARE")
        yield conn


def chunks(values: Sequence, size: int = CHUNK) -> Iterable[list]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


def rows_where_in(
    conn: Connection,
    table: str,
    column: str,
    values: Iterable,
    columns: str = "*",
    extra: str = "",
    params: dict | None = None,
) -> pd.DataFrame:
    """SELECT ... WHERE column IN (values), in chunks (SQLite's bound-variable limit)."""
    frames = []
    for marks, names in _in_lists(values):
        frames.append(
            query(
                conn,
                f'SELECT {columns} FROM "{_check_ident(table)}" '
                f'WHERE "{_check_ident(column)}" IN ({marks}){extra}',
                names | dict(params or {}),
            )
        )
    if frames:
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    result = conn.execute(sa.text(f'SELECT {columns} FROM "{_check_ident(table)}" WHERE 1 = 0'))
    return pd.DataFrame(columns=list(result.keys()))


def conform(conn: Connection, table: str, df: pd.DataFrame) -> pd.DataFrame:
    """`df` with the integer columns of the stored table as integers: a handful of rows infers
    other dtypes than the whole table did (an integer with a NULL beside it reads as float)."""
    target = sa.Table(_check_ident(table), sa.MetaData(), autoload_with=conn)
    out = df.copy()
    for col in target.columns:
        if col.name in out.columns and isinstance(col.type, sa.Integer):
            out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("Int64")
    return out


def replace_rows_of(
    wh: Warehouse, conn: Connection, table: str, column: str, keys: Iterable, df: pd.DataFrame
) -> None:
    """Delete the rows of `keys` and insert `df` in their place (one transaction: the caller's)."""
    delete_where_in(conn, table, column, keys)
    if len(df):
        wh.insert_frame(conn, table, conform(conn, table, df))


def _in_lists(values: Iterable) -> Iterable[tuple[str, dict]]:
    """`(:v0, :v1, ...)` and its parameters, chunk by chunk (SQLite's bound-variable limit)."""
    for part in chunks(sorted(set(values))):
        names = {f"v{i}": v for i, v in enumerate(part)}
        yield ", ".join(f":{k}" for k in names), names


def delete_where_in(conn: Connection, table: str, column: str, values: Iterable) -> None:
    for marks, names in _in_lists(values):
        conn.execute(
            sa.text(
                f'DELETE FROM "{_check_ident(table)}" WHERE "{_check_ident(column)}" IN ({marks})'
            ),
            names,
        )


def delete_parts(conn: Connection, table: str, parts: Iterable[str]) -> None:
    """Delete the rows of these parts (the first PART_CHARS characters of innovation_id)."""
    for marks, names in _in_lists(parts):
        conn.execute(
            sa.text(
                f'DELETE FROM "{_check_ident(table)}" '
                f"WHERE substr(innovation_id, 1, {PART_CHARS}) IN ({marks})"
            ),
            names,
        )


# ---- the change log ----------------------------------------------------------------------------
def log_position(conn: Connection) -> int:
    if not has_table(conn, "innovation_change_log"):
        return 0
    return int(
        conn.execute(
            sa.text("SELECT COALESCE(MAX(change_id), 0) FROM innovation_change_log")
        ).scalar()
    )


def changed_between(conn: Connection, after: int, upto: int) -> set[str]:
    """Innovations with change-log rows in (after, upto]."""
    if upto <= after:
        return set()
    df = query(
        conn,
        "SELECT DISTINCT innovation_id FROM innovation_change_log "
        "WHERE change_id > :a AND change_id <= :b",
        {"a": after, "b": upto},
    )
    return set(df["innovation_id"])


@dataclass
class Delta:
    """What a downstream asset must redo: None = everything (full rebuild), else these innovations."""

    innovations: set[str] | None
    upstream: dict | None  # harmonized state consumed (written to the asset's own state)
    reason: str

    @property
    def full(self) -> bool:
        return self.innovations is None


def downstream_delta(
    conn: Connection, asset: str, own_table: str, incremental: bool = True
) -> Delta:
    """Call inside `consuming`: the innovations `asset` must redo since it last consumed harmonized
    (everything outside a submission run: `incremental` False)."""
    upstream = read_state(conn, "harmonized_innovations")
    if not incremental:
        return Delta(None, upstream, "not a submission run")
    mine = read_state(conn, asset)
    if upstream is None:
        return Delta(None, None, "harmonized_innovations has no state yet")
    if mine is None or not has_table(conn, own_table):
        return Delta(None, upstream, "no state of this asset yet")
    if mine.get("harmonized_generation") != upstream["generation"]:
        return Delta(None, upstream, "harmonized_innovations was rebuilt in full since")
    after, upto = int(mine["position"]), int(upstream["position"])
    if after > upto:
        return Delta(None, upstream, "its position is ahead of harmonized_innovations")
    return Delta(changed_between(conn, after, upto), upstream, "incremental")


def consumed(upstream: dict | None) -> dict:
    return {
        "harmonized_generation": upstream["generation"] if upstream else None,
        "position": int(upstream["position"]) if upstream else 0,
    }


# ---- checksums by part -------------------------------------------------------------------------
def part_of(innovation_id: str) -> str:
    return str(innovation_id)[:PART_CHARS]


def _row_text(row: tuple) -> str:
    return json.dumps(row, ensure_ascii=False, default=str, separators=(",", ":"))


def part_digests(columns: Sequence[str], rows: Sequence[tuple], key: str = "innovation_id"):
    """Per part: sha256 over its rows as the driver returns them (key order), and the row count.

    Raw rows, not a DataFrame: pandas' type inference depends on which rows are read together
    (an integer column with a NULL becomes float), the driver's values do not.
    """
    k = list(columns).index(key)
    ordered = sorted(rows, key=lambda r: r[k])
    out, start = [], 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or part_of(ordered[i][k]) != part_of(ordered[start][k]):
            text = "\n".join(_row_text(tuple(r)) for r in ordered[start:i])
            h = hashlib.sha256(text.encode("utf-8")).hexdigest()
            out.append((part_of(ordered[start][k]), h, i - start))
            start = i
    return pd.DataFrame(out, columns=["part", "digest", "rows"]).astype({"rows": "int64"})


def combined_checksum(columns: Sequence[str], digests: pd.DataFrame) -> str:
    """The table checksum: its columns and every part's digest, in part order."""
    h = hashlib.sha256(_row_text(tuple(columns)).encode("utf-8"))
    for part, digest in sorted(zip(digests["part"], digests["digest"])):
        h.update(f"\n{part}:{digest}".encode())
    return h.hexdigest()


def table_checksum(
    columns: Sequence[str], rows: Sequence[tuple], key: str = "innovation_id"
) -> str:
    """The checksum of a whole table as read (what the incremental path keeps up to date)."""
    return combined_checksum(columns, part_digests(columns, rows, key))


def raw_rows(conn: Connection, sql: str, params: dict | None = None) -> tuple[list[str], list]:
    result = conn.execute(sa.text(sql), dict(params or {}))
    return list(result.keys()), [tuple(r) for r in result.fetchall()]


def write_digests(
    wh: Warehouse, conn: Connection, table: str, digests: pd.DataFrame, parts: set[str] | None
) -> pd.DataFrame:
    """Replace the digests of `parts` (None: all of them); return every digest of the table."""
    name = _check_ident(digests_table(table))
    if parts is None or not has_table(conn, name):
        wh.replace_table(name, digests, primary_key=["part"], conn=conn)
        return digests
    delete_where_in(conn, name, "part", parts)
    wh.insert_frame(conn, name, digests[digests["rows"] > 0])
    return query(conn, f'SELECT part, digest, "rows" FROM "{name}"')


def rows_of_parts(conn: Connection, table: str, parts: Iterable[str]) -> tuple[list[str], list]:
    """The stored rows of these parts, as `SELECT *` returns them."""
    columns, rows = None, []
    for marks, names in _in_lists(parts):
        columns, got = raw_rows(
            conn,
            f'SELECT * FROM "{_check_ident(table)}" '
            f"WHERE substr(innovation_id, 1, {PART_CHARS}) IN ({marks})",
            names,
        )
        rows += got
    return columns, rows
