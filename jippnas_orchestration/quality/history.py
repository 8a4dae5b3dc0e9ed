"""quality_history: one row per gate run x expectation, keyed by the checksum of the data validated.

Publication asks this table, not a results file, whether a given content passed: the verdict
for a checksum is its latest evaluation by that suite.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pandas as pd

from ..schema import quality_history
from ..warehouse import Warehouse


@dataclass
class Verdict:
    suite: str
    checksum: str
    success: bool
    evaluated_at: str
    evaluation_id: str
    failed: list[str]  # "expectation(column): N unexpected"

    def describe(self) -> str:
        state = "passed" if self.success else "FAILED"
        text = f"suite {self.suite} {state} at {self.evaluated_at} on checksum {self.checksum[:12]}"
        return text + (": " + "; ".join(self.failed) if self.failed else "")


def record(warehouse: Warehouse, gate, run_id: str | None = None) -> str:
    """Append one row per expectation of `gate` (a quality.gate.GateResult with its checksum set)."""
    if not gate.checksum:
        raise ValueError(
            f"gate result of suite {gate.suite} has no checksum of the data it validated"
        )
    evaluation_id = uuid.uuid4().hex
    rows = [
        {
            "evaluation_id": evaluation_id,
            "evaluated_at": gate.evaluated_at,
            "suite": gate.suite,
            "expectation": o.expectation,
            "column": o.column,
            "dimension": o.dimension,
            "success": bool(o.success),
            "unexpected_count": o.unexpected_count,
            "checksum": gate.checksum,
            "rows": gate.rows,
            "suite_success": bool(gate.success),
            "run_id": run_id,
            "scope": gate.scope,
        }
        for o in gate.outcomes
    ]
    with warehouse.begin() as conn:
        conn.execute(quality_history.insert(), rows)
    return evaluation_id


def verdict(warehouse: Warehouse, suite: str, checksum: str) -> Verdict | None:
    """The latest evaluation of `checksum` by `suite`, or None if that content was never validated."""
    rows = warehouse.read_sql(
        'SELECT evaluation_id, evaluated_at, expectation, "column", success, unexpected_count, suite_success '
        "FROM quality_history WHERE suite = :s AND checksum = :c ORDER BY evaluated_at DESC",
        {"s": suite, "c": checksum},
    )
    if rows.empty:
        return None
    latest = rows[rows["evaluation_id"] == rows["evaluation_id"].iloc[0]]
    failed = [
        f"{r.expectation}({r.column or 'table'})"
        + ("" if pd.isna(r.unexpected_count) else f": {int(r.unexpected_count)} unexpected")
        for r in latest.itertuples()
        if not r.success
    ]
    success = bool(latest["suite_success"].iloc[0]) and all(bool(s) for s in latest["success"])
    return Verdict(
        suite,
        checksum,
        success,
        str(latest["evaluated_at"].iloc[0]),
        str(latest["evaluation_id"].iloc[0]),
        failed,
    )


def evaluations(warehouse: Warehouse) -> pd.DataFrame:
    """One row per gate run: evaluation_id, suite, evaluated_at, checksum."""
    return warehouse.read_sql(
        "SELECT evaluation_id, suite, MIN(evaluated_at) AS evaluated_at, MIN(checksum) AS checksum "
        "FROM quality_history GROUP BY evaluation_id, suite"
    )


def delete_evaluations(warehouse: Warehouse, suite: str, evaluation_ids: list[str]) -> int:
    """Delete evaluations of one suite (a gate prunes only its own slice)."""
    if not evaluation_ids:
        return 0
    with warehouse.begin() as conn:
        return conn.execute(
            quality_history.delete().where(
                quality_history.c.suite == suite,
                quality_history.c.evaluation_id.in_(evaluation_ids),
            )
        ).rowcount
