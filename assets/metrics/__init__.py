from .completeness import agency_completeness, national_summary
from .history import campaign_history

__all__ = ["agency_completeness", "campaign_history", "national_summary"]
