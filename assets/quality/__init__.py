"""The quality gates' wiring (check specs, run_gate): harmonization and publication depend on it."""

from .gates import HARMONIZED_GATE, PORTAL_GATE

__all__ = ["HARMONIZED_GATE", "PORTAL_GATE"]
