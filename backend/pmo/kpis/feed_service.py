"""The KPI feed other council systems pull: definitions and published values (DOMAIN.md 6).

Values are paged by keyset in the order of the feed's change sequence (`feed_sequence`,
numbered in commit order by `pmo.kpis.feed_state`; then id, for values published before
the sequence existed, which share 0), served by the index `ix_kpi_values_feed_sequence`: a
page costs the same on a table of a thousand values or of a million, and there is no total
count. Every change the feed shows (a new published version, a correction, a change to its
target, RAG or comparisons) gives the value a new, larger number, so it comes round again at
the end of the order: a client that resumes with `after_sequence` (the largest `sequence` it
holds) gets every change once, in order, and never misses one committed late. Definitions
are paged in the order (updated_at, id).

Entity tags come from the organisation's feed revision (`KpiFeedState`, moved on by every
write to its KPIs, targets and values) and the request itself, so a revalidation reads that
one row and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from enum import Enum
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import literal, true, tuple_
from sqlalchemy import select as sa_select  # typed for any number of columns
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from pmo.core.config import get_settings
from pmo.core.db import UTCDateTime
from pmo.core.pagination import absolute_url
from pmo.core.periods import parse_period_code
from pmo.core.schemas import utc_text
from pmo.core.spreadsheet import safe_text
from pmo.core.written_cache import WrittenCache
from pmo.kpis.assessment import assess
from pmo.kpis.feed_schemas import FeedDefinition
from pmo.kpis.feed_state import feed_state
from pmo.kpis.models import Kpi, KpiValue
from pmo.organisations.models import Organisation

PUBLISHED = "published"
# Part of every entity tag: bump it when the feed's representation changes.
FEED_FORMAT = "kpi-feed/1"


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the (updated_at, id) of its last row."""

    updated_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.updated_at.isoformat(), str(self.id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            stamp, ident = json.loads(raw)
            updated_at = datetime.fromisoformat(stamp)
            if updated_at.tzinfo is None:
                raise ValueError("no offset")
            return Cursor(updated_at.astimezone(UTC), uuid.UUID(ident))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidCursor("not a cursor this feed gave out; start again without one") from exc


@dataclass(frozen=True)
class SequenceCursor:
    """Where a page of values ends: the (sequence, id) of its last value."""

    sequence: int
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.sequence, str(self.id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(text: str) -> SequenceCursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            sequence, ident = json.loads(raw)
            if type(sequence) is not int or sequence < 0:
                raise ValueError("not a sequence number")
            return SequenceCursor(sequence, uuid.UUID(ident))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidCursor("not a cursor this feed gave out; start again without one") from exc


@dataclass(frozen=True)
class FeedQuery:
    """A feed request, normalised: two requests that mean the same have the same `key`."""

    codes: tuple[str, ...] = ()
    programme_id: uuid.UUID | None = None
    period_from: date | None = None  # values whose period starts on or after this day
    period_to: date | None = None  # values whose period ends on or before this day
    updated_since: datetime | None = None
    after_sequence: int | None = None  # values changed after this number of the sequence
    limit: int = 100
    cursor: Cursor | SequenceCursor | None = None

    def key(self) -> str:
        return json.dumps(
            [
                sorted(set(self.codes)),
                str(self.programme_id or ""),
                str(self.period_from or ""),
                str(self.period_to or ""),
                self.updated_since.astimezone(UTC).isoformat() if self.updated_since else "",
                self.after_sequence,
                self.limit,
                self.cursor.encode() if self.cursor else "",
            ]
        )


def period_bound(text: str, *, end: bool) -> date:
    """A period code (`2022-23`, `2022-23-Q1`, `2022-04`) or ISO date, as the day a range
    starts (`end` False: the period's first day) or ends (`end` True: its last day)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    period = parse_period_code(text)  # raises InvalidPeriod
    return period.end if end else period.start


# Validators: the organisation's feed revision, as an ETag and Last-Modified ----------------


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None  # None while a change in the current second could follow

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag, "Cache-Control": "private, no-cache", "Vary": "Accept, Authorization"}
        if self.last_modified is not None:
            headers["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        return headers

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """RFC 9110 13.2.2: If-None-Match (weak comparison) decides when present; otherwise
        If-Modified-Since, against the last change to the second."""
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since is None or self.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False  # an unreadable date is ignored, as the RFC says
        if since.tzinfo is None:
            return False
        return self.last_modified <= since


def validators(session: Session, organisation_id: uuid.UUID, shape: FeedShape) -> Validators:
    """One primary-key read: the organisation's feed revision."""
    state = feed_state(session, organisation_id)
    revision, changed_at = (state.revision, state.changed_at) if state else (0, None)
    return validators_at(organisation_id, revision, changed_at, shape)


@dataclass(frozen=True)
class FeedShape:
    """What a feed answer's tag depends on besides the organisation and its revision."""

    resource: str  # "values" or "definitions"
    query_key: str  # `FeedQuery.key()`
    media_type: str


def validators_at(
    organisation_id: uuid.UUID, revision: int, changed_at: datetime | None, shape: FeedShape
) -> Validators:
    """The validators of an answer of `shape` at a revision of the organisation's feed (0 and
    None: no revision row yet)."""
    seed = "|".join(
        [FEED_FORMAT, str(organisation_id), str(revision), shape.resource, shape.query_key, shape.media_type]
    ).encode()
    tag = '"' + hashlib.sha256(seed).hexdigest()[:32] + '"'
    last_modified = None
    if changed_at is not None:
        second = changed_at.replace(microsecond=0)
        # A Last-Modified of the current second could hide a change later in that second
        # from If-Modified-Since (HTTP dates have no fractions): give it once the second is over.
        if datetime.now(UTC).replace(microsecond=0) > second:
            last_modified = second
    return Validators(tag, last_modified)


# Pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedPage:
    body: bytes
    next_link: str | None


# Pages written out, by their entity tag and the request's URL, at most
# `PMO_FEED_PAGE_CACHE_MB` of bodies a process. Exact, and across workers: the tag carries the
# organisation's feed revision, which every request reads from the database (`validators`) and
# every change to the feed moves on, so a page of an older revision is never looked up again.
# The URL is in the key as the body's `next` link is built from it. Several systems pulling the
# same page after each change, and one system paging on, mostly read pages someone has read
# since the change.
PAGES: WrittenCache[RenderedPage] = WrittenCache()


def page_key(etag: str, scope: Any) -> tuple[str, ...]:
    """Where a written-out page is kept: its tag (organisation, feed revision, query, media
    type), and what its links are built from (the public URL, the request's path and query)."""
    query = scope.get("query_string", b"").decode("latin-1")
    return (etag, get_settings().public_url, scope["path"], query)


def page_response(request: Request, page: RenderedPage, validators: Validators, media_type: str) -> Response:
    """A written-out page as the route and `feed_revalidation` both answer it: the validators
    and the RFC 8288 links (`self`, `first`, and `next` while there is one)."""
    headers = validators.headers()
    links = {"self": absolute_url(request), "first": absolute_url(request.url.remove_query_params("cursor"))}
    if page.next_link is not None:
        links["next"] = page.next_link
    headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return Response(page.body, media_type=media_type, headers=headers)


def _after(model: Any, cursor: Cursor | None) -> Any:
    """Rows after the cursor in (updated_at, id) order. A row-value comparison, which both
    PostgreSQL and SQLite use as a range of the index: an import gives thousands of values
    one `updated_at`, and the page after the 50,000th of them must not scan the 50,000."""
    if cursor is None:
        return true()
    return tuple_(col(model.updated_at), col(model.id)) > tuple_(
        literal(cursor.updated_at, UTCDateTime()), literal(cursor.id, model.__table__.c.id.type)
    )


def value_page(
    session: Session, organisation_id: uuid.UUID, query: FeedQuery
) -> tuple[list[dict[str, Any]], SequenceCursor | None]:
    """The published values of the query's page, and the cursor of the next page (or None).

    Read as rows of the columns it needs, not ORM objects. Each value is a dict of
    `FeedValue`'s fields, in its order, written to JSON by `values_json` without building and
    validating a response model per value (the feed's hottest request; a test holds the bytes
    to what `FeedPage[FeedValue]` gives)."""
    statement = (
        sa_select(
            col(KpiValue.id),
            col(KpiValue.kpi_id),
            col(KpiValue.period_code),
            col(KpiValue.period_start),
            col(KpiValue.period_end),
            col(KpiValue.actual),
            col(KpiValue.commentary),
            col(KpiValue.published_at),
            col(KpiValue.updated_at),
            col(KpiValue.version),
            col(KpiValue.feed_sequence),
            col(Kpi.code),
            col(Kpi.frequency),
        )
        .join(Kpi, col(Kpi.id) == col(KpiValue.kpi_id))
        .where(col(KpiValue.organisation_id) == organisation_id, col(KpiValue.status) == PUBLISHED)
    )
    if isinstance(query.cursor, SequenceCursor):
        statement = statement.where(
            tuple_(col(KpiValue.feed_sequence), col(KpiValue.id))
            > tuple_(literal(query.cursor.sequence), literal(query.cursor.id, KpiValue.__table__.c.id.type))  # type: ignore[attr-defined]
        )
    if query.after_sequence is not None:
        statement = statement.where(col(KpiValue.feed_sequence) > query.after_sequence)
    if query.codes:
        statement = statement.where(col(Kpi.code).in_(sorted(set(query.codes))))
    if query.programme_id is not None:
        statement = statement.where(col(Kpi.programme_id) == query.programme_id)
    if query.period_from is not None:
        statement = statement.where(col(KpiValue.period_start) >= query.period_from)
    if query.period_to is not None:
        statement = statement.where(col(KpiValue.period_end) <= query.period_to)
    if query.updated_since is not None:
        statement = statement.where(col(KpiValue.updated_at) >= query.updated_since)
    statement = statement.order_by(col(KpiValue.feed_sequence), col(KpiValue.id)).limit(query.limit + 1)
    rows = session.execute(statement).all()
    gss_code = session.execute(
        select(Organisation.gss_code).where(col(Organisation.id) == organisation_id)
    ).scalar_one_or_none()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    assessments = assess(session, rows, published_only=True)
    items = []
    for value in rows:
        a = assessments[value.id]
        items.append(
            {
                "id": value.id,
                "kpi_id": value.kpi_id,
                "kpi_code": value.code,
                "period_code": value.period_code,
                "period_label": parse_period_code(value.period_code, value.frequency).label,
                "period_start": value.period_start,
                "period_end": value.period_end,
                "actual": value.actual,
                "commentary": value.commentary,
                "published_at": value.published_at,
                "updated_at": value.updated_at,
                "version": value.version,
                "target": a.target,
                "tolerance_percent": a.tolerance_percent,
                "rag": a.rag,
                "previous_period": a.previous_period,
                "previous_actual": a.previous_actual,
                "direction_vs_previous": a.direction_vs_previous,
                "change_vs_previous_percent": a.change_vs_previous_percent,
                "year_before_period": a.year_before_period,
                "year_before_actual": a.year_before_actual,
                "direction_vs_year_before": a.direction_vs_year_before,
                "change_vs_year_before_percent": a.change_vs_year_before_percent,
                "sequence": value.feed_sequence,
                "organisation_gss_code": gss_code,
            }
        )
    last = rows[-1] if more else None
    return items, SequenceCursor(last.feed_sequence, last.id) if last else None


def definition_page(
    session: Session, organisation_id: uuid.UUID, query: FeedQuery
) -> tuple[list[FeedDefinition], Cursor | None]:
    cursor = query.cursor if isinstance(query.cursor, Cursor) else None
    statement = select(Kpi).where(col(Kpi.organisation_id) == organisation_id).where(_after(Kpi, cursor))
    if query.codes:
        statement = statement.where(col(Kpi.code).in_(sorted(set(query.codes))))
    if query.programme_id is not None:
        statement = statement.where(col(Kpi.programme_id) == query.programme_id)
    if query.updated_since is not None:
        statement = statement.where(col(Kpi.updated_at) >= query.updated_since)
    statement = statement.order_by(col(Kpi.updated_at), col(Kpi.id)).limit(query.limit + 1)
    kpis = list(session.execute(statement).scalars())
    more = len(kpis) > query.limit
    kpis = kpis[: query.limit]
    items = [FeedDefinition.model_validate(kpi, from_attributes=True) for kpi in kpis]
    last = kpis[-1] if more else None
    return items, Cursor(last.updated_at, last.id) if last else None


def _json_default(value: Any) -> str:
    # Exact decimals as strings, as the response model's `DecimalString` writes them.
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"not serialisable: {type(value).__name__}")


def values_json(
    items: list[dict[str, Any]], limit: int, next_link: str | None, next_cursor: str | None
) -> bytes:
    """A page of values (`value_page`'s dicts) as the JSON of `FeedPage[FeedValue]`: times in
    UTC with `Z`, decimals as strings, enums as their values, fields in the model's order."""
    page = {"items": items, "limit": limit, "next": next_link, "next_cursor": next_cursor}
    return orjson.dumps(page, default=_json_default, option=orjson.OPT_UTC_Z)


# CSV --------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A CSV cell: decimals exact, times ISO 8601, and text that a spreadsheet would run as
    a formula shown as text (a leading quote); numbers are never touched."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(columns: Sequence[str], items: Sequence[BaseModel | dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        cells = (item[column] if isinstance(item, dict) else getattr(item, column) for column in columns)
        writer.writerow([_cell(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8")
