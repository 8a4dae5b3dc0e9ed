"""Harmonize the scaled set already ingested into PostgreSQL (run bench_ingest.py first).

usage: python benchmarks/bench_harmonize.py POSTGRES_URL
"""

import sys
from datetime import date

import pandas as pd

from benchmarks.common import save, scaled_data, timed
from jippnas_orchestration.agencies.registry import agencies_frame
from jippnas_orchestration.harmonize.pipeline import (
    build_harmonized,
    build_source_map,
    build_staged,
)
from jippnas_orchestration.harmonize.quality import evaluate, load_truth
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.warehouse import Warehouse


def main(url: str) -> None:
    wh = Warehouse(url)
    ensure_schema(wh.engine)
    t: dict = {}
    with timed(t, "total_s"):
        with timed(t, "agencies_s"):
            agencies = agencies_frame()
            wh.replace_table("agencies", agencies, primary_key=["agency_id"])
        with timed(t, "staging_s"):
            staged, rejected, rates, _ = build_staged(
                wh.read_table("raw_kipp"), wh.read_table("raw_iga"), wh.read_table("raw_inolan")
            )
            wh.replace_table("staged_source_records", staged)
        with timed(t, "matching_and_ids_s"):
            mapped, stats, _ = build_source_map(
                staged, pd.DataFrame(columns=["source", "source_record_id", "innovation_id"])
            )
            wh.replace_table(
                "innovation_source_map", mapped, primary_key=["source", "source_record_id"]
            )
        with timed(t, "merge_s"):
            h = build_harmonized(
                staged, mapped, agencies, wh.read_table("innovation_change_log"), date(2023, 1, 1)
            )
            wh.replace_table("harmonized_innovations", h, primary_key=["innovation_id"])
    t.update(
        source_records=len(staged) + len(rejected),
        innovations=len(h),
        candidate_pairs=stats["candidate_pairs"],
        resolution_rates=rates,
    )
    t["quality"] = evaluate(
        mapped, staged, load_truth(scaled_data() / "ground_truth.csv"), rejected
    )
    save("harmonize", t)


if __name__ == "__main__":
    main(sys.argv[1])
