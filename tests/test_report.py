"""The data-quality report, rendered by headless Chromium, and its follow-up workbook."""

import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin

import pypdfium2 as pdfium
import pytest
import requests
from dagster import AssetKey
from openpyxl import load_workbook

from jippnas_orchestration.reports import build_page, build_report
from jippnas_orchestration.reports import html as html_module
from jippnas_orchestration.reports.trends import replication_suggestions
from jippnas_orchestration.reports.workbook import AGENCY_SHEET, PENDING_SHEET, write_workbook
from jippnas_orchestration.warehouse import Warehouse

from .helpers import workbook_texts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = "<script>alert(1)</script>"
SAMPLE_MAX_PAGES = 6  # the sample report printed to A4 (issue 24)


def chromium(args, tmp_path):
    if not CHROMIUM:
        pytest.fail(
            "chromium is not installed: `make test` installs it (scripts/ensure_system_packages.sh)"
        )
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'chrome-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(_baselines, request, tmp_path_factory):
    """The sample, its submissions applied, everything materialized (tests/baselines.py); then a
    hostile title and the report built again from it."""
    mp = pytest.MonkeyPatch()
    sample = _baselines.copy(
        "sqlite", submissions=True, request=request, dest=tmp_path_factory.mktemp("report"), mp=mp
    )
    wh, out = sample.wh, sample.out
    event = sample.instance.get_latest_materialization_event(AssetKey("data_quality_report"))
    meta = event.asset_materialization.metadata
    meta = dict(meta, run_out=sample.run_out)
    # an innovator typed markup into a title: it must render as text
    # (of the agency with the most pending innovations: the page lists it first, whatever it cuts)
    pending = "sources LIKE '%KIPP%' AND update_status = 'pending'"
    victim = wh.read_sql(
        f"SELECT innovation_id FROM harmonized_innovations WHERE {pending} AND agency_id = "
        f"(SELECT agency_id FROM harmonized_innovations WHERE {pending} GROUP BY agency_id "
        "ORDER BY COUNT(*) DESC, agency_id LIMIT 1) ORDER BY innovation_id LIMIT 1"
    ).iloc[0, 0]
    wh.execute(
        "UPDATE harmonized_innovations SET title = :t WHERE innovation_id = :i",
        {"t": HOSTILE, "i": victim},
    )
    page, _ = build_report(wh, out)
    yield wh, out, page, meta, victim
    mp.undo()


@pytest.mark.slow
def test_asset_metadata_links_to_the_report(report):
    _, out, page, meta, _ = report
    written = meta["run_out"] / page.relative_to(out)  # the run's own output folder, copied here
    assert meta["report"].value == written.resolve().as_uri()
    assert (
        "973 inovasi; 843 sudah dimutakhirkan; 130 dari 30 instansi belum" == meta["headline"].value
    )


@pytest.mark.browser
def test_rendered_page_shows_the_headline_figures(report, tmp_path, artifacts_dir):
    _, _, page, _, _ = report
    shot = artifacts_dir / "data-quality-report.png"
    res = chromium(["--window-size=1280,2200", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000, res.stderr[-2000:]
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    headline = re.search(r'<p class="headline" id="headline">(.*?)</p>', dom).group(1)
    assert unescape(headline) == "973 inovasi; 843 sudah dimutakhirkan; 130 dari 30 instansi belum"
    figures = {
        k: unescape(re.search(rf'id="fig-{k}">(.*?)<', dom).group(1))
        for k in ("total", "updated", "pending", "agencies")
    }
    assert figures == {"total": "973", "updated": "843", "pending": "130", "agencies": "30"}
    assert "2.873 inovasi" in dom  # Indonesian thousands separator
    assert dom.count("<svg") >= 3 and "Gerbang mutu LULUS" in dom


@pytest.mark.browser
def test_hostile_text_renders_as_text(report, tmp_path):
    _, _, page, _, _ = report
    html = page.read_text()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    assert "<script>alert(1)</script>" not in dom and "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


@pytest.mark.slow
def test_page_is_self_contained_and_printable(report):
    html = report[2].read_text()
    assert not re.search(r'(src|href)="https?://', html)
    assert "@page{size:A4" in html and "@media print" in html


@pytest.mark.slow
def test_workbook_rows_match_the_pending_innovations(report):
    wh, out, _, _, victim = report
    wb = load_workbook(out / "reports" / "tindak-lanjut.xlsx", read_only=True)
    rows = list(wb[PENDING_SHEET].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    pending = wh.read_sql(
        "SELECT innovation_id, agency_id, missing_fields FROM harmonized_innovations "
        "WHERE sources LIKE '%KIPP%' AND update_status = 'pending'"
    )
    assert sorted(r[header.index("ID Inovasi")] for r in body) == sorted(pending["innovation_id"])
    by_id = {r[header.index("ID Inovasi")]: r for r in body}
    assert by_id[victim][header.index("Judul Inovasi")] == HOSTILE
    for p in pending.itertuples():
        assert by_id[p.innovation_id][header.index("Kode Instansi")] == p.agency_id
    summary = list(wb[AGENCY_SHEET].iter_rows(values_only=True))[1:]
    assert len(summary) == 30 and sum(r[5] for r in summary) == 130


@pytest.mark.browser
def test_page_prints_on_a4(report, tmp_path, artifacts_dir):
    pdf = artifacts_dir / "data-quality-report.pdf"
    chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", report[2].as_uri()], tmp_path)
    boxes = set(re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes()))
    assert boxes and all(
        abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes
    )  # A4 in points
    pages = len(pdfium.PdfDocument(str(pdf)))
    assert 2 <= pages <= SAMPLE_MAX_PAGES, pages  # the summary, then the detail: forwardable


@pytest.mark.slow
def test_gate_results_link_to_their_data_docs_pages(report):
    """Each gate result links to the Data Docs page of that run, relatively: on disk and served over HTTP."""
    from jippnas_orchestration.quality.gate import GATE_SUITES, read_result

    from .test_data_docs import serve

    _, out, page, _, _ = report
    links = dict(
        re.findall(r'<a class="data-docs" data-suite="([^"]+)" href="([^"]+)"', page.read_text())
    )
    assert sorted(links) == sorted(GATE_SUITES)
    with serve(out) as base:
        for suite, href in links.items():
            href = unescape(href)
            assert not re.match(r"^[a-z]+:|^/", href), (
                href
            )  # relative, so any host or folder serves it
            target = (page.parent / unquote(href)).resolve()
            assert target.is_file() and target.is_relative_to(
                (out / "data_docs" / "validations" / suite).resolve()
            )
            run_time = datetime.strptime(target.parent.name, "%Y%m%dT%H%M%S.%fZ").replace(
                tzinfo=timezone.utc
            )
            evaluated = datetime.fromisoformat(read_result(suite, out)["evaluated_at"])
            assert evaluated - timedelta(minutes=5) < run_time <= evaluated + timedelta(seconds=1)
            served = requests.get(urljoin(base + "reports/index.html", href), timeout=10)
            assert served.status_code == 200 and f"Validations / {suite} /" in served.text


# markup, attribute breakers and entities, as a source or an innovator might type them
PAYLOADS = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(2)>',
    "' onmouseover='alert(3)",
    "&amp; &lt;b&gt; & <b>tebal</b>",
]


class _Dom(HTMLParser):
    """Elements with their attributes, and the text of each section (by its h2)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.text, self.section = [], {}, None
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_h2 = tag == "h2"
        if tag == "h2":
            self.section = ""

    def handle_endtag(self, tag):
        self._in_h2 = self._in_h2 and tag != "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.section += data
        elif self.section is not None:
            self.text[self.section] = self.text.get(self.section, "") + data


@pytest.mark.browser
def test_hostile_text_in_every_section_stays_text(report, tmp_path, monkeypatch):
    """Titles, agency names, quarantine reasons, rejected submissions, review evidence, similarity
    reasons, a source's error: whatever they contain, the page shows them as text and runs no
    injected code. Recorded reasons are shown through the Indonesian message catalogue: text it
    does not know is replaced by a generic message, never shown as written."""
    wh, out, _, _, _ = report
    for cap in (
        "FOLLOW_UP_FIRST",
        "MAX_AGENCIES_SHOWN",
        "MAX_PENDING_AGENCIES",
        "MAX_SUGGESTION_AGENCIES",
    ):
        monkeypatch.setattr(html_module, cap, 10_000)  # every agency on the page
    text = " | ".join(PAYLOADS)
    # a pending KIPP innovation with a strong suggestion: its title and agency, the suggestion's
    # title and reason
    sugg = replication_suggestions(
        wh.read_table("harmonized_innovations"), wh.read_table("similar_innovations")
    )
    target = sugg[sugg["why"] == "pending"].iloc[0]
    agency = target["agency_id"]
    for table in ("harmonized_innovations", "agency_completeness"):
        wh.execute(
            f"UPDATE {table} SET agency_name = :t WHERE agency_id = :a", {"t": text, "a": agency}
        )
    wh.execute(
        "UPDATE harmonized_innovations SET title = :t WHERE innovation_id IN (:i, :s)",
        {"t": text, "i": target["innovation_id"], "s": target["similar_innovation_id"]},
    )
    wh.execute(
        "UPDATE similar_innovations SET reason = :t "
        "WHERE innovation_id = :i AND similar_innovation_id = :s",
        {"t": text, "i": target["innovation_id"], "s": target["similar_innovation_id"]},
    )
    wh.execute("UPDATE rejected_source_rows SET reason = :t", {"t": text})
    wh.execute(
        "UPDATE innovation_submissions SET reason = :t WHERE state = 'rejected'", {"t": text}
    )
    wh.execute(
        "UPDATE match_review SET description = :t, evidence = :t WHERE status = 'open'", {"t": text}
    )
    stale = [
        {
            "programme": "IGA",
            "asset": "raw_iga",
            "stale": True,
            "error": text,
            "read_at": "2026-01-01T00:00:00+00:00",
            "failed_at": "2026-01-02T00:00:00+00:00",
        }
    ]
    # the page alone, built aside: the report the pipeline wrote stays for the later tests
    page, _ = build_page(wh, tmp_path / "out", sources=stale)
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    for html in (page.read_text(), dom):
        parsed = _Dom()
        parsed.feed(html)
        tags = [t for t, _ in parsed.elements]
        assert tags.count("script") == 1 and "img" not in tags
        assert not [(t, a) for t, a in parsed.elements if any(k.startswith("on") for k in a)]
        assert not [(t, a) for t, a in parsed.elements for v in a.values() if v and "alert(" in v]
        sections = {name: body.count(text) for name, body in parsed.text.items()}
        for name in (
            "Ringkasan eksekutif",
            "Instansi dengan inovasi KIPP yang belum dimutakhirkan",
            "Inovasi KIPP yang belum dimutakhirkan, per instansi",
            "Inovasi serupa untuk direplikasi",
        ):
            assert sections.get(name), (name, sections)
        for name in (
            "Data yang ditolak dari sumber",
            "Pengajuan pemutakhiran yang ditolak",
            "Pencocokan rekaman sumber",
        ):  # reasons and evidence in the catalogue's words only
            assert sections.get(name) == 0, (name, sections)
        assert (
            "rinciannya ada di catatan operator"
            in parsed.text["Pengajuan pemutakhiran yang ditolak"]
        )
        assert "baris tidak dapat dipakai" in parsed.text["Data yang ditolak dari sumber"]
    # the payload's <b> is text, and an entity in the source is shown as typed
    assert "<b>tebal</b>" not in page.read_text() and "&lt;b&gt;tebal&lt;/b&gt;" in page.read_text()
    assert "&amp;amp; &amp;lt;b&amp;gt;" in page.read_text()


@pytest.mark.slow
def test_long_agency_lists_are_cut_on_the_page_and_kept_whole_in_the_workbook(
    report, monkeypatch, tmp_path
):
    """At national scale one agency can have hundreds of pending innovations: the page shows the
    first few per agency and says how many more the follow-up workbook holds."""
    wh, _, _, _, _ = report
    out = tmp_path / "out"  # built aside, with the caps changed
    monkeypatch.setattr(html_module, "PENDING_SHOWN_PER_AGENCY", 2)
    monkeypatch.setattr(html_module, "SUGGESTED_SHOWN_PER_AGENCY", 1)
    monkeypatch.setattr(html_module, "MAX_PENDING_AGENCIES", 5)
    page, data = build_page(wh, out)
    write_workbook(data, out / "reports" / "tindak-lanjut.xlsx")
    text = page.read_text()
    pending = data.pending.groupby("agency_id").size()
    listed = text.split('<section id="belum">', 1)[1].split("</section>", 1)[0]
    assert listed.count("<details") == 5
    assert f"Ditampilkan 5 dari {len(pending)} instansi" in listed
    cut = pending[pending > 2]
    checked = 0
    for agency_id, n in cut.items():
        if f"({agency_id}) — " not in listed:
            continue  # beyond MAX_PENDING_AGENCIES
        block = listed.split(f"({agency_id}) — ", 1)[1].split("</details>", 1)[0]
        assert block.count("<li><b>") == 2
        assert f"dan {n - 2} inovasi lainnya" in block
        checked += 1
    assert checked > 0
    suggested = data.replication.groupby("agency_id")["innovation_id"].nunique()
    shown = text.split('id="replikasi"', 1)[1]
    checked = 0
    for agency_id, n in suggested[suggested > 1].items():
        if f'data-agency="{agency_id}"' not in shown:
            continue  # beyond MAX_SUGGESTION_AGENCIES
        block = shown.split(f'data-agency="{agency_id}"', 1)[1].split("</details>", 1)[0]
        assert block.count("<li><b>") == 1 and f"dan {n - 1} inovasi lainnya" in block
        checked += 1
    assert checked > 0
    workbook = load_workbook(out / "reports" / "tindak-lanjut.xlsx", read_only=True)
    assert workbook[PENDING_SHEET].max_row == len(data.pending) + 1


# -- a report ministry staff can read (issue 24) --------------------------------------------------

# English that leaked onto the page before (reasons, evidence, gate notes, table names); a word is
# matched whole and in any case
ENGLISH = [
    "the", "is", "was", "already", "not", "authorized", "invalid", "should", "empty", "agency",
    "record", "records", "row", "sheet", "line", "field", "with", "different", "content", "unknown",
    "input", "must", "owner", "matches", "columns", "only", "public", "required", "expect",
    "harmonized_innovations", "portal_candidate", "innovation_source_map", "rejected_source_rows",
    "UTC",
]  # fmt: skip
ENGLISH_WORD = re.compile(r"\b(" + "|".join(map(re.escape, ENGLISH)) + r")\b", re.I)
ABSOLUTE_PATH = re.compile(r"(^|\s|\()/[a-z]+/", re.M)


def _foreign(lines) -> list[str]:
    """Lines with an English word from the list or an absolute path."""
    return [
        line
        for line in lines
        if line.strip() and (ENGLISH_WORD.search(line) or ABSOLUTE_PATH.search(line))
    ]


def visible_text(page, tmp_path) -> str:
    """The page's text as a reader sees it, from headless Chromium with networking off."""
    from .offline_browser import OfflineChromium, RefusingProxy

    proxy = RefusingProxy()
    browser = OfflineChromium(tmp_path / "profile", proxy)
    try:
        load = browser.open(page.as_uri())
        return browser.evaluate(load, "document.body.innerText")
    finally:
        browser.close()
        proxy.shutdown()


def workbook_text(path) -> list[str]:
    texts = workbook_texts(path)
    return [f"{title}: {text}" for title, text in texts] + list(dict.fromkeys(t for t, _ in texts))


@pytest.mark.browser
def test_page_and_workbook_are_indonesian_without_server_paths(report, tmp_path, sample_dir):
    _, out, page, _, _ = report
    text = visible_text(page, tmp_path)
    assert "Ringkasan eksekutif" in text and "Data yang ditolak dari sumber" in text
    assert _foreign(text.splitlines()) == []
    # sources named as a reader knows them, never by where the server keeps them
    assert re.search(
        r'KIPP, berkas top-inovasi-\d{4}-\d{4}\.xlsx, lembar "Top Inovasi", baris \d+', text
    )
    assert re.search(r"InoLAN, berkas inolan\.csv, baris \d+", text)
    html = page.read_text()
    for server_path in (str(sample_dir), str(out), str(sample_dir.resolve())):
        assert server_path not in html
    cells = workbook_text(out / "reports" / "tindak-lanjut.xlsx")
    assert _foreign(cells) == []
    assert any(re.search(r"IGA, berkas \d{4}/page-\d+\.json, rekaman ke-\d+", c) for c in cells)
    assert not [c for c in cells if str(sample_dir) in c or str(out) in c]


def test_the_english_list_would_catch_the_old_page():
    """The check above can fail: the reasons the pipeline records are English until rendered."""
    old = [
        "top-inovasi-2019-2023.xlsx, sheet 'Top Inovasi', row 38, field 'Judul Inovasi': title is empty",
        "not authorized: agency 11.73 does not own innovation JIP-1 (owner: 17.04 Kabupaten Kaur)",
        "/srv/jippnas/data/sample/iga/2018/page-3.json, record 73",
        "harmonized_innovations — LULUS",
        "7 Desember 2026, 17.32 UTC",
    ]
    assert _foreign(old) == old


def test_no_personal_data_in_page_pdf_or_workbook(report):
    """Innovators' names, e-mail addresses and phone numbers never reach the report."""
    wh, out, page, _, _ = report
    raw = wh.read_sql("SELECT raw FROM rejected_source_rows")["raw"].dropna()
    emails = set()
    for r in raw:
        emails |= set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", r))
    assert emails  # the quarantined rows do carry contacts: the report must leave them out
    text = page.read_text() + "\n".join(workbook_text(out / "reports" / "tindak-lanjut.xlsx"))
    assert not re.search(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", text)
    assert not [e for e in emails if e in text]


@pytest.mark.parametrize(
    ("clock", "day", "moment"),
    [
        ("2027-03-01T16:59:00+00:00", "2027-03-01", "1 Maret 2027, 23.59 WIB"),
        ("2027-03-01T17:01:00+00:00", "2027-03-02", "2 Maret 2027, 00.01 WIB"),
    ],
)
def test_every_time_is_wib_with_one_day_boundary(report, tmp_path, monkeypatch, clock, day, moment):
    """Just before and just after midnight in Jakarta (16:59 and 17:01 UTC) the header, the
    summary, the chart, the daily table and the workbook all name the same WIB day."""
    from jippnas_orchestration.metrics.history import SNAPSHOT_COLUMNS, record, today
    from jippnas_orchestration.reports.html import hari
    from jippnas_orchestration.reports.workbook import ABOUT_SHEET, HISTORY_SHEET

    wh, out, _, _, _ = report
    copy = tmp_path / "warehouse.sqlite"
    with sqlite3.connect(wh.url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    mine = Warehouse(f"sqlite:///{copy}")
    monkeypatch.setenv("JIPPNAS_CLOCK", clock)
    assert today().isoformat() == day
    record(mine, mine.read_table("harmonized_innovations", SNAPSHOT_COLUMNS), today())
    mine_out = tmp_path / "out"
    shutil.copytree(out / "quality", mine_out / "quality")
    page, data = build_page(mine, mine_out)
    write_workbook(data, mine_out / "reports" / "tindak-lanjut.xlsx")
    html = page.read_text()
    label = hari(day)
    assert f'<span id="dibuat">{moment}</span>' in html
    assert f"keadaan per {label}." in html
    last_point = re.findall(r'data-programme="KIPP">.*?</g>', html, re.S)[0]
    assert re.findall(r'data-date="([\d-]+)"', last_point)[-1] == day
    daily = html.split('id="riwayat-kipp"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<tr><td>([^<]+)</td>", daily)[-1] == label
    assert " UTC" not in html
    wb = load_workbook(mine_out / "reports" / "tindak-lanjut.xlsx", read_only=True)
    header = next(wb[HISTORY_SHEET].iter_rows(values_only=True))
    assert header[-1] == f"Belum per {label}"
    about = dict(wb[ABOUT_SHEET].iter_rows(values_only=True))
    assert about["Laporan Mutu Data JIPPNas, keadaan per"] == moment


def test_pdf_beside_the_html_shows_the_summary_on_a4(report, artifacts_dir):
    """reports/laporan-mutu-data.pdf: A4 pages, at most six for the sample, the executive summary
    on page 1 with the campaign figures, pages that render to images with ink on them."""
    _, out, _, _, _ = report
    pdf = out / "reports" / "laporan-mutu-data.pdf"
    doc = pdfium.PdfDocument(str(pdf))
    try:
        assert 2 <= len(doc) <= SAMPLE_MAX_PAGES, len(doc)
        for i in range(len(doc)):
            page = doc[i]
            w, h = page.get_size()
            assert abs(w - 595) < 2 and abs(h - 842) < 2  # A4 in points
            image = page.render(scale=1).to_pil().convert("L")
            inked = sum(image.histogram()[:128])  # dark pixels: text and charts
            assert inked > 2_000, (i, inked)
            if i == 0:
                image.save(artifacts_dir / "report-pdf-page1.png")
        first = doc[0].get_textpage().get_text_range()
        flat = " ".join(first.split())
        assert "Ringkasan eksekutif" in flat
        assert "973 inovasi; 843 sudah dimutakhirkan; 130 dari 30 instansi belum" in flat
        assert "Gerbang mutu LULUS" in flat and "WIB" in flat
        assert "Instansi yang perlu ditindaklanjuti lebih dulu" in flat
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        assert _foreign(text.splitlines()) == []
    finally:
        doc.close()


def test_report_without_the_pdf_library_still_writes_the_html(
    report, tmp_path, monkeypatch, caplog
):
    import sys

    wh, out, _, _, _ = report
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` raises ImportError
    mine = tmp_path / "out"
    with caplog.at_level("WARNING"):
        page, _ = build_report(wh, mine)
    assert page.is_file() and (page.parent / "tindak-lanjut.xlsx").is_file()
    assert not (page.parent / "laporan-mutu-data.pdf").exists()
    assert "report PDF not written" in caplog.text
