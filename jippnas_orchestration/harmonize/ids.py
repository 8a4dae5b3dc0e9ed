"""Stable innovation ids.

Format: `JIP-` + the first 10 hex digits (upper case) of SHA-1 over the founding record's key
(`SOURCE:source_record_id`, the smallest key of the cluster that first formed the innovation).

Rules, in order, for every source record:
1. a person's re-link (table `innovation_relinks`) wins;
2. a record that already had an innovation keeps it (read from the persisted crosswalk);
3. a new record takes the id most of its cluster already carries (ties: the smallest id);
4. a cluster with no id yet gets a new one from its founding record.
So re-running on the same sources changes nothing, and grown sources never rename an innovation.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import pandas as pd


def record_key(source: str, source_record_id: str) -> str:
    return f"{source}:{source_record_id}"


def new_innovation_id(founding_key: str, taken: set[str]) -> str:
    salt = 0
    while True:
        text = founding_key if salt == 0 else f"{founding_key}#{salt}"
        candidate = "JIP-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10].upper()
        if candidate not in taken:
            return candidate
        salt += 1


def assign_ids(
    records: pd.DataFrame,
    clusters: pd.Series,
    previous: pd.DataFrame,
    relinks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """records: source, source_record_id; previous/relinks: source, source_record_id, innovation_id.

    Returns records' keys with `innovation_id` and `assignment` (relinked, kept, joined, new).
    """
    keys = [record_key(s, r) for s, r in zip(records["source"], records["source_record_id"])]
    prev = {
        record_key(s, r): i
        for s, r, i in zip(
            previous.get("source", []),
            previous.get("source_record_id", []),
            previous.get("innovation_id", []),
        )
    }
    manual = (
        {}
        if relinks is None
        else {
            record_key(s, r): i
            for s, r, i in zip(
                relinks["source"], relinks["source_record_id"], relinks["innovation_id"]
            )
        }
    )
    taken = set(prev.values()) | set(manual.values())
    members: dict[int, list[int]] = {}
    for pos, c in enumerate(clusters.loc[records.index].tolist()):
        members.setdefault(c, []).append(pos)
    ids: list[str | None] = [None] * len(keys)
    how: list[str] = [""] * len(keys)
    for c in sorted(members, key=lambda c: min(keys[p] for p in members[c])):
        group = members[c]
        carried = Counter(manual.get(keys[p]) or prev.get(keys[p]) for p in group)
        carried.pop(None, None)
        if carried:
            best = max(carried.values())
            cluster_id = min(i for i, n in carried.items() if n == best)
        else:
            cluster_id = new_innovation_id(min(keys[p] for p in group), taken)
            taken.add(cluster_id)
        for p in group:
            if keys[p] in manual:
                ids[p], how[p] = manual[keys[p]], "relinked"
            elif keys[p] in prev:
                ids[p], how[p] = prev[keys[p]], "kept"
            else:
                ids[p], how[p] = cluster_id, "joined" if carried else "new"
    return pd.DataFrame(
        {
            "source": records["source"].to_numpy(),
            "source_record_id": records["source_record_id"].to_numpy(),
            "innovation_id": ids,
            "assignment": how,
        }
    )
