"""The update submission document (contract section 4) and its validation rules."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from ..vocab import STATUSES

MAX_TEXT = 20_000
CLOCK_SKEW = timedelta(minutes=5)
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[^\s/$.?#<>\"'][^\s<>\"']*$", re.I)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
AgencyId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class InnovationRef(BaseModel):
    model_config = ConfigDict(extra="ignore")  # e.g. a title sent along for people's sake
    innovation_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    source: Literal["KIPP", "IGA", "INOLAN"] | None = None
    source_record_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _upper(cls, v):
        return v.upper() if isinstance(v, str) else v

    @field_validator("source_record_id", mode="before")
    @classmethod
    def _as_text(cls, v):
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _one_form(self):
        by_id = self.innovation_id is not None
        by_source = self.source is not None or self.source_record_id is not None
        if by_id == by_source:
            raise ValueError("give either innovation_id, or source and source_record_id")
        if by_source and (self.source is None or self.source_record_id is None):
            raise ValueError("a source reference needs both source and source_record_id")
        return self


class SubmittedBy(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: ShortText | None = None
    email: ShortText | None = None


class Changes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    status_reason: Text | None = None
    summary: Text | None = None
    outcomes: Text | None = None
    replication_count: Annotated[StrictInt, Field(ge=0, le=100_000)] | None = None
    replicated_by: Annotated[list[AgencyId], Field(max_length=600)] | None = None
    sdgs: Annotated[list[Annotated[StrictInt, Field(ge=1, le=17)]], Field(max_length=17)] | None = (
        None
    )
    video_url: Annotated[str, StringConstraints(max_length=2_000)] | None = None
    contact_email: ShortText | None = None

    @field_validator("video_url")
    @classmethod
    def _http_only(cls, v):
        if v is not None and not _URL.match(v):
            raise ValueError("must be an http:// or https:// address")
        return v

    @field_validator("contact_email")
    @classmethod
    def _email(cls, v):
        if v is not None and not _EMAIL.match(v):
            raise ValueError("is not an e-mail address")
        return v

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("changes is empty: nothing to update")
        return self


class Submission(BaseModel):
    # unknown top-level keys are harmless; unknown *changes* are not (see Changes: they would be lost)
    model_config = ConfigDict(extra="ignore")
    submission_id: str
    innovation: InnovationRef
    agency_id: AgencyId
    submitted_by: SubmittedBy | None = None
    submitted_at: datetime
    changes: Changes

    @field_validator("submission_id")
    @classmethod
    def _id(cls, v):
        if not _ID.match(v):
            raise ValueError("must be 1-100 letters, digits, '.', '_', ':' or '-'")
        return v

    @field_validator("submitted_at")
    @classmethod
    def _not_future(cls, v: datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=timezone(timedelta(hours=7)))  # the portal's local time, WIB
        if v > datetime.now(timezone.utc) + CLOCK_SKEW:
            raise ValueError("is in the future")
        return v


def describe_errors(exc: ValidationError) -> str:
    """'changes.sdgs.0: must be >= 1; video_url: ...' — what a person must fix."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "document"
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def shape_problem(doc: object) -> str | None:
    """The checks `jippnas submit` makes before storing: a JSON object of the documented shape."""
    if not isinstance(doc, dict):
        return "document is not a JSON object"
    missing = [
        k
        for k in ("submission_id", "innovation", "agency_id", "submitted_at", "changes")
        if k not in doc
    ]
    if missing:
        return "missing " + ", ".join(f"'{k}'" for k in missing)
    if not isinstance(doc["submission_id"], str) or not _ID.match(doc["submission_id"]):
        return "'submission_id' must be text of 1-100 letters, digits, '.', '_', ':' or '-'"
    for key, kind in (
        ("innovation", dict),
        ("changes", dict),
        ("agency_id", str),
        ("submitted_at", str),
    ):
        if not isinstance(doc[key], kind):
            return f"'{key}' must be a JSON {'object' if kind is dict else 'string'}"
    return None
