"""Completeness of an innovation's data, as the update campaign tracks it.

An innovation is complete ('Lengkap') when every field in REQUIRED_FIELDS has a value; it is
`updated` when it is complete and a submission accepted for it was submitted on or after the
campaign start (JIPPNAS_CAMPAIGN_START), `pending` otherwise.
"""

from __future__ import annotations

from datetime import date

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


def _present(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype(str).str.strip() != "")


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
    out["missing_fields"] = [",".join(f for f, m in zip(REQUIRED_FIELDS, row) if m) or None
                             for row in missing.itertuples(index=False, name=None)]
    updated = out["innovation_id"].isin(campaign_innovations(accepted, campaign_start)) & present.all(axis=1)
    out["update_status"] = updated.map({True: "updated", False: "pending"})
    return out
