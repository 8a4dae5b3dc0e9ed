"""Set-wise application decides the sample's submissions exactly as the one-by-one path did."""

from __future__ import annotations

import io
import uuid

import pandas as pd
import pytest

from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.submissions import apply as bulk
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse

from . import submission_reference as one_by_one
from .helpers import run_pipeline
from .submission_fixtures import CAMPAIGN

TABLES = ["merged_innovations", "innovation_source_map", "agencies"]


@pytest.fixture(scope="module")
def sample_state(tmp_path_factory, sample_dir) -> dict[str, pd.DataFrame]:
    """The sample's merged innovations, source map and agencies, and its submissions as pending."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bulk') / 'warehouse.sqlite'}"
    run_pipeline(url, sample_dir, selection="*merged_innovations")
    wh = Warehouse(url)
    assert submit_files(sorted((sample_dir / "submissions").glob("*.json")), io.StringIO(), wh) in (
        0,
        1,
    )
    frames = {t: wh.read_table(t) for t in TABLES}
    subs = wh.read_table("innovation_submissions")
    frames["innovation_submissions"] = subs.assign(
        received_at=pd.to_datetime(subs["received_at"], utc=True)
    )
    return frames


def _load(url: str, frames: dict[str, pd.DataFrame]) -> Warehouse:
    wh = Warehouse(url)
    ensure_schema(wh.engine)
    for t in TABLES:
        wh.replace_table(t, frames[t])
    with wh.begin() as conn:
        wh.insert_frame(conn, "innovation_submissions", frames["innovation_submissions"])
    return wh


def _outcome(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    subs = (
        wh.read_table("innovation_submissions")[
            ["submission_id", "state", "reason", "innovation_id"]
        ]
        .sort_values("submission_id")
        .reset_index(drop=True)
    )
    log = (
        wh.read_sql("SELECT * FROM innovation_change_log ORDER BY change_id")
        .drop(columns=["change_id", "applied_at"])
        .reset_index(drop=True)
    )
    return subs, log


def test_bulk_and_one_by_one_reach_the_same_state(sample_state, warehouse_url, tmp_path, pg_server):
    if warehouse_url.startswith("sqlite"):
        urls = [warehouse_url, f"sqlite:///{tmp_path / 'other.sqlite'}"]
    else:
        urls = [warehouse_url, pg_server.create_database(f"t_{uuid.uuid4().hex[:12]}")]
    ref, new = (_load(u, sample_state) for u in urls)
    pending = (sample_state["innovation_submissions"]["state"] == "pending").sum()
    assert pending > 900
    # a first batch, then the rest: the rest meets values already logged (old_value, winners)
    first = [
        one_by_one.apply_pending(ref, run_id="r", limit=400),
        one_by_one.apply_pending(ref, run_id="r"),
    ]
    second = [
        bulk.apply_pending(new, run_id="r", limit=400, chunk=97),
        bulk.apply_pending(new, run_id="r", chunk=97),
    ]
    for a, b in zip(first, second):
        assert (a.accepted, a.rejected, a.skipped, a.reasons, a.innovations) == (
            b.accepted,
            b.rejected,
            b.skipped,
            b.reasons,
            b.innovations,
        )
    assert sum(r.accepted for r in second) > 800 and sum(r.rejected for r in second) > 0
    ref_subs, ref_log = _outcome(ref)
    new_subs, new_log = _outcome(new)
    pd.testing.assert_frame_equal(ref_subs, new_subs)
    pd.testing.assert_frame_equal(ref_log, new_log)
    assert new_log["old_value"].notna().any()  # the comparison covers replaced values too
    from jippnas_orchestration.harmonize.pipeline import build_overlaid

    overlaid = [
        build_overlaid(
            w.read_table("merged_innovations"), w.read_table("innovation_change_log"), CAMPAIGN
        )
        for w in (ref, new)
    ]
    pd.testing.assert_frame_equal(*overlaid)
    assert bulk.apply_pending(new).accepted == 0 and len(new_log) == new.count(
        "innovation_change_log"
    )


def _docs(n: int) -> list[dict]:
    from .submission_fixtures import doc

    pairs = [("JIP-000000000A", "35.10"), ("JIP-000000000B", "32.73")]
    return [
        doc(
            innovation={"innovation_id": pairs[i % 2][0]},
            agency_id=pairs[i % 2][1],
            changes={"outcomes": f"hasil {i}", "replication_count": i},
            submitted_at=f"2024-02-{1 + i // 24:02d}T{i % 24:02d}:00:00+07:00",
        )
        for i in range(n)
    ]


@pytest.mark.subprocess
def test_a_run_killed_inside_a_chunk_leaves_that_chunk_pending(warehouse_url, tmp_path):
    """kill -9 while the second chunk's transaction is open: the first chunk stays decided, the
    second stays pending with no change-log row, and the next run applies it once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from .submission_fixtures import seed_warehouse

    wh = seed_warehouse(warehouse_url)
    from jippnas_orchestration.submissions.intake import store_document

    docs = _docs(10)
    for d in docs:
        store_document(wh, d, "t")
    marker = tmp_path / "held"
    env = dict(os.environ, JIPPNAS_FAILPOINT=f"innovation_change_log.chunk2.before_commit:{marker}")
    code = (
        "import sys; from jippnas_orchestration.warehouse import Warehouse; "
        "from jippnas_orchestration.submissions.apply import apply_pending; "
        "apply_pending(Warehouse(sys.argv[1]), run_id='killed', chunk=4)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, warehouse_url], env=env)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, "the run ended before reaching the failpoint"
        assert time.monotonic() < deadline, "failpoint not reached"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    subs = wh.read_table("innovation_submissions").set_index("submission_id")
    first = [d["submission_id"] for d in docs[:4]]  # submitted_at order is the documents' order
    assert set(subs.loc[first, "state"]) == {"accepted"} and set(
        subs.loc[first, "processed_by_run"]
    ) == {"killed"}
    assert set(subs.drop(index=first)["state"]) == {"pending"}
    log = wh.read_table("innovation_change_log")
    assert set(log["submission_id"]) == set(first) and len(log) == 2 * len(first)
    report = bulk.apply_pending(wh, run_id="next", chunk=4)
    assert (report.accepted, report.skipped) == (6, 0)
    log = wh.read_table("innovation_change_log")
    assert len(log) == 2 * len(docs) and log.groupby(["submission_id", "field"]).size().max() == 1
    from .submission_fixtures import harmonized

    h = harmonized(wh)
    assert (
        h.loc["JIP-000000000A", "outcomes"] == "hasil 8"
        and h.loc["JIP-000000000B", "outcomes"] == "hasil 9"
    )


def test_overlapping_runs_with_small_chunks_apply_each_submission_once(warehouse_url):
    import threading

    from jippnas_orchestration.submissions.intake import store_document

    from .submission_fixtures import seed_warehouse

    wh = seed_warehouse(warehouse_url)
    docs = _docs(60)
    for d in docs:
        store_document(wh, d, "t")
    reports, barrier = [], threading.Barrier(2)

    def worker(name):
        barrier.wait()
        reports.append(bulk.apply_pending(wh, run_id=name, chunk=7))

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("run-a", "run-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.accepted for r in reports) == len(docs)
    assert sum(r.accepted + r.skipped for r in reports) == 2 * len(docs)
    log = wh.read_table("innovation_change_log")
    assert len(log) == 2 * len(docs) and log.groupby(["submission_id", "field"]).size().max() == 1
    # old_value is the winner among what was logged when the chunk was decided: on SQLite the
    # chunks run strictly in turn, so it is the previous submission's; PostgreSQL's SKIP LOCKED
    # lets one run commit a later chunk first, so there it is one of the other submissions of the
    # same innovation, or none yet
    outcomes = log[log["field"] == "outcomes"].assign(
        i=lambda x: x["new_value"].str.extract(r"(\d+)")[0].astype(int)
    )
    olds = outcomes.set_index("i")["old_value"]
    for i in range(2, len(docs)):
        if wh.is_postgres:
            others = {f"hasil {j}" for j in range(i % 2, len(docs), 2) if j != i}
            assert pd.isna(olds[i]) or olds[i] in others, (
                i,
                olds[i],
            )  # NaN: the sources' value (none)
        else:
            assert olds[i] == f"hasil {i - 2}", (i, olds[i])
