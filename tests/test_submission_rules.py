"""Every validation rule of a submission document."""

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from jippnas_orchestration.submissions.model import Submission, describe_errors, shape_problem

from .submission_fixtures import doc


def errors(d) -> str:
    with pytest.raises(ValidationError) as exc:
        Submission.model_validate(d)
    return describe_errors(exc.value)


def test_a_well_formed_document_validates():
    sub = Submission.model_validate(doc(innovation={"source": "kipp", "source_record_id": 609805}))
    assert sub.innovation.source == "KIPP" and sub.innovation.source_record_id == "609805"
    assert sub.changes.model_dump(exclude_unset=True).keys() == {
        "status",
        "outcomes",
        "contact_email",
    }


@pytest.mark.parametrize(
    "changes,where",
    [
        ({"status": "aktif"}, "changes.status"),
        ({"summary": "x" * 20_001}, "changes.summary"),
        ({"video_url": "javascript:alert(1)"}, "changes.video_url"),
        ({"video_url": "ftp://example.org/v.mp4"}, "changes.video_url"),
        ({"sdgs": [0, 3]}, "changes.sdgs.0"),
        ({"sdgs": [18]}, "changes.sdgs.0"),
        ({"sdgs": ["3"]}, "changes.sdgs.0"),
        ({"replication_count": -1}, "changes.replication_count"),
        ({"replication_count": True}, "changes.replication_count"),
        ({"replicated_by": "32.73"}, "changes.replicated_by"),
        ({"contact_email": "bukan email"}, "changes.contact_email"),
        ({"unknown_field": 1}, "changes.unknown_field"),
        ({}, "changes"),
    ],
)
def test_bad_changes_are_named(changes, where):
    assert errors(doc(changes=changes)).startswith(where)


def test_unknown_top_level_keys_are_ignored_but_unknown_changes_are_not():
    d = doc(innovation={"innovation_id": "JIP-1", "title": "for people"})
    d["channel"] = "portal"
    assert Submission.model_validate(d).innovation.innovation_id == "JIP-1"
    assert errors(doc(changes={"statuss": "berhenti"})).startswith("changes.statuss")


def test_submitted_at_not_in_the_future_and_innovation_reference_forms():
    future = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    assert "submitted_at: is in the future" in errors(doc(submitted_at=future))
    assert "submitted_at" in errors(doc(submitted_at="kemarin"))
    assert "give either innovation_id" in errors(doc(innovation={}))
    assert "give either innovation_id" in errors(
        doc(innovation={"innovation_id": "X", "source": "KIPP", "source_record_id": "1"})
    )
    assert "needs both" in errors(doc(innovation={"source": "KIPP"}))
    assert "innovation.source" in errors(
        doc(innovation={"source": "SINOVIK", "source_record_id": "1"})
    )
    assert "submission_id" in errors(doc(sid="<script>"))


def test_shape_check_made_at_intake():
    assert shape_problem([1]) == "document is not a JSON object"
    d = doc()
    del d["changes"]
    assert shape_problem(d) == "missing 'changes'"
    assert shape_problem(doc(innovation="JIP-1")) == "'innovation' must be a JSON object"
    assert shape_problem(doc()) is None
