"""Links an operator can open to what the pipeline writes under $JIPPNAS_OUTPUT_DIR.

With JIPPNAS_PUBLIC_BASE_URL set (where a static web server serves $JIPPNAS_OUTPUT_DIR), links
are `{base}/reports/index.html`, `{base}/data_docs/index.html`, `{base}/portal/...`; unset, they
are file:// URIs, which only a browser on the same machine can open.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

PUBLIC_BASE_URL_VAR = "JIPPNAS_PUBLIC_BASE_URL"

REPORT_PAGE = "reports/index.html"
DATA_DOCS_PAGE = "data_docs/index.html"
PORTAL_MANIFEST = "portal/manifest.json"


def check_base_url(value: str | None, name: str = PUBLIC_BASE_URL_VAR) -> str | None:
    """The base URL without a trailing slash; None when empty; a clear error when it is not http(s)."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"{name}={value!r} is not an http(s):// URL (e.g. http://portal-data.example.go.id)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{name}={value!r} must not carry a query or fragment")
    return value.rstrip("/")


def public_base_url() -> str | None:
    return check_base_url(os.environ.get(PUBLIC_BASE_URL_VAR))


def _relative(relative: str) -> str:
    """`relative`: a URL path under the output folder; %-escapes in it are kept, other unsafe characters quoted."""
    rel = PurePosixPath(unquote(relative))
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"not a path inside the output folder: {relative!r}")
    return quote(relative, safe="/%")


def output_url(relative: str, output_dir: Path, base_url: str | None) -> str:
    """Where `relative` (a path under the output folder) opens: over HTTP when served, else file://."""
    rel = _relative(relative)
    base = check_base_url(base_url)
    if base:
        return f"{base}/{rel}"
    return (Path(output_dir) / unquote(rel)).resolve().as_uri()


def report_href(relative: str, base_url: str | None) -> str:
    """A link inside reports/index.html: absolute when served (the page may be saved or mailed), else
    relative to reports/, so it opens from the local file as well as over HTTP."""
    rel = _relative(relative)
    base = check_base_url(base_url)
    return f"{base}/{rel}" if base else f"../{rel}"
