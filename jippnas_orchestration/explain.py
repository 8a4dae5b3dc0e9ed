"""`jippnas explain INNOVATION_ID`: the whole story of one innovation, without personal data.

Its source records with the match evidence (innovation_source_map), the submissions received for it
(accepted with the fields they changed, rejected with the reason), its current public values with
where each came from (field_provenance) and the innovations suggested for replication. Submitters,
e-mail addresses and phone numbers are never printed: only ids, dates, states, reasons and field names.
"""

from __future__ import annotations

from typing import TextIO

import pandas as pd

from .publication.public import DERIVED, PUBLIC_COLUMNS
from .warehouse import Warehouse

PERSONAL_FIELDS = {"contact_email", "submitted_by"}


class ExplainError(Exception):
    pass


def _rows(wh: Warehouse, table: str, where: str, innovation_id: str) -> pd.DataFrame:
    if not wh.has_table(table):
        return pd.DataFrame()
    return wh.read_sql(f'SELECT * FROM "{table}" WHERE {where}', {"i": innovation_id})


def _short(value: object, width: int = 90) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def explain(wh: Warehouse, innovation_id: str, out: TextIO) -> None:
    if not wh.has_table("harmonized_innovations"):
        raise ExplainError(
            "the warehouse has no harmonized_innovations yet: run the pipeline first"
        )
    current = _rows(wh, "harmonized_innovations", "innovation_id = :i", innovation_id)
    if current.empty:
        raise ExplainError(f"no innovation {innovation_id!r} in harmonized_innovations")
    row = current.iloc[0]
    out.write(
        f"{innovation_id}: {row['title']}\n  agency {row['agency_id']} {row['agency_name']}; "
        f"{row['update_status']}; completeness {row['completeness']}\n"
    )

    records = _rows(wh, "innovation_source_map", "innovation_id = :i", innovation_id)
    staged = _rows(
        wh,
        "staged_source_records",
        "source || ':' || source_record_id IN (SELECT source || ':' || source_record_id "
        "FROM innovation_source_map WHERE innovation_id = :i)",
        innovation_id,
    )
    year = {
        (s, str(r)): y
        for s, r, y in zip(
            staged.get("source", []), staged.get("source_record_id", []), staged.get("year", [])
        )
    }
    title = {
        (s, str(r)): t
        for s, r, t in zip(
            staged.get("source", []), staged.get("source_record_id", []), staged.get("title", [])
        )
    }
    out.write(f"\nSource records ({len(records)}):\n")
    for r in records.sort_values(["source", "source_record_id"]).itertuples():
        key = (r.source, str(r.source_record_id))
        y = year.get(key)
        out.write(
            f"  {r.source}:{r.source_record_id}  year {'' if pd.isna(y) else int(y)}  "
            f"match {r.match_rule} (score {float(r.match_score):.3f})  {_short(title.get(key), 60)}\n"
        )

    subs = _rows(wh, "innovation_submissions", "innovation_id = :i", innovation_id)
    log = _rows(wh, "innovation_change_log", "innovation_id = :i", innovation_id)
    fields = (
        log.groupby("submission_id")["field"].agg(lambda f: ", ".join(sorted(set(f))))
        if len(log)
        else {}
    )
    out.write(f"\nSubmissions ({len(subs)}):\n")
    for s in subs.sort_values(["submitted_at", "submission_id"]).itertuples() if len(subs) else []:
        detail = (
            f"changed {fields.get(s.submission_id, 'nothing')}"
            if s.state == "accepted"
            else f"reason: {_short(s.reason, 120)}"
            if s.state == "rejected"
            else "not decided yet"
        )
        out.write(f"  {s.submission_id}  submitted {s.submitted_at}  {s.state}  {detail}\n")

    prov = _rows(wh, "field_provenance", "innovation_id = :i", innovation_id)
    out.write("\nCurrent values and their origin:\n")
    for field in [c for c in PUBLIC_COLUMNS if c not in DERIVED and c != "innovation_id"]:
        origins = prov[prov["field"] == field] if len(prov) else prov
        said = (
            "; ".join(
                f"{o.origin} {o.source_record_id}"
                if o.origin != "submission"
                else f"submission {o.submission_id}"
                for o in origins.itertuples()
            )
            if len(origins)
            else "computed"
            if field in ("completeness", "missing_fields", "update_status", "last_updated_at")
            else "no value"
        )
        rule = f" ({origins['rule'].iloc[0]})" if len(origins) else ""
        out.write(f"  {field:<18} {_short(row.get(field), 50):<50} <- {said}{rule}\n")

    similar = _rows(wh, "similar_innovations", "innovation_id = :i", innovation_id)
    if len(similar):
        names = _rows(
            wh,
            "harmonized_innovations",
            "innovation_id IN (SELECT similar_innovation_id FROM similar_innovations "
            "WHERE innovation_id = :i)",
            innovation_id,
        ).set_index("innovation_id")
        out.write("\nSimilar innovations of other agencies, worth replicating:\n")
        for s in similar.sort_values("rank").itertuples():
            n = (
                names.loc[s.similar_innovation_id]
                if s.similar_innovation_id in names.index
                else None
            )
            label = f"{_short(n['title'], 50)} ({n['agency_name']})" if n is not None else ""
            out.write(
                f"  {s.rank}. {s.similar_innovation_id} {label}  score {s.score:.2f}; {s.reason}\n"
            )
