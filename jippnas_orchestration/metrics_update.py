"""agency_completeness, full or for the touched agencies only (jippnas_orchestration.incremental)."""

from __future__ import annotations

from dataclasses import dataclass

from . import completeness
from .incremental import (
    Delta,
    consumed,
    consuming,
    downstream_delta,
    query,
    replace_rows_of,
    rows_where_in,
    write_state,
)
from .warehouse import Warehouse

TABLE = "agency_completeness"


@dataclass
class MetricsUpdate:
    mode: str
    reason: str
    agencies: int  # agency rows recomputed
    rows: int  # rows in the table


def update_agency_completeness(wh: Warehouse, incremental: bool = True) -> MetricsUpdate:
    with consuming(wh) as conn:
        delta = downstream_delta(conn, TABLE, TABLE)
        if not incremental:
            delta = Delta(None, delta.upstream, "not a submission run")
        if delta.full:
            df = completeness.agency_completeness(
                query(conn, "SELECT * FROM harmonized_innovations")
            )
            wh.replace_table(TABLE, df, primary_key=["agency_id"], conn=conn)
            redone = len(df)
        else:
            touched = rows_where_in(
                conn,
                "harmonized_innovations",
                "innovation_id",
                delta.innovations,
                columns='DISTINCT "agency_id"',
            )
            agencies = set(touched["agency_id"].dropna())
            if agencies:
                df = completeness.agency_completeness(
                    rows_where_in(conn, "harmonized_innovations", "agency_id", agencies)
                )
                replace_rows_of(wh, conn, TABLE, "agency_id", agencies, df)
            redone = len(agencies)
        write_state(wh, conn, TABLE, consumed(delta.upstream))
        total = int(query(conn, f'SELECT COUNT(*) AS n FROM "{TABLE}"')["n"].iloc[0])
    return MetricsUpdate("full" if delta.full else "incremental", delta.reason, redone, total)
