"""Completeness, update status and the per-agency / national roll-ups on hand-built cases."""

from datetime import date

import pandas as pd

from jippnas_orchestration.metrics.completeness import (
    REQUIRED_FIELDS,
    agency_completeness,
    in_campaign,
    national_summary,
    score,
)

START = date(2023, 1, 1)


def row(iid, agency="35.10", sources="KIPP", **over):
    base = {
        "innovation_id": iid,
        "title": "T",
        "agency_id": agency,
        "agency_name": f"A {agency}",
        "agency_type": "kabupaten",
        "province_code": agency[:2],
        "year_first": 2020,
        "category": "Kesehatan",
        "sdgs": "3",
        "summary": "S",
        "status": "berhenti",
        "outcomes": "O",
        "sources": sources,
    }
    base.update(over)
    return base


def test_completeness_missing_fields_and_update_status():
    h = pd.DataFrame([row("A"), row("B", outcomes=None, sdgs="  "), row("C"), row("D")])
    accepted = pd.DataFrame(
        {
            "innovation_id": ["A", "B", "C"],
            "submitted_at": [
                "2023-01-01T00:30:00+07:00",
                "2024-01-01T00:00:00+07:00",
                "2022-12-31T16:59:00+00:00",
            ],
        }
    )
    out = score(h, accepted, START).set_index("innovation_id")
    assert out.loc["A", "completeness"] == 1.0 and out.loc["A", "update_status"] == "updated"
    assert out.loc["B", "missing_fields"] == "sdgs,outcomes"
    assert out.loc["B", "completeness"] == round(6 / len(REQUIRED_FIELDS), 4)
    assert out.loc["B", "update_status"] == "pending"  # accepted but incomplete
    assert out.loc["C", "update_status"] == "pending"  # 23:59 WIB on 31 Dec: before the campaign
    assert out.loc["D", "update_status"] == "pending"  # complete but never updated
    assert in_campaign("2022-12-31T17:00:00+00:00", START) and not in_campaign(
        "bukan tanggal", START
    )


def test_agency_and_national_rollups():
    h = pd.DataFrame(
        [
            row("A"),
            row("B", outcomes=None),
            row("C", agency="32.73", sources="IGA,KIPP"),
            row("D", agency="KEMENKES", sources="INOLAN", agency_type="kementerian"),
        ]
    )
    accepted = pd.DataFrame(
        {"innovation_id": ["A", "C", "D"], "submitted_at": ["2024-01-01T00:00:00+07:00"] * 3}
    )
    scored = score(h, accepted, START)
    per = agency_completeness(scored).set_index("agency_id")
    assert per.loc[
        "35.10", ["innovations_total", "innovations_updated", "innovations_pending"]
    ].tolist() == [2, 1, 1]
    assert per.loc["35.10", "kipp_pending"] == 1 and per.loc["KEMENKES", "kipp_total"] == 0
    assert per.loc["35.10", "completeness_mean"] == round((1 + 7 / 8) / 2, 4)
    nat = national_summary(scored).set_index(["dimension", "value"])
    assert nat.loc[("all", "all"), "innovations"] == 4
    assert nat.loc[
        ("programme", "KIPP"), ["innovations", "updated", "pending", "agencies_with_pending"]
    ].tolist() == [3, 2, 1, 1]
    assert nat.loc[("programme", "IGA"), "innovations"] == 1
    assert nat.loc[("agency_type", "kementerian"), "updated"] == 1
