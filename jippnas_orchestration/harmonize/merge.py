"""Merge the source records of each innovation into one row of `harmonized_innovations`.

Per-field rules (documented in docs/harmonization.md):
- title, summary, category: the highest-priority source that has a value (KIPP > INOLAN > IGA),
  its most recent record first; category falls back to the IGA government affair's category;
- agency: the cluster's agency (records are only matched within one agency);
- year_first / year_last: smallest / largest year of any record; start_year: the earliest given;
- sdgs, awards, sources: unions; outcomes and stage: the most recent IGA report;
- status and the other campaign fields come only from accepted update submissions, which are
  overlaid last (latest submitted_at wins, field by field).
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter

import pandas as pd

from ..columns import (  # noqa: F401  (re-exported: the harmonized table's columns)
    CAMPAIGN_FIELDS,
    HARMONIZED_COLUMNS,
    MERGED_COLUMNS,
    SUBMISSION_ONLY,
)

PRIORITY = {"KIPP": 0, "INOLAN": 1, "IGA": 2}


def _first_per_innovation(df: pd.DataFrame, column: str) -> pd.Series:
    """The first non-empty value of `column` per innovation, in df's (priority) order."""
    values = df[["innovation_id", column]].dropna()
    values = values[values[column].astype(str).str.strip() != ""]
    return values.drop_duplicates("innovation_id").set_index("innovation_id")[column]


def join_runs(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """sep.join of the values of each run of equal keys, in the given order: for frames already sorted
    by key, what groupby(...).agg(sep.join) gives, without a pandas object per group."""
    out_keys, out_text = [], []
    for key, run in groupby(zip(keys.tolist(), map(str, values.tolist())), key=itemgetter(0)):
        out_keys.append(key)
        out_text.append(sep.join(v for _, v in run))
    return pd.Series(out_text, index=pd.Index(out_keys), dtype=object)


def _joined(df: pd.DataFrame, column: str, sep: str) -> pd.Series:
    pairs = (
        df[["innovation_id", column]]
        .dropna()
        .drop_duplicates()
        .sort_values(["innovation_id", column])
    )
    return join_runs(pairs["innovation_id"], pairs[column], sep)


def merge_innovations(
    staged: pd.DataFrame, source_map: pd.DataFrame, agencies: pd.DataFrame
) -> pd.DataFrame:
    df = staged.merge(
        source_map[["source", "source_record_id", "innovation_id"]],
        on=["source", "source_record_id"],
        how="inner",
        validate="one_to_one",
    )
    if df.empty:
        return pd.DataFrame(columns=MERGED_COLUMNS)
    df["_prio"] = df["source"].map(PRIORITY)
    df["_neg_year"] = -df["year"].astype("float")
    df = df.sort_values(
        ["innovation_id", "_prio", "_neg_year", "source_record_id"], kind="mergesort"
    )
    grouped = df.groupby("innovation_id", sort=True)
    out = pd.DataFrame({"innovation_id": grouped.size().index})
    out["source_record_count"] = grouped.size().to_numpy()
    ids = out["innovation_id"]
    for column in ("title", "agency_id", "category", "summary"):
        out[column] = ids.map(_first_per_innovation(df, column))
    out["year_first"] = ids.map(grouped["year"].min()).astype("Int64")
    out["year_last"] = ids.map(grouped["year"].max()).astype("Int64")
    out["start_year"] = ids.map(grouped["start_year"].min()).astype("Int64")
    out["sources"] = ids.map(_joined(df, "source", ","))
    sdgs = df[["innovation_id", "sdgs"]].dropna()
    sdgs = sdgs.assign(sdg=sdgs["sdgs"].str.split(",")).explode("sdg")
    sdgs = sdgs[sdgs["sdg"].str.len() > 0]
    sdgs["sdg"] = sdgs["sdg"].astype(int)
    sdg_union = sdgs.drop_duplicates(["innovation_id", "sdg"]).sort_values(["innovation_id", "sdg"])
    out["sdgs"] = ids.map(join_runs(sdg_union["innovation_id"], sdg_union["sdg"], ","))
    awards = df[df["award_label"].notna() & df["award_year"].notna()]
    awards = awards.assign(
        award=awards["award_label"] + "/" + awards["award_year"].astype(int).astype(str),
        _y=awards["award_year"].astype(int),
    )
    awards = awards.drop_duplicates(["innovation_id", "award"]).sort_values(
        ["innovation_id", "_y", "award"]
    )
    out["awards"] = ids.map(join_runs(awards["innovation_id"], awards["award"], "; "))
    iga = df[df["source"] == "IGA"]
    out["stage"] = ids.map(_first_per_innovation(iga, "stage"))
    out["outcomes"] = ids.map(_first_per_innovation(iga, "outcomes"))
    keyed = df.assign(_key=df["source"] + ":" + df["source_record_id"].astype(str))
    out["source_records"] = ids.map(_joined(keyed, "_key", "; "))
    ag = agencies.set_index("agency_id")
    out["agency_name"] = out["agency_id"].map(ag["agency_name"])
    out["agency_type"] = out["agency_id"].map(ag["agency_type"])
    out["province_code"] = out["agency_id"].map(ag["province_code"])
    return out[MERGED_COLUMNS]


def latest_changes(change_log: pd.DataFrame) -> pd.DataFrame:
    """The winning value per (innovation, field): latest submitted_at, then latest change."""
    if change_log.empty:
        return change_log
    log = change_log.sort_values(["innovation_id", "field", "submitted_at", "change_id"])
    return log.groupby(["innovation_id", "field"], as_index=False).tail(1)


def decode_value(field: str, text: str | None):
    if text is None:
        return None
    value = json.loads(text)
    if field == "sdgs":
        return ",".join(str(int(v)) for v in sorted(set(value))) or None
    if field == "replicated_by":
        return ",".join(value) or None
    return value


def apply_overlay(harmonized: pd.DataFrame, change_log: pd.DataFrame) -> pd.DataFrame:
    """Put accepted submissions' values over the source-derived ones."""
    out = harmonized.copy()
    win = latest_changes(change_log)
    if win.empty:
        return out
    pos = pd.Series(range(len(out)), index=out["innovation_id"])
    win = win[win["innovation_id"].isin(pos.index) & win["field"].isin(CAMPAIGN_FIELDS)]
    out["replication_count"] = out["replication_count"].astype(object)
    for field, g in win.groupby("field"):
        rows = pos[g["innovation_id"]].to_numpy()
        out.iloc[rows, out.columns.get_loc(field)] = [
            decode_value(field, v) for v in g["new_value"]
        ]
    last = change_log.groupby("innovation_id")["submitted_at"].max()
    out["last_updated_at"] = out["innovation_id"].map(last)
    return out
