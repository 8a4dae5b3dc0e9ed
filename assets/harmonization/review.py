import pandas as pd
from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.review.decide import read_decisions
from jippnas_orchestration.review.model import CANDIDATE_COLUMNS
from jippnas_orchestration.review.queue import build_queue
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["staged_source_records", "innovation_source_map"],
    description="The review queue: agency names the resolver could not place and record pairs the matcher "
    "could not decide, with candidates, scores and evidence; decided items stay as the record "
    "of the decision. Decide with `jippnas review list|accept|reject|assign`.",
)
def match_review(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    frames = [
        wh.read_table(t)
        for t in ("agency_review_candidates", "pair_review_candidates")
        if wh.has_table(t)
    ]
    candidates = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame(columns=CANDIDATE_COLUMNS)
    )
    previous = wh.read_table("match_review") if wh.has_table("match_review") else None
    queue = build_queue(candidates, read_decisions(wh), previous)
    wh.replace_table("match_review", queue, primary_key=["review_id"])
    open_ = queue[queue["status"] == "open"]
    staged = wh.count("staged_source_records") if wh.has_table("staged_source_records") else 0
    records_open = int(open_["record_count"].sum())
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(queue),
            "open_agency_reviews": int((open_["kind"] == "agency").sum()),
            "open_pair_reviews": int((open_["kind"] == "pair").sum()),
            "decided_reviews": int((queue["status"] == "decided").sum()),
            "records_in_open_reviews": records_open,
            "share_of_records_in_review": round(records_open / max(staged + records_open, 1), 4),
            "open_reviews": MetadataValue.md(
                open_[["review_id", "kind", "record_count", "description", "evidence"]]
                .head(25)
                .to_markdown(index=False)
                if len(open_)
                else "none"
            ),
        }
    )
