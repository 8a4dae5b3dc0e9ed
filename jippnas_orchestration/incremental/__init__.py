"""Incremental submission runs: one driver (driver.py), one state table (state.py), one part-digest
scheme (digests.py). Where to add an incremental table: docs/architecture.md."""

from .driver import Built, IncrementalTable, Run, in_submission_run, update, update_for

__all__ = [
    "Built",
    "IncrementalTable",
    "Run",
    "Update",
    "in_submission_run",
    "update",
    "update_for",
]
