from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.links import DATA_DOCS_PAGE, REPORT_PAGE
from jippnas_orchestration.reports import build_report
from jippnas_orchestration.reports.pdf import PDF_NAME
from jippnas_orchestration.reports.sources import source_status
from resources import OutputResource, WarehouseResource


@asset(
    group_name="reports",
    kinds={"pandas", "html", "excel"},
    deps=[
        "agency_completeness",
        "national_summary",
        "portal_innovations",
        "match_review",
        "harmonized_innovations",
        "innovation_source_map",
        "raw_kipp",
        "raw_iga",
        "raw_inolan",
        "staged_source_records",
        "innovation_change_log",
        "campaign_history",
        "similar_innovations",
        "innovation_replications",
        "affair_coverage",
        "replication_opportunities",
        "agencies",
    ],
    description="Laporan mutu data for ministry staff: $JIPPNAS_OUTPUT_DIR/reports/index.html (Bahasa "
    "Indonesia, times in WIB, offline), the same printed to A4 (laporan-mutu-data.pdf) and "
    "tindak-lanjut.xlsx. Also rebuilt after a run whose "
    "gate failed (report_after_failure_sensor), so a failure is reported, never hidden; says "
    "which source is stale when its latest read failed.",
)
def data_quality_report(
    context: AssetExecutionContext, warehouse: WarehouseResource, output: OutputResource
) -> MaterializeResult:
    wh = warehouse.get()
    page, data = build_report(
        wh, output.path(), output.base_url(), source_status(context.instance, wh)
    )
    hl = data.headline()
    gates = {k: (v or {}).get("success") for k, v in data.gates.items()}
    return MaterializeResult(
        metadata={
            # over HTTP when $JIPPNAS_PUBLIC_BASE_URL says where the output folder is served, else file://
            "report": MetadataValue.url(output.url(REPORT_PAGE)),
            "data_docs": MetadataValue.url(output.url(DATA_DOCS_PAGE)),
            "report_path": MetadataValue.path(str(page)),
            "workbook": MetadataValue.path(str(page.parent / "tindak-lanjut.xlsx")),
            "pdf": MetadataValue.path(str(page.parent / PDF_NAME))
            if (page.parent / PDF_NAME).exists()
            else "not written (WeasyPrint unavailable: see the run log)",
            "headline": f"{hl['innovations']} inovasi; {hl['updated']} sudah dimutakhirkan; {hl['pending']} dari "
            f"{hl['agencies_with_pending']} instansi belum",
            "gates_passed": MetadataValue.json(gates),
            "portal_version": (data.manifest or {}).get("version") or "none",
            "stale_sources": MetadataValue.json([s for s in data.sources if s.get("stale")]),
        }
    )
