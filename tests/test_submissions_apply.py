"""Intake and application of submissions against SQLite and PostgreSQL, exactly once."""

import json
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from jippnas_orchestration.submissions.apply import apply_pending
from jippnas_orchestration.submissions.intake import store_document

from .submission_fixtures import doc, harmonized, seed_warehouse


def states(wh):
    df = wh.read_table("innovation_submissions")
    return {r.submission_id: (r.state, r.reason) for r in df.itertuples()}


def test_accepted_changes_land_with_log_state_and_completeness(warehouse_url):
    wh = seed_warehouse(warehouse_url)
    d = doc(
        changes={
            "status": "berlanjut_dengan_pengembangan",
            "outcomes": "Antrean turun 80%.",
            "sdgs": [10, 3],
            "replication_count": 3,
            "replicated_by": ["32.73"],
            "contact_email": "a@b.go.id",
            "summary": "<script>alert(1)</script>",
        }
    )
    assert store_document(wh, d, "t").status == "stored"
    report = apply_pending(wh, run_id="r1")
    assert (report.accepted, report.rejected) == (1, 0)
    row = harmonized(wh).loc["JIP-000000000A"]
    assert (
        row["status"] == "berlanjut_dengan_pengembangan" and row["outcomes"] == "Antrean turun 80%."
    )
    assert (
        row["sdgs"] == "3,10"
        and int(row["replication_count"]) == 3
        and row["replicated_by"] == "32.73"
    )
    assert row["summary"] == "<script>alert(1)</script>"  # stored as text; escaped where rendered
    assert (
        row["update_status"] == "updated"
        and row["completeness"] == 1.0
        and pd.isna(row["missing_fields"])
    )
    assert "contact_email" not in row.index or row.get("contact_email") is None
    log = wh.read_table("innovation_change_log")
    assert sorted(log["field"]) == sorted(d["changes"])
    assert pd.isna(log.set_index("field").loc["status", "old_value"])
    sub = wh.read_table("innovation_submissions").iloc[0]
    assert (sub["state"], sub["innovation_id"], sub["processed_by_run"]) == (
        "accepted",
        "JIP-000000000A",
        "r1",
    )


def test_rejections_carry_reasons_a_person_can_act_on(warehouse_url):
    wh = seed_warehouse(warehouse_url)
    docs = {
        "wrong_agency": doc(agency_id="32.73"),
        "unknown_id": doc(innovation={"innovation_id": "JIP-FFFFFFFFFF"}),
        "unknown_record": doc(innovation={"source": "KIPP", "source_record_id": "999999"}),
        "bad_status": doc(changes={"status": "aktif"}),
        "bad_replica": doc(changes={"replicated_by": ["99.99"]}),
    }
    for d in docs.values():
        store_document(wh, d, "t")
    report = apply_pending(wh)
    assert (report.accepted, report.rejected) == (0, 5)
    got = states(wh)
    reason = {k: got[d["submission_id"]][1] for k, d in docs.items()}
    assert reason["wrong_agency"].startswith(
        "not authorized: agency 32.73 does not own innovation JIP-000000000A (owner: 35.10 "
    )
    assert reason["unknown_id"] == "unknown innovation: no innovation with id JIP-FFFFFFFFFF"
    assert reason["unknown_record"] == "unknown innovation: KIPP record 999999 is not in JIPPNas"
    assert reason["bad_status"].startswith(
        "invalid: changes.status: Input should be 'berlanjut_dengan_pengembangan'"
    )
    assert reason["bad_replica"] == "invalid: changes.replicated_by: unknown agency id(s) 99.99"
    h = harmonized(wh)
    assert h["status"].isna().all() and wh.count("innovation_change_log") == 0


def test_same_submission_id_again_is_a_no_op(warehouse_url):
    wh = seed_warehouse(warehouse_url)
    d = doc(changes={"outcomes": "Pertama"})
    assert store_document(wh, d, "t").status == "stored"
    apply_pending(wh)
    assert store_document(wh, dict(d), "t").status == "duplicate"
    # the same id with other content is a reported conflict: kept as rejected, never applied
    again = dict(d, changes={"outcomes": "Kedua"})
    conflict = store_document(wh, again, "t")
    assert conflict.status == "rejected" and d["submission_id"] in conflict.message
    assert apply_pending(wh).accepted == 0
    assert harmonized(wh).loc["JIP-000000000A", "outcomes"] == "Pertama"
    assert wh.count("innovation_change_log") == 1 and wh.count("innovation_submissions") == 2


def test_latest_submitted_wins_whatever_the_application_order(warehouse_url):
    wh = seed_warehouse(warehouse_url)
    newer = doc(changes={"outcomes": "baru"}, submitted_at="2024-08-01T09:00:00+07:00")
    older = doc(
        changes={"outcomes": "lama", "video_url": "https://v.example.go.id/1"},
        submitted_at="2024-08-01T08:00:00+05:00",
    )  # 03:00 UTC, after 02:00 UTC: newer in fact
    store_document(wh, newer, "t")
    apply_pending(wh)
    store_document(wh, older, "t")
    apply_pending(wh)
    row = harmonized(wh).loc["JIP-000000000A"]
    assert row["outcomes"] == "lama" and row["video_url"] == "https://v.example.go.id/1"
    stale = doc(changes={"outcomes": "usang"}, submitted_at="2023-05-01T08:00:00+07:00")
    store_document(wh, stale, "t")
    apply_pending(wh)
    row = harmonized(wh).loc["JIP-000000000A"]
    assert row["outcomes"] == "lama"  # an older submission applied late never overwrites


def test_before_campaign_or_incomplete_stays_pending(warehouse_url):
    wh = seed_warehouse(warehouse_url)
    store_document(wh, doc(submitted_at="2022-06-01T10:00:00+07:00"), "t")
    store_document(
        wh,
        doc(
            innovation={"innovation_id": "JIP-000000000B"},
            agency_id="32.73",
            changes={"video_url": "https://v.example.go.id/b"},
        ),
        "t",
    )
    apply_pending(wh)
    h = harmonized(wh)
    assert (
        h.loc["JIP-000000000A", "update_status"] == "pending"
        and h.loc["JIP-000000000A", "completeness"] == 1.0
    )
    assert h.loc["JIP-000000000B", "update_status"] == "pending"
    assert h.loc["JIP-000000000B", "missing_fields"] == "status,outcomes"


def test_two_overlapping_runs_never_apply_a_submission_twice(warehouse_url):
    wh = seed_warehouse(warehouse_url)
    docs = [
        doc(
            innovation={"innovation_id": iid},
            agency_id=agency,
            changes={"outcomes": f"hasil {i}", "replication_count": i},
            submitted_at=f"2024-01-{1 + i % 28:02d}T10:{i % 60:02d}:00+07:00",
        )
        for i in range(120)
        for iid, agency in [("JIP-000000000A", "35.10"), ("JIP-000000000B", "32.73")][
            i % 2 : i % 2 + 1
        ]
    ]
    for d in docs:
        store_document(wh, d, "t")
    reports = []
    barrier = threading.Barrier(2)

    def worker(name):
        barrier.wait()
        reports.append(apply_pending(wh, run_id=name))

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("run-a", "run-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.accepted for r in reports) == len(docs)
    log = wh.read_table("innovation_change_log")
    assert len(log) == 2 * len(docs)
    assert log.groupby(["submission_id", "field"]).size().max() == 1
    subs = wh.read_table("innovation_submissions")
    assert set(subs["state"]) == {"accepted"} and set(subs["processed_by_run"]) <= {
        "run-a",
        "run-b",
    }
    # the winner per innovation is the latest submitted_at, whichever run applied it
    expected = (
        pd.DataFrame(
            [
                (d["innovation"]["innovation_id"], d["submitted_at"], d["changes"]["outcomes"])
                for d in docs
            ],
            columns=["iid", "at", "outcomes"],
        )
        .assign(ts=lambda x: pd.to_datetime(x["at"], utc=True))
        .sort_values("ts")
        .groupby("iid")
        .tail(1)
    )
    h = harmonized(wh)
    for r in expected.itertuples():
        assert h.loc[r.iid, "outcomes"] == r.outcomes


@pytest.mark.subprocess
def test_cli_submit_stores_pending_and_reports_bad_files(sqlite_url, tmp_path):
    seed_warehouse(sqlite_url)
    good = tmp_path / "good.json"
    good.write_text(json.dumps([doc(), doc()]))
    not_json = tmp_path / "bad.json"
    not_json.write_text("{not json")
    shapeless = tmp_path / "shape.json"
    shapeless.write_text(json.dumps({"submission_id": "abc", "changes": {}}))
    env = {"JIPPNAS_WAREHOUSE_URL": sqlite_url, "PATH": str(Path(sys.executable).parent)}
    ok = subprocess.run(
        [sys.executable, "-m", "jippnas_orchestration.cli", "submit", str(good)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 stored as pending, 0 already received, 0 rejected" in ok.stdout
    again = subprocess.run(
        [sys.executable, "-m", "jippnas_orchestration.cli", "submit", str(good)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert again.returncode == 0 and "0 stored as pending, 2 already received" in again.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "jippnas_orchestration.cli",
            "submit",
            str(not_json),
            str(shapeless),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 1
    assert f"error: {not_json}: not JSON" in bad.stdout
    assert (
        "rejected: " + str(shapeless) + ": missing 'innovation', 'agency_id', 'submitted_at'"
        in bad.stdout
    )
    from jippnas_orchestration.warehouse import Warehouse

    subs = Warehouse(sqlite_url).read_table("innovation_submissions")
    assert sorted(subs["state"]) == ["pending", "pending", "rejected", "rejected"]
    assert subs[subs["state"] == "rejected"]["reason"].str.startswith("malformed document").all()
