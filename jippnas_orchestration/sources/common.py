"""What the three source readers share: year parsing, quarantine, duplicate handling, checksums."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

MIN_YEAR = 1990
# What went wrong with a quarantined row (rejected_source_rows.kind), set where it is quarantined.
UNREADABLE_ROW = "unreadable_row"  # no record: too few/many fields, not a JSON object
MISSING_FIELD = "missing_field"  # the record key or the title is empty
INVALID_VALUE = "invalid_value"  # a value the contract rules out, e.g. an implausible year
DUPLICATE_ID = "duplicate_id"  # a source_record_id already read with other content
UNRESOLVED_AGENCY = "unresolved_agency"  # stage resolve: no agency chosen with confidence
OTHER = "other"  # only rows quarantined before kinds were stored
REJECT_KINDS = (
    UNREADABLE_ROW,
    MISSING_FIELD,
    INVALID_VALUE,
    DUPLICATE_ID,
    UNRESOLVED_AGENCY,
    OTHER,
)
REJECT_COLUMNS = [
    "source",
    "source_record_id",
    "kind",
    "field",
    "reason",
    "raw",
    "location",
    "stage",
    "detail",
    "rejected_at",
]


class SourceError(Exception):
    """A source could not be read as a whole; the message names the file or URL and says why."""


class PermanentSourceError(SourceError, ValueError):
    """A source that is there but unusable (unreadable file, wrong format, a page the API refuses):
    reading it again changes nothing, so the asset fails at once instead of being retried."""


def max_year() -> int:
    return date.today().year + 1


def parse_year(value: object) -> int | None:
    """A plausible year from an int, an integral float or numeric text ('2021', ' 2021.0 ')."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}(\.0+)?", text):
            value = int(float(text))
        else:
            return None
    if isinstance(value, int) and MIN_YEAR <= value <= max_year():
        return value
    return None


def blank(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return str(value).strip() == ""


def text_or_none(value: object) -> str | None:
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def file_checksum(paths: list[Path]) -> str:
    """One SHA-256 over the files' names and contents, in name order."""
    digest = hashlib.sha256()
    for p in sorted(paths):
        with p.open("rb") as fh:
            digest.update(p.name.encode() + hashlib.file_digest(fh, "sha256").digest())
    return digest.hexdigest()


def _fingerprint(record: dict) -> str:
    """The record's content, where it was read aside."""
    return to_json({k: v for k, v in record.items() if k != "source_location"})


def kind_of_reason(reason: str) -> tuple[str, str | None]:
    """(kind, field) of a reason written before kinds were stored; for the schema migration."""
    found = re.search(r"field '([^']+)'", reason)
    field_name = found.group(1) if found else None
    if reason == "unresolved agency":
        return UNRESOLVED_AGENCY, None
    for needle, kind in (
        ("already read at", DUPLICATE_ID),
        ("not a plausible year", INVALID_VALUE),
        ("title is empty", MISSING_FIELD),
        ("missing record key", MISSING_FIELD),
        ("too few fields", UNREADABLE_ROW),
        ("too many fields", UNREADABLE_ROW),
        ("not a JSON object", UNREADABLE_ROW),
    ):
        if needle in reason:
            return kind, field_name
    return OTHER, field_name


@dataclass
class IngestResult:
    """Rows that landed, rows that were quarantined, and the counts that must add up."""

    source: str
    records: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    exact_duplicates: int
    checksum: str
    origin: str
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.rows_read == len(self.records) + len(self.rejected) + self.exact_duplicates


class Collector:
    """Accumulates a source's rows; applies the contract's record-level rules in read order."""

    def __init__(self, source: str, key_field: str, labels: dict[str, str] | None = None):
        self.source = source
        self.key_field = key_field
        self.labels = labels or {}  # column name -> the field's name in the source
        self.rows: list[dict] = []
        self.rejects: list[dict] = []
        self.seen: dict[str, int] = {}  # key -> row index
        self.read = 0
        self.duplicates = 0
        self.now = datetime.now(timezone.utc)

    def reject(
        self,
        key: str | None,
        location: str,
        field_name: str | None,
        problem: str,
        raw: object,
        *,
        kind: str,
    ) -> None:
        label = self.labels.get(field_name, field_name) if field_name else None
        where = f"{location}, field '{label}'" if label else location
        self.rejects.append(
            {
                "source": self.source,
                "source_record_id": key,
                "kind": kind,
                "field": label,
                "reason": f"{where}: {problem}",
                "raw": raw if isinstance(raw, str) else to_json(raw),
                "location": location,
                "stage": "ingest",
                "detail": None,
                "rejected_at": self.now,
            }
        )

    def offer(
        self, record: dict, location: str, raw: object, title_field: str, year_field: str
    ) -> None:
        """Validate one parsed record; land it, count it as a repeat, or quarantine it."""
        self.read += 1
        key = record.get("source_record_id")
        if blank(key):
            return self.reject(
                None, location, self.key_field, "missing record key", raw, kind=MISSING_FIELD
            )
        if blank(record.get(title_field)):
            return self.reject(
                key, location, title_field, "title is empty", raw, kind=MISSING_FIELD
            )
        year = parse_year(record.get(year_field))
        if year is None:
            return self.reject(
                key,
                location,
                year_field,
                f"not a plausible year: {record.get(year_field)!r}",
                raw,
                kind=INVALID_VALUE,
            )
        record[year_field] = year
        if key in self.seen:
            # fingerprints only on a repeated key: serialising every record costs more than reading it
            first = self.rows[self.seen[key]]
            if _fingerprint(first) == _fingerprint(record):
                self.duplicates += 1
                return None
            diff = sorted(
                k for k, v in record.items() if k != "source_location" and first.get(k) != v
            )
            return self.reject(
                key,
                location,
                self.key_field,
                f"{self.key_field} {key} was already read at {first['source_location']} "
                f"with different content (differs in: {', '.join(diff)})",
                raw,
                kind=DUPLICATE_ID,
            )
        self.seen[key] = len(self.rows)
        record["source_location"] = location
        self.rows.append(record)
        return None

    def result(
        self, columns: list[str], checksum: str, origin: str, notes: list[str] | None = None
    ) -> IngestResult:
        records = pd.DataFrame(self.rows, columns=[*columns, "source_record_id", "source_location"])
        records["ingested_at"] = self.now
        rejected = pd.DataFrame(self.rejects, columns=REJECT_COLUMNS)
        return IngestResult(
            self.source,
            records,
            rejected,
            self.read,
            self.duplicates,
            checksum,
            origin,
            notes or [],
        )
