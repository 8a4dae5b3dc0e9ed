"""portal_candidate as an incremental table: the public rows as they will be published.

Both paths read harmonized_innovations typed as stored, so the candidate's column types do not
depend on which values happen to be present (a column NULL everywhere would become TEXT). A
submission run redoes the innovations changed since and those suggesting one of them (a stop
removes it from their `similar`); it rebuilds in full when similar_innovations was materialized
since (`similar_token`) or the CSV rendering of the parts changed (cells.RENDERING).
"""

from __future__ import annotations

from ..cells import RENDERING
from ..harmonize.provenance import public_provenance
from ..incremental import Built, IncrementalTable, Run
from ..incremental.digests import content_checksum
from .public import PUBLIC_COLUMNS, portal_frame

TABLE = "portal_candidate"
HARMONIZED = "harmonized_innovations"


def _all(run: Run) -> Built:
    tx = run.tx
    harmonized = tx.conform(
        HARMONIZED, tx.query(f'SELECT * FROM "{HARMONIZED}" ORDER BY innovation_id')
    )
    frame = portal_frame(
        harmonized,
        tx.query("SELECT * FROM similar_innovations"),
        public_provenance(tx.query("SELECT * FROM field_provenance"), PUBLIC_COLUMNS),
    )
    tx.replace_table(TABLE, frame, primary_key=["innovation_id"])
    # the content it was built from, as read (a hand edit of harmonized_innovations shows)
    built_on = content_checksum(harmonized)
    return Built(len(frame), result=built_on, metadata={"innovations_redone": len(frame)})


def _changed(run: Run, changed: set[str]) -> Built:
    tx = run.tx
    redo = set(changed)
    if changed:
        suggesting = tx.rows_where_in(
            "similar_innovations", "similar_innovation_id", changed, "DISTINCT innovation_id"
        )
        redo |= set(suggesting["innovation_id"])
        similar = tx.rows_where_in("similar_innovations", "innovation_id", redo)
        # the suggested innovations too: portal_frame leaves out those stopped or gone
        wanted = redo | set(similar["similar_innovation_id"])
        harmonized = tx.conform(HARMONIZED, tx.rows_where_in(HARMONIZED, "innovation_id", wanted))
        provenance = tx.rows_where_in("field_provenance", "innovation_id", redo)
        frame = portal_frame(harmonized, similar, public_provenance(provenance, PUBLIC_COLUMNS))
        tx.replace_keys(TABLE, "innovation_id", redo, frame[frame["innovation_id"].isin(redo)])
    return Built(
        len(redo),
        changed=sorted(redo),
        result=run.upstream["checksum"],
        metadata={"innovations_redone": len(redo)},
    )


PORTAL_CANDIDATE = IncrementalTable(
    TABLE, _all, _changed, gated=True, fixed_params={"rendering": RENDERING}
)
