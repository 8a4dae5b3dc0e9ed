"""The data-quality report for ministry staff: HTML page, its PDF and the follow-up workbook."""

from __future__ import annotations

from pathlib import Path

from ..fileio import write_text_replacing
from ..warehouse import Warehouse
from .data import ReportData, gather, to_json
from .html import render
from .pdf import PDF_NAME, write_pdf
from .workbook import write_workbook


def build_page(
    wh: Warehouse,
    output_dir: Path,
    public_base_url: str | None = None,
    sources: list[dict] | None = None,
) -> tuple[Path, ReportData]:
    """reports/index.html alone, and the data it shows (`build_report`'s arguments)."""
    out = output_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    data = gather(wh, output_dir)
    data.sources = sources or []
    page = out / "index.html"
    write_text_replacing(page, render(data, public_base_url))
    return page, data


def build_report(
    wh: Warehouse,
    output_dir: Path,
    public_base_url: str | None = None,
    sources: list[dict] | None = None,
) -> tuple[Path, ReportData]:
    """The whole report: the page, its PDF, the follow-up workbook and summary.json.

    `public_base_url`: where output_dir is served over HTTP (JIPPNAS_PUBLIC_BASE_URL), for the
    page's links. `sources`: reports.sources.source_status, so a stale source is said."""
    page, data = build_page(wh, output_dir, public_base_url, sources)
    out = page.parent
    write_workbook(data, out / "tindak-lanjut.xlsx")
    write_pdf(page.read_text(encoding="utf-8"), out / PDF_NAME)
    (out / "summary.json").write_text(to_json(data), encoding="utf-8")
    return page, data
