from jippnas_orchestration.sources.iga import read_iga

from .factory import build_source_asset

raw_iga = build_source_asset(
    "raw_iga",
    "IGA",
    lambda s: read_iga(s.iga_source(), s.iga_policy()),
    "IGA regional innovation reports (Kemendagri) from the paginated API or its saved pages, as read; "
    "unusable records are quarantined in rejected_source_rows.",
)
