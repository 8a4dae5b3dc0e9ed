from jippnas_orchestration.sources.inolan import read_inolan

from .factory import build_source_asset

raw_inolan = build_source_asset(
    "raw_inolan",
    "INOLAN",
    lambda s: read_inolan(s.inolan_source()),
    "InoLAN innovation ideas (Lembaga Administrasi Negara) from the CSV export, as read; unusable lines "
    "are quarantined in rejected_source_rows.",
)
