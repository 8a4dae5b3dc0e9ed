"""How many portal versions, quality results and Data Docs pages are kept, and bounding quality_history.

Kept, whatever their number: the current and the previous portal version. Besides those, the
newest JIPPNAS_PORTAL_KEEP_VERSIONS items (default 30) and the last item of each day (Jakarta
time) of the last JIPPNAS_PORTAL_KEEP_DAYS days (default 90). Everything else is deleted. The
same rule bounds quality_history (per suite) and the Data Docs validation pages. Each gate prunes
its own suite's slice right after recording, so the rows a publication is about to ask for (the
newest) are always there; a publication copies the evaluations it stood on into
portal_publications, so pruning never erases why a version was published.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..warehouse import Warehouse
from . import history

WIB = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Retention:
    keep_versions: int = 30
    keep_days: int = 90

    @classmethod
    def from_env(cls) -> "Retention":
        def number(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            if not raw:
                return default
            if not raw.isdigit():
                raise ValueError(f"{name}={raw!r}: expected a whole number >= 0")
            return int(raw)

        return cls(
            number("JIPPNAS_PORTAL_KEEP_VERSIONS", cls.keep_versions),
            number("JIPPNAS_PORTAL_KEEP_DAYS", cls.keep_days),
        )


def kept(
    items: Iterable[tuple[str, datetime]],
    policy: Retention,
    now: datetime,
    pinned: Iterable[str] = (),
) -> set[str]:
    """The keys to keep among (key, time) items: pinned ones, the newest N, the last of each recent day."""
    ordered = sorted(items, key=lambda kv: (kv[1], kv[0]), reverse=True)
    keep = set(pinned) & {k for k, _ in ordered}
    keep |= {k for k, _ in ordered[: policy.keep_versions]}
    horizon = (now.astimezone(WIB) - timedelta(days=policy.keep_days)).date()
    days_seen: set = set()
    for key, at in ordered:  # newest first: the first one met on a day is that day's last
        day = at.astimezone(WIB).date()
        if day > horizon and day not in days_seen:
            days_seen.add(day)
            keep.add(key)
    return keep


def parse_time(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


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
