from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    multi_asset_check,
)

from jippnas_orchestration import settings
from jippnas_orchestration.harmonize.quality import evaluate, load_truth
from resources import SourcesResource, WarehouseResource

ENTITY_RESOLUTION_QUALITY = "entity_resolution_quality"
MIN_PRECISION, MIN_RECALL, MIN_AGENCY_ACCURACY = 0.99, 0.97, 0.99


def ground_truth_for(kipp_source: str) -> Path | None:
    """The generator writes ground_truth.csv beside the kipp/ folder; real exports have none."""
    explicit = settings.ground_truth_path()
    if explicit:
        return explicit
    src = Path(kipp_source)
    candidate = (src.parent if src.is_dir() else src.parent.parent) / "ground_truth.csv"
    return candidate if candidate.exists() else None


# can_subset: the result is optional, so a run that yields none leaves the check "skipped" in the UI
# (planned, never evaluated), not green: a pass without ground truth claims what nobody measured.
@multi_asset_check(
    specs=[
        AssetCheckSpec(
            ENTITY_RESOLUTION_QUALITY,
            asset="innovation_source_map",
            description="Pairwise precision/recall of the innovation clusters and regional agency "
            "accuracy against the generator's ground truth; skipped (not evaluated) when "
            "the sources carry none.",
        )
    ],
    can_subset=True,
    name=ENTITY_RESOLUTION_QUALITY,
)
def entity_resolution_quality(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
):
    truth_path = ground_truth_for(sources.kipp_source())
    if truth_path is None:
        context.log.info(
            f"{ENTITY_RESOLUTION_QUALITY}: not evaluated, these sources carry no ground truth "
            "(ground_truth.csv beside the KIPP source, or JIPPNAS_GROUND_TRUTH)"
        )
        return
    wh = warehouse.get()
    scores = evaluate(
        wh.read_table("innovation_source_map"),
        wh.read_table("staged_source_records", ["source", "source_record_id", "agency_id"]),
        load_truth(truth_path),
        wh.read_sql(
            "SELECT source, source_record_id FROM rejected_source_rows WHERE stage = 'resolve'"
        ),
    )
    passed = (
        scores["precision"] >= MIN_PRECISION
        and scores["recall"] >= MIN_RECALL
        and scores["regional_agency_accuracy"] >= MIN_AGENCY_ACCURACY
    )
    yield AssetCheckResult(
        check_name=ENTITY_RESOLUTION_QUALITY,
        asset_key="innovation_source_map",
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        metadata={**scores, "ground_truth": str(truth_path)},
    )
