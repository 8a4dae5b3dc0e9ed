"""portal_candidate, full or for the rows a submission run changed (jippnas_orchestration.incremental).

Both paths read harmonized_innovations with its stored integer columns as integers, so the
candidate's column types do not depend on which values happen to be present (a column that is
NULL everywhere would otherwise become TEXT, and a later row could not be added to it alike).

The rows to redo: the innovations changed since the candidate last consumed harmonized_innovations,
and the innovations that suggest one of them (a stop removes it from their `similar`). Incremental
only when the last candidate passed its gate, similar_innovations is the materialization it
was built with, and its part digests were taken over the CSV rendering of this release
(cells.RENDERING); otherwise a full rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cells import RENDERING
from ..harmonize.provenance import public_provenance
from ..incremental import (
    Delta,
    conform,
    consumed,
    consuming,
    digests_table,
    downstream_delta,
    has_table,
    part_of,
    query,
    raw_rows,
    read_state,
    replace_rows_of,
    rows_of_parts,
    rows_where_in,
    table_checksum,
    write_digests,
    write_state,
)
from ..quality.history import verdict
from ..warehouse import Warehouse
from .gatekeeper import LINEAGE_TABLE
from .parts import canonical, dataset_checksum, digests_of
from .public import PUBLIC_COLUMNS, portal_frame

TABLE = "portal_candidate"


@dataclass
class CandidateUpdate:
    mode: str
    reason: str
    harmonized_checksum: str  # of the harmonized content it was built from (lineage)
    redone: list[str] | None  # innovation ids rewritten (None: all)
    checksum: str  # of the whole candidate as stored (publication.parts)
    rows: int  # of the whole candidate
    to_validate: pd.DataFrame  # as stored: the whole candidate, or the rows rewritten


def _why_full(wh: Warehouse, conn, delta: Delta, similar_token) -> str | None:
    if delta.full:
        return delta.reason
    mine = read_state(conn, TABLE)
    if mine.get("similar_token") != similar_token:
        return "similar_innovations was materialized since"
    if mine.get("rendering") != RENDERING:  # the part digests are over the CSV as rendered
        return "the CSV rendering of the parts changed since (cells.RENDERING)"
    if not wh.has_table(LINEAGE_TABLE):
        return "no lineage of the last candidate"
    if not has_table(conn, digests_table(TABLE)):
        return "no part digests of the candidate yet"
    last = wh.read_table(LINEAGE_TABLE)["candidate_checksum"].iloc[0]
    v = verdict(wh, TABLE, last)
    if v is None or not v.success:
        return "the last candidate has no passing gate result"
    return None


def update_candidate(wh: Warehouse, incremental: bool, similar_token: str | None):
    with consuming(wh) as conn:
        delta = downstream_delta(conn, TABLE, TABLE, incremental)
        reason = _why_full(wh, conn, delta, similar_token)
        if reason is None:
            redone = _incremental(wh, conn, sorted(delta.innovations))
            digests = _record_digests(wh, conn, {part_of(i) for i in redone})
            stored = canonical(rows_where_in(conn, TABLE, "innovation_id", redone))
            update = CandidateUpdate(
                "incremental",
                delta.reason,
                delta.upstream["checksum"],
                redone,
                *_checksum(conn, digests),
                stored,
            )
        else:
            columns, rows = raw_rows(
                conn, 'SELECT * FROM "harmonized_innovations" ORDER BY innovation_id'
            )
            harmonized = conform(
                conn, "harmonized_innovations", pd.DataFrame(rows, columns=columns)
            )
            frame = portal_frame(
                harmonized,
                query(conn, "SELECT * FROM similar_innovations"),
                public_provenance(query(conn, "SELECT * FROM field_provenance"), PUBLIC_COLUMNS),
            )
            wh.replace_table(TABLE, frame, primary_key=["innovation_id"], conn=conn)
            # checksums computed from the rows read, never taken on trust (a hand edit shows)
            stored = canonical(query(conn, f'SELECT * FROM "{TABLE}"'))
            digests = _record_digests(wh, conn, None, stored)
            update = CandidateUpdate(
                "full",
                reason,
                table_checksum(columns, rows),
                None,
                *_checksum(conn, digests),
                stored,
            )
        write_state(
            wh,
            conn,
            TABLE,
            consumed(delta.upstream) | {"similar_token": similar_token, "rendering": RENDERING},
        )
    return update


def _record_digests(
    wh: Warehouse, conn, parts: set[str] | None, stored: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Digest the candidate's parts as stored (all of them, or `parts`); every digest of the table."""
    if stored is None:
        if not parts:
            return query(conn, f'SELECT part, digest, "rows" FROM "{digests_table(TABLE)}"')
        columns, rows = rows_of_parts(conn, TABLE, parts)
        stored = canonical(pd.DataFrame(rows, columns=columns))
    found = pd.DataFrame(
        [(p, d, n) for p, (d, n) in digests_of(stored).items()],
        columns=["part", "digest", "rows"],
    ).astype({"rows": "int64"})
    return write_digests(wh, conn, TABLE, found, parts)


def _checksum(conn, digests: pd.DataFrame) -> tuple[str, int]:
    columns = list(conn.exec_driver_sql(f'SELECT * FROM "{TABLE}" WHERE 1 = 0').keys())
    checksum = dataset_checksum(columns, dict(zip(digests["part"], digests["digest"])))
    return checksum, int(digests["rows"].sum())


def _incremental(wh: Warehouse, conn, changed: list[str]) -> list[str]:
    if not changed:
        return []
    suggesting = rows_where_in(
        conn,
        "similar_innovations",
        "similar_innovation_id",
        changed,
        columns="DISTINCT innovation_id",
    )
    redo = sorted(set(changed) | set(suggesting["innovation_id"]))
    similar = rows_where_in(conn, "similar_innovations", "innovation_id", redo)
    # the suggested innovations too: portal_frame leaves out those stopped or gone
    harmonized = conform(
        conn,
        "harmonized_innovations",
        rows_where_in(
            conn,
            "harmonized_innovations",
            "innovation_id",
            set(redo) | set(similar["similar_innovation_id"]),
        ),
    )
    provenance = public_provenance(
        rows_where_in(conn, "field_provenance", "innovation_id", redo), PUBLIC_COLUMNS
    )
    frame = portal_frame(harmonized, similar, provenance)
    frame = frame[frame["innovation_id"].isin(set(redo))]
    replace_rows_of(wh, conn, TABLE, "innovation_id", redo, frame)
    return redo
