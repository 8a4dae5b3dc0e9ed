"""Data Docs read with no network: headless Chromium behind a refusing proxy, every request recorded."""

import contextlib
import functools
import hashlib
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from jippnas_orchestration.quality import data_docs
from jippnas_orchestration.quality.data_docs import (
    ASSETS_DIR,
    PACKAGES,
    DataDocsError,
    is_remote,
    make_offline,
    page_for,
    resource_urls,
)
from jippnas_orchestration.quality.gate import run_suite

from .offline_browser import OfflineChromium, RefusingProxy
from .test_quality_gate import PARAMS, good_frame

ROWS = "table.ge-index-page-validation-results-table tbody tr[data-index]"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three real gate runs: the portal suite passing, then failing, then the harmonized suite."""
    out = tmp_path_factory.mktemp("docs_out")
    runs = [
        run_suite("portal_candidate", good_frame(), PARAMS, "innovation_id", out),
        run_suite(
            "portal_candidate",
            good_frame().assign(innovation_id="JIP-0000000000"),
            PARAMS,
            "innovation_id",
            out,
        ),
        run_suite("harmonized_innovations", good_frame(), PARAMS, "innovation_id", out),
    ]
    return out, runs


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    proxy = RefusingProxy()
    chrome = OfflineChromium(tmp_path_factory.mktemp("chrome") / "profile", proxy)
    yield chrome
    chrome.close()
    proxy.shutdown()
    proxy.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """`directory` over HTTP on loopback, as a web server would publish $JIPPNAS_OUTPUT_DIR; yields the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def kept_results(out: Path) -> list[Path]:
    return sorted((out / "quality" / "gx" / "validations").rglob("*.json"))


def assert_loaded_from(load, allowed_prefix: str, root: Path | None = None):
    """Every request of the page went to `allowed_prefix` (or was inline data) and every one of them loaded."""
    outside = [
        u for u in load.requests if not (u.startswith(allowed_prefix) or u.startswith("data:"))
    ]
    assert not outside, outside
    assert not load.failed and not load.http_errors, (load.failed, load.http_errors)
    if root is not None:  # file:// requests name files that exist
        missing = [
            u
            for u in load.requests
            if u.startswith("file:") and not Path(unquote(urlsplit(u).path)).is_file()
        ]
        assert not missing, missing
    assert (
        len(load.requests) > 15
    )  # the page, its stylesheets, scripts, logo and fonts: really loaded from here


def assert_styled_and_scripted(browser, load):
    libs = browser.evaluate(
        load,
        "[typeof jQuery, typeof jQuery.fn.bootstrapTable, typeof jQuery.fn.datepicker, "
        "typeof Popper, typeof vega.View, typeof vegaLite.compile, typeof vegaEmbed]",
    )
    assert libs == ["function"] * 7, libs
    # bootstrap's reboot sets the system font stack (the browser default is a serif)
    assert "apple-system" in browser.evaluate(load, "getComputedStyle(document.body).fontFamily")
    assert (
        browser.evaluate(load, "document.querySelector('.navbar-brand img').naturalWidth") > 0
    )  # GE logo
    fonts = browser.evaluate(
        load,
        "document.fonts.ready.then(() => [...document.fonts]"
        ".filter(f => f.status === 'loaded').map(f => f.family))",
    )
    assert "Font Awesome 6 Free" in fonts


def index_rows(browser, load) -> list[dict]:
    return browser.evaluate(
        load,
        f"""[...document.querySelectorAll("{ROWS}")].map(tr => ({{
        suite: tr.cells[5].innerText.trim(), link: tr.dataset.href,
        success: !!tr.querySelector('.ge-success-icon'), failed: !!tr.querySelector('.ge-failed-icon')}}))""",
    )


def test_index_lists_one_row_per_kept_run_with_no_network(site, browser, artifacts_dir):
    out, runs = site
    mark = len(browser.proxy.requests)
    load = browser.open((out / "data_docs" / "index.html").as_uri())
    assert_loaded_from(load, (out / "data_docs").as_uri() + "/", root=out)
    assert browser.proxy.leaks(since=mark) == []
    assert_styled_and_scripted(browser, load)
    rows = index_rows(browser, load)
    assert len(rows) == len(kept_results(out)) == len(runs)
    # newest first, each row showing its own run's outcome
    assert [(r["suite"], r["success"], r["failed"]) for r in rows] == [
        (g.suite, g.success, not g.success) for g in reversed(runs)
    ]
    assert all((out / "data_docs" / unquote(r["link"])).is_file() for r in rows)
    assert re.search(
        rf"Showing 1 to {len(runs)} of {len(runs)} rows",
        browser.evaluate(load, "document.body.innerText"),
    )
    browser.screenshot(load, artifacts_dir / "data-docs-offline.png")


def test_validation_page_renders_with_no_network(site, browser, artifacts_dir):
    out, runs = site
    failed = runs[1]
    page = out / unquote(page_for(out, "portal_candidate", failed.evaluated_at))
    mark = len(browser.proxy.requests)
    load = browser.open(page.as_uri())
    assert_loaded_from(load, (out / "data_docs").as_uri() + "/", root=out)
    assert browser.proxy.leaks(since=mark) == []
    assert_styled_and_scripted(browser, load)
    text = browser.evaluate(load, "document.body.innerText")
    assert "Expectation Suite: portal_candidate" in text and "Status:  Failed" in text
    stats = re.search(r"Unsuccessful Expectations\s+(\d+)", text)
    assert stats and int(stats.group(1)) == len(failed.failed)
    browser.screenshot(load, artifacts_dir / "data-docs-offline-validation.png")


def test_the_harness_catches_a_page_that_calls_out(tmp_path, browser):
    """The proxy and the request log do see a third-party load: the tests above could fail."""
    page = tmp_path / "calls-out.html"
    page.write_text(
        '<html><head><link rel="stylesheet" href="https://unpkg.com/bootstrap-table@1.19.1/dist/'
        'bootstrap-table.min.css"><script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        "</head><body>x</body></html>"
    )
    mark = len(browser.proxy.requests)
    load = browser.open(page.as_uri())
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in load.requests
    assert {u for u, _ in load.failed} >= {"https://code.jquery.com/jquery-3.7.1.min.js"}
    assert {"unpkg.com", "code.jquery.com"} <= {
        urlsplit("//" + line.split()[1]).hostname for line in browser.proxy.leaks(since=mark)
    }


def test_pages_load_only_files_shipped_with_them(site):
    out, _ = site
    docs = out / "data_docs"
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) >= 5  # index, two suites, three runs
    for path in [*pages, *docs.joinpath("static").rglob("*.css")]:
        for url in resource_urls(path.read_text(encoding="utf-8")):
            assert not is_remote(url), f"{path.relative_to(docs)} loads {url}"
            if url.startswith("data:"):
                continue
            target = (path.parent / unquote(urlsplit(url).path)).resolve()
            assert target.is_file() and docs.resolve() in target.parents, (
                f"{path.relative_to(docs)}: {url}"
            )


def test_shipped_assets_match_their_checksums_and_licences():
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (ASSETS_DIR / "SHA256SUMS").read_text().splitlines()
    )
    shipped = {p.relative_to(ASSETS_DIR).as_posix() for p in ASSETS_DIR.rglob("*") if p.is_file()}
    assert shipped - set(sums) == {"SHA256SUMS", "THIRD_PARTY_LICENSES.md"}
    for path, digest in sums.items():
        assert hashlib.sha256((ASSETS_DIR / path).read_bytes()).hexdigest() == digest, path
    notes = (ASSETS_DIR / "THIRD_PARTY_LICENSES.md").read_text()
    for pkg in PACKAGES:
        assert f"| {pkg.name} | {pkg.version} | {pkg.spdx} |" in notes
        assert f"## {pkg.name} {pkg.version} ({pkg.spdx})" in notes
        for f in pkg.files:
            assert pkg.local(f) in sums
        if pkg.license_file:
            assert pkg.local(pkg.license_file) in sums
    assert set(data_docs.CDN_FILES.values()) <= set(sums)


def test_older_runs_beyond_the_bound_are_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(data_docs, "KEEP_RUNS", 2)
    runs = [
        run_suite("portal_candidate", good_frame(), PARAMS, "innovation_id", tmp_path)
        for _ in range(3)
    ]
    kept = kept_results(tmp_path)
    pages = sorted((tmp_path / "data_docs" / "validations").rglob("*.html"))
    assert len(kept) == len(pages) == 2
    index = (tmp_path / "data_docs" / "index.html").read_text()
    links = re.findall(r"'_table_row_link_path': '(validations/[^']+)'", index)
    assert sorted(links) == sorted(p.relative_to(tmp_path / "data_docs").as_posix() for p in pages)
    assert page_for(tmp_path, "portal_candidate", runs[-1].evaluated_at) == "data_docs/" + max(
        links, key=lambda link: link.split("/")[-2]
    )
    # the gx store keeps no empty folders of dropped runs either
    assert all(
        any(d.iterdir())
        for d in (tmp_path / "quality" / "gx" / "validations").rglob("*")
        if d.is_dir()
    )


def test_a_page_that_still_calls_out_is_an_error(tmp_path):
    docs = tmp_path / "data_docs"
    docs.mkdir()
    (docs / "index.html").write_text('<script src="https://cdn.example.org/chart@9.js"></script>')
    with pytest.raises(DataDocsError, match=r"index.html: https://cdn.example.org/chart@9.js"):
        make_offline(docs)


def test_served_over_http_nothing_leaves_loopback(site, browser):
    out, runs = site
    mark = len(browser.proxy.requests)
    with serve(out) as base:
        load = browser.open(base + "data_docs/index.html")
        assert_loaded_from(load, base)
        rows = index_rows(browser, load)
        assert len(rows) == len(runs)
        page = browser.open(base + "data_docs/" + rows[0]["link"])
        assert_loaded_from(page, base)
        assert "Expectation Validation Result" in browser.evaluate(page, "document.body.innerText")
    assert browser.proxy.leaks(since=mark) == []
