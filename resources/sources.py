"""Where the three programmes' exports are read from, and how patiently the IGA API is asked."""

from __future__ import annotations

from typing import Optional

from dagster import ConfigurableResource

from jippnas_orchestration import settings
from jippnas_orchestration.sources.iga import FetchPolicy


class SourcesResource(ConfigurableResource):
    """Unset locations fall back to JIPPNAS_KIPP_SOURCE, JIPPNAS_IGA_SOURCE, JIPPNAS_INOLAN_SOURCE."""

    kipp: Optional[str] = None
    iga: Optional[str] = None
    inolan: Optional[str] = None
    iga_timeout_s: float = 30.0
    iga_max_tries: int = 5
    iga_backoff_s: float = 0.5

    def kipp_source(self) -> str:
        return self.kipp or settings.kipp_source()

    def iga_source(self) -> str:
        return self.iga or settings.iga_source()

    def inolan_source(self) -> str:
        return self.inolan or settings.inolan_source()

    def iga_policy(self) -> FetchPolicy:
        return FetchPolicy(
            timeout_s=self.iga_timeout_s, max_tries=self.iga_max_tries, backoff_s=self.iga_backoff_s
        )
