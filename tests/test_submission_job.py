"""What a submission run rebuilds, and how the portal treats suggestions between daily refreshes."""

import pandas as pd

from jippnas_orchestration.definitions import defs
from jippnas_orchestration.publication.public import DERIVED, PUBLIC_COLUMNS, portal_frame
from jippnas_orchestration.vocab import STOPPED


def test_submission_runs_rebuild_what_an_update_changes_but_leave_suggestions_to_the_daily_refresh():
    selected = {
        k.to_user_string()
        for k in defs.resolve_job_def("submission_job").asset_layer.selected_asset_keys
    }
    assert "similar_innovations" not in selected
    assert {
        "innovation_change_log",
        "harmonized_innovations",
        "field_provenance",
        "agency_completeness",
        "campaign_history",
        "portal_candidate",
        "portal_innovations",
        "data_quality_report",
    } <= selected
    everything = {
        k.to_user_string()
        for k in defs.resolve_job_def("refresh_all_job").asset_layer.selected_asset_keys
    }
    assert "similar_innovations" in everything


def test_portal_leaves_out_suggested_innovations_that_stopped_since_suggestions_were_made():
    harmonized = pd.DataFrame(
        {
            "innovation_id": ["INV-A", "INV-B", "INV-C", "INV-D"],
            "status": [None, STOPPED, "berlanjut_dengan_pengembangan", None],
        }
    )
    similar = pd.DataFrame(
        {
            "innovation_id": ["INV-A", "INV-A", "INV-A", "INV-C"],
            "similar_innovation_id": ["INV-B", "INV-C", "INV-GONE", "INV-B"],
            "rank": [1, 2, 3, 1],
            "score": [0.9, 0.8, 0.7, 0.6],
            "reason": ["x", "y", "z", "w"],
        }
    )
    public = [c for c in PUBLIC_COLUMNS if c not in DERIVED]
    out = portal_frame(harmonized.reindex(columns=public), similar)
    by_id = dict(zip(out["innovation_id"], out["similar"]))
    assert by_id["INV-A"] == "INV-C"  # stopped and vanished targets gone, order kept
    assert by_id["INV-C"] is None  # its only suggestion stopped
    assert by_id["INV-B"] is None and by_id["INV-D"] is None
