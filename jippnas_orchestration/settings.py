"""Configuration from the contract's environment variables, with project-relative defaults."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def warehouse_url() -> str:
    url = _env("JIPPNAS_WAREHOUSE_URL")
    if url:
        return url
    path = PROJECT_ROOT / ".jippnas" / "warehouse.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def kipp_source() -> str:
    return _env("JIPPNAS_KIPP_SOURCE") or str(SAMPLE_DIR / "kipp")


def iga_source() -> str:
    return _env("JIPPNAS_IGA_SOURCE") or str(SAMPLE_DIR / "iga")


def inolan_source() -> str:
    return _env("JIPPNAS_INOLAN_SOURCE") or str(SAMPLE_DIR / "inolan.csv")


def output_dir() -> Path:
    return Path(_env("JIPPNAS_OUTPUT_DIR") or PROJECT_ROOT / "output")


def campaign_start() -> date:
    return date.fromisoformat(_env("JIPPNAS_CAMPAIGN_START") or "2023-01-01")


def ground_truth_path() -> Path | None:
    """Optional JIPPNAS_GROUND_TRUTH: a generator's ground_truth.csv to score matching against."""
    value = _env("JIPPNAS_GROUND_TRUTH")
    return Path(value) if value else None


def _positive_int(name: str, default: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return number


def submit_max_file_bytes() -> int:
    """JIPPNAS_SUBMIT_MAX_FILE_BYTES: a larger submission file is rejected unread."""
    return _positive_int("JIPPNAS_SUBMIT_MAX_FILE_BYTES", 10_000_000)


def submit_max_documents() -> int:
    """JIPPNAS_SUBMIT_MAX_DOCUMENTS: a file holding more documents is rejected as a whole."""
    return _positive_int("JIPPNAS_SUBMIT_MAX_DOCUMENTS", 10_000)


def submit_max_depth() -> int:
    """JIPPNAS_SUBMIT_MAX_DEPTH: how deeply a document's arrays and objects may nest."""
    return _positive_int("JIPPNAS_SUBMIT_MAX_DEPTH", 32)


def submit_max_per_agency_hour() -> int:
    """JIPPNAS_SUBMIT_MAX_PER_AGENCY_HOUR: most submissions one agency may send in an hour."""
    return _positive_int("JIPPNAS_SUBMIT_MAX_PER_AGENCY_HOUR", 5_000)


def submit_max_field_chars() -> int:
    """JIPPNAS_SUBMIT_MAX_FIELD_CHARS: the longest text (value or key) a document may hold."""
    return _positive_int("JIPPNAS_SUBMIT_MAX_FIELD_CHARS", 20_000)
