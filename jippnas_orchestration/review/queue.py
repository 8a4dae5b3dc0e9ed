"""Build the `match_review` table from this run's open questions and people's decisions."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd

from .model import (
    CANDIDATE_COLUMNS,
    KIND_AGENCY,
    KIND_PAIR,
    REVIEW_COLUMNS,
    agency_subject,
    pair_subject,
    review_id,
    to_json,
)


def agency_candidates(unresolved: pd.DataFrame) -> pd.DataFrame:
    """One review per written agency name (and type hint) left unresolved; `unresolved` holds staged
    records with `agency_name`, `agency_type_hint`, `code_hint`, `agency_note`, `agency_candidates`."""
    rows = []
    if len(unresolved):
        subjects = [
            agency_subject(n, h)
            for n, h in zip(unresolved["agency_name"], unresolved["agency_type_hint"])
        ]
        df = unresolved.assign(_subject=subjects)
        for subject, g in df.groupby("_subject", sort=True):
            first = g.iloc[0]
            records = sorted(f"{s}:{r}" for s, r in zip(g["source"], g["source_record_id"]))
            cands = json.loads(first["agency_candidates"] or "[]")
            rows.append(
                {
                    "review_id": review_id(KIND_AGENCY, subject),
                    "kind": KIND_AGENCY,
                    "subject": subject,
                    "records": to_json(records),
                    "record_count": len(records),
                    "description": f"agency name {first['agency_name']!r}"
                    + (f" (type {first['agency_type_hint']})" if first["agency_type_hint"] else ""),
                    "candidates": to_json(cands),
                    "score": max((c[1] for c in cands), default=0.0),
                    "evidence": first["agency_note"] or "no agency matches",
                }
            )
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def pair_candidates(pairs: pd.DataFrame, innovation_of: dict[str, str]) -> pd.DataFrame:
    """One review per record pair the matcher could not decide (see matching.REVIEW_PAIR_COLUMNS)."""
    rows = []
    for p in pairs.itertuples():
        a, b = f"{p.a_source}:{p.a_source_record_id}", f"{p.b_source}:{p.b_source_record_id}"
        subject = pair_subject(a, b)
        cands = [
            [innovation_of.get(a), p.score, p.a_title],
            [innovation_of.get(b), p.score, p.b_title],
        ]
        rows.append(
            {
                "review_id": review_id(KIND_PAIR, subject),
                "kind": KIND_PAIR,
                "subject": subject,
                "records": to_json(sorted((a, b))),
                "record_count": 2,
                "description": f"same innovation of {p.agency_id}? {p.a_title!r} / {p.b_title!r}",
                "candidates": to_json(cands),
                "score": float(p.score),
                "evidence": p.evidence,
            }
        )
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def build_queue(
    candidates: pd.DataFrame,
    decisions: pd.DataFrame,
    previous: pd.DataFrame | None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Open items from this run, plus every decided item (kept as the record of what was decided).
    `created_at` is when an item was first asked; decided items are never re-opened."""
    now = now or datetime.now(timezone.utc)
    prev = (
        previous.set_index("review_id")
        if previous is not None and len(previous)
        else pd.DataFrame()
    )
    latest = (
        decisions.sort_values("decided_at")
        .drop_duplicates("review_id", keep="last")
        .set_index("review_id")
        if len(decisions)
        else pd.DataFrame()
    )
    rows: dict[str, dict] = {}
    for c in candidates.to_dict("records"):
        rows[c["review_id"]] = {**c, "status": "open"}
    for rid in latest.index:
        base = rows.get(rid) or (
            prev.loc[rid].to_dict() | {"review_id": rid} if rid in prev.index else None
        )
        d = latest.loc[rid]
        base = base or {
            "review_id": rid,
            "kind": d["kind"],
            "subject": d["subject"],
            "records": "[]",
            "record_count": 0,
            "description": "",
            "candidates": "[]",
            "score": None,
            "evidence": "",
        }
        rows[rid] = {
            **base,
            "status": "decided",
            "decision": d["decision"],
            "decided_agency_id": d["agency_id"],
            "decided_innovation_id": d["innovation_id"],
            "decided_by": d["decided_by"],
            "decided_at": d["decided_at"],
        }
    for rid, row in rows.items():
        first = prev.loc[rid, "created_at"] if rid in prev.index else None
        row["created_at"] = first if first is not None and not pd.isna(first) else now
        row["updated_at"] = now
    out = pd.DataFrame(list(rows.values()), columns=REVIEW_COLUMNS)
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True)
    out["updated_at"] = pd.to_datetime(out["updated_at"], utc=True)
    out["decided_at"] = pd.to_datetime(out["decided_at"], utc=True)
    out["score"] = pd.to_numeric(out["score"], errors="coerce")
    out["record_count"] = (
        pd.to_numeric(out["record_count"], errors="coerce").fillna(0).astype("int64")
    )
    return out.sort_values(
        ["status", "kind", "review_id"], ascending=[False, True, True]
    ).reset_index(drop=True)
