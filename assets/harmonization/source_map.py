import pandas as pd
from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.pipeline import build_source_map
from jippnas_orchestration.review.decide import read_decisions
from resources import WAREHOUSE_POOL, WarehouseResource

MAP_COLUMNS = ["source", "source_record_id", "innovation_id"]


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["staged_source_records"],
    description="Crosswalk source record -> innovation_id. Records are clustered within their agency; ids "
    "are stable: a record keeps its innovation across runs unless a person re-links it "
    "(table innovation_relinks), even if it is missing from a source for a while "
    "(innovation_source_map_retired remembers it). Each record carries match_rule and match_score: "
    "why it joined its innovation. People's pair decisions (review_decisions) are honoured; pairs "
    "the matcher cannot decide go to pair_review_candidates.",
)
def innovation_source_map(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    staged = wh.read_table(
        "staged_source_records", ["source", "source_record_id", "agency_id", "title"]
    )
    known = [
        wh.read_table(t, MAP_COLUMNS)
        for t in ("innovation_source_map", "innovation_source_map_retired")
        if wh.has_table(t)
    ]
    previous = (
        pd.concat(known, ignore_index=True).drop_duplicates(["source", "source_record_id"])
        if known
        else pd.DataFrame(columns=MAP_COLUMNS)
    )
    relinks = (
        wh.read_table("innovation_relinks", MAP_COLUMNS)
        if wh.has_table("innovation_relinks")
        else None
    )
    mapped, stats, questions = build_source_map(staged, previous, relinks, read_decisions(wh))
    present = set(zip(mapped["source"], mapped["source_record_id"]))
    gone = pd.Series(
        [k not in present for k in zip(previous["source"], previous["source_record_id"])],
        index=previous.index,
        dtype=bool,
    )
    retired = previous.loc[gone, MAP_COLUMNS]
    with wh.begin() as conn:
        wh.replace_table(
            "innovation_source_map", mapped, primary_key=["source", "source_record_id"], conn=conn
        )
        wh.replace_table("innovation_source_map_retired", retired.reset_index(drop=True), conn=conn)
        wh.replace_table("pair_review_candidates", questions, conn=conn)
    assignment = mapped["assignment"].value_counts().to_dict()
    innovations = mapped["innovation_id"].nunique()
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(mapped),
            "innovations": innovations,
            "records_merged_into_another": len(mapped) - innovations,
            "candidate_pairs_compared": stats["candidate_pairs"],
            "retired_records_remembered": len(retired),
            "assignment": MetadataValue.json({k: int(v) for k, v in assignment.items()}),
            "match_rules": MetadataValue.json(
                {k: int(v) for k, v in mapped["match_rule"].value_counts().items()}
            ),
            "record_pairs_for_review": len(questions),
        }
    )
