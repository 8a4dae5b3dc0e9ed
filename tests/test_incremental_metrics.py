"""campaign_history (today) and national_summary in submission runs: only the touched agencies are
recomputed, and the tables equal a full rebuild's; anything the state cannot vouch for goes full.

Real pipeline on the bundled sample, SQLite and PostgreSQL, the clock set to one day
(JIPPNAS_CLOCK) so that every run of a test records the same day unless it says otherwise.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, timedelta

import pandas as pd
import pytest
from dagster import AssetKey, AssetSelection

from jippnas_orchestration.metrics.history import CLOCK_VAR
from jippnas_orchestration.quality import gate
from jippnas_orchestration.quality.gate import run_suite
from jippnas_orchestration.quality.suites import HARMONIZED, PORTAL, suite
from jippnas_orchestration.vocab import PROGRAMMES

from .baselines import BASELINE_CLOCK
from .submission_fixtures import doc
from .test_incremental_runs import first_wave, meta, ok, submit

# a submission run as far as these tables go (the change log and harmonized_innovations they
# follow; the portal and replication steps after them are test_incremental_runs' subject)
SUBMISSION_RUN = AssetSelection.assets(
    "innovation_change_log", "harmonized_innovations", "campaign_history", "national_summary"
)
FULL_RUN = SUBMISSION_RUN | AssetSelection.assets("merged_innovations")

DAY = BASELINE_CLOCK[:10]  # the day the sample's baseline run recorded, and every run here
SUBMITTED = f"{DAY}T08:00:00+07:00"  # in the month of the run: no month end to rebuild
NEXT_DAY = (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()


@pytest.fixture
def pipeline(storage, materialized):
    """Everything materialized on the sample, on the test's day; later runs in the same instance."""
    sample = materialized(storage, frozen=True)
    return sample.wh, sample.run


def today_rows(wh, day: str = DAY) -> pd.DataFrame:
    return wh.read_sql(
        "SELECT * FROM campaign_history WHERE snapshot_date = :d ORDER BY programme, agency_id",
        {"d": day},
    )


def history(wh) -> pd.DataFrame:
    return wh.read_sql(
        "SELECT * FROM campaign_history ORDER BY snapshot_date, programme, agency_id"
    )


def summary(wh) -> pd.DataFrame:
    return wh.read_sql("SELECT * FROM national_summary ORDER BY dimension, value")


def expected_national(wh) -> pd.DataFrame:
    """Today's national rows computed here from harmonized_innovations with pandas' own mean
    (not through the totals the assets keep)."""
    h = wh.read_table(
        "harmonized_innovations", ["sources", "update_status", "completeness", "agency_id"]
    )
    rows = []
    for programme in ["ALL", *PROGRAMMES]:
        listed = h["sources"].fillna("").str.split(",").map(lambda s, p=programme: p in s)
        part = h if programme == "ALL" else h[listed]
        updated = int((part["update_status"] == "updated").sum())
        rows.append(
            {
                "programme": programme,
                "innovations": len(part),
                "updated": updated,
                "pending": len(part) - updated,
                "completeness_mean": part["completeness"].astype(float).mean(),
            }
        )
    out = pd.DataFrame(rows)
    out["completeness_mean"] = out["completeness_mean"].round(4)
    return out.sort_values("programme").reset_index(drop=True)


def national_rows(wh) -> pd.DataFrame:
    t = today_rows(wh)
    t = t[t["agency_id"].fillna("") == ""]
    return (
        t[["programme", "innovations", "updated", "pending", "completeness_mean"]]
        .sort_values("programme")
        .reset_index(drop=True)
    )


def one_doc(h: pd.DataFrame, i: int, text: str, submitted_at: str = SUBMITTED) -> dict:
    row = h.iloc[i]
    return doc(
        innovation={"innovation_id": row["innovation_id"]},
        agency_id=row["agency_id"],
        changes={"summary": text, "status": "berhenti"},
        submitted_at=submitted_at,
    )


@pytest.mark.slow
def test_submission_waves_keep_history_and_summary_equal_to_a_full_rebuild(pipeline, tmp_path):
    wh, run = pipeline
    h = wh.read_sql("SELECT innovation_id, agency_id FROM harmonized_innovations")
    before = today_rows(wh)
    summary_before = summary(wh)

    docs, picked = first_wave(h, submitted_at=SUBMITTED)
    agencies = picked["agencies"]
    submit(wh, tmp_path, docs, "first")
    first = ok(run(selection=SUBMISSION_RUN, raise_on_error=False))
    m = meta(first, "campaign_history")
    assert (m["mode"], m["agencies_recomputed"]) == ("incremental", 3), m["mode_reason"]
    assert m["snapshot_date"] == DAY and m["rows_today"] == len(before)
    s = meta(first, "national_summary")
    assert (s["mode"], s["agencies_recomputed"]) == ("incremental", 3), s["mode_reason"]
    # the wave moved the figures: only the three agencies' rows and the national rows changed
    after = today_rows(wh)
    changed = before.compare(after)
    moved = set(after.loc[changed.index, "agency_id"])
    assert moved and moved <= agencies | {""}
    assert "" in moved and agencies & moved
    assert not summary(wh).equals(summary_before)
    pd.testing.assert_frame_equal(national_rows(wh), expected_national(wh))

    # a second wave on one of them, and a run with nothing pending
    submit(wh, tmp_path, [one_doc(h, 0, "dua")], "second")
    second = ok(run(selection=SUBMISSION_RUN, raise_on_error=False))
    assert meta(second, "campaign_history")["agencies_recomputed"] == 1
    nothing = ok(run(selection=SUBMISSION_RUN, raise_on_error=False))
    assert meta(nothing, "campaign_history")["mode"] == "incremental"
    assert meta(nothing, "campaign_history")["agencies_recomputed"] == 0
    assert meta(nothing, "national_summary")["agencies_recomputed"] == 0
    # nothing changed: the gate's evaluation of no rows is still recorded, under the checksum
    evaluation = wh.read_sql(
        'SELECT scope, "rows", checksum, success, suite_success FROM quality_history '
        "WHERE run_id = :r AND suite = 'harmonized_innovations'",
        {"r": nothing.run_id},
    )
    assert len(evaluation) == len(suite("harmonized_innovations")["expectations"])
    assert set(evaluation["scope"]) == {"changed"} and set(evaluation["rows"]) == {0}
    assert evaluation["success"].all() and evaluation["suite_success"].all()
    assert set(evaluation["checksum"]) == {
        json.loads(
            wh.read_sql(
                "SELECT state FROM incremental_state WHERE table_name = 'harmonized_innovations'"
            )["state"].iloc[0]
        )["checksum"]
    }
    incremental = {"history": history(wh), "summary": summary(wh)}
    pd.testing.assert_frame_equal(national_rows(wh), expected_national(wh))

    full = ok(run(selection=FULL_RUN, raise_on_error=False))
    assert meta(full, "campaign_history")["mode"] == "full"
    assert meta(full, "national_summary")["mode"] == "full"
    pd.testing.assert_frame_equal(history(wh), incremental["history"], obj="campaign_history")
    pd.testing.assert_frame_equal(summary(wh), incremental["summary"], obj="national_summary")


@pytest.mark.slow
def test_what_the_state_cannot_vouch_for_goes_full(pipeline, tmp_path, monkeypatch):
    wh, run = pipeline
    h = wh.read_sql("SELECT innovation_id, agency_id FROM harmonized_innovations")
    n = iter(range(100))

    def submission_run(*docs: dict):
        if docs:
            submit(wh, tmp_path, list(docs), f"d{next(n)}")
        return ok(run(selection=SUBMISSION_RUN, raise_on_error=False))

    def modes(result) -> tuple[str, str]:
        return meta(result, "campaign_history")["mode"], meta(result, "national_summary")["mode"]

    def reason(result, asset: str = "campaign_history") -> str:
        return meta(result, asset)["mode_reason"]

    assert modes(submission_run(one_doc(h, 1, "a"))) == ("incremental", "incremental")

    # materialized alone (UI, backfill): not a submission run
    alone = ok(run(selection=[AssetKey("campaign_history"), AssetKey("national_summary")]))
    assert modes(alone) == ("full", "full")
    assert reason(alone) == reason(alone, "national_summary") == "not a submission run"

    # no state
    wh.execute(
        "DELETE FROM incremental_state WHERE table_name IN ('campaign_history', 'national_summary')"
    )
    result = submission_run(one_doc(h, 2, "b"))
    assert modes(result) == ("full", "full")
    assert reason(result) == reason(result, "national_summary") == "no state of this asset yet"
    assert modes(submission_run(one_doc(h, 3, "c"))) == ("incremental", "incremental")

    # today's rows not all there (deleted by hand): rebuilt
    kept = today_rows(wh)
    gone = next(a for a in h["agency_id"].iloc[::-1] if a != h.iloc[4]["agency_id"])
    wh.execute(
        "DELETE FROM campaign_history WHERE snapshot_date = :d AND agency_id = :a",
        {"d": DAY, "a": gone},
    )
    result = submission_run(one_doc(h, 4, "d"))
    assert modes(result)[0] == "full"
    assert "today's rows incomplete" in reason(result)
    assert len(today_rows(wh)) == len(kept)
    assert (today_rows(wh)["agency_id"] == gone).any()

    # another day: the first run of a day records it in full; the day before stays as it was
    yesterday = today_rows(wh)
    monkeypatch.setenv(CLOCK_VAR, f"{NEXT_DAY}T09:00:00+07:00")
    result = submission_run(one_doc(h, 5, "e", f"{NEXT_DAY}T08:00:00+07:00"))
    assert modes(result) == ("full", "incremental")
    assert reason(result) == f"day was {DAY} at the last run, not {NEXT_DAY}"
    pd.testing.assert_frame_equal(today_rows(wh, DAY), yesterday)
    assert modes(submission_run(one_doc(h, 6, "f", f"{NEXT_DAY}T08:30:00+07:00"))) == (
        "incremental",
        "incremental",
    )

    # a change submitted in a month that ended before the first run: its month end is rebuilt
    result = submission_run(one_doc(h, 7, "g", "2025-05-10T10:00:00+07:00"))
    assert modes(result) == ("full", "incremental")
    assert reason(result).startswith("a change submitted before the first run")
    assert meta(result, "campaign_history")["days_rebuilt"] == 1
    rebuilt = wh.read_sql(
        "SELECT DISTINCT recorded_by FROM campaign_history WHERE snapshot_date = '2025-05-31'"
    )
    assert rebuilt["recorded_by"].tolist() == ["backfill"]
    # ...once: a later change in that month finds its month end there
    result = submission_run(one_doc(h, 8, "h", "2025-05-20T10:00:00+07:00"))
    assert modes(result) == ("incremental", "incremental")

    # harmonized_innovations rebuilt in full (merged_innovations rebuilt): another generation
    assert run(selection=[AssetKey("merged_innovations")]).success
    result = submission_run(one_doc(h, 9, "i", f"{NEXT_DAY}T09:00:00+07:00"))
    assert modes(result) == ("full", "full")
    assert reason(result) == "harmonized_innovations was rebuilt in full since"

    # after all that, what the incremental runs kept is what a full rebuild gives
    assert modes(submission_run(one_doc(h, 11, "j", f"{NEXT_DAY}T09:00:00+07:00"))) == (
        "incremental",
        "incremental",
    )
    kept = {"history": history(wh), "summary": summary(wh)}
    ok(run(selection=FULL_RUN, raise_on_error=False))
    pd.testing.assert_frame_equal(history(wh), kept["history"])
    pd.testing.assert_frame_equal(summary(wh), kept["summary"])


@pytest.mark.parametrize("name", [HARMONIZED, PORTAL])
def test_no_rows_outcomes_are_what_great_expectations_reports(name, tmp_path, monkeypatch):
    """The gate's shortcut for an incremental run with nothing changed gives the outcomes Great
    Expectations itself gives on a batch of no rows; a missing column is left to it."""
    spec = suite(name)
    columns = sorted(
        {c for e in spec["expectations"] for c in e["kwargs"].get("column_set", [])}
        | {e["kwargs"]["column"] for e in spec["expectations"] if "column" in e["kwargs"]}
    )
    params = {"agency_ids": ["35.10"], "max_year": 2027, "min_rows": 1, "max_rows": 10}
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})

    def outcomes(result) -> list[dict]:  # in any order: Great Expectations groups by column
        return sorted((asdict(o) for o in result.outcomes), key=lambda o: json.dumps(o))

    shortcut = run_suite(name, empty, params, "innovation_id", tmp_path / "a", "c", table_rows=5)
    assert not (tmp_path / "a" / "data_docs").exists()  # Great Expectations did not run
    monkeypatch.setattr(gate, "no_rows", lambda spec, columns: None)
    by_gx = run_suite(name, empty, params, "innovation_id", tmp_path / "b", "c", table_rows=5)
    assert (tmp_path / "b" / "data_docs" / "index.html").exists()
    assert outcomes(shortcut) == outcomes(by_gx)
    assert (shortcut.success, shortcut.rows, shortcut.scope) == (by_gx.success, 0, "changed")
    # too few rows in the table still fails, without Great Expectations as with it
    if name == PORTAL:
        monkeypatch.undo()
        short = run_suite(name, empty, params, "innovation_id", tmp_path / "c", "c", table_rows=0)
        assert not short.success and [o.expectation for o in short.failed] == [
            "expect_table_row_count_to_be_between"
        ]
    assert gate.no_rows(spec, columns[1:]) is None
