"""A small warehouse holding three innovations, for submission tests."""

from __future__ import annotations

import uuid
from datetime import date

import pandas as pd

from jippnas_orchestration.agencies.registry import agencies_frame
from jippnas_orchestration.harmonize.merge import HARMONIZED_COLUMNS
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.warehouse import Warehouse

CAMPAIGN = date(2023, 1, 1)
INNOVATIONS = [("JIP-000000000A", "35.10", "KIPP", "609805"), ("JIP-000000000B", "32.73", "KIPP", "012345"),
               ("JIP-000000000C", "KEMENKES", "IGA", "IND2022040125")]


def seed_warehouse(url: str) -> Warehouse:
    wh = Warehouse(url)
    ensure_schema(wh.engine)
    rows = []
    for iid, agency, _, _ in INNOVATIONS:
        row = {c: None for c in HARMONIZED_COLUMNS}
        row.update(innovation_id=iid, title=f"Inovasi {iid}", agency_id=agency, year_first=2020,
                   category="Kesehatan", sdgs="3", summary="Ringkasan", sources="KIPP",
                   completeness=0.75, missing_fields="status,outcomes", update_status="pending")
        rows.append(row)
    h = pd.DataFrame(rows)
    h["replication_count"] = pd.array([None] * len(h), dtype="Int64")
    h["year_first"] = h["year_first"].astype("Int64")
    h["completeness"] = h["completeness"].astype(float)
    wh.replace_table("harmonized_innovations", h, primary_key=["innovation_id"])
    wh.replace_table("innovation_source_map", pd.DataFrame(
        [(s, r, i) for i, _, s, r in INNOVATIONS], columns=["source", "source_record_id", "innovation_id"]))
    wh.replace_table("agencies", agencies_frame())
    return wh


def doc(innovation=None, agency_id="35.10", changes=None, submitted_at="2024-07-12T10:00:00+07:00", sid=None):
    return {
        "submission_id": sid or str(uuid.uuid4()),
        "innovation": innovation if innovation is not None else {"innovation_id": "JIP-000000000A"},
        "agency_id": agency_id,
        "submitted_by": {"name": "Siti Rahma", "email": "siti@example.go.id"},
        "submitted_at": submitted_at,
        "changes": changes if changes is not None else {
            "status": "berlanjut_dengan_pengembangan", "outcomes": "Waktu layanan turun 80%.",
            "contact_email": "inovator@example.go.id"},
    }
