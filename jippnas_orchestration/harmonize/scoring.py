"""Completeness of one innovation's data, as the update campaign tracks it (columns of harmonized_innovations).

An innovation is complete ('Lengkap') when every field in REQUIRED_FIELDS has a value; it is
`updated` when it is complete and a submission accepted for it was submitted on or after the
campaign start (JIPPNAS_CAMPAIGN_START), `pending` otherwise. Per-agency measures are in
jippnas_orchestration.metrics.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pandas as pd

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
