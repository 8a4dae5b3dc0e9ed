"""campaign_history: one snapshot per day, the last run of the day wins, past days never rewritten,
the days before the first run rebuilt once from the change log; the report shows the trend and the
change since the previous report after runs on three days (JIPPNAS_CLOCK), in headless Chromium."""

import io
import json
import re
from datetime import date
from html import unescape

import pandas as pd
import pytest
from dagster import AssetKey, AssetSelection
from openpyxl import load_workbook

from jippnas_orchestration.metrics.history import (
    BACKFILL,
    CLOCK_VAR,
    RUN,
    month_end,
    now,
    record,
    today,
)
from jippnas_orchestration.reports import build_page
from jippnas_orchestration.reports import html as html_module
from jippnas_orchestration.reports.html import hari
from jippnas_orchestration.reports.workbook import HISTORY_SHEET
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse

from .helpers import leaked, run_pipeline
from .test_publication import personal_values
from .test_report import chromium

DAYS = ["2026-03-02", "2026-03-09", "2026-03-16"]
AFTER_SUBMISSIONS = AssetSelection.assets("innovation_change_log").downstream()
REPORT = AssetSelection.assets("data_quality_report")


def national(wh: Warehouse, programme: str = "KIPP") -> pd.DataFrame:
    h = wh.read_sql("SELECT * FROM campaign_history WHERE programme = :p", {"p": programme})
    return h[h["agency_id"].fillna("") == ""].sort_values("snapshot_date").reset_index(drop=True)


def kipp_figures(wh: Warehouse) -> dict:
    """What harmonized_innovations says now about the KIPP campaign."""
    h = wh.read_table("harmonized_innovations", ["sources", "update_status"])
    kipp = h[h["sources"].str.contains("KIPP")]
    updated = int((kipp["update_status"] == "updated").sum())
    return {"innovations": len(kipp), "updated": updated, "pending": len(kipp) - updated}


def test_clock_setting(monkeypatch):
    monkeypatch.setenv(CLOCK_VAR, "2026-03-02T23:30:00")  # no offset: Jakarta time
    assert today() == date(2026, 3, 2)
    monkeypatch.setenv(CLOCK_VAR, "2026-03-02T20:00:00+00:00")  # 03:00 on the 3rd in Jakarta
    assert today() == date(2026, 3, 3)
    monkeypatch.setenv(CLOCK_VAR, "kemarin")
    with pytest.raises(ValueError, match="JIPPNAS_CLOCK='kemarin' is not an ISO 8601 time"):
        now()
    assert [month_end(date(2024, m, 15)) for m in (1, 2, 12)] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 12, 31),
    ]


@pytest.mark.browser
def test_three_days_of_runs_show_the_trend_and_the_deltas(sample_dir, tmp_path, monkeypatch):
    """The done-when drill: innovators submit on three days, the pipeline runs each day, the report
    of the third day shows three points per programme and the change since the second day."""
    out = tmp_path / "out"
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    wh = Warehouse(url)
    docs = json.loads((sample_dir / "submissions" / "pemutakhiran-2023-2024.json").read_text())
    batches = [
        docs[: len(docs) // 2],
        docs[len(docs) // 2 : len(docs) * 3 // 4],
        docs[len(docs) * 3 // 4 :],
    ]
    seen = []
    for i, (day, batch) in enumerate(zip(DAYS, batches)):
        monkeypatch.setenv(CLOCK_VAR, f"{day}T09:00:00+07:00")
        path = tmp_path / f"day{i}.json"  # the innovators submit on that day
        path.write_text(
            json.dumps(
                [
                    {**d, "submitted_at": f"{day}T08:{n % 60:02d}:00+07:00"}
                    for n, d in enumerate(batch)
                ]
            )
        )
        assert submit_files([path], io.StringIO(), wh) == 0
        # the report is read on the third day only (its trend is drawn from campaign_history)
        selection = [None, AFTER_SUBMISSIONS - REPORT, AFTER_SUBMISSIONS][i]
        assert run_pipeline(url, sample_dir, selection=selection).success
        seen.append(kipp_figures(wh))
    assert seen[0]["updated"] < seen[1]["updated"] < seen[2]["updated"]

    hist = national(wh)
    assert hist["snapshot_date"].tolist() == DAYS and set(hist["recorded_by"]) == {
        RUN
    }  # nothing to rebuild
    assert hist[["innovations", "updated", "pending"]].to_dict("records") == seen

    page = out / "reports" / "index.html"  # written by the third day's run
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    assert '<span id="dibuat">16 Maret 2026, ' in dom and " WIB</span>" in dom
    chart = re.search(r'<svg[^>]*id="grafik-kemajuan".*?</svg>', dom, re.S).group(0)
    for programme in ("ALL", "KIPP", "IGA", "INOLAN"):
        series = re.search(
            rf'<g class="series[^"]*" data-programme="{programme}">(.*?)</g>', chart, re.S
        ).group(1)
        points = re.findall(
            r'<circle class="point"[^>]*data-date="([\d-]+)" data-updated="(\d+)"', series
        )
        assert [d for d, _ in points] == DAYS, programme
        expected = national(wh, programme)["updated"].tolist()
        assert [int(u) for _, u in points] == expected, programme
    kipp = re.search(r'data-programme="KIPP">(.*?)</g>', chart, re.S).group(1)
    assert [int(u) for u in re.findall(r'data-updated="(\d+)"', kipp)] == [
        s["updated"] for s in seen
    ]

    since = unescape(
        re.sub(
            r"<[^>]+>",
            "",
            re.search(r'<p id="sejak-laporan-sebelumnya">(.*?)</p>', dom, re.S).group(1),
        )
    )
    moved = seen[2]["updated"] - seen[1]["updated"]
    assert since.startswith(
        f"Dibanding {hari(DAYS[1])}: sudah dimutakhirkan +{moved} inovasi, belum −{moved} "
        "inovasi, jumlah inovasi ±0"
    )
    row = re.search(
        r'<tr data-programme="KIPP"><td>[^<]*</td><td>([^<]+)</td><td class="n">([^<]*)</td>'
        r'<td class="n">([^<]*)</td>',
        dom,
    )
    assert row.groups() == (hari(DAYS[1]), f"+{moved}", f"−{moved}")
    # fewer than 30 days of history: nobody can be called stalled yet
    assert "Belum dapat dinilai: catatan harian belum mencakup 30 hari" in dom
    found = leaked(personal_values(wh), [dom, page.read_text()])
    assert not found, found[:5]

    # the workbook's history sheet: KIPP pending per agency and day, as campaign_history has them
    sheet = list(
        load_workbook(out / "reports" / "tindak-lanjut.xlsx", read_only=True)[
            HISTORY_SHEET
        ].iter_rows(values_only=True)
    )
    assert list(sheet[0][3:]) == [f"Belum per {hari(d)}" for d in DAYS]
    table = wh.read_sql(
        "SELECT snapshot_date, agency_id, pending FROM campaign_history "
        "WHERE programme = 'KIPP' AND agency_id <> ''"
    )
    expected = table.pivot(index="agency_id", columns="snapshot_date", values="pending")
    got = {r[0]: list(r[3:]) for r in sheet[1:]}
    assert sorted(got) == sorted(expected.index)
    assert all(
        got[a] == [None if pd.isna(v) else int(v) for v in expected.loc[a, DAYS]] for a in got
    )


@pytest.mark.browser
def test_history_is_rebuilt_once_from_the_change_log_and_the_last_run_of_a_day_wins(
    sample_dir, materialized, tmp_path
):
    # submitted, then everything materialized; the runs here are on the day that run recorded
    sample = materialized("sqlite", submissions=True, frozen=True)
    url, wh, out = sample.url, sample.wh, sample.out
    run_day = today().isoformat()
    first = wh.read_table("campaign_history")
    kipp = national(wh)
    assert (kipp.iloc[-1]["snapshot_date"], kipp.iloc[-1]["recorded_by"]) == (run_day, RUN)
    assert kipp.iloc[-1][["innovations", "updated", "pending"]].tolist() == [973, 843, 130]
    today_rows = first[
        (first["snapshot_date"] == run_day)
        & (first["programme"] == "KIPP")
        & (first["agency_id"] != "")
    ]
    assert today_rows["pending"].sum() == 130 and (today_rows["pending"] > 0).sum() == 30

    # the end of each month, before the first run, in which in-campaign changes were submitted
    log = wh.read_table("innovation_change_log", ["innovation_id", "submitted_at"])
    log["day"] = (
        pd.to_datetime(log["submitted_at"], utc=True, format="ISO8601")
        .dt.tz_convert("Asia/Jakarta")
        .dt.date.astype(str)
    )
    in_campaign = log[log["day"] >= "2023-01-01"]
    rebuilt = kipp[kipp["recorded_by"] == BACKFILL]
    ends = sorted({month_end(date.fromisoformat(d)).isoformat() for d in in_campaign["day"]})
    assert rebuilt["snapshot_date"].tolist() == [d for d in ends if d < run_day]
    assert rebuilt["snapshot_date"].iloc[0] == "2023-01-31" and len(rebuilt) > 12
    # on each: the KIPP innovations updated now whose first in-campaign submission was made by then
    first_update = in_campaign.groupby("innovation_id")["day"].min()
    h = wh.read_table("harmonized_innovations", ["innovation_id", "sources", "update_status"])
    updated_now = h[h["sources"].str.contains("KIPP") & (h["update_status"] == "updated")][
        "innovation_id"
    ]
    by_then = first_update.reindex(updated_now)
    assert rebuilt["updated"].tolist() == [
        int((by_then <= d).sum()) for d in rebuilt["snapshot_date"]
    ]
    assert rebuilt["updated"].iloc[0] < rebuilt["updated"].iloc[-1] == 843
    assert set(rebuilt["innovations"]) == {973}

    # a second run the same day replaces that day's rows and rebuilds nothing
    assert run_pipeline(url, sample_dir, selection=[AssetKey("campaign_history")]).success

    def ordered(df):
        return df.sort_values(["snapshot_date", "programme", "agency_id"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(ordered(wh.read_table("campaign_history")), ordered(first))
    # a rebuilt day that went missing is rebuilt alone; the others stay as written
    wh.execute("DELETE FROM campaign_history WHERE snapshot_date = '2023-06-30'")
    assert run_pipeline(url, sample_dir, selection=[AssetKey("campaign_history")]).success
    pd.testing.assert_frame_equal(ordered(wh.read_table("campaign_history")), ordered(first))

    # a later run on a recorded day wins for that day; the days before it stay as written
    h = wh.read_table("harmonized_innovations")
    again = h.copy()
    again.loc[again["innovation_id"].isin(updated_now.sort_values().head(20)), "update_status"] = (
        "pending"
    )
    record(wh, again, date.fromisoformat(run_day))
    now_rows = wh.read_table("campaign_history")
    pd.testing.assert_frame_equal(
        ordered(now_rows[now_rows["snapshot_date"] != run_day]),
        ordered(first[first["snapshot_date"] != run_day]),
    )
    assert national(wh).iloc[-1][["updated", "pending"]].tolist() == [823, 150]

    # the report: rebuilt days are said to be rebuilt; 30 agencies have not moved since January 2023
    page, data = build_page(wh, out)
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    assert data.backfilled_until == run_day
    assert f"Hari sebelum {hari(run_day)} disusun ulang dari log perubahan" in dom
    since = unescape(
        re.sub(
            r"<[^>]+>",
            "",
            re.search(r'<p id="sejak-laporan-sebelumnya">(.*?)</p>', dom, re.S).group(1),
        )
    )
    assert since.startswith(
        f"Dibanding {hari(rebuilt['snapshot_date'].iloc[-1])}: sudah dimutakhirkan −20 inovasi, "
        "belum +20"
    )
    stalled = re.search(
        r'<table class="sortable" id="instansi-mandek">(.*?)</table>', dom, re.S
    ).group(1)
    shown = min(len(data.stalled), html_module.MAX_STALLED_SHOWN)  # the rest in the workbook
    assert len(re.findall(r"<tr>", stalled)) - 1 == shown > 0
    if len(data.stalled) > shown:
        assert f"Ditampilkan {shown} dari {len(data.stalled)} instansi mandek" in dom
    assert (data.stalled["pending"] > 0).all() and (data.stalled["days_unchanged"] >= 30).all()


def test_a_table_written_before_recorded_by_gains_it(warehouse):
    """A warehouse whose campaign_history predates the column: its rows were written by runs."""
    old = pd.DataFrame(
        [("2026-01-05", "KIPP", "", 2, 1, 1, 0.5)],
        columns=[
            "snapshot_date",
            "programme",
            "agency_id",
            "innovations",
            "updated",
            "pending",
            "completeness_mean",
        ],
    )
    warehouse.replace_rows("campaign_history", old, {"snapshot_date": "2026-01-05"})
    harmonized = pd.DataFrame(
        {
            "innovation_id": ["a", "b"],
            "agency_id": ["35.10", "32.73"],
            "sources": ["KIPP", "KIPP,IGA"],
            "update_status": ["updated", "updated"],
            "completeness": [1.0, 0.875],
        }
    )
    record(warehouse, harmonized, date(2026, 1, 12))
    h = national(warehouse)
    assert h[["snapshot_date", "recorded_by", "updated", "pending"]].values.tolist() == [
        ["2026-01-05", RUN, 1, 1],
        ["2026-01-12", RUN, 2, 0],
    ]
    iga = national(warehouse, "IGA")
    assert iga[["innovations", "completeness_mean"]].values.tolist() == [[1, 0.875]]
    assert national(warehouse, "INOLAN")[["innovations", "updated", "pending"]].values.tolist() == [
        [0, 0, 0]
    ]
