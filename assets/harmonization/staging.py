from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.harmonize.pipeline import build_staged
from jippnas_orchestration.review.decide import read_decisions
from jippnas_orchestration.vocab import PROGRAMMES
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="harmonization",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["raw_kipp", "raw_iga", "raw_inolan", "agencies"],
    description="Every usable source record in one vocabulary (categories, SDGs 1-17, awards, stages, "
    "dates) and resolved to one canonical agency (people's decisions in review_decisions first); "
    "unresolved agencies go to rejected_source_rows with reason 'unresolved agency' and, one "
    "question per written name, to agency_review_candidates.",
)
def staged_source_records(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    staged, rejected, rates, questions = build_staged(
        wh.read_table("raw_kipp"),
        wh.read_table("raw_iga"),
        wh.read_table("raw_inolan"),
        read_decisions(wh),
    )
    with wh.begin() as conn:
        wh.replace_table("staged_source_records", staged, conn=conn)
        wh.replace_table("agency_review_candidates", questions, conn=conn)
        for source in PROGRAMMES:
            wh.replace_rows(
                "rejected_source_rows",
                rejected[rejected["source"] == source],
                {"source": source, "stage": "resolve"},
                conn=conn,
            )
    methods = staged["agency_method"].value_counts().to_dict()
    overridden = int(staged["agency_note"].fillna("").str.startswith("name decided").sum())
    context.log.info(f"resolution rates {rates}; {len(rejected)} unresolved")
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(staged),
            **{f"resolution_rate_{k.lower()}": v for k, v in rates.items()},
            "unresolved_agencies": len(rejected),
            "agency_names_for_review": len(questions),
            "code_overridden_by_name": overridden,
            "resolution_methods": MetadataValue.json({k: int(v) for k, v in methods.items()}),
            "unresolved_examples": MetadataValue.md(
                rejected[["source", "source_record_id", "detail"]].head(15).to_markdown(index=False)
                or "none"
            ),
        }
    )
