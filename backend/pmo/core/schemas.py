"""Building blocks for input and output models: bounded text, strict input, pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from pmo.core.security import is_common_password

# An opaque paging cursor: URL-safe base64 without padding (the KPI feed's `cursor`).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


def _clean_text(value: str) -> str:
    # NUL is accepted by SQLite but is an error on PostgreSQL; lone surrogates cannot be
    # stored as UTF-8 at all. Both are refused at the door on every database alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


# Every string a client sends is one of these: bounded, and refusing NUL and lone surrogates.
_Clean = AfterValidator(_clean_text)
# Names lose surrounding spaces, so "  " is empty and refused.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _Clean]
Description = Annotated[str, StringConstraints(max_length=10_000), _Clean]
SearchText = Annotated[str, StringConstraints(max_length=200), _Clean]


def _not_common(value: str) -> str:
    if is_common_password(value):
        raise ValueError("is one of the most common passwords, which are tried first; choose another")
    return value


# A password being set: at least 12 characters and not a common one; no composition rules
# (NCSC guidance: length and a deny list, not forced symbols).
Password = Annotated[
    str, StringConstraints(min_length=12, max_length=256), _Clean, AfterValidator(_not_common)
]
# A password being checked rather than set: any length the old rules may have allowed.
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=256), _Clean]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=200), _Clean]
RequestIdText = Annotated[str, StringConstraints(max_length=128), _Clean]
Slug = Annotated[str, StringConstraints(max_length=60, pattern=r"^[a-z_]+$")]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _email(value: str) -> str:
    value = _clean_text(value.strip()).lower()
    if not _EMAIL.match(value):
        raise ValueError("must be an email address like name@council.gov.uk")
    return value


# Our own check rather than EmailStr: email-validator refuses reserved domains such as
# `.test`, which the demo data (and councils' test systems) use.
Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=254),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}),
]


def _iso_instant(value: object) -> object:
    # Lax parsing would take a number as seconds since 1970; the API speaks ISO 8601 only.
    if isinstance(value, int | float) or (isinstance(value, str) and not _ISO_DATE_TIME.match(value)):
        raise ValueError("must be an ISO 8601 date and time with its offset, like 2026-04-01T09:30:00Z")
    return value


_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
# A moment in time: ISO 8601 with an offset (a naive time is ambiguous and cannot be compared
# with the stored UTC timestamps).
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_instant)]


def utc_text(value: datetime) -> str:
    """A moment as the API writes it in every format: ISO 8601 in UTC ending in `Z`, as
    pydantic writes an aware UTC datetime in JSON (`2026-04-01T09:30:00Z`, microseconds only
    when there are some). A naive time has no place here: it is an error, not a guess."""
    if value.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class InputModel(BaseModel):
    """Every request body: unknown fields are an error (no silent mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


def page_schema_name(params: tuple[Any, ...]) -> str:
    """`Page[UserPublic]` is named `UserPage`: generated clients take schema names as class
    names, and `Page_UserPublic_` would leak the code's generics into theirs."""
    (item,) = params
    name: str = getattr(item, "__name__", "Item")
    return name.removesuffix("Public") + "Page"


class Page(BaseModel, Generic[T]):
    """A page of a list."""

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return page_schema_name(params)

    items: list[T]
    total: int = Field(description="How many records match, over all pages.")
    limit: int
    offset: int
