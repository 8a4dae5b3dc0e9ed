"""One part-digest scheme for every table that keeps digests, and the published dataset checksum.

A part is the rows whose innovation id starts alike (PART_CHARS characters: "JIP-" and two hex
digits, 256 parts of ~600 rows at national scale); its digest is the sha256 of its rows rendered as
the portal's CSV in canonical form (key order, stored types, `cells`' formula policy), so it does
not depend on which other rows were read with it. A table's checksum is the sha256 over its column
names and every part's digest in part order: a changed row re-hashes one part, and the full path
gives the same checksum. Kept in `part_digests`, each table's rows written by its own asset.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from .. import cells
from ..schema import part_digests as _digests
from ..warehouse import Tx

PART_CHARS = 6
DIGESTS = "part_digests"
# the public columns with numbers; every other public column is text
INTEGER_COLUMNS = ("year_first", "year_last", "start_year", "replication_count")
FLOAT_COLUMNS = ("completeness",)
CHECKSUM_ALGORITHM = (
    "sha256 over the column names and, per part in order, the sha256 of its CSV rows"
)


def part_of(innovation_id: str) -> str:
    return str(innovation_id)[:PART_CHARS]


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """`df` in key order with the published types: whole numbers as integers (missing: empty), not
    as the floats pandas infers when a NULL stands beside them; text as text or None."""
    out = df.sort_values("innovation_id", kind="stable").reset_index(drop=True)
    for column in out.columns:
        if column in INTEGER_COLUMNS:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
        elif column in FLOAT_COLUMNS:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def split(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A canonical frame's parts, in part order (ids sorted: each part is one contiguous run)."""
    if df.empty:
        return {}
    keys = df["innovation_id"].astype(str).str.slice(0, PART_CHARS)
    return {part: frame.reset_index(drop=True) for part, frame in df.groupby(keys, sort=True)}


def part_digest(rows_csv: str) -> str:
    return hashlib.sha256(rows_csv.encode("utf-8")).hexdigest()


def dataset_checksum(columns: Iterable[str], digests: dict[str, str]) -> str:
    h = hashlib.sha256(json.dumps(list(columns), ensure_ascii=False).encode("utf-8"))
    for part in sorted(digests):
        h.update(f"\n{part}:{digests[part]}".encode())
    return h.hexdigest()


def digests_of(df: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """part -> (digest, rows) of a canonical frame (the policy applied once, not part by part)."""
    safe = cells.safe_frame(df)
    rows = cells.csv_lines(safe)
    if rows is None:  # text the one-pass rendering cannot split safely: part by part
        return {
            p: (part_digest(cells.csv_rows(f, made_safe=True)), len(f))
            for p, f in split(safe).items()
        }
    out, start = {}, 0
    keys = safe["innovation_id"].astype(str).str.slice(0, PART_CHARS).tolist()
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out[keys[start]] = (part_digest("".join(rows[start:i])), i - start)
            start = i
    return out


def content_checksum(df: pd.DataFrame) -> str:
    """Checksum of a dataset's content, however it was read (independent of when it was written)."""
    frame = canonical(df)
    return dataset_checksum(frame.columns, {p: d for p, (d, _) in digests_of(frame).items()})


# ---- kept digests ------------------------------------------------------------------------------
BY_PART = "substr(innovation_id, 1, %d)" % PART_CHARS


def kept(tx: Tx, table: str) -> dict[str, tuple[str, int]] | None:
    """part -> (digest, rows) as last recorded for `table`; None when none were."""
    if not tx.has_table(DIGESTS):
        return None
    df = tx.query(f'SELECT part, digest, "rows" FROM {DIGESTS} WHERE table_name = :t', {"t": table})
    return {p: (d, int(n)) for p, d, n in zip(df["part"], df["digest"], df["rows"])} or None


def rows_of_parts(tx: Tx, table: str, parts: Iterable[str]) -> pd.DataFrame:
    """The stored rows of these parts, typed as the table stores them."""
    return tx.conform(table, tx.rows_where_in(table, BY_PART, parts))


def keep(
    tx: Tx, table: str, found: dict[str, tuple[str, int]], parts: set[str] | None
) -> dict[str, tuple[str, int]]:
    """Keep the digests `found` of `parts` (None: of the whole table); every digest of the table."""
    mine = {"table_name": table}
    if parts is None:
        tx.conn.execute(sa.text(f"DELETE FROM {DIGESTS} WHERE table_name = :table_name"), mine)
    else:
        tx.delete_where_in(DIGESTS, "part", parts, " AND table_name = :table_name", mine)
    rows = [{"table_name": table, "part": p, "digest": d, "rows": n} for p, (d, n) in found.items()]
    if rows:
        tx.conn.execute(_digests.insert(), rows)
    return found if parts is None else kept(tx, table) or {}


def checksum_of(tx: Tx, table: str, digests: dict[str, tuple[str, int]]) -> tuple[str, int]:
    """The table's checksum and row count from its part digests."""
    found = {p: d for p, (d, _) in digests.items()}
    return dataset_checksum(tx.columns(table), found), sum(n for _, n in digests.values())
