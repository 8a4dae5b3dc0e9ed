"""The SQL warehouse: atomic table replacement, COPY bulk loads on PostgreSQL, plain reads.

SQLite is the embedded default; PostgreSQL is production. Every write that replaces data does
so inside one transaction, so a reader sees either the old rows or the new rows, never a mix.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _check_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


def column_list(columns: Iterable[str]) -> str:
    """Columns as an SQL select/insert list of quoted names."""
    return ", ".join(f'"{c}"' for c in columns)


def frame(result: sa.CursorResult) -> pd.DataFrame:
    """A query's rows as one DataFrame. The rows go in as plain tuples: handed SQLAlchemy Row
    objects, pandas probes each for attributes (about four times slower on a 100,000-row read)."""
    return pd.DataFrame([tuple(r) for r in result.fetchall()], columns=list(result.keys()))


@lru_cache(maxsize=16)
def engine_for(url: str, for_writes: bool = True) -> Engine:
    if url.startswith("sqlite"):
        eng = sa.create_engine(url, connect_args={"timeout": 60})

        @sa.event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL lets the UI read while a run writes
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        # pysqlite's own transaction handling defers BEGIN; take it over so DDL is transactional.
        @sa.event.listens_for(eng, "connect")
        def _no_autobegin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        # writers take the write lock up front (no deadlock on lock upgrade); readers never block
        @sa.event.listens_for(eng, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if for_writes else "BEGIN")

        return eng
    return sa.create_engine(url, pool_pre_ping=True)


def _sa_type(series: pd.Series) -> sa.types.TypeEngine:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dtype):
        return sa.BigInteger()
    if pd.api.types.is_float_dtype(dtype):
        return sa.Float()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return sa.DateTime(timezone=True)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return sa.DateTime()
    return sa.Text()


def table_for(
    name: str,
    df: pd.DataFrame,
    metadata: sa.MetaData | None = None,
    primary_key: Iterable[str] = (),
) -> sa.Table:
    pk = set(primary_key)
    cols = [sa.Column(str(c), _sa_type(df[c]), primary_key=str(c) in pk) for c in df.columns]
    return sa.Table(_check_ident(name), metadata or sa.MetaData(), *cols)


def _executemany_frame(conn: Connection, table: str, df: pd.DataFrame) -> None:
    """One DBAPI executemany of plain tuples, each value put through its column type's bind
    processor: what SQLAlchemy's insert() stores, without its per-row dictionaries (4x faster)."""
    target = sa.Table(_check_ident(table), sa.MetaData(), autoload_with=conn)
    if (
        conn.dialect.paramstyle != "qmark"
    ):  # written for sqlite3; any other driver goes the long way
        conn.execute(target.insert(), df.astype(object).where(df.notna(), None).to_dict("records"))
        return
    columns = [target.c[str(name)] for name in df.columns]
    clean = df.astype(object).where(df.notna(), None)
    values = []
    for col in columns:
        column = clean[col.name].tolist()
        process = col.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        values.append([process(v) for v in column] if process else column)
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(
        f'INSERT INTO "{target.name}" ({names}) VALUES ({marks})', list(zip(*values))
    )


_NULL = "\\N"  # COPY's NULL marker; an unquoted empty field then stays an empty string


def _copy_frame(conn: Connection, table: str, df: pd.DataFrame) -> None:
    """PostgreSQL COPY FROM STDIN (CSV rendered by pandas' C writer)."""
    text_cols = [
        c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])
    ]
    if any((df[c] == _NULL).any() for c in text_cols):
        raise ValueError(f"{table}: a text value equals the COPY NULL marker {_NULL!r}")
    # lines end in "\r\n" so that the csv writer quotes a field holding a bare carriage return
    # (with "\n" it leaves it unquoted, and COPY refuses the row: "unquoted carriage return")
    buf = io.StringIO(df.to_csv(index=False, header=False, na_rep=_NULL, lineterminator="\r\n"))
    sql = (
        f"COPY \"{table}\" ({column_list(df.columns)}) FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')"
    )
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        if hasattr(cur, "copy_expert"):  # psycopg2
            cur.copy_expert(sql, buf)
        else:  # psycopg 3
            with cur.copy(sql) as copy:
                while chunk := buf.read(1 << 20):
                    copy.write(chunk)


CHUNK = 500  # values per IN (...) list: SQLite's bound-variable limit


def _in_lists(values: Iterable) -> Iterable[tuple[str, dict]]:
    """`:v0, :v1, ...` and its parameters, chunk by chunk."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        names = {f"v{i}": v for i, v in enumerate(ordered[start : start + CHUNK])}
        yield ", ".join(f":{k}" for k in names), names


class Tx:
    """One write transaction of the warehouse: every read and write on its connection, so what is
    read and what is written commit (or roll back) together."""

    def __init__(self, warehouse: Warehouse, conn: Connection):
        self.wh, self.conn = warehouse, conn

    @property
    def is_postgres(self) -> bool:
        return self.wh.is_postgres

    def query(self, sql: str, params: Mapping | None = None) -> pd.DataFrame:
        return frame(self.conn.execute(sa.text(sql), dict(params or {})))

    def scalar(self, sql: str, params: Mapping | None = None):
        return self.conn.execute(sa.text(sql), dict(params or {})).scalar()

    def has_table(self, name: str) -> bool:
        return sa.inspect(self.conn).has_table(name)

    def columns(self, table: str) -> list[str]:
        return list(
            self.conn.exec_driver_sql(f'SELECT * FROM "{_check_ident(table)}" WHERE 1 = 0').keys()
        )

    def lock(self, table: str, mode: str) -> None:
        """PostgreSQL table lock for the transaction (SQLite's BEGIN IMMEDIATE already serializes)."""
        if self.is_postgres and self.has_table(table):
            self.conn.exec_driver_sql(f'LOCK TABLE "{_check_ident(table)}" IN {mode} MODE')

    def rows_where_in(
        self,
        table: str,
        column: str,
        values: Iterable,
        columns: str = "*",
        extra: str = "",
        params: Mapping | None = None,
    ) -> pd.DataFrame:
        """SELECT columns FROM table WHERE column IN (values) [extra], in chunks. `column` may be
        an SQL expression over the table's columns (e.g. a substr)."""
        where = column if "(" in column else f'"{_check_ident(column)}"'
        sql = f'SELECT {columns} FROM "{_check_ident(table)}" WHERE {where} IN ({{}}){extra}'
        frames = [
            self.query(sql.format(marks), names | dict(params or {}))
            for marks, names in _in_lists(values)
        ]
        if not frames:
            return self.query(f'SELECT {columns} FROM "{_check_ident(table)}" WHERE 1 = 0')
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def delete_where_in(
        self,
        table: str,
        column: str,
        values: Iterable,
        extra: str = "",
        params: Mapping | None = None,
    ) -> None:
        where = column if "(" in column else f'"{_check_ident(column)}"'
        for marks, names in _in_lists(values):
            self.conn.execute(
                sa.text(f'DELETE FROM "{_check_ident(table)}" WHERE {where} IN ({marks}){extra}'),
                names | dict(params or {}),
            )

    def conform(self, table: str, df: pd.DataFrame) -> pd.DataFrame:
        """`df` with the stored table's integer columns as integers: a handful of rows infers other
        dtypes than the whole table did (an integer with a NULL beside it reads as float)."""
        target = sa.Table(_check_ident(table), sa.MetaData(), autoload_with=self.conn)
        out = df.copy()
        for col in target.columns:
            if col.name in out.columns and isinstance(col.type, sa.Integer):
                out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("Int64")
        return out

    def insert(self, table: str, df: pd.DataFrame) -> None:
        self.wh.insert_frame(self.conn, table, df)

    def replace_keys(self, table: str, column: str, keys: Iterable, df: pd.DataFrame) -> None:
        """The rows of `keys` replaced by `df` (typed like the stored table)."""
        self.delete_where_in(table, column, keys)
        if len(df):
            self.insert(table, self.conform(table, df))

    def replace_table(self, name: str, df: pd.DataFrame, primary_key: Iterable[str] = ()) -> None:
        self.wh.replace_table(name, df, primary_key, conn=self.conn)

    def replace_rows(self, name: str, df: pd.DataFrame, where: Mapping[str, object]) -> None:
        self.wh.replace_rows(name, df, where, conn=self.conn)


class WarehouseUnavailable(RuntimeError):
    """The database went away in the middle of a transaction: nothing of it was committed."""


class Warehouse:
    """Thin layer over one SQLAlchemy database; the contract's tables live here."""

    def __init__(self, url: str):
        self.url = url
        self.engine = engine_for(url)
        self.read_engine = (
            engine_for(url, for_writes=False) if url.startswith("sqlite") else self.engine
        )

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def begin(self):
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            if exc.connection_invalidated:
                where = self.engine.url.render_as_string(hide_password=True)
                raise WarehouseUnavailable(
                    f"warehouse {where} became unavailable during a write; the transaction was rolled back, "
                    f"nothing of it was committed; run again once the database is back ({exc.orig})"
                ) from exc
            raise

    @contextmanager
    def transaction(self):
        """`begin()` with the connection-scoped helpers (Tx)."""
        with self.begin() as conn:
            yield Tx(self, conn)

    # ---- reads -------------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        with self.read_engine.connect() as c:
            return sa.inspect(c).has_table(name)

    def read_table(self, name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        cols = ", ".join(f'"{_check_ident(c)}"' for c in columns) if columns else "*"
        return self.read_sql(f'SELECT {cols} FROM "{_check_ident(name)}"')

    def read_sql(self, query: str, params: Mapping | None = None) -> pd.DataFrame:
        with self.read_engine.connect() as c:
            return frame(c.execute(sa.text(query), dict(params or {})))

    def count(self, name: str) -> int:
        with self.read_engine.connect() as c:
            return int(c.execute(sa.text(f'SELECT COUNT(*) FROM "{_check_ident(name)}"')).scalar())

    # ---- writes ------------------------------------------------------------------------
    def insert_frame(self, conn: Connection, name: str, df: pd.DataFrame) -> None:
        """Bulk-append rows into an existing table: COPY on PostgreSQL, executemany elsewhere."""
        if df.empty:
            return
        if self.is_postgres:
            _copy_frame(conn, name, df)
        else:
            _executemany_frame(conn, name, df)

    def replace_table(
        self,
        name: str,
        df: pd.DataFrame,
        primary_key: Iterable[str] = (),
        conn: Connection | None = None,
    ) -> None:
        """Swap in a new version of a whole table in one transaction (load aside, then rename)."""
        if conn is None:
            with self.begin() as c:
                return self.replace_table(name, df, primary_key, conn=c)
        staging = _check_ident(f"{name}__incoming")
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{staging}"')
        table = table_for(staging, df, primary_key=primary_key)
        table.create(conn)
        self.insert_frame(conn, staging, df)
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{_check_ident(name)}"')
        conn.exec_driver_sql(f'ALTER TABLE "{staging}" RENAME TO "{name}"')
        if self.is_postgres and primary_key:
            # the constraint keeps its staging name; rename it so the next swap can reuse it
            conn.exec_driver_sql(
                f'ALTER TABLE "{name}" RENAME CONSTRAINT "{staging}_pkey" TO "{name}_pkey"'
            )

    def replace_rows(
        self,
        name: str,
        df: pd.DataFrame,
        where: Mapping[str, object],
        conn: Connection | None = None,
    ) -> None:
        """Replace the slice of a shared table selected by `where` (e.g. one source's rejects)."""
        if conn is None:
            with self.begin() as c:
                return self.replace_rows(name, df, where, conn=c)
        if not sa.inspect(conn).has_table(name):
            table_for(name, df).create(conn)
        cond = " AND ".join(f'"{_check_ident(k)}" = :{k}' for k in where)
        conn.execute(sa.text(f'DELETE FROM "{_check_ident(name)}" WHERE {cond}'), dict(where))
        self.insert_frame(conn, name, df)

    def execute(self, sql: str, params: Mapping | None = None) -> None:
        with self.begin() as conn:
            conn.execute(sa.text(sql), dict(params or {}))
