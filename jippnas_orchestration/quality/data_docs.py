"""Great Expectations Data Docs for the gate: every kept suite run listed, readable with no network.

GE 1.24's page templates load bootstrap, jQuery, popper, bootstrap-table, bootstrap-datepicker, vega, Font Awesome
and the GE logo from public CDNs. GE has no setting for this (great_expectations#994 and #8734 were closed as "not
something we're going to address"), and `plugins/custom_data_docs/views` cannot replace the packaged templates: GE's
jinja ChoiceLoader asks its own package first. So after every build the pages are pointed at copies of the same
files shipped in `data_docs_assets/` (taken from npm, pinned, licences beside them; see
scripts/vendor_data_docs_assets.py), and a page that still loads anything from another host is an error.

Each gate run uses an ephemeral GE context, whose in-memory stores know only that run; GE's index builder then
deletes the pages of every other run. Here results and suites are kept in filesystem stores under
`quality/gx/`, bounded to the newest `keep` runs per suite, so the index lists one row per kept run.

great_expectations is imported only inside build_data_docs (the caller has already paid for it).
"""

from __future__ import annotations

import filecmp
import logging
import os
import re
import shutil
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jinja2

from ..fileio import write_text_replacing

log = logging.getLogger(__name__)

SITE_NAME = "jippnas"
KEEP_RUNS = 30  # newest suite runs kept per suite (results JSON and their pages)
ASSETS_DIR = Path(__file__).with_name("data_docs_assets")
VENDOR_DIR = ("static", "vendor")  # where the assets go inside the Data Docs site
RUN_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"  # GE's run_time folder names


class DataDocsError(RuntimeError):
    """A Data Docs page would load something from another host."""


@dataclass(frozen=True)
class Package:
    """One npm package whose files the GE pages load; `files` are paths inside its tarball (package/...)."""

    name: str
    version: str
    spdx: str
    files: tuple[str, ...]
    license_file: str | None  # None: the tarball has none, THIRD_PARTY_LICENSES.md carries the text

    def local(self, file: str) -> str:
        return f"{self.name}/{file}"


FA_FONTS = tuple(
    f"webfonts/fa-{w}.{ext}"
    for w in ("brands-400", "regular-400", "solid-900", "v4compatibility")
    for ext in ("woff2", "ttf")
)  # everything all.min.css refers to
PACKAGES = (
    Package(
        "bootstrap",
        "4.3.1",
        "MIT",
        ("dist/css/bootstrap.min.css", "dist/js/bootstrap.min.js"),
        "LICENSE",
    ),
    Package(
        "bootstrap-table",
        "1.19.1",
        "MIT",
        (
            "dist/bootstrap-table.min.css",
            "dist/bootstrap-table.min.js",
            "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
            "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
        ),
        "LICENSE",
    ),
    Package(
        "bootstrap-datepicker",
        "1.9.0",
        "Apache-2.0",
        ("dist/css/bootstrap-datepicker.min.css", "dist/js/bootstrap-datepicker.min.js"),
        "LICENSE",
    ),
    Package(
        "@forevolve/bootstrap-dark",
        "1.1.0",
        "MIT",
        ("dist/css/bootstrap-prefers-dark.min.css",),
        "LICENSE",
    ),
    Package("jquery", "3.7.1", "MIT", ("dist/jquery.min.js",), "LICENSE.txt"),
    Package("popper.js", "1.12.9", "MIT", ("dist/umd/popper.min.js",), None),
    Package(
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "CC-BY-4.0 AND OFL-1.1 AND MIT",
        ("css/all.min.css", *FA_FONTS),
        "LICENSE.txt",
    ),
    # what cdn.jsdelivr.net/npm/vega@5 (…vega-lite@5, vega-embed@6) served when pinned: the newest of that major
    Package("vega", "5.33.1", "BSD-3-Clause", ("build/vega.min.js",), None),
    Package("vega-lite", "5.23.0", "BSD-3-Clause", ("build/vega-lite.min.js",), "LICENSE"),
    Package("vega-embed", "6.29.0", "BSD-3-Clause", ("build/vega-embed.min.js",), "LICENSE"),
)
_PKG = {p.name: p for p in PACKAGES}

# Every third-party URL in GE 1.24.1's templates -> the shipped file (relative to data_docs_assets/).
# bootstrap-table's filter-control CSS is referenced as 1.19.0 (and unminified on validation pages) next to the
# 1.19.1 scripts; one 1.19.1 copy serves both.
CDN_FILES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": _PKG[
        "bootstrap"
    ].local("dist/css/bootstrap.min.css"),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": _PKG[
        "bootstrap"
    ].local("dist/js/bootstrap.min.js"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": _PKG[
        "bootstrap-table"
    ].local("dist/bootstrap-table.min.css"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": _PKG[
        "bootstrap-table"
    ].local("dist/bootstrap-table.min.js"),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": _PKG[
        "bootstrap-table"
    ].local("dist/extensions/filter-control/bootstrap-table-filter-control.min.css"),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": _PKG[
        "bootstrap-table"
    ].local("dist/extensions/filter-control/bootstrap-table-filter-control.min.css"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": _PKG[
        "bootstrap-table"
    ].local("dist/extensions/filter-control/bootstrap-table-filter-control.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": _PKG[
        "bootstrap-datepicker"
    ].local("dist/css/bootstrap-datepicker.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": _PKG[
        "bootstrap-datepicker"
    ].local("dist/js/bootstrap-datepicker.min.js"),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": _PKG[
        "@forevolve/bootstrap-dark"
    ].local("dist/css/bootstrap-prefers-dark.min.css"),
    "https://code.jquery.com/jquery-3.7.1.min.js": _PKG["jquery"].local("dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": _PKG[
        "popper.js"
    ].local("dist/umd/popper.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": _PKG[
        "@fortawesome/fontawesome-free"
    ].local("css/all.min.css"),
    "https://cdn.jsdelivr.net/npm/vega@5": _PKG["vega"].local("build/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": _PKG["vega-lite"].local("build/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": _PKG["vega-embed"].local(
        "build/vega-embed.min.js"
    ),
}
# The GE logo comes from S3 (with a cache-busting query); GE itself ships logo-long.png in static/images. There
# is no dark variant in the package, so dark mode shows the same logo.
GE_LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/"
    r"(?:logo-long|full_logo_dark)\.png[^\"')\s]*"
)
_CDN = re.compile("|".join(re.escape(u) for u in sorted(CDN_FILES, key=len, reverse=True)))
# SRI needs CORS, which file:// pages cannot do; the shipped bytes are checked against SHA256SUMS instead
_SRI = re.compile(r'\s+integrity="[^"]*"|\s+crossorigin="[^"]*"')
_STATIC = re.compile(
    r'(?<=(?:src|ref)=")(?:\./|(?:\.\./)+)?static/'
)  # GE's own relative static links
# what makes a browser fetch: element sources, stylesheet links, CSS url()/@import
_RESOURCE = re.compile(
    r"<(?:script|img|iframe|embed|source|audio|video|track|input)\b[^>]*?\ssrc\s*=\s*[\"']([^\"']+)"
    r"|<link\b[^>]*?\shref\s*=\s*[\"']([^\"']+)"
    r"|<object\b[^>]*?\sdata\s*=\s*[\"']([^\"']+)"
    r"|url\(\s*[\"']?([^\"')]+)"
    r"|@import\s+[\"']([^\"']+)",
    re.I,
)


def resource_urls(text: str) -> list[str]:
    """Every URL in an HTML or CSS text that a browser loads by itself (not links a reader may click)."""
    return [next(g for g in m.groups() if g) for m in _RESOURCE.finditer(text)]


def is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)) and not url.lower().startswith(
        "file:"
    )


def _rewrite(text: str, root: str) -> str:
    """Point one page (or stylesheet) at the shipped copies; `root` leads from it to the site root."""
    vendor = root + "/".join(VENDOR_DIR) + "/"
    text = _CDN.sub(lambda m: vendor + urllib.parse.quote(CDN_FILES[m.group(0)], safe="/@"), text)
    text = GE_LOGO.sub(root + "static/images/logo-long.png", text)
    text = re.sub(
        r"<(script|link)\b[^>]*>",
        lambda m: _SRI.sub("", m.group(0)) if vendor in m.group(0) else m.group(0),
        text,
    )
    return _STATIC.sub(
        root + "static/", text
    )  # GE writes ../../../ on pages four folders deep (favicon)


def _copy_if_changed(src: str, dst: str) -> str:
    """copy2 keeps the modification time, so a copy made before compares equal (os.stat signature)."""
    if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=True):
        return dst
    return shutil.copy2(src, dst)


def make_offline(docs_dir: Path, since: float | None = None) -> list[Path]:
    """Copy the shipped assets into the site and point every page at them; return the pages changed.

    `since` (a time.time()): only the pages and stylesheets written from then on (a build renders
    the new pages and the index; the others were made offline when they were written).
    Idempotent; raises DataDocsError naming the page and URL if anything would still load from elsewhere
    (a GE upgrade with a new CDN URL has to add it to CDN_FILES and the shipped assets)."""
    target = docs_dir.joinpath(*VENDOR_DIR)
    shutil.copytree(
        ASSETS_DIR,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "SHA256SUMS"),
        copy_function=_copy_if_changed,
    )
    changed, leaks = [], []
    pages = [*docs_dir.rglob("*.html"), *docs_dir.joinpath("static", "styles").glob("*.css")]
    if since is not None:
        pages = [p for p in pages if p.stat().st_mtime >= since]
    for path in sorted(pages):
        depth = len(path.relative_to(docs_dir).parts) - 1
        text = path.read_text(encoding="utf-8")
        new = _rewrite(text, "../" * depth)
        if new != text:
            write_text_replacing(path, new)
            changed.append(path)
        leaks += [f"{path.relative_to(docs_dir)}: {u}" for u in resource_urls(new) if is_remote(u)]
    if leaks:
        raise DataDocsError(
            "Data Docs pages still load from other hosts (ship the file and add it to "
            "data_docs.CDN_FILES): " + "; ".join(leaks[:10])
        )
    return changed


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed by jinja2 on template name and source checksum.
    Great Expectations builds a new jinja2 Environment for every page it renders, so without this
    its ~50 templates were compiled again at every gate (about 0.8 s of a 2 s gate)."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        bucket.code = self.code.get(bucket.key)

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.code


_TEMPLATES = _CompiledTemplates()


def _reuse_compiled_templates() -> None:
    """Give Great Expectations' page views the one cache (once per process)."""
    from great_expectations.render.view.view import DefaultJinjaView

    if getattr(DefaultJinjaView, "_jippnas_templates", False):
        return
    make_env = DefaultJinjaView.__init__

    def __init__(view, *args, **kwargs):
        make_env(view, *args, **kwargs)
        view.env.bytecode_cache = _TEMPLATES

    DefaultJinjaView.__init__ = __init__
    DefaultJinjaView._jippnas_templates = True


def _gx_store(kind: str, base: Path) -> dict:
    return {
        "class_name": kind,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(base)},
    }


def build_data_docs(ctx, run, output_dir: Path, keep: int | None = None) -> Path | None:
    """Keep the results of checkpoint `run`, rebuild the Data Docs site under output_dir/data_docs with every
    kept run, make it offline; return the page of this run's (first) validation."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    gx_dir = output_dir / "quality" / "gx"
    docs_dir = output_dir / "data_docs"
    results = ctx.add_store(
        "jippnas_kept_results", _gx_store("ValidationResultsStore", gx_dir / "validations")
    )
    suites = ctx.add_store(
        "jippnas_kept_suites", _gx_store("ExpectationsStore", gx_dir / "expectations")
    )
    new_ids = []
    for result_id, result in run.run_results.items():
        suite_id = ExpectationSuiteIdentifier(name=result.suite_name)
        results.set(result_id, result)
        suites.set(suite_id, ctx.suites.get(result.suite_name))
        new_ids += [result_id, suite_id]
    _prune(results, suites, keep or KEEP_RUNS)
    ctx.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "site_section_builders": {
                "expectations": {"source_store_name": "jippnas_kept_suites"},
                "validations": {"source_store_name": "jippnas_kept_results"},
                "profiling": "None",
            },
        },
    )
    # only the new pages are rendered; the index lists every kept run and GE deletes pages of pruned ones
    started = time.time() - 1  # a coarse file-system clock may stamp a page a little earlier
    _reuse_compiled_templates()
    ctx.build_data_docs(site_names=[SITE_NAME], resource_identifiers=new_ids)
    _remove_empty_dirs(docs_dir / "validations")
    _remove_empty_dirs(gx_dir / "validations")
    make_offline(docs_dir, since=started)
    first = next(iter(run.run_results), None)
    return docs_dir / validation_page_path(first) if first is not None else None


def _prune(results, suites, keep: int) -> None:
    by_suite: dict[str, list] = {}
    for key in results.list_keys():
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    for keys in by_suite.values():
        for key in sorted(keys, key=lambda k: k.run_id.run_time, reverse=True)[keep:]:
            results.remove_key(key)
    for key in suites.list_keys():  # a suite no longer run has no kept results: its page goes too
        if key.name not in by_suite:
            suites.remove_key(key)


def _remove_empty_dirs(root: Path) -> None:
    for d in sorted(
        (p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
    ):
        if not any(d.iterdir()):
            d.rmdir()


def validation_page_path(result_id) -> str:
    """Where GE's site puts the page of a ValidationResultIdentifier, relative to the site root."""
    suite = result_id.expectation_suite_identifier.name
    return (
        "/".join(
            [
                "validations",
                *suite.split("."),
                *result_id.run_id.to_tuple(),
                result_id.batch_identifier,
            ]
        )
        + ".html"
    )


def _run_time(folder: str) -> datetime | None:
    try:
        return datetime.strptime(folder, RUN_TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def page_for(output_dir: Path, suite: str, evaluated_at: str | None = None) -> str | None:
    """The Data Docs page of the newest kept run of `suite` not after `evaluated_at` (a gate result's time), as a
    URL path relative to output_dir (works under file:// and when the folder is served over HTTP); None if none.
    Reads only the site's folders, so the report does not import great_expectations."""
    base = output_dir / "data_docs" / "validations" / Path(*suite.split("."))
    # evaluated_at is written to the second, after the run started: allow that second
    limit = datetime.fromisoformat(evaluated_at) + timedelta(seconds=1) if evaluated_at else None
    best = None
    for page in base.glob("*/*/*.html"):  # run_name/run_time/batch.html
        when = _run_time(page.parent.name)
        if when is None or (limit is not None and when > limit):
            continue
        if best is None or when > best[0]:
            best = (when, page)
    if best is None:
        return None
    return urllib.parse.quote(best[1].relative_to(output_dir).as_posix())
