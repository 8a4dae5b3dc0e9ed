"""Where outputs go and are served, and when the update campaign started, as configurable resources.

definitions.py fills them from the environment with EnvVar, so the UI names the variable a value
comes from; unset fields fall back to the project defaults in jippnas_orchestration.settings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

from dagster import ConfigurableResource

from jippnas_orchestration import links, settings


class OutputResource(ConfigurableResource):
    """`output_dir`: portal exports, quality results, Data Docs, reports ($JIPPNAS_OUTPUT_DIR).
    `public_base_url`: where a static web server serves that folder ($JIPPNAS_PUBLIC_BASE_URL)."""

    output_dir: Optional[str] = None
    public_base_url: Optional[str] = None

    def path(self) -> Path:
        return Path(self.output_dir) if self.output_dir else settings.output_dir()

    def base_url(self) -> str | None:
        return (
            links.check_base_url(self.public_base_url)
            if self.public_base_url
            else links.public_base_url()
        )

    def url(self, relative: str) -> str:
        """A link that opens `relative` (e.g. reports/index.html): over HTTP when served, else file://."""
        return links.output_url(relative, self.path(), self.base_url())


class CampaignResource(ConfigurableResource):
    """`start`: first day an accepted submission counts as an update ($JIPPNAS_CAMPAIGN_START, ISO date)."""

    start: Optional[str] = None

    def start_date(self) -> date:
        if not self.start:
            return settings.campaign_start()
        try:
            return date.fromisoformat(self.start.strip())
        except ValueError:
            raise ValueError(
                f"JIPPNAS_CAMPAIGN_START={self.start!r} is not an ISO date (YYYY-MM-DD)"
            ) from None
