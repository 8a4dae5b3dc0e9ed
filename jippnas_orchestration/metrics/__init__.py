"""The campaign's measures: per-agency completeness, the national summary, the campaign history."""
