"""Which fields are public, and scrubbing personal data out of free text."""

from __future__ import annotations

import re

import pandas as pd

from ..columns import (  # noqa: F401  (re-exported: what is public)
    DERIVED,
    EMAIL,
    FREE_TEXT,
    INTERNAL_COLUMNS,
    PHONE,
    PUBLIC_COLUMNS,
    URL,
)
from ..harmonize.merge import join_runs
from ..vocab import STOPPED

_EMAIL_RE = re.compile(EMAIL)
_PHONE_RE = re.compile(PHONE)
REDACTED = "[disembunyikan]"


def scrub(text: object) -> object:
    """Innovators sometimes type an e-mail address or phone number into a summary: hide it."""
    if not isinstance(text, str):
        return text
    return _PHONE_RE.sub(REDACTED, _EMAIL_RE.sub(REDACTED, text))


def portal_frame(
    harmonized: pd.DataFrame,
    similar: pd.DataFrame | None = None,
    provenance: pd.Series | None = None,
) -> pd.DataFrame:
    """The portal candidate: public columns only, personal data scrubbed from free text; `similar` from
    similar_innovations (ids only), `provenance` from public_provenance (programmes and years only)."""
    out = harmonized.loc[:, [c for c in PUBLIC_COLUMNS if c not in DERIVED]].copy()
    ids = out["innovation_id"]
    if similar is not None and len(similar):
        # suggestions are recomputed by the daily refresh, not by every submission run: a target
        # stopped (or gone) since then is left out rather than suggested
        active = ids[harmonized["status"].fillna("").to_numpy() != STOPPED]
        ranked = similar[similar["similar_innovation_id"].isin(set(active))]
        ranked = ranked.sort_values(["innovation_id", "rank"])
        out["similar"] = ids.map(
            join_runs(ranked["innovation_id"], ranked["similar_innovation_id"], ",")
        )
    else:
        out["similar"] = None
    out["provenance"] = ids.map(provenance) if provenance is not None else None
    out[list(DERIVED)] = out[list(DERIVED)].astype(object).where(out[list(DERIVED)].notna(), None)
    for column in FREE_TEXT:
        out[column] = out[column].map(scrub)
    return out.sort_values("innovation_id").reset_index(drop=True)
