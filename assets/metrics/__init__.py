from .completeness import agency_completeness, national_summary

__all__ = ["agency_completeness", "national_summary"]
