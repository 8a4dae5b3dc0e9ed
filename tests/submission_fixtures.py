"""A small warehouse holding three innovations, for submission tests."""

from __future__ import annotations

import uuid
from datetime import date

import pandas as pd

from jippnas_orchestration.agencies.registry import agencies_frame
from jippnas_orchestration.harmonize.merge import HARMONIZED_COLUMNS
from jippnas_orchestration.harmonize.pipeline import SUBMISSION_ONLY, build_overlaid
from jippnas_orchestration.harmonize.provenance import PROVENANCE_COLUMNS
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.similar import SIMILAR_COLUMNS
from jippnas_orchestration.warehouse import Warehouse

CAMPAIGN = date(2023, 1, 1)
INNOVATIONS = [
    ("JIP-000000000A", "35.10", "KIPP", "609805"),
    ("JIP-000000000B", "32.73", "KIPP", "012345"),
    ("JIP-000000000C", "KEMENKES", "IGA", "IND2022040125"),
]


def seed_warehouse(url: str) -> Warehouse:
    """merged_innovations (what the sources say), the source map and the agencies."""
    wh = Warehouse(url)
    ensure_schema(wh.engine)
    rows = []
    for iid, agency, _, _ in INNOVATIONS:
        row = {c: None for c in HARMONIZED_COLUMNS if c not in SUBMISSION_ONLY}
        row.update(
            innovation_id=iid,
            title=f"Inovasi {iid}",
            agency_id=agency,
            year_first=2020,
            category="Kesehatan",
            sdgs="3",
            summary="Ringkasan",
            sources="KIPP",
        )
        rows.append(row)
    merged = pd.DataFrame(rows)
    merged["year_first"] = merged["year_first"].astype("Int64")
    wh.replace_table("merged_innovations", merged, primary_key=["innovation_id"])
    wh.replace_table(
        "innovation_source_map",
        pd.DataFrame(
            [(s, r, i) for i, _, s, r in INNOVATIONS],
            columns=["source", "source_record_id", "innovation_id"],
        ),
    )
    wh.replace_table("agencies", agencies_frame())
    # no source records behind these innovations: nothing to trace or to suggest
    wh.replace_table("field_provenance", pd.DataFrame(columns=PROVENANCE_COLUMNS))
    wh.replace_table("similar_innovations", pd.DataFrame(columns=SIMILAR_COLUMNS))
    return wh


def doc(
    innovation=None,
    agency_id="35.10",
    changes=None,
    submitted_at="2024-07-12T10:00:00+07:00",
    sid=None,
):
    return {
        "submission_id": sid or str(uuid.uuid4()),
        "innovation": innovation if innovation is not None else {"innovation_id": "JIP-000000000A"},
        "agency_id": agency_id,
        "submitted_by": {"name": "Siti Rahma", "email": "siti@example.go.id"},
        "submitted_at": submitted_at,
        "changes": changes
        if changes is not None
        else {
            "status": "berlanjut_dengan_pengembangan",
            "outcomes": "Waktu layanan turun 80%.",
            "contact_email": "inovator@example.go.id",
        },
    }


def harmonized(wh: Warehouse) -> pd.DataFrame:
    """harmonized_innovations as its asset builds it: the change log laid over the merged sources."""
    return build_overlaid(
        wh.read_table("merged_innovations"), wh.read_table("innovation_change_log"), CAMPAIGN
    ).set_index("innovation_id")
