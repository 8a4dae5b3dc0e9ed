from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, asset_check

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


@asset_check(asset="innovation_source_map", name=ENTITY_RESOLUTION_QUALITY,
             description="Pairwise precision/recall of the innovation clusters and regional agency accuracy "
                         "against the generator's ground truth, when the sources carry one.")
def entity_resolution_quality(warehouse: WarehouseResource, sources: SourcesResource) -> AssetCheckResult:
    truth_path = ground_truth_for(sources.kipp_source())
    if truth_path is None:
        return AssetCheckResult(passed=True, metadata={"ground_truth": "none for these sources"})
    wh = warehouse.get()
    scores = evaluate(wh.read_table("innovation_source_map"),
                      wh.read_table("staged_source_records", ["source", "source_record_id", "agency_id"]),
                      load_truth(truth_path),
                      wh.read_sql("SELECT source, source_record_id FROM rejected_source_rows WHERE stage = 'resolve'"))
    passed = (scores["precision"] >= MIN_PRECISION and scores["recall"] >= MIN_RECALL
              and scores["regional_agency_accuracy"] >= MIN_AGENCY_ACCURACY)
    return AssetCheckResult(passed=passed, severity=AssetCheckSeverity.WARN,
                            metadata={**scores, "ground_truth": str(truth_path)})
