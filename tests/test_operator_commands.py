"""`jippnas status` and `jippnas explain` as an operator types them (issue 22, item 7)."""

import pandas as pd
import pytest

from jippnas_orchestration.cli import main as jippnas
from jippnas_orchestration.submissions.apply import apply_pending
from jippnas_orchestration.submissions.intake import store_document

from .submission_fixtures import doc, harmonized, seed_warehouse


@pytest.fixture
def operated(sqlite_url, monkeypatch):
    """The three-innovation warehouse with 2 accepted, 1 rejected and 1 pending submission."""
    monkeypatch.setenv("JIPPNAS_WAREHOUSE_URL", sqlite_url)
    wh = seed_warehouse(sqlite_url)
    assert store_document(wh, doc(), "t").status == "stored"
    ref = {"source": "KIPP", "source_record_id": "012345"}
    assert store_document(wh, doc(innovation=ref, agency_id="32.73"), "t").status == "stored"
    assert store_document(wh, doc(agency_id="99.99"), "t").status == "stored"  # not the owner
    report = apply_pending(wh, run_id="r1")
    assert (report.accepted, report.rejected) == (2, 1)
    assert store_document(wh, doc(), "t").status == "stored"  # arrives after the run
    wh.replace_table("harmonized_innovations", harmonized(wh).reset_index())
    source_map = wh.read_table("innovation_source_map")  # with its match evidence, as resolved
    wh.replace_table("innovation_source_map", source_map.assign(match_rule="seed", match_score=1.0))
    wh.replace_table(
        "rejected_source_rows",
        pd.DataFrame(
            [("KIPP", "777777", "ingest", "a.xlsx, sheet 'Top Inovasi', row 9: title is empty")],
            columns=["source", "source_record_id", "stage", "reason"],
        ),
    )
    return wh


def test_status_counts_submissions_by_state(operated, capsys):
    assert jippnas(["status"]) == 0
    out = capsys.readouterr().out
    assert "submissions: 4 received; 1 pending, 2 accepted, 1 rejected" in out


@pytest.mark.parametrize("reference", ["KIPP:609805", "kipp:609805", " KIPP:609805 ", "609805"])
def test_explain_accepts_a_source_reference_as_submissions_do(operated, capsys, reference):
    assert jippnas(["explain", reference]) == 0
    out = capsys.readouterr().out
    assert out.startswith("KIPP:609805 is a source record of JIP-000000000A\n")
    assert "JIP-000000000A: Inovasi JIP-000000000A" in out
    assert "Submissions (2):" in out and "accepted" in out and "rejected" in out


def test_explain_by_innovation_id_still_works(operated, capsys):
    assert jippnas(["explain", "JIP-000000000C"]) == 0
    assert capsys.readouterr().out.startswith("JIP-000000000C: Inovasi JIP-000000000C")


def test_explain_says_which_id_forms_work_when_nothing_matches(operated, capsys):
    assert jippnas(["explain", "JIP-TIDAKADA"]) == 1
    err = capsys.readouterr().err
    assert "no innovation 'JIP-TIDAKADA'" in err
    assert "SOURCE:ID" in err and "KIPP, IGA, INOLAN" in err and "KIPP:609805" in err
    assert jippnas(["explain", "IGA:IND0000000000"]) == 1
    err = capsys.readouterr().err
    assert "no IGA record 'IND0000000000'" in err and "SOURCE:ID" in err
    # a source record that was quarantined belongs to no innovation: say why
    assert jippnas(["explain", "KIPP:777777"]) == 1
    err = capsys.readouterr().err
    assert "KIPP:777777 was quarantined at ingest: a.xlsx, sheet 'Top Inovasi', row 9" in err
