"""Completeness of an innovation's data, as the update campaign tracks it.

An innovation is complete ('Lengkap') when every field in REQUIRED_FIELDS has a value; it is
`updated` when it is complete and a submission accepted for it was submitted on or after the
campaign start (JIPPNAS_CAMPAIGN_START), `pending` otherwise.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pandas as pd

from .vocab import PROGRAMMES

# field -> what it means to the innovator filling in the form
REQUIRED_FIELDS = {
    "title": "judul inovasi",
    "agency_id": "instansi pemilik",
    "year_first": "tahun",
    "category": "kategori",
    "sdgs": "SDGs",
    "summary": "ringkasan",
    "status": "status keberlanjutan",
    "outcomes": "hasil/dampak",
}
JAKARTA = "Asia/Jakarta"
WIB = timezone(timedelta(hours=7))  # Jakarta has kept UTC+7 without daylight saving since 1964


def _present(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype(str).str.strip() != "")


def is_present(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return str(value).strip() != ""


def in_campaign(submitted_at: object, campaign_start: date) -> bool:
    """Submitted on or after the campaign start, as a date in Jakarta (a naive time is taken as WIB)."""
    try:
        ts = datetime.fromisoformat(str(submitted_at))
    except ValueError:
        return False
    local = ts.replace(tzinfo=WIB) if ts.tzinfo is None else ts.astimezone(WIB)
    return local.date() >= campaign_start


def score_row(row: dict, accepted_in_campaign: bool) -> dict:
    """The same rules as `score`, for one innovation (used when one submission is applied)."""
    missing = [f for f in REQUIRED_FIELDS if not is_present(row.get(f))]
    return {
        "completeness": round((len(REQUIRED_FIELDS) - len(missing)) / len(REQUIRED_FIELDS), 4),
        "missing_fields": ",".join(missing) or None,
        "update_status": "updated" if accepted_in_campaign and not missing else "pending",
    }


def campaign_innovations(accepted: pd.DataFrame, campaign_start: date) -> set[str]:
    """Innovations with an accepted submission submitted on/after the campaign start (Jakarta time)."""
    if accepted.empty:
        return set()
    when = pd.to_datetime(accepted["submitted_at"], utc=True, errors="coerce", format="ISO8601")
    local_day = when.dt.tz_convert(JAKARTA).dt.date
    ok = local_day >= campaign_start
    return set(accepted.loc[ok.fillna(False).astype(bool), "innovation_id"])


def score(harmonized: pd.DataFrame, accepted: pd.DataFrame, campaign_start: date) -> pd.DataFrame:
    """Fill completeness (0-1), missing_fields (comma list) and update_status."""
    out = harmonized.copy()
    present = pd.DataFrame({f: _present(out[f]) for f in REQUIRED_FIELDS})
    out["completeness"] = (present.sum(axis=1) / len(REQUIRED_FIELDS)).round(4).astype(float)
    missing = ~present
    out["missing_fields"] = [
        ",".join(f for f, m in zip(REQUIRED_FIELDS, row) if m) or None
        for row in missing.itertuples(index=False, name=None)
    ]
    updated = out["innovation_id"].isin(
        campaign_innovations(accepted, campaign_start)
    ) & present.all(axis=1)
    out["update_status"] = updated.map({True: "updated", False: "pending"})
    return out


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
