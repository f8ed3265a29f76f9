"""Building blocks for input and output models: bounded text, strict input, pages."""

from __future__ import annotations

import re
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


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


def Text(max_length: int, min_length: int = 0) -> type[str]:  # noqa: N802 - reads as a type
    """A string with bounds, refusing NUL and lone surrogates."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(_clean_text),
    ]


Name = Text(200, min_length=1)
Description = Text(10_000)
SearchText = Text(200)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _email(value: str) -> str:
    value = _clean_text(value.strip()).lower()
    if not _EMAIL.match(value):
        raise ValueError("must be an email address like name@council.gov.uk")
    return value


# Our own check rather than EmailStr: email-validator refuses reserved domains such as
# `.test`, which the demo data (and councils' test systems) use.
Email = Annotated[str, StringConstraints(min_length=3, max_length=254), AfterValidator(_email)]


class InputModel(BaseModel):
    """Every request body: unknown fields are an error (no silent mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list."""

    items: list[T]
    total: int = Field(description="How many records match, over all pages.")
    limit: int
    offset: int
