"""`jippnas explain INNOVATION_ID | SOURCE:ID`: the whole story of one innovation, without personal data.

Its source records with the match evidence (innovation_source_map), the submissions received for it
(accepted with the fields they changed, rejected with the reason), its current public values with
where each came from (field_provenance) and the innovations suggested for replication. Submitters,
e-mail addresses and phone numbers are never printed: only ids, dates, states, reasons and field names.
Last, where it has spread: the agencies listed as replicating it (first and last report, the
submission that first listed each), the counts reported and listed, and its government affair.

The innovation is named as submissions name it (contract section 4): by its innovation_id, or by one
of its source records, written SOURCE:ID (e.g. KIPP:609805, the innovation
{"source": "KIPP", "source_record_id": "609805"} of a submission). A bare source record id is
accepted too when it belongs to one source record only.
"""

from __future__ import annotations

from typing import TextIO

import pandas as pd

from .publication.public import DERIVED, PUBLIC_COLUMNS
from .warehouse import Warehouse

PERSONAL_FIELDS = {"contact_email", "submitted_by"}
SOURCES = ("KIPP", "IGA", "INOLAN")  # the sources a submission's innovation reference may name
ID_FORMS = (
    "give an innovation_id (e.g. JIP-3F2A9C0B1D), or a source record as SOURCE:ID with SOURCE "
    "one of KIPP, IGA, INOLAN (e.g. KIPP:609805, IGA:IND2022040125, INOLAN:LAN-0001)"
)


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


def _mapped(wh: Warehouse, where: str, params: dict) -> pd.DataFrame:
    if not wh.has_table("innovation_source_map"):
        return pd.DataFrame(columns=["source", "source_record_id", "innovation_id"])
    return wh.read_sql(
        "SELECT source, source_record_id, innovation_id FROM innovation_source_map "
        f"WHERE {where} ORDER BY source, source_record_id",
        params,
    )


def _quarantined(wh: Warehouse, source: str, record_id: str) -> str | None:
    """Why a source record was quarantined, if it was (it then belongs to no innovation)."""
    if not wh.has_table("rejected_source_rows"):
        return None
    rows = wh.read_sql(
        "SELECT stage, reason FROM rejected_source_rows WHERE source = :s AND source_record_id = :r",
        {"s": source, "r": record_id},
    )
    if rows.empty:
        return None
    return (
        f"{source}:{record_id} was quarantined at {rows['stage'].iloc[0]}: {rows['reason'].iloc[0]}"
    )


def resolve(wh: Warehouse, reference: str) -> tuple[str, str | None]:
    """(innovation_id, how the reference led to it) for an innovation_id or a source record,
    resolved as a submission's innovation reference is; an ExplainError saying which forms work."""
    ref = reference.strip()
    if not _rows(wh, "harmonized_innovations", "innovation_id = :i", ref).empty:
        return ref, None
    source, sep, record_id = ref.partition(":")
    if sep and source.strip().upper() in SOURCES:
        source, record_id = source.strip().upper(), record_id.strip()
        hits = _mapped(wh, "source = :s AND source_record_id = :r", {"s": source, "r": record_id})
        if hits.empty:
            why = _quarantined(wh, source, record_id)
            raise ExplainError(
                why
                or f"no innovation for {source}:{record_id}: no {source} record "
                f"{record_id!r} in innovation_source_map; {ID_FORMS}"
            )
        return str(hits["innovation_id"].iloc[0]), f"{source}:{record_id}"
    if not sep:  # a bare source record id, when only one source record has it
        hits = _mapped(wh, "source_record_id = :r", {"r": ref})
        if len(hits) == 1:
            return str(hits["innovation_id"].iloc[0]), f"{hits['source'].iloc[0]}:{ref}"
        if len(hits) > 1:
            forms = ", ".join(f"{h.source}:{h.source_record_id}" for h in hits.itertuples())
            raise ExplainError(f"{ref!r} is a record id in several sources; name one: {forms}")
    raise ExplainError(f"no innovation {ref!r} in harmonized_innovations; {ID_FORMS}")


def explain(wh: Warehouse, reference: str, out: TextIO) -> None:
    if not wh.has_table("harmonized_innovations"):
        raise ExplainError(
            "the warehouse has no harmonized_innovations yet: run the pipeline first"
        )
    innovation_id, via = resolve(wh, reference)
    current = _rows(wh, "harmonized_innovations", "innovation_id = :i", innovation_id)
    if current.empty:
        raise ExplainError(
            f"{via} belongs to innovation {innovation_id}, which is not in harmonized_innovations "
            "yet: run the pipeline"
        )
    if via:
        out.write(f"{via} is a source record of {innovation_id}\n")
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
    _replications(wh, innovation_id, out)


def _replications(wh: Warehouse, innovation_id: str, out: TextIO) -> None:
    """Where the innovation has spread (innovation_replications), its counts and its affair."""
    affair = _rows(wh, "innovation_affairs", "innovation_id = :i", innovation_id)
    if len(affair):
        a = affair.iloc[0]
        out.write(f"\nGovernment affair: {a['affair'] or 'none'} (decided by {a['decided_by']})\n")
    counts = _rows(wh, "innovation_replication_counts", "innovation_id = :i", innovation_id)
    reps = _rows(wh, "innovation_replications", "innovation_id = :i", innovation_id)
    if counts.empty and reps.empty:
        return
    if len(counts):
        c = counts.iloc[0]
        reported = c["replication_count_reported"]
        reported = "not reported" if pd.isna(reported) else int(reported)
        flag = "  (they disagree)" if bool(c["counts_disagree"]) else ""
        out.write(
            f"\nReplications: reported {reported}, listed {int(c['replication_count_listed'])}{flag}\n"
        )
    names = (
        wh.read_sql("SELECT agency_id, agency_name FROM agencies").set_index("agency_id")[
            "agency_name"
        ]
        if wh.has_table("agencies")
        else pd.Series(dtype=object)
    )
    for r in reps.sort_values("replicating_agency_id").itertuples():
        out.write(
            f"  {r.replicating_agency_id} {names.get(r.replicating_agency_id, '')}  first reported "
            f"{r.first_reported_at} (submission {r.submission_id}), last {r.last_reported_at}\n"
        )
