"""campaign_history: one snapshot per day, the last run of the day wins, past days never rewritten;
the report shows the days and the change since the previous snapshot (headless Chromium)."""

import io
import re
from datetime import date
from html import unescape

import pandas as pd
from dagster import AssetKey

from jippnas_orchestration.campaign_history import record, today
from jippnas_orchestration.reports import build_report
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse

from .helpers import run_pipeline
from .test_report import chromium


def national(wh: Warehouse, programme: str = "KIPP") -> pd.DataFrame:
    h = wh.read_sql("SELECT * FROM campaign_history WHERE programme = :p", {"p": programme})
    return h[h["agency_id"].fillna("") == ""].sort_values("snapshot_date").reset_index(drop=True)


def test_three_days_of_history_and_the_report_deltas(sample_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    wh = Warehouse(url)
    assert submit_files(sorted((sample_dir / "submissions").glob("*.json")), io.StringIO(), wh) == 0
    assert run_pipeline(url, sample_dir).success
    run_day = today().isoformat()
    first = wh.read_table("campaign_history")
    assert set(first["snapshot_date"]) == {run_day}
    kipp = national(wh).iloc[0]
    assert (kipp["innovations"], kipp["updated"], kipp["pending"]) == (973, 843, 130)
    per_agency = first[(first["programme"] == "KIPP") & (first["agency_id"] != "")]
    assert per_agency["pending"].sum() == 130 and (per_agency["pending"] > 0).sum() == 30
    # a second run the same day replaces that day's rows, it does not add to them
    assert run_pipeline(url, sample_dir, selection=[AssetKey("campaign_history")]).success
    pd.testing.assert_frame_equal(wh.read_table("campaign_history").sort_values(["programme", "agency_id"])
                                  .reset_index(drop=True),
                                  first.sort_values(["programme", "agency_id"]).reset_index(drop=True))

    # three earlier days, each with more KIPP innovations updated than the day before
    h = wh.read_table("harmonized_innovations")
    pending = h[h["sources"].str.contains("KIPP") & (h["update_status"] == "pending")].sort_values("innovation_id")
    days = [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    for day, still_pending in zip(days, (130 + 40, 130 + 25, 130 + 10)):
        # on `day`, still_pending - 130 of today's updated innovations were still pending
        updated = h[h["sources"].str.contains("KIPP") & (h["update_status"] == "updated")].sort_values("innovation_id")
        earlier = h.copy()
        earlier.loc[earlier["innovation_id"].isin(updated["innovation_id"].head(still_pending - 130)),
                    "update_status"] = "pending"
        record(wh, earlier, day)
    # a later run on the second day wins for that day; the first day stays as written
    day1_before = wh.read_sql("SELECT * FROM campaign_history WHERE snapshot_date = '2026-01-05'")
    again = h.copy()
    again.loc[again["innovation_id"].isin(h[h["sources"].str.contains("KIPP") & (h["update_status"] == "updated")]
                                          .sort_values("innovation_id")["innovation_id"].head(20)),
              "update_status"] = "pending"
    record(wh, again, days[1])
    pd.testing.assert_frame_equal(wh.read_sql("SELECT * FROM campaign_history WHERE snapshot_date = '2026-01-05'"),
                                  day1_before)
    hist = national(wh)
    assert hist["snapshot_date"].tolist() == ["2026-01-05", "2026-01-12", "2026-01-19", run_day]
    assert hist["pending"].tolist() == [170, 150, 140, 130] and hist["updated"].tolist() == [803, 823, 833, 843]
    assert len(pending) == 130

    page, _ = build_report(wh, out)
    dom = chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    since = unescape(re.sub(r"<[^>]+>", "", re.search(r'<p id="sejak-laporan-sebelumnya">(.*?)</p>', dom).group(1)))
    assert since.startswith("Sejak 2026-01-19: sudah dimutakhirkan +10, belum −10, jumlah inovasi ±0")
    section = re.search(r'<section id="riwayat">(.*?)</section>', dom, re.S).group(1)
    rows = re.findall(r"<tr><td>([\d-]+)</td><td>([\d.]+)</td><td>([\d.]+)</td><td>([\d.]+)</td>", section)
    assert [(d, int(u), int(p)) for d, _, u, p in rows] == [
        ("2026-01-05", 803, 170), ("2026-01-12", 823, 150), ("2026-01-19", 833, 140), (run_day, 843, 130)]
