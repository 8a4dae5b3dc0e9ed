"""field_provenance as an incremental table: per innovation and field, where its value came from.

A submission run rebuilds the rows of the innovations changed since; the counts per origin follow
the rows replaced (a GROUP BY of the whole table would cost more than the update), kept with the
state and counted once where they are not.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..incremental import Built, IncrementalTable, Run, state
from ..warehouse import column_list
from .provenance import STAGED_COLUMNS, build_provenance

TABLE = "field_provenance"
INDEX = "ix_field_provenance_innovation"
STAGED = column_list(STAGED_COLUMNS)


def _origins(df: pd.DataFrame) -> Counter:
    return Counter({str(k): int(v) for k, v in df["origin"].value_counts().items()})


def _built(redone: int, by_origin: Counter, rows: int) -> Built:
    by_origin = dict(+by_origin)  # origins left with no row dropped
    meta = {"innovations_redone": redone, "rows_written": rows}
    return Built(redone, state={"by_origin": by_origin}, metadata=meta, result=by_origin)


def _all(run: Run) -> Built:
    tx = run.tx
    ids = tx.query("SELECT innovation_id FROM harmonized_innovations")["innovation_id"]
    df = build_provenance(
        tx.query(f"SELECT {STAGED} FROM staged_source_records"),
        tx.query("SELECT * FROM innovation_source_map"),
        state.log_rows(tx, None, run.position),
        ids,
    )
    tx.replace_table(TABLE, df)
    tx.conn.exec_driver_sql(f'CREATE INDEX "{INDEX}" ON "{TABLE}" (innovation_id)')
    return _built(len(ids), _origins(df), len(df))


def _changed(run: Run, changed: set[str]) -> Built:
    tx, ids = run.tx, sorted(changed)
    by_origin = Counter((run.state or {}).get("by_origin") or {})
    if not by_origin:  # no count kept (or none to keep): count the table once
        counts = tx.query(f"SELECT origin, COUNT(*) AS n FROM {TABLE} GROUP BY origin")
        by_origin = Counter(dict(zip(counts["origin"], counts["n"])))
    if not ids:
        return _built(0, by_origin, 0)
    smap = tx.rows_where_in(
        "innovation_source_map", "innovation_id", ids, "source, source_record_id, innovation_id"
    )
    staged = tx.rows_where_in(
        "staged_source_records", "source_record_id", smap["source_record_id"], STAGED
    )
    df = build_provenance(staged, smap, state.log_rows(tx, ids, run.position), pd.Series(ids))
    by_origin.subtract(_origins(tx.rows_where_in(TABLE, "innovation_id", ids, "origin")))
    tx.replace_keys(TABLE, "innovation_id", ids, df)
    by_origin.update(_origins(df))
    return _built(len(ids), by_origin, len(df))


FIELD_PROVENANCE = IncrementalTable(TABLE, _all, _changed)
