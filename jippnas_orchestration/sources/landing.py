"""Land one source's read into the warehouse: its raw table and its quarantined rows, together."""

from __future__ import annotations

import pandas as pd

from ..schema import ensure_schema
from ..warehouse import Warehouse
from .common import IngestResult

PERSONAL_COLUMNS = {
    "nama_inovator",
    "email_inovator",
    "no_hp_inovator",
    "inovator",
    "usr_asn_nama_lengkap",
    "usr_asn_no_hp",
}


def land(warehouse: Warehouse, table: str, result: IngestResult, stage: str = "ingest") -> None:
    """Swap in the raw table and replace this source's quarantined rows in one transaction."""
    ensure_schema(warehouse.engine)
    with warehouse.begin() as conn:
        warehouse.replace_table(table, result.records, conn=conn)
        warehouse.replace_rows(
            "rejected_source_rows",
            result.rejected,
            {"source": result.source, "stage": stage},
            conn=conn,
        )


def public_preview(df: pd.DataFrame, rows: int = 5) -> pd.DataFrame:
    """A few rows for the Dagster UI, without personal data."""
    cols = [c for c in df.columns if c not in PERSONAL_COLUMNS]
    return df.loc[:, cols].head(rows)
