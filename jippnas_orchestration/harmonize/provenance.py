"""Where each public value of an innovation came from (table field_provenance).

Follows the rules of merge.py field by field, on the same record order (programme priority, newest
year first), then lets the change log's winning submissions take over the campaign fields exactly
as `apply_overlay` does. One row per innovation x field x contributing record: fields chosen from
one record have one row; unions (sources, sdgs, awards) have a row per record that contributed.
Rows carry no personal data: record ids, submission ids and programme years only.
"""

from __future__ import annotations

import json

import pandas as pd

from .merge import CAMPAIGN_FIELDS, PRIORITY, latest_changes

PROVENANCE_COLUMNS = [
    "innovation_id",
    "field",
    "origin",
    "source_record_id",
    "submission_id",
    "year",
    "rule",
]
RULE_PRIORITY = "first by programme priority (KIPP > INOLAN > IGA), newest record first"
RULE_AGENCY = "agency of the matched records"
RULE_MIN_YEAR, RULE_MAX_YEAR, RULE_MIN_START = (
    "earliest record year",
    "latest record year",
    "earliest start year",
)
RULE_UNION = "union of the records"
RULE_IGA = "most recent IGA report"
RULE_SUBMISSION = "accepted submission (latest submitted_at wins)"
# public fields derived from agency_id take its provenance
AGENCY_DERIVED = ("agency_name", "agency_type", "province_code")


# staged columns whose value is never shown here, only whether a record had one
PRESENCE_COLUMNS = ("title", "category", "summary", "agency_id", "sdgs", "stage", "outcomes")
STAGED_COLUMNS = [
    "source",
    "source_record_id",
    "year",
    "start_year",
    "award_label",
    "award_year",
    *PRESENCE_COLUMNS,
]


def _filled(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype(str).str.strip() != "")


def _ordered(staged: pd.DataFrame, source_map: pd.DataFrame) -> pd.DataFrame:
    # long texts become flags first: every later filter and sort then moves a narrow frame
    df = staged[STAGED_COLUMNS].assign(
        **{c: _filled(staged[c]).to_numpy() for c in PRESENCE_COLUMNS}
    )
    df = df.merge(
        source_map[["source", "source_record_id", "innovation_id"]],
        on=["source", "source_record_id"],
        how="inner",
    )
    df["_prio"] = df["source"].map(PRIORITY)
    df["_neg_year"] = -df["year"].astype("float")
    return df.sort_values(
        ["innovation_id", "_prio", "_neg_year", "source_record_id"], kind="mergesort"
    )


def _present(df: pd.DataFrame, column: str) -> pd.DataFrame:
    return df[df[column]]


def _rows(records: pd.DataFrame, field: str, rule: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "innovation_id": records["innovation_id"].to_numpy(),
            "field": field,
            "origin": records["source"].to_numpy(),
            "source_record_id": records["source_record_id"].astype(str).to_numpy(),
            "submission_id": None,
            "year": records["year"].to_numpy(),
            "rule": rule,
        }
    )


def source_provenance(staged: pd.DataFrame, source_map: pd.DataFrame) -> pd.DataFrame:
    """Which source record set each source-derived field, by the merge's own rules."""
    df = _ordered(staged, source_map)
    parts = []
    for field in ("title", "category", "summary"):
        parts.append(
            _rows(_present(df, field).drop_duplicates("innovation_id"), field, RULE_PRIORITY)
        )
    first = _present(df, "agency_id").drop_duplicates("innovation_id")
    for field in ("agency_id", *AGENCY_DERIVED):
        parts.append(_rows(first, field, RULE_AGENCY))
    years = df[df["year"].notna()]
    # the first record (in merge order) carrying the extreme value
    parts.append(
        _rows(
            years[
                years["year"] == years.groupby("innovation_id")["year"].transform("min")
            ].drop_duplicates("innovation_id"),
            "year_first",
            RULE_MIN_YEAR,
        )
    )
    parts.append(
        _rows(
            years[
                years["year"] == years.groupby("innovation_id")["year"].transform("max")
            ].drop_duplicates("innovation_id"),
            "year_last",
            RULE_MAX_YEAR,
        )
    )
    starts = df[df["start_year"].notna()]
    parts.append(
        _rows(
            starts[
                starts["start_year"]
                == starts.groupby("innovation_id")["start_year"].transform("min")
            ].drop_duplicates("innovation_id"),
            "start_year",
            RULE_MIN_START,
        )
    )
    parts.append(_rows(df, "sources", RULE_UNION))
    parts.append(_rows(_present(df, "sdgs"), "sdgs", RULE_UNION))
    parts.append(
        _rows(df[df["award_label"].notna() & df["award_year"].notna()], "awards", RULE_UNION)
    )
    iga = df[df["source"] == "IGA"]
    for field in ("stage", "outcomes"):
        parts.append(_rows(_present(iga, field).drop_duplicates("innovation_id"), field, RULE_IGA))
    out = pd.concat(parts, ignore_index=True)
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    return out


def build_provenance(
    staged: pd.DataFrame,
    source_map: pd.DataFrame,
    change_log: pd.DataFrame,
    innovation_ids: pd.Series | None = None,
) -> pd.DataFrame:
    """field_provenance: source rows, with the fields a winning submission set taken over by it."""
    out = source_provenance(staged, source_map)
    win = latest_changes(change_log) if len(change_log) else change_log
    if len(win):
        win = win[win["field"].isin(CAMPAIGN_FIELDS)]
        taken = pd.MultiIndex.from_frame(win[["innovation_id", "field"]])
        out = out[~pd.MultiIndex.from_frame(out[["innovation_id", "field"]]).isin(taken)]
        subs = pd.DataFrame(
            {
                "innovation_id": win["innovation_id"].to_numpy(),
                "field": win["field"].to_numpy(),
                "origin": "submission",
                "source_record_id": None,
                "submission_id": win["submission_id"].to_numpy(),
                "year": pd.NA,
                "rule": RULE_SUBMISSION,
            }
        )
        subs["year"] = subs["year"].astype("Int64")
        out = pd.concat([out, subs], ignore_index=True)
    if innovation_ids is not None:
        out = out[out["innovation_id"].isin(set(innovation_ids))]
    out = out.sort_values(
        ["innovation_id", "field", "origin", "source_record_id"], kind="mergesort"
    )
    out = out[PROVENANCE_COLUMNS].reset_index(drop=True)
    text = ["innovation_id", "field", "origin", "source_record_id", "submission_id", "rule"]
    out[text] = out[text].astype(object).where(out[text].notna(), None)
    return out


def public_provenance(provenance: pd.DataFrame, fields: list[str] | None = None) -> pd.Series:
    """Per innovation, compact JSON {field: ["KIPP 2021", "IGA 2023", "submission"]} for the public
    `fields`: programmes and years only, never a record or submission id or anyone's name."""
    if fields is not None:
        provenance = provenance[provenance["field"].isin(fields)]
    years = (
        pd.to_numeric(provenance["year"], errors="coerce")
        .astype("Int64")
        .astype(str)
        .replace({"<NA>": ""})
    )
    labels = provenance["origin"].where(
        provenance["origin"] == "submission", (provenance["origin"] + " " + years).str.strip()
    )
    df = pd.DataFrame(
        {
            "innovation_id": provenance["innovation_id"],
            "field": provenance["field"],
            "label": labels,
        }
    )
    df = df.drop_duplicates().sort_values(["innovation_id", "field", "label"])
    # json.dumps of {field: [labels]} (sorted keys, compact separators) written as text in one pass
    # over the sorted rows: no dict and no pandas group per innovation (1.7 M rows at national scale)
    quoted = {
        v: json.dumps(v, ensure_ascii=False)
        for v in pd.unique(pd.concat([df["field"], df["label"]]))
    }
    ids, texts = [], []
    entries: list[str] = []
    labels: list[str] = []
    current: tuple[object, object] | None = None
    for innovation, field, label in zip(
        df["innovation_id"].tolist(), df["field"].tolist(), df["label"].tolist()
    ):
        if current is not None and (innovation, field) != current:
            entries.append(f"{quoted[current[1]]}:[{','.join(labels)}]")
            labels = []
            if innovation != current[0]:
                ids.append(current[0])
                texts.append("{" + ",".join(entries) + "}")
                entries = []
        current = (innovation, field)
        labels.append(quoted[label])
    if current is not None:
        entries.append(f"{quoted[current[1]]}:[{','.join(labels)}]")
        ids.append(current[0])
        texts.append("{" + ",".join(entries) + "}")
    return pd.Series(texts, index=pd.Index(ids), dtype=object)
