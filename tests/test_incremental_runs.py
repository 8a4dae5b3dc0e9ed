"""Incremental submission runs: the same tables, checksums and portal files as a full rebuild.

Real pipeline on the bundled sample, SQLite and PostgreSQL. A submission run rewrites only the
innovations its submissions changed (harmonized_innovations) and the agencies they belong to
(agency_completeness); anything the state cannot vouch for rebuilds in full.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetKey, AssetSelection

from jippnas_orchestration.incremental.digests import content_checksum
from jippnas_orchestration.jobs import SUBMISSION_SKIPS
from jippnas_orchestration.publication.publish import FILES
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse

from .submission_fixtures import doc

SUBMISSION_RUN = AssetSelection.assets("innovation_change_log").downstream() - SUBMISSION_SKIPS
# a full rebuild of everything a submission run touches: merged_innovations gets a new generation
FULL_RUN = SUBMISSION_RUN | AssetSelection.assets("merged_innovations")
STOPPED = "berhenti"
# what the full/incremental decisions are about: the change log, harmonized_innovations, a table
# following it and the candidate (publication is the subject of the whole-run drills)
DECIDING = AssetSelection.assets(
    "innovation_change_log", "harmonized_innovations", "agency_completeness", "portal_candidate"
)


def submit(wh: Warehouse, tmp_path: Path, docs: list[dict], name: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(docs))
    assert submit_files([path], io.StringIO(), wh) == 0


def summary_doc(row, text: str) -> dict:
    """A new summary for the innovation of `row` (innovation_id, agency_id), by its agency."""
    return doc(
        innovation={"innovation_id": row["innovation_id"]},
        agency_id=row["agency_id"],
        changes={"summary": text},
    )


def ok(result):
    """A run that must succeed; if a gate failed, its failures are the message."""
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert result.success and not failed, [c.metadata["failures"].value for c in failed]
    return result


def meta(result, asset: str) -> dict:
    (event,) = result.asset_materializations_for_node(asset)
    return {k: v.value for k, v in event.metadata.items()}


def gate_checksum(result, check: str = "harmonized_innovations_gate") -> str:
    (evaluation,) = [c for c in result.get_asset_check_evaluations() if c.check_name == check]
    assert evaluation.passed
    return evaluation.metadata["checksum"].value


def tables(wh: Warehouse) -> dict[str, pd.DataFrame]:
    return {
        "harmonized_innovations": wh.read_sql(
            "SELECT * FROM harmonized_innovations ORDER BY innovation_id"
        ),
        "agency_completeness": wh.read_sql("SELECT * FROM agency_completeness ORDER BY agency_id"),
        "national_summary": wh.read_sql("SELECT * FROM national_summary ORDER BY dimension, value"),
        "field_provenance": wh.read_sql(
            "SELECT * FROM field_provenance ORDER BY innovation_id, field, origin, "
            "source_record_id, submission_id"
        ),
        "portal_candidate": wh.read_sql("SELECT * FROM portal_candidate ORDER BY innovation_id"),
        "portal_innovations": wh.read_sql(
            "SELECT * FROM portal_innovations ORDER BY innovation_id"
        ),
    }


def portal_files(out: Path) -> dict[str, bytes]:
    return {name: (out / "portal" / name).read_bytes() for name in FILES}


def recomputed_checksum(wh: Warehouse) -> str:
    """The checksum of the table as it now reads (not the one recorded)."""
    return content_checksum(wh.read_table("harmonized_innovations"))


def first_wave(h: pd.DataFrame, submitted_at: str | None = None) -> tuple[list[dict], dict]:
    """Every innovation of one agency (it has several), a stop elsewhere, a summary elsewhere;
    submitted on three days of August 2024, or all at `submitted_at`."""
    dated = (
        (lambda day: submitted_at)
        if submitted_at
        else (lambda day: f"2024-08-0{day}T09:00:00+07:00")
    )
    sizes = h.groupby("agency_id").size()
    whole = sizes[(sizes >= 3) & (sizes <= 6)].index[0]
    others = [a for a in sizes[sizes >= 2].index if a != whole]
    stop_agency, text_agency = others[0], others[1]
    docs = [
        doc(
            innovation={"innovation_id": iid},
            agency_id=whole,
            changes={
                "status": "berlanjut_tanpa_pengembangan",
                "summary": f"Ringkasan baru {iid}",
                "outcomes": "Antrean turun setengahnya.",
                "sdgs": [3, 16],
            },
            submitted_at=dated(1),
        )
        for iid in h.loc[h["agency_id"] == whole, "innovation_id"]
    ]
    stopped = h.loc[h["agency_id"] == stop_agency, "innovation_id"].iloc[0]
    docs.append(
        doc(
            innovation={"innovation_id": stopped},
            agency_id=stop_agency,
            changes={"status": STOPPED, "status_reason": "Anggaran dihentikan."},
            submitted_at=dated(2),
        )
    )
    texted = h.loc[h["agency_id"] == text_agency, "innovation_id"].iloc[0]
    docs.append(
        doc(
            innovation={"innovation_id": texted},
            agency_id=text_agency,
            changes={"summary": "Layanan kini daring penuh.", "replication_count": 4},
            submitted_at=dated(3),
        )
    )
    return docs, {
        "whole": whole,
        "stopped": stopped,
        "texted": texted,
        "agencies": {whole, stop_agency, text_agency},
    }


@pytest.fixture
def pipeline(storage, materialized):
    """The sample with everything materialized; later runs in the same Dagster instance, as in
    production (portal_candidate notes which similar_innovations materialization it was built with)."""
    sample = materialized(storage)
    return sample.wh, sample.out, sample.run


@pytest.mark.slow
def test_incremental_runs_give_what_a_full_rebuild_gives(pipeline, tmp_path):
    wh, out, run = pipeline
    h = wh.read_sql("SELECT innovation_id, agency_id FROM harmonized_innovations")
    docs, picked = first_wave(h)
    submit(wh, tmp_path, docs, "first")
    first = ok(run(selection=SUBMISSION_RUN, raise_on_error=False))
    m = meta(first, "harmonized_innovations")
    assert m["mode"] == "incremental", m["mode_reason"]
    assert m["rows_rewritten"] == len(docs)  # one submission per innovation in this wave
    assert m["dagster/row_count"] == len(h)
    c = meta(first, "agency_completeness")
    assert c["mode"] == "incremental" and c["agencies_recomputed"] == 3
    p = meta(first, "field_provenance")
    assert p["mode"] == "incremental" and p["innovations_redone"] == len(docs)
    counts = wh.read_sql("SELECT origin, COUNT(*) AS n FROM field_provenance GROUP BY origin")
    assert p["by_origin"] == dict(zip(counts["origin"], counts["n"].astype(int)))
    assert p["by_origin"]["submission"] > 0
    # the gate saw the changed rows (the report's trends leave such evaluations out)
    scope = wh.read_sql(
        'SELECT DISTINCT scope, "rows" FROM quality_history WHERE run_id = :r AND suite = :s',
        {"r": first.run_id, "s": "harmonized_innovations"},
    )
    assert scope.to_dict("records") == [{"scope": "changed", "rows": len(docs)}]
    candidate = meta(first, "portal_candidate")
    assert candidate["mode"] == "incremental", candidate["mode_reason"]
    assert len(docs) <= candidate["rows_rewritten"] < len(h)  # + those suggesting the stopped one

    # a second wave on the same innovations, one submitted earlier than what it follows: the
    # latest submitted_at still wins field by field
    again = doc(
        innovation={"innovation_id": picked["stopped"]},
        agency_id=h.set_index("innovation_id").loc[picked["stopped"], "agency_id"],
        changes={"status": "berlanjut_dengan_pengembangan", "outcomes": "Hidup lagi."},
        submitted_at="2024-07-01T09:00:00+07:00",
    )
    submit(wh, tmp_path, [again], "second")
    second = ok(run(selection=SUBMISSION_RUN, raise_on_error=False))
    assert meta(second, "harmonized_innovations")["rows_rewritten"] == 1
    row = wh.read_sql(
        "SELECT status, outcomes FROM harmonized_innovations WHERE innovation_id = :i",
        {"i": picked["stopped"]},
    ).iloc[0]
    assert row["status"] == STOPPED and row["outcomes"] == "Hidup lagi."
    whole = wh.read_sql(
        "SELECT summary FROM harmonized_innovations WHERE agency_id = :a", {"a": picked["whole"]}
    )
    assert whole["summary"].str.startswith("Ringkasan baru").all()

    # nothing pending: every step has nothing to redo and the published version stays
    idle = ok(run(selection=SUBMISSION_RUN, raise_on_error=False))
    assert meta(idle, "portal_candidate")["rows_rewritten"] == 0
    assert meta(idle, "portal_innovations")["unchanged"] is True

    incremental_checksum = gate_checksum(second)
    assert incremental_checksum == recomputed_checksum(wh)
    after_incremental = tables(wh)
    files_incremental = portal_files(out)
    manifest = json.loads((out / "portal" / "manifest.json").read_text())

    full = ok(run(selection=FULL_RUN, raise_on_error=False))
    assert meta(full, "harmonized_innovations")["mode"] == "full"
    assert meta(full, "agency_completeness")["mode"] == "full"
    assert meta(full, "field_provenance")["mode"] == "full"
    assert meta(full, "portal_candidate")["mode"] == "full"
    assert gate_checksum(full) == incremental_checksum
    assert set(
        wh.read_sql(
            "SELECT DISTINCT scope FROM quality_history WHERE run_id = :r", {"r": full.run_id}
        )["scope"]
    ) == {"table"}
    for name, frame in tables(wh).items():
        pd.testing.assert_frame_equal(frame, after_incremental[name], obj=name)
    assert portal_files(out) == files_incremental
    assert meta(full, "portal_innovations")["unchanged"] is True
    assert meta(full, "portal_innovations")["checksum"] == manifest["checksum"]


@pytest.mark.slow
def test_anything_the_state_cannot_vouch_for_rebuilds_in_full(pipeline, tmp_path):
    wh, out, run = pipeline
    h = wh.read_sql("SELECT innovation_id, agency_id FROM harmonized_innovations")
    one = h.iloc[0]

    def one_submission(name: str, text: str):
        submit(wh, tmp_path, [summary_doc(one, text)], name)
        return ok(run(selection=DECIDING, raise_on_error=False))

    # materialized alone (UI, backfill): not a submission run
    alone = run(selection=[AssetKey("harmonized_innovations")])
    assert meta(alone, "harmonized_innovations")["mode_reason"] == "not a submission run"
    assert meta(one_submission("a", "satu"), "harmonized_innovations")["mode"] == "incremental"

    # an unknown watermark: the state is gone
    wh.execute("DELETE FROM incremental_state WHERE table_name = 'harmonized_innovations'")
    result = one_submission("b", "dua")
    assert meta(result, "harmonized_innovations")["mode"] == "full"
    assert meta(result, "agency_completeness")["mode"] == "full"  # another generation upstream

    # a full refresh in between (merged_innovations rebuilt)
    assert run(selection=[AssetKey("merged_innovations")]).success
    result = one_submission("c", "tiga")
    assert meta(result, "harmonized_innovations")["mode_reason"].startswith(
        "merged_innovations was rebuilt"
    )
    assert meta(one_submission("d", "empat"), "harmonized_innovations")["mode"] == "incremental"
    # suggestions recomputed in between (the daily refresh's step, or by hand)
    assert run(selection=[AssetKey("similar_innovations")]).success
    candidate = meta(one_submission("e", "lima"), "portal_candidate")
    assert candidate["mode_reason"].startswith("similar token was")
    assert gate_checksum(result) != recomputed_checksum(wh)  # later runs changed it again
    assert (
        wh.read_sql(
            "SELECT summary FROM harmonized_innovations WHERE innovation_id = :i",
            {"i": one["innovation_id"]},
        ).iloc[0, 0]
        == "lima"
    )


@pytest.mark.slow
def test_a_failed_gate_in_an_incremental_run_publishes_nothing_and_the_next_run_goes_full(
    pipeline, tmp_path
):
    wh, out, run = pipeline
    before_files = portal_files(out)
    before_table = wh.read_sql("SELECT * FROM portal_innovations ORDER BY innovation_id")
    h = wh.read_sql("SELECT innovation_id, agency_id FROM harmonized_innovations")
    one = h.iloc[5]
    # what the sources say about it is broken (outside any asset): only the rewritten row shows it
    wh.execute(
        "UPDATE merged_innovations SET year_first = 1800 WHERE innovation_id = :i",
        {"i": one["innovation_id"]},
    )
    submit(wh, tmp_path, [summary_doc(one, "baru")], "bad")
    result = run(selection=SUBMISSION_RUN, raise_on_error=False)
    assert not result.success
    m = meta(result, "harmonized_innovations")
    assert m["mode"] == "incremental" and m["rows_rewritten"] == 1
    (gate,) = [
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "harmonized_innovations_gate"
    ]
    assert not gate.passed and "year_first" in gate.metadata["failures"].value
    done = {e.step_key for e in result.get_step_success_events()}
    assert "portal_candidate" not in done and "portal_innovations" not in done
    assert portal_files(out) == before_files
    pd.testing.assert_frame_equal(
        wh.read_sql("SELECT * FROM portal_innovations ORDER BY innovation_id"), before_table
    )
    # the failed content is never the base of an incremental run
    wh.execute(
        "UPDATE merged_innovations SET year_first = 2019 WHERE innovation_id = :i",
        {"i": one["innovation_id"]},
    )
    submit(
        wh,
        tmp_path,
        [
            doc(
                innovation={"innovation_id": h.iloc[6]["innovation_id"]},
                agency_id=h.iloc[6]["agency_id"],
                changes={"summary": "lagi"},
            )
        ],
        "next",
    )
    result = run(selection=SUBMISSION_RUN)
    assert result.success
    assert meta(result, "harmonized_innovations")["mode_reason"] == (
        "the table's last content has no passing gate result"
    )
    assert meta(result, "portal_innovations")["unchanged"] is False
