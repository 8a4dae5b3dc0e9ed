"""Bound quality_history with the portal's retention rule (Data Docs bound themselves: data_docs.py).

Each gate prunes its own suite's slice right after recording, so the rows a publication is about
to ask for (the newest) are always there; a publication copies the evaluations it stood on into
portal_publications, so pruning never erases why a version was published.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..publication.retention import Retention, kept, parse_time
from ..warehouse import Warehouse
from . import history


def prune_quality(
    warehouse: Warehouse, output_dir: Path, suite: str, policy: Retention, now: datetime
) -> dict:
    evals = history.evaluations(warehouse)
    evals = evals[evals["suite"] == suite]
    keep = kept(
        ((r.evaluation_id, parse_time(r.evaluated_at)) for r in evals.itertuples()), policy, now
    )
    drop = [e for e in evals["evaluation_id"] if e not in keep]
    history.delete_evaluations(warehouse, suite, drop)
    return {"quality_evaluations_removed": len(drop)}
