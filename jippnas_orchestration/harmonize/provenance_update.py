"""field_provenance, full or for the innovations changed since it last ran (jippnas_orchestration.incremental)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..incremental import (
    Delta,
    consumed,
    consuming,
    downstream_delta,
    query,
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


def update_field_provenance(wh: Warehouse, incremental: bool = True) -> ProvenanceUpdate:
    with consuming(wh) as conn:
        delta = downstream_delta(conn, TABLE, TABLE)
        if not incremental:
            delta = Delta(None, delta.upstream, "not a submission run")
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
        else:
            ids = sorted(delta.innovations)
            df = _for(conn, ids, int(delta.upstream["position"])) if ids else None
            if ids:
                replace_rows_of(wh, conn, TABLE, "innovation_id", ids, df)
            redone = len(ids)
        write_state(wh, conn, TABLE, consumed(delta.upstream))
    return ProvenanceUpdate(
        "full" if delta.full else "incremental",
        delta.reason,
        redone,
        0 if df is None else len(df),
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
