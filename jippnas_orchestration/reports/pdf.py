"""laporan-mutu-data.pdf: the report's page printed to A4 by WeasyPrint, from the same HTML.

WeasyPrint lays the page out with its print stylesheet (@media print in report.css): the
executive summary on page 1, then the detail. It needs Pango at run time (a system library); where
it cannot be imported, the report is still written as HTML and workbook, and a warning says why
the PDF is missing (a stale PDF from an earlier build is removed rather than left to mislead).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..fileio import replacing

PDF_NAME = "laporan-mutu-data.pdf"
log = logging.getLogger(__name__)


def _weasyprint():
    """The HTML class of WeasyPrint, or None with the reason logged."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz missing on the machine
        log.warning(
            "report PDF not written: WeasyPrint cannot be loaded (%s); the HTML report and the "
            "workbook are written as usual. Install the project's dependencies (make install) and "
            "the Pango library (Debian: libpango-1.0-0 libpangoft2-1.0-0) to get the PDF.",
            exc,
        )
        return None
    return HTML


def write_pdf(html: str, path: Path) -> bool:
    """Print `html` to `path` (A4). False, with a warning logged, when WeasyPrint is unavailable."""
    html_class = _weasyprint()
    if html_class is None:
        path.unlink(missing_ok=True)
        return False
    # quiet WeasyPrint's own notes on CSS it ignores (screen-only rules, the page's script)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with replacing(path) as tmp:
        html_class(string=html, base_url=str(path.parent)).write_pdf(tmp)
    return True
