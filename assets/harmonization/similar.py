import time

from dagster import MaterializeResult, MetadataValue, asset

from jippnas_orchestration.similar import build_similar
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["harmonized_innovations"],
    description="Innovations worth replicating: for each innovation, up to five active innovations of "
    "other agencies ranked by TF-IDF similarity of title and summary (Indonesian synonyms "
    "folded, affixes stripped), the government affairs they speak of and the category, "
    "with the reason (shared words, same category). Measured by benchmarks/bench_similar.py.",
)
def similar_innovations(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    started = time.perf_counter()
    df = build_similar(
        wh.read_table(
            "harmonized_innovations",
            ["innovation_id", "agency_id", "title", "summary", "category", "status"],
        )
    )
    seconds = time.perf_counter() - started
    wh.replace_table("similar_innovations", df, primary_key=["innovation_id", "rank"])
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            "innovations_with_suggestions": int(df["innovation_id"].nunique()),
            "seconds": round(seconds, 2),
            "preview": MetadataValue.md(
                df.head(10).to_markdown(index=False) if len(df) else "none"
            ),
        }
    )
