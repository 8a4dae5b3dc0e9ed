"""field_provenance, full or for the innovations changed since it last ran (jippnas_orchestration.incremental)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from ..incremental import (
    consumed,
    consuming,
    downstream_delta,
    query,
    read_state,
    replace_rows_of,
    rows_where_in,
    write_state,
)
from ..warehouse import Warehouse
from .provenance import STAGED_COLUMNS, build_provenance

TABLE = "field_provenance"
INDEX = "ix_field_provenance_innovation"


@dataclass
class ProvenanceUpdate:
    mode: str
    reason: str
    innovations: int  # innovations redone (all on the full path)
    rows: int  # rows written
    by_origin: dict[str, int]  # rows of the whole table per origin


def _counted(conn) -> dict[str, int]:
    counts = query(conn, f"SELECT origin, COUNT(*) AS n FROM {TABLE} GROUP BY origin")
    return {str(k): int(v) for k, v in zip(counts["origin"], counts["n"])}


def _origins(df: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in df["origin"].value_counts().items()} if len(df) else {}


def update_field_provenance(wh: Warehouse, incremental: bool = True) -> ProvenanceUpdate:
    with consuming(wh) as conn:
        delta = downstream_delta(conn, TABLE, TABLE, incremental)
        if delta.full:
            staged_cols = ", ".join(f'"{c}"' for c in STAGED_COLUMNS)
            ids = query(conn, "SELECT innovation_id FROM harmonized_innovations")["innovation_id"]
            df = build_provenance(
                query(conn, f"SELECT {staged_cols} FROM staged_source_records"),
                query(conn, "SELECT * FROM innovation_source_map"),
                query(conn, "SELECT * FROM innovation_change_log"),
                ids,
            )
            wh.replace_table(TABLE, df, conn=conn)
            # incremental runs delete by innovation
            conn.exec_driver_sql(f'CREATE INDEX "{INDEX}" ON "{TABLE}" (innovation_id)')
            redone = len(ids)
            by_origin = _origins(df)
        else:
            ids = sorted(delta.innovations)
            # the counts per origin follow the rows replaced (a GROUP BY of the whole table would
            # cost more than the update); kept with the state, counted once where they are not
            kept = (read_state(conn, TABLE) or {}).get("by_origin")
            by_origin = json.loads(kept) if kept else _counted(conn)
            df = _for(conn, ids, int(delta.upstream["position"])) if ids else None
            if ids:
                gone = _origins(rows_where_in(conn, TABLE, "innovation_id", ids, "origin"))
                replace_rows_of(wh, conn, TABLE, "innovation_id", ids, df)
                for origin, n in gone.items():
                    by_origin[origin] = by_origin.get(origin, 0) - n
                for origin, n in _origins(df).items():
                    by_origin[origin] = by_origin.get(origin, 0) + n
                by_origin = {k: v for k, v in by_origin.items() if v}
            redone = len(ids)
        state = consumed(delta.upstream) | {"by_origin": json.dumps(by_origin, sort_keys=True)}
        write_state(wh, conn, TABLE, state)
    return ProvenanceUpdate(
        "full" if delta.full else "incremental",
        delta.reason,
        redone,
        0 if df is None else len(df),
        by_origin,
    )


def _for(conn, ids: list[str], upto: int) -> pd.DataFrame:
    """build_provenance on the changed innovations' records and change-log rows alone."""
    smap = rows_where_in(
        conn,
        "innovation_source_map",
        "innovation_id",
        ids,
        columns="source, source_record_id, innovation_id",
    )
    staged_cols = ", ".join(f'"{c}"' for c in STAGED_COLUMNS)
    staged = rows_where_in(
        conn, "staged_source_records", "source_record_id", smap["source_record_id"], staged_cols
    )
    log = rows_where_in(
        conn,
        "innovation_change_log",
        "innovation_id",
        ids,
        extra=" AND change_id <= :upto",
        params={"upto": upto},
    )
    return build_provenance(staged, smap, log, pd.Series(ids))
