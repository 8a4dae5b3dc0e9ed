"""Completeness per agency and nationally, from the per-innovation scores (harmonize.scoring)."""

from __future__ import annotations

import pandas as pd

from ..harmonize.scoring import (  # noqa: F401  (re-exported: the scoring rules)
    JAKARTA,
    REQUIRED_FIELDS,
    WIB,
    in_campaign,
    is_present,
    score,
    score_row,
)
from ..vocab import PROGRAMMES


def agency_completeness(harmonized: pd.DataFrame) -> pd.DataFrame:
    """One row per agency with at least one innovation; kipp_* columns count the KIPP campaign alone."""
    h = harmonized.assign(
        _updated=(harmonized["update_status"] == "updated").astype(int),
        _kipp=harmonized["sources"].fillna("").str.contains("KIPP").astype(int),
    )
    h["_kipp_updated"] = h["_kipp"] * h["_updated"]
    g = h.groupby("agency_id", sort=True)
    out = pd.DataFrame(
        {
            "agency_name": g["agency_name"].first(),
            "agency_type": g["agency_type"].first(),
            "province_code": g["province_code"].first(),
            "innovations_total": g.size(),
            "innovations_updated": g["_updated"].sum(),
            "completeness_mean": g["completeness"].mean().round(4),
            "kipp_total": g["_kipp"].sum(),
            "kipp_updated": g["_kipp_updated"].sum(),
        }
    ).reset_index()
    out["innovations_pending"] = out["innovations_total"] - out["innovations_updated"]
    out["kipp_pending"] = out["kipp_total"] - out["kipp_updated"]
    cols = [
        "agency_id",
        "agency_name",
        "agency_type",
        "province_code",
        "innovations_total",
        "innovations_updated",
        "innovations_pending",
        "completeness_mean",
        "kipp_total",
        "kipp_updated",
        "kipp_pending",
    ]
    return out[cols].astype({c: "int64" for c in cols if c.startswith(("innovations_", "kipp_"))})


SUMMARY_COLUMNS = ["agency_id", "agency_type", "sources", "update_status", "completeness"]


def national_summary(harmonized: pd.DataFrame) -> pd.DataFrame:
    """Totals overall, by programme (an innovation counts once per programme it came from) and by
    agency type; `agencies_with_pending` is the campaign's 'from N agencies'."""
    from .agency_totals import totals

    return summary_from_totals(totals(harmonized, by_type=True))


def summary_from_totals(t: pd.DataFrame) -> pd.DataFrame:
    """national_summary from totals per programme x agency x agency type (agency_totals.totals)."""
    from .agency_totals import ALL, UNITS

    rows = []

    def add(dimension: str, value: str, part: pd.DataFrame) -> None:
        innovations, updated = int(part["innovations"].sum()), int(part["updated"].sum())
        scored = int(part["scored"].sum())
        agencies = part[part["agency_id"].notna()]
        with_pending = agencies[agencies["innovations"] > agencies["updated"]]
        rows.append(
            {
                "dimension": dimension,
                "value": value,
                "innovations": innovations,
                "updated": updated,
                "pending": innovations - updated,
                "agencies": int(agencies["agency_id"].nunique()),
                "agencies_with_pending": int(with_pending["agency_id"].nunique()),
                # the same float as pandas' mean of the scores (agency_totals.mean)
                "completeness_mean": (
                    round(float(int(part["units"].sum()) / UNITS / scored), 4)
                    if scored
                    else (float("nan") if innovations else None)
                ),
            }
        )

    every = t[t["programme"] == ALL]
    add("all", "all", every)
    for programme in PROGRAMMES:
        add("programme", programme, t[t["programme"] == programme])
    for agency_type, part in every.groupby("agency_type", sort=True):
        add("agency_type", agency_type, part)
    return pd.DataFrame(rows)
