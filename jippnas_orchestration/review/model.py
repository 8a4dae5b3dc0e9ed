"""Review items and decisions: ids, columns, and what a decision means for the next run.

A review is `agency` (a written agency name the resolver could not place; the subject is the
normalised name and its type hint, so one decision covers every record that writes it) or `pair`
(two source records the matcher could not decide; the subject is the pair of record keys).
Decisions live in `review_decisions`, written only by `jippnas review`; every run reads them.
"""

from __future__ import annotations

import hashlib
import json
import math

import pandas as pd

from ..agencies.resolve import norm

KIND_AGENCY, KIND_PAIR = "agency", "pair"
DECISIONS = ("accept", "reject", "assign")
REVIEW_COLUMNS = [
    "review_id",
    "kind",
    "subject",
    "records",
    "record_count",
    "description",
    "candidates",
    "score",
    "evidence",
    "status",
    "decision",
    "decided_agency_id",
    "decided_innovation_id",
    "decided_by",
    "decided_at",
    "created_at",
    "updated_at",
]
# what a run proposes; the columns after it record a person's decision
CANDIDATE_COLUMNS = REVIEW_COLUMNS[: REVIEW_COLUMNS.index("status")]


def agency_subject(name: object, type_hint: object) -> str:
    missing = type_hint is None or (isinstance(type_hint, float) and math.isnan(type_hint))
    hint = "" if missing else str(type_hint)
    return f"{norm(name)}|{hint}"


def pair_subject(a_key: str, b_key: str) -> str:
    return "|".join(sorted((a_key, b_key)))


def review_id(kind: str, subject: str) -> str:
    prefix = "AGY" if kind == KIND_AGENCY else "PAIR"
    return f"{prefix}-" + hashlib.sha1(f"{kind}:{subject}".encode()).hexdigest()[:10].upper()


def agency_overrides(decisions: pd.DataFrame) -> dict[str, str | None]:
    """subject -> agency_id decided by a person (None: a person confirmed it is unresolvable)."""
    out: dict[str, str | None] = {}
    for d in _latest(decisions, KIND_AGENCY).itertuples():
        out[d.subject] = d.agency_id if d.decision in ("accept", "assign") and d.agency_id else None
    return out


def pair_decisions(
    decisions: pd.DataFrame,
) -> tuple[set[tuple[str, str]], set[tuple[str, str]], dict[str, str]]:
    """(accepted pairs, rejected pairs, record key -> innovation_id assigned by a person)."""
    accepted, rejected, assigned = set(), set(), {}
    for d in _latest(decisions, KIND_PAIR).itertuples():
        a, b = d.subject.split("|", 1)
        if d.decision == "accept":
            accepted.add((a, b))
        elif d.decision == "reject":
            rejected.add((a, b))
        elif d.decision == "assign" and d.innovation_id:
            assigned[a] = assigned[b] = d.innovation_id
    return accepted, rejected, assigned


def _latest(decisions: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    """The last decision per review (a person may change their mind)."""
    if decisions is None or not len(decisions):
        return pd.DataFrame(columns=["subject", "decision", "agency_id", "innovation_id"])
    d = decisions[decisions["kind"] == kind].sort_values("decided_at")
    return d.drop_duplicates("review_id", keep="last")


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
