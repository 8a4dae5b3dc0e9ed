"""Which asset writes which warehouse table: exactly one per table, or one per slice of a shared log.

A table named like an asset is written by that asset alone; the others are listed here. The test
tests/test_single_writer.py holds this declaration against the SQL a real run executes.
"""

from __future__ import annotations

# tables an asset writes besides the one named after it
ALSO_WRITTEN = {
    "innovation_source_map_retired": "innovation_source_map",
    "pair_review_candidates": "innovation_source_map",
    "agency_review_candidates": "staged_source_records",
    "portal_candidate_lineage": "portal_candidate",
    # exact per-agency totals the outputs are derived from (jippnas_orchestration.metrics.agency_totals)
    "national_summary_totals": "national_summary",
    "campaign_history_totals": "campaign_history",
    "portal_innovations_previous": "portal_innovations",
    # replication (jippnas_orchestration.replication): per-innovation counts, each innovation's
    # affair and what counts for coverage, the candidates' intrinsic points
    "innovation_replication_counts": "innovation_replications",
    "innovation_affairs": "affair_coverage",
    "affair_coverage_links": "affair_coverage",
    "replication_candidates": "replication_opportunities",
    "portal_publications": "portal_innovations",
    # received submissions: inserted outside Dagster (portal, `jippnas submit`); decided by this asset alone
    "innovation_submissions": "innovation_change_log",
}

# shared tables: one writer per slice, the slice named by the values of these columns
SLICED = {
    "rejected_source_rows": (
        ("source", "stage"),
        {
            ("KIPP", "ingest"): "raw_kipp",
            ("IGA", "ingest"): "raw_iga",
            ("INOLAN", "ingest"): "raw_inolan",
            ("KIPP", "resolve"): "staged_source_records",
            ("IGA", "resolve"): "staged_source_records",
            ("INOLAN", "resolve"): "staged_source_records",
        },
    ),
    "quality_history": (
        ("suite",),
        {
            ("harmonized_innovations",): "harmonized_innovations",
            ("portal_candidate",): "portal_candidate",
        },
    ),
}

# shared tables whose slice is named after the asset that writes it, in this column: the incremental
# mechanism's state and part digests (jippnas_orchestration.incremental), one row or part set per table
SELF_SLICED = {"incremental_state": "table_name", "part_digests": "table_name"}

# written by people or other systems, outside Dagster
EXTERNAL = {
    "innovation_relinks": "people re-linking a source record to another innovation",
    "review_decisions": "people deciding open reviews with `jippnas review`",
}


def writers(table: str, asset_names: set[str]) -> set[str]:
    """Every asset declared to write `table` (any slice)."""
    if table in SLICED:
        return set(SLICED[table][1].values())
    if table in SELF_SLICED:
        return set(asset_names)
    if table in ALSO_WRITTEN:
        return {ALSO_WRITTEN[table]}
    return {table} if table in asset_names else set()
