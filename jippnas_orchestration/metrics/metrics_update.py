"""agency_completeness and national_summary, full or for the touched agencies only
(jippnas_orchestration.incremental).

national_summary is derived from exact per-agency totals (agency_totals) kept in
`national_summary_totals`: a submission run recomputes the totals of the touched agencies and
derives the summary from all of them, which is what the full path computes from the whole table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..incremental import (
    Delta,
    consumed,
    consuming,
    downstream_delta,
    has_table,
    query,
    replace_rows_of,
    rows_where_in,
    write_state,
)
from ..warehouse import Warehouse
from . import agency_totals, completeness

TABLE = "agency_completeness"


@dataclass
class MetricsUpdate:
    mode: str
    reason: str
    agencies: int  # agency rows recomputed
    rows: int  # rows in the table


def update_agency_completeness(wh: Warehouse, incremental: bool = True) -> MetricsUpdate:
    with consuming(wh) as conn:
        delta = downstream_delta(conn, TABLE, TABLE, incremental)
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


SUMMARY = "national_summary"
SUMMARY_TOTALS = "national_summary_totals"


@dataclass
class SummaryUpdate:
    mode: str
    reason: str
    agencies: int  # agencies whose totals were recomputed
    summary: pd.DataFrame


def update_national_summary(wh: Warehouse, incremental: bool = True) -> SummaryUpdate:
    cols = ", ".join(f'"{c}"' for c in completeness.SUMMARY_COLUMNS)
    with consuming(wh) as conn:
        delta = downstream_delta(conn, SUMMARY, SUMMARY_TOTALS, incremental)
        agencies = None
        if not delta.full:
            owners = rows_where_in(
                conn, "harmonized_innovations", "innovation_id", delta.innovations, '"agency_id"'
            )
            agencies = set(owners["agency_id"])
            if owners["agency_id"].isna().any():
                delta = Delta(None, delta.upstream, "a changed innovation has no agency")
            elif not has_table(conn, SUMMARY):
                delta = Delta(None, delta.upstream, "no national_summary table yet")
        if delta.full:
            t = agency_totals.totals(
                query(conn, f"SELECT {cols} FROM harmonized_innovations"), by_type=True
            )
            t = agency_totals.store(wh, conn, SUMMARY_TOTALS, t)
            redone = int(t["agency_id"].nunique())
        elif agencies:
            rows = rows_where_in(conn, "harmonized_innovations", "agency_id", agencies, cols)
            t = agency_totals.store(
                wh, conn, SUMMARY_TOTALS, agency_totals.totals(rows, by_type=True), agencies
            )
            redone = len(agencies)
        else:
            t, redone = agency_totals.read(conn, SUMMARY_TOTALS), 0
        summary = completeness.summary_from_totals(t)
        if delta.full or agencies:
            wh.replace_table(SUMMARY, summary, conn=conn)
        write_state(wh, conn, SUMMARY, consumed(delta.upstream))
    return SummaryUpdate("full" if delta.full else "incremental", delta.reason, redone, summary)
