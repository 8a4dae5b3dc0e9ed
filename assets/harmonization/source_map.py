import pandas as pd
from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.pipeline import build_source_map
from resources import WarehouseResource

MAP_COLUMNS = ["source", "source_record_id", "innovation_id"]


@asset(group_name="harmonization", kinds={"python", "sql"}, deps=["staged_source_records"],
       description="Crosswalk source record -> innovation_id. Records are clustered within their agency; ids "
                   "are stable: a record keeps its innovation across runs unless a person re-links it "
                   "(table innovation_relinks).")
def innovation_source_map(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    staged = wh.read_table("staged_source_records", ["source", "source_record_id", "agency_id", "title"])
    previous = wh.read_table("innovation_source_map", MAP_COLUMNS) if wh.has_table("innovation_source_map") \
        else None
    relinks = wh.read_table("innovation_relinks", MAP_COLUMNS) if wh.has_table("innovation_relinks") else None
    if previous is None:
        previous = pd.DataFrame(columns=MAP_COLUMNS)
    mapped, stats = build_source_map(staged, previous, relinks)
    wh.replace_table("innovation_source_map", mapped, primary_key=["source", "source_record_id"])
    assignment = mapped["assignment"].value_counts().to_dict()
    innovations = mapped["innovation_id"].nunique()
    return MaterializeResult(metadata={
        "dagster/row_count": len(mapped),
        "innovations": innovations,
        "records_merged_into_another": len(mapped) - innovations,
        "candidate_pairs_compared": stats["candidate_pairs"],
        "assignment": MetadataValue.json({k: int(v) for k, v in assignment.items()}),
    })
