"""JIPPNAS_PUBLIC_BASE_URL: links in asset metadata and in the report open over HTTP; unset, file://."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from dagster import EnvVar, materialize

from assets.reports import data_quality_report
from jippnas_orchestration.links import output_url, report_href
from resources import OutputResource, WarehouseResource


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def static_server(tmp_path):
    """The output folder served over HTTP, as deploy/ does with its static web server."""
    out = tmp_path / "output"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _report(sqlite_url, output: OutputResource):
    result = materialize(
        [data_quality_report],
        resources={"warehouse": WarehouseResource(url=sqlite_url), "output": output},
    )
    return result.asset_materializations_for_node("data_quality_report")[0].metadata


def test_unset_links_are_file_uris_and_the_page_links_relatively(sqlite_url, tmp_path):
    meta = _report(sqlite_url, OutputResource())
    out = tmp_path / "output"
    page = out / "reports" / "index.html"
    assert meta["report"].value == page.resolve().as_uri()
    assert meta["data_docs"].value == (out / "data_docs" / "index.html").resolve().as_uri()
    html = page.read_text()
    assert 'id="data-docs-link" href="../data_docs/index.html"' in html
    assert (page.parent / "../data_docs/index.html").resolve() == (
        out / "data_docs" / "index.html"
    ).resolve()


def test_set_links_point_at_the_served_folder_and_open(sqlite_url, static_server, monkeypatch):
    out, base = static_server
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    monkeypatch.setenv("JIPPNAS_PUBLIC_BASE_URL", base + "/")  # a trailing slash is tolerated
    meta = _report(sqlite_url, OutputResource(public_base_url=EnvVar("JIPPNAS_PUBLIC_BASE_URL")))
    assert meta["report"].value == f"{base}/reports/index.html"
    assert meta["data_docs"].value == f"{base}/data_docs/index.html"
    resp = requests.get(meta["report"].value, timeout=10)
    assert resp.status_code == 200
    assert resp.content == (out / "reports" / "index.html").read_bytes()
    assert f'id="data-docs-link" href="{base}/data_docs/index.html"' in resp.text


def test_a_base_url_that_is_not_http_is_refused_by_name(sqlite_url, monkeypatch):
    monkeypatch.setenv("JIPPNAS_PUBLIC_BASE_URL", "portal-data.example.go.id")
    with pytest.raises(
        Exception, match="JIPPNAS_PUBLIC_BASE_URL='portal-data.example.go.id' is not an http"
    ):
        _report(sqlite_url, OutputResource())


def test_link_helpers(tmp_path):
    assert (
        output_url("portal/manifest.json", tmp_path, "https://data.example.go.id/jippnas/")
        == "https://data.example.go.id/jippnas/portal/manifest.json"
    )
    assert (
        output_url("portal/manifest.json", tmp_path, None)
        == (tmp_path / "portal" / "manifest.json").as_uri()
    )
    assert report_href("portal/innovations.csv", None) == "../portal/innovations.csv"
    assert (
        report_href("reports/tindak lanjut.xlsx", "http://h:8080")
        == "http://h:8080/reports/tindak%20lanjut.xlsx"
    )
    assert (
        report_href("data_docs/a%20b.html", None) == "../data_docs/a%20b.html"
    )  # an escaped path stays as is
    assert (
        output_url("data_docs/a%20b.html", tmp_path, None)
        == (tmp_path / "data_docs" / "a b.html").as_uri()
    )
    with pytest.raises(ValueError, match="not a path inside the output folder"):
        output_url("../etc/passwd", tmp_path, "http://h")
    with pytest.raises(ValueError, match="must not carry a query"):
        output_url("reports/index.html", Path(tmp_path), "http://h/?x=1")
