"""The report's trend functions on small known inputs: progress, stalled agencies, quality per
dimension, jumps between gate runs (robust z-score) and innovations worth replicating."""

import math

import numpy as np
import pandas as pd
import pytest

from jippnas_orchestration.reports.trends import (
    ROW_COUNT,
    dimension_scores,
    dimension_summary,
    jump_flags,
    programme_deltas,
    progress,
    replication_suggestions,
    robust_z,
    stalled_agencies,
)


def hist(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "snapshot_date",
            "programme",
            "agency_id",
            "innovations",
            "updated",
            "pending",
            "completeness_mean",
        ],
    )


def test_progress_and_deltas_per_programme():
    h = hist(
        [
            ("2026-01-01", "KIPP", "", 10, 2, 8, 0.5),
            ("2026-01-08", "KIPP", "", 10, 5, 5, 0.6),
            ("2026-01-01", "IGA", "", 4, 0, 4, 0.4),
            ("2026-01-01", "KIPP", "35.10", 3, 1, 2, 0.5),
        ]
    )
    p = progress(h)
    assert p[p["programme"] == "KIPP"]["share"].tolist() == [0.2, 0.5]
    assert len(p) == 3  # agency rows are not national progress
    d = programme_deltas(h)
    assert d.to_dict("records") == [
        {
            "programme": "KIPP",
            "date": "2026-01-08",
            "previous_date": "2026-01-01",
            "innovations_delta": 0,
            "updated_delta": 3,
            "pending_delta": -3,
            "updated": 5,
            "pending": 5,
        }
    ]  # IGA has one day only


def test_stalled_agencies_need_a_full_unchanged_stretch():
    days = ["2026-01-01", "2026-01-15", "2026-02-01", "2026-02-10"]
    rows = []
    for d in days:
        rows.append((d, "KIPP", "A", 5, 2, 3, 0.5))  # never moves
        rows.append(
            (d, "KIPP", "B", 5, 1 if d < "2026-02-10" else 2, 4 if d < "2026-02-10" else 3, 0.5)
        )
        rows.append((d, "KIPP", "C", 5, 5, 0, 1.0))  # nothing pending: not stalled
        rows.append((d, "IGA", "D", 5, 0, 5, 0.5))  # another programme
    rows.append(("2025-12-20", "KIPP", "A", 5, 1, 4, 0.5))  # A moved once, before Jan 1
    out = stalled_agencies(hist(rows), "KIPP", days=30)
    assert out.to_dict("records") == [
        {
            "agency_id": "A",
            "pending": 3,
            "innovations": 5,
            "since": "2026-01-01",
            "days_unchanged": 40,
        }
    ]
    # the window must be covered: with 45 days required, no snapshot is old enough to judge
    assert stalled_agencies(hist(rows), "KIPP", days=60).empty
    # an agency missing from the snapshot that opens the window is not judged stalled
    assert "A" not in set(
        stalled_agencies(
            hist([r for r in rows if not (r[2] == "A" and r[0] == "2026-01-01")]), "KIPP", days=30
        )["agency_id"]
    )


def quality(runs):
    """runs: [(evaluated_at, rows, [(expectation, column, dimension, success, unexpected)])]."""
    out = []
    for i, (at, n, exps) in enumerate(runs):
        for exp, col, dim, ok, unexpected in exps:
            out.append(
                {
                    "evaluation_id": f"e{i}",
                    "evaluated_at": at,
                    "suite": "s",
                    "expectation": exp,
                    "column": col,
                    "dimension": dim,
                    "success": ok,
                    "unexpected_count": unexpected,
                    "rows": n,
                }
            )
    return pd.DataFrame(out)


def test_dimension_scores_and_their_trend():
    q = quality(
        [
            (
                "2026-01-01T00:00:00",
                100,
                [
                    ("expect_column_values_to_not_be_null", "a", "completeness", True, 0),
                    ("expect_column_values_to_not_be_null", "b", "completeness", False, 20),
                    ("expect_column_values_to_be_unique", "id", "uniqueness", True, 0),
                    ("expect_table_columns_to_match_set", None, "validity", False, None),
                ],
            ),
            (
                "2026-01-02T00:00:00",
                200,
                [
                    ("expect_column_values_to_not_be_null", "a", "completeness", True, 0),
                    ("expect_column_values_to_not_be_null", "b", "completeness", True, 10),
                    ("expect_column_values_to_be_unique", "id", "uniqueness", False, 50),
                    ("expect_table_columns_to_match_set", None, "validity", True, None),
                ],
            ),
        ]
    )
    s = dimension_scores(q)
    first = s[s["evaluation_id"] == "e0"].set_index("dimension")["score"]
    assert first.to_dict() == {
        "completeness": pytest.approx(0.9),
        "validity": 0.0,
        "uniqueness": 1.0,
    }
    assert s[s["evaluation_id"] == "e0"]["dimension"].tolist() == [
        "completeness",
        "validity",
        "uniqueness",
    ]
    summary = dimension_summary(s).set_index("dimension")
    assert summary.loc["completeness", "score"] == pytest.approx(0.975)  # (1 + 0.95) / 2
    assert summary.loc["completeness", "delta"] == pytest.approx(0.075)
    assert summary.loc["uniqueness", "trend"] == [1.0, 0.75]
    assert summary.loc["uniqueness", "failed"] == 1 and summary.loc["validity", "delta"] == 1.0


def test_robust_z_on_known_values():
    assert robust_z(10, [10, 10, 11, 9, 10]) == 0.0
    # median 10, MAD 1: 0.6745 * 6 / 1
    assert robust_z(16, [9, 10, 11, 10, 12, 8]) == pytest.approx(0.6745 * 6)
    # MAD 0 but not flat: the mean absolute deviation (0.2) stands in
    assert robust_z(12, [10, 10, 10, 10, 11]) == pytest.approx(2 / (1.253314 * 0.2))
    assert robust_z(9, [10] * 5) == -math.inf


def series(row_counts, null_b=None):
    null_b = null_b or [0] * len(row_counts)
    return quality(
        [
            (
                f"2026-01-{i + 1:02d}T00:00:00",
                n,
                [("expect_column_values_to_not_be_null", "b", "completeness", True, nb)],
            )
            for i, (n, nb) in enumerate(zip(row_counts, null_b))
        ]
    )


def test_jumps_need_history_and_a_real_change():
    # two runs never raise an alarm, however different
    assert jump_flags(series([1000, 10])).empty
    steady = [1000, 1004, 998, 1001, 1003, 999]
    flags = jump_flags(series(steady + [600])).set_index("metric")
    assert bool(flags.loc[ROW_COUNT, "flagged"]) and flags.loc[ROW_COUNT, "median"] == 1000.5
    assert flags.loc[ROW_COUNT, "z"] == pytest.approx(robust_z(600, steady))
    assert not jump_flags(series(steady + [1002]))["flagged"].any()
    # a flat history and a one-row change: infinitely far, but not a jump worth a flag
    assert not jump_flags(series([1000] * 6 + [1001]))["flagged"].any()
    nulls = jump_flags(series([1000] * 7, [10, 12, 11, 10, 9, 11, 300]))
    row = nulls[nulls["metric"] == "baris kosong"].iloc[0]
    assert row["column"] == "b" and row["flagged"] and row["value"] == 0.3
    assert not nulls[nulls["metric"] == ROW_COUNT]["flagged"].any()


def test_replication_suggestions_pick_strong_innovations_of_other_agencies():
    h = pd.DataFrame(
        [
            # id, title, agency, name, sources, completeness, update_status
            ("P1", "Antrian online puskesmas", "A", "Kota A", "KIPP", 0.75, "pending"),
            ("W1", "Posyandu digital", "A", "Kota A", "IGA", 0.25, "pending"),
            (
                "OK",
                "Sudah lengkap",
                "A",
                "Kota A",
                "IGA",
                0.75,
                "pending",
            ),  # neither pending KIPP nor weak
            ("S1", "Antrean daring", "B", "Kab B", "KIPP", 1.0, "updated"),
            ("S2", "Antrean lemah", "B", "Kab B", "IGA", 0.5, "pending"),  # not strong
            ("S3", "Antrean kota A lain", "A", "Kota A", "KIPP", 1.0, "updated"),  # same agency
            ("S4", "Posyandu pintar", "C", "Kab C", "INOLAN", 0.875, "pending"),
        ],
        columns=[
            "innovation_id",
            "title",
            "agency_id",
            "agency_name",
            "sources",
            "completeness",
            "update_status",
        ],
    )
    sim = pd.DataFrame(
        [
            ("P1", "S2", 1, 0.9, "x"),
            ("P1", "S1", 2, 0.8, "kata sama: antrean"),
            ("P1", "S3", 3, 0.7, "x"),
            ("W1", "S4", 1, 0.15, "too weak a match"),
            ("OK", "S1", 1, 0.9, "x"),
            ("S1", "P1", 1, 0.8, "x"),
        ],
        columns=["innovation_id", "similar_innovation_id", "rank", "score", "reason"],
    )
    out = replication_suggestions(h, sim)
    assert out[
        ["innovation_id", "why", "similar_innovation_id", "similar_agency_name", "reason"]
    ].values.tolist() == [["P1", "pending", "S1", "Kab B", "kata sama: antrean"]]
    sim.loc[3, "score"] = 0.5
    out = replication_suggestions(h, sim)
    assert out[["innovation_id", "why", "similar_innovation_id"]].values.tolist() == [
        ["P1", "pending", "S1"],
        ["W1", "weak", "S4"],
    ]
    assert np.all(out["agency_id"] == "A")
