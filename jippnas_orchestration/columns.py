"""The harmonized table's columns, which of them are public, and the personal-data patterns.

At the bottom of the house: harmonization builds these columns, quality checks them, publication
writes the public ones.
"""

from __future__ import annotations

CAMPAIGN_FIELDS = [
    "status",
    "status_reason",
    "summary",
    "outcomes",
    "replication_count",
    "replicated_by",
    "sdgs",
    "video_url",
]
# set only by accepted submissions and the scoring after them: absent from merged_innovations
SUBMISSION_ONLY = [
    "status",
    "status_reason",
    "replication_count",
    "replicated_by",
    "video_url",
    "last_updated_at",
    "completeness",
    "missing_fields",
    "update_status",
]
HARMONIZED_COLUMNS = [
    "innovation_id",
    "title",
    "agency_id",
    "agency_name",
    "agency_type",
    "province_code",
    "year_first",
    "year_last",
    "start_year",
    "sources",
    "category",
    "sdgs",
    "awards",
    "stage",
    "status",
    "status_reason",
    "summary",
    "outcomes",
    "replication_count",
    "replicated_by",
    "video_url",
    "source_record_count",
    "source_records",
    "completeness",
    "missing_fields",
    "update_status",
    "last_updated_at",
]
MERGED_COLUMNS = [c for c in HARMONIZED_COLUMNS if c not in SUBMISSION_ONLY]

# every harmonized column but the internal ones (why a status changed, which source records), then
# the suggestions and the provenance; the order is the published files' column order
INTERNAL_COLUMNS = ("status_reason", "source_record_count", "source_records")
# comma-separated ids of suggested innovations; JSON {field: ["KIPP 2021", "submission"]}
DERIVED = ("similar", "provenance")
PUBLIC_COLUMNS = [c for c in HARMONIZED_COLUMNS if c not in INTERNAL_COLUMNS] + list(DERIVED)
FREE_TEXT = ["title", "summary", "outcomes", "awards"]
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
PHONE = r"(?:\+62|\b62|\b0)[\s\-.]?8\d{1,2}(?:[\s\-.]?\d{2,5}){2,3}\b"
URL = r"^https?://[^\s<>\"']+$"  # a published link: http(s), no spaces, quotes or angle brackets
