"""The system's Chromium for Playwright: `make test` installs it (scripts/ensure_system_packages.sh);
Playwright's own browser download is neither needed nor possible here."""

from __future__ import annotations

import shutil


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError(
            "chromium is not installed: `make test` installs it (scripts/ensure_system_packages.sh)"
        )
    return path
