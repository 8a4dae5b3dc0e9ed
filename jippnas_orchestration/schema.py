"""DDL of the tables that persist across runs (the others are swapped in whole by their assets).

`innovation_submissions` is written by the portal team too: its DDL is documented in
docs/submissions.md and must stay in step with this definition.
"""

from __future__ import annotations

import sqlalchemy as sa

from .sources.common import kind_of_reason

metadata = sa.MetaData()

rejected_source_rows = sa.Table(
    "rejected_source_rows",
    metadata,
    sa.Column("source", sa.Text, nullable=False),  # KIPP | IGA | INOLAN
    sa.Column("source_record_id", sa.Text),
    sa.Column("kind", sa.Text),  # sources.common.REJECT_KINDS
    sa.Column("field", sa.Text),  # the source's name of the field at fault
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text),
    sa.Column("location", sa.Text),  # file/URL and row
    sa.Column("stage", sa.Text, nullable=False),  # ingest | resolve
    sa.Column("detail", sa.Text),  # what a reviewer needs beyond the reason
    sa.Column("rejected_at", sa.DateTime(timezone=True)),
)

innovation_submissions = sa.Table(
    "innovation_submissions",
    metadata,
    sa.Column("submission_id", sa.Text, primary_key=True),
    sa.Column("innovation_id", sa.Text),  # as resolved; NULL until resolved
    sa.Column("innovation_ref", sa.Text),  # the document's "innovation" object, as JSON
    sa.Column("agency_id", sa.Text),
    sa.Column("submitted_at", sa.Text),  # ISO 8601 as submitted
    sa.Column(
        "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "state", sa.Text, nullable=False, server_default="pending"
    ),  # pending | accepted | rejected
    sa.Column("reason", sa.Text),  # why it was rejected
    sa.Column("payload", sa.Text, nullable=False),  # the whole document, as JSON
    sa.Column("processed_at", sa.DateTime(timezone=True)),
    sa.Column("processed_by_run", sa.Text),
)

innovation_change_log = sa.Table(
    "innovation_change_log",
    metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Text, nullable=False),
    sa.Column("innovation_id", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),  # JSON-encoded value
    sa.Column("submitted_at", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# Written only by `jippnas review` (a person); read by every run, which honours the last decision per review.
review_decisions = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("decision_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("review_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # agency | pair
    sa.Column("subject", sa.Text, nullable=False),  # 'name|type_hint' or 'SRC:id|SRC:id'
    sa.Column("decision", sa.Text, nullable=False),  # accept | reject | assign
    sa.Column("agency_id", sa.Text),  # the agency chosen (kind agency)
    sa.Column("innovation_id", sa.Text),  # the innovation chosen (kind pair, assign)
    sa.Column("note", sa.Text),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)

sa.Index("ix_review_decisions", review_decisions.c.review_id, review_decisions.c.decided_at)

quality_history = sa.Table(
    "quality_history",
    metadata,  # gate run x expectation, written by the gates
    sa.Column("evaluation_id", sa.Text, nullable=False),  # one gate run
    sa.Column("evaluated_at", sa.Text, nullable=False),  # ISO 8601, UTC
    sa.Column("suite", sa.Text, nullable=False),
    sa.Column("expectation", sa.Text, nullable=False),
    sa.Column("column", sa.Text),
    sa.Column("dimension", sa.Text, nullable=False),  # completeness | uniqueness | validity | ...
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("unexpected_count", sa.BigInteger),
    sa.Column(
        "checksum", sa.Text, nullable=False
    ),  # sha256 of the data validated (content_checksum)
    sa.Column("rows", sa.BigInteger),  # rows validated
    sa.Column("suite_success", sa.Boolean, nullable=False),
    sa.Column("run_id", sa.Text),
    # table: every row validated; changed: an incremental run's changed rows (+ the row count)
    sa.Column("scope", sa.Text),
)

portal_publications = sa.Table(
    "portal_publications",
    metadata,  # every publication or restore, written by publish()
    sa.Column("publication_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("checksum", sa.Text, nullable=False),
    sa.Column("row_count", sa.BigInteger, nullable=False),
    sa.Column("published_at", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),  # publish | restore
    sa.Column("gate", sa.Text),  # JSON: the passing evaluations it was published on
)

# the incremental mechanism (jippnas_orchestration.incremental): one state row and the part digests
# of each incremental table, each table's rows written by its own asset
incremental_state = sa.Table(
    "incremental_state",
    metadata,
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),  # JSON
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
)
part_digests = sa.Table(
    "part_digests",
    metadata,
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("part", sa.Text, primary_key=True),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
)

sa.Index(
    "ix_submissions_state", innovation_submissions.c.state, innovation_submissions.c.received_at
)
sa.Index("ix_rejected_source", rejected_source_rows.c.source, rejected_source_rows.c.stage)
sa.Index("ix_change_log_innovation", innovation_change_log.c.innovation_id)
sa.Index("ix_quality_history_checksum", quality_history.c.suite, quality_history.c.checksum)


def ensure_schema(engine: sa.Engine) -> None:
    metadata.create_all(engine, checkfirst=True)
    _add_reject_kind(engine)
    _add_quality_scope(engine)


def _add_quality_scope(engine: sa.Engine) -> None:
    """A quality_history from before incremental runs gets `scope` (NULL: the whole table)."""
    if "scope" in {c["name"] for c in sa.inspect(engine).get_columns("quality_history")}:
        return
    with engine.begin() as conn:
        if "scope" not in {c["name"] for c in sa.inspect(conn).get_columns("quality_history")}:
            conn.exec_driver_sql('ALTER TABLE quality_history ADD COLUMN "scope" TEXT')


def _add_reject_kind(engine: sa.Engine) -> None:
    """A warehouse from before rejected_source_rows had `kind` and `field` gets them, derived once
    from the reason of each old row; rows quarantined since carry them as written."""
    table = "rejected_source_rows"
    if {"kind", "field"} <= {c["name"] for c in sa.inspect(engine).get_columns(table)}:
        return
    # SQLite takes the write lock at BEGIN (warehouse.engine_for): no one adds them meanwhile
    with engine.begin() as conn:
        present = {c["name"] for c in sa.inspect(conn).get_columns(table)}
        exists = " IF NOT EXISTS" if conn.dialect.name == "postgresql" else ""
        for column in ("kind", "field"):
            if column not in present:
                conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN{exists} "{column}" TEXT')
        reasons = conn.execute(sa.text(f"SELECT DISTINCT reason FROM {table} WHERE kind IS NULL"))
        derived = [
            {"r": r, "k": k, "f": f} for r in reasons.scalars() for k, f in [kind_of_reason(r)]
        ]
        if derived:
            conn.execute(
                sa.text(
                    'UPDATE rejected_source_rows SET kind = :k, "field" = :f '
                    "WHERE reason = :r AND kind IS NULL"
                ),
                derived,
            )
