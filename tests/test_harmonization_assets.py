"""The harmonization assets in real Dagster runs against PostgreSQL."""

import pandas as pd

from jippnas_orchestration.warehouse import Warehouse

from .helpers import run_pipeline

HARMONIZATION = [
    "raw_kipp",
    "raw_iga",
    "raw_inolan",
    "agencies",
    "staged_source_records",
    "innovation_source_map",
    "merged_innovations",
    "innovation_change_log",
    "harmonized_innovations",
]


def test_rerunning_leaves_the_crosswalk_unchanged(pg_url, sample_dir):
    from dagster import AssetKey

    sel = [AssetKey(k) for k in HARMONIZATION]
    first = run_pipeline(pg_url, sample_dir, selection=sel)
    wh = Warehouse(pg_url)
    map1 = wh.read_sql(
        "SELECT source, source_record_id, innovation_id FROM innovation_source_map ORDER BY 1, 2"
    )
    run_pipeline(pg_url, sample_dir, selection=sel)
    map2 = wh.read_sql(
        "SELECT source, source_record_id, innovation_id FROM innovation_source_map ORDER BY 1, 2"
    )
    assert map1.equals(map2) and len(map1) > 5000
    assert set(wh.read_table("innovation_source_map")["assignment"]) == {"kept"}
    checks = first.get_asset_check_evaluations()
    quality = [c for c in checks if c.check_name == "entity_resolution_quality"][0]
    assert quality.passed and quality.metadata["precision"].value >= 0.99
    h = wh.read_table("harmonized_innovations")
    assert h["sources"].str.contains("KIPP").sum() == 973
    agencies = set(wh.read_table("agencies")["agency_id"])
    assert set(h["agency_id"]) <= agencies
    resolve_rejects = wh.read_sql("SELECT * FROM rejected_source_rows WHERE stage = 'resolve'")
    truth = pd.read_csv(sample_dir / "ground_truth.csv", dtype=str, keep_default_na=False)
    expected = truth[truth["expected"] == "unresolved agency"]
    assert set(resolve_rejects["reason"]) == {"unresolved agency"}
    assert sorted(resolve_rejects["source_record_id"]) == sorted(expected["source_record_id"])
