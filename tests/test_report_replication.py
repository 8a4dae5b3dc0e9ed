"""The report's "Replikasi dan pemerataan" section and the workbook's opportunity sheets, on the
sample run by tests/test_report.py's `report` fixture (its English-word, path, personal-data and
page-count tests read this section too)."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest
from openpyxl import load_workbook

from jippnas_orchestration.reports import build_page
from jippnas_orchestration.reports import replication as section
from jippnas_orchestration.reports.html import persen

from .test_report import HOSTILE, report  # noqa: F401  (the module's sample-run fixture)

pytestmark = pytest.mark.slow  # the module's report runs the whole sample pipeline

TILE = re.compile(r'<g class="tile" data-province="([A-Z]+)"><title>([^<]*)</title>.*?</g>', re.S)


def _section(page) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index('<section id="pemerataan">')
    return html[start : html.index("</section>", start)]


def test_tile_map_shows_each_province_share_of_covered_affairs(report):  # noqa: F811
    wh, _, page, _, _ = report
    cov = wh.read_sql(
        "SELECT province_code, COUNT(*) AS cells, "
        "SUM(CASE WHEN covered THEN 1 ELSE 0 END) AS covered FROM affair_coverage "
        "GROUP BY province_code"
    )
    tiles = dict(TILE.findall(_section(page)))
    assert len(tiles) == len(section.TILES) == 38
    abbr = {code: a for code, (_, _, a) in section.TILES.items()}
    for r in cov.itertuples():
        title = unescape(tiles[abbr[str(r.province_code)]])
        share = persen(int(r.covered) / int(r.cells))
        assert f"{int(r.covered):,}".replace(",", ".") in title and share in title, title


def test_bands_go_from_none_to_the_darkest():
    assert section.band(None)[1] == section.band(0.0)[1] == "belum ada"
    assert section.band(0.07)[1] == "di bawah 10%"
    assert section.band(0.6)[0] == section.BANDS[-1][1]
    coverage = pd.DataFrame(
        {
            "province_code": ["35"],
            "province_name": ["Provinsi Uji"],
            "regions": [39],
            "cells": [100],
            "covered": [30],
            "share": [0.3],
        }
    )
    tiles = {t["abbr"]: t for t in section.tile_map(coverage)["tiles"]}
    assert tiles["JATIM"]["fill"] == section.band(0.3)[0] and tiles["ACEH"]["share"] is None
    assert len({(t["x"], t["y"]) for t in tiles.values()}) == len(tiles)  # no tile on another


def test_workbook_has_every_opportunity_in_one_sheet_per_province(report):  # noqa: F811
    wh, out, _, _, _ = report
    opportunities = wh.read_sql(
        "SELECT agency_id, affair, innovation_id FROM replication_opportunities"
    )
    wb = load_workbook(out / "reports" / "tindak-lanjut.xlsx", read_only=True)
    sheets = [s for s in wb.sheetnames if s.startswith("Peluang ")]
    provinces = set(opportunities["agency_id"].astype(str).str.slice(0, 2))
    assert len(sheets) == len(provinces) > 1
    rows = [r for s in sheets for r in list(wb[s].iter_rows(values_only=True))[1:]]
    assert len(rows) == len(opportunities)
    assert {(r[0], r[4]) for r in rows} == set(
        zip(opportunities["agency_id"], opportunities["innovation_id"])
    )


def test_hostile_titles_in_the_section_stay_text(report, tmp_path):  # noqa: F811
    wh, _, _, _, _ = report
    from jippnas_orchestration.replication.summary import replication_summary

    # the first suggestion of the region with the widest gap: the page shows it
    gaps = replication_summary(wh).widest_gaps
    first = gaps["first_suggestions"].iloc[0][0]["innovation_id"]
    wh.execute(
        "UPDATE harmonized_innovations SET title = :t WHERE innovation_id = :i",
        {"t": HOSTILE, "i": first},
    )
    page, _ = build_page(wh, tmp_path)
    html = _section(page)
    assert "<script" not in html
    assert "&lt;script&gt;" in html or "&lt;script" in html
