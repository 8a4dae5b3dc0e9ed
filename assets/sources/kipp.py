from jippnas_orchestration.sources.kipp import read_kipp

from .factory import build_source_asset

raw_kipp = build_source_asset(
    "raw_kipp",
    "KIPP",
    lambda s: read_kipp(s.kipp_source()),
    "KIPP award entries (Kementerian PANRB) from the 'Top Inovasi' workbooks, as read; unusable rows "
    "are quarantined in rejected_source_rows.",
)
