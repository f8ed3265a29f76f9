"""The KPI feed for other council systems: `/api/v1/kpi-feed/definitions` and `/values`.

Read with `kpis:read` (API clients with that scope, and staff). Only published values are in
the feed. JSON, or CSV from the `.csv` operations (or `Accept: text/csv`); paged by cursor; `ETag` and
`Last-Modified` on every answer, 304 to a revalidation that matches; API clients are limited
to `PMO_CLIENT_REQUESTS_PER_MINUTE` requests a minute (429 with `Retry-After`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from pydantic import StringConstraints

from pmo.auth.dependencies import require
from pmo.core import ratelimit
from pmo.core.config import get_settings
from pmo.core.db import SessionDep, get_engine
from pmo.core.errors import FieldProblem, Unprocessable, declare
from pmo.core.negotiation import negotiate
from pmo.core.pagination import absolute_url
from pmo.core.periods import PERIOD_BOUND_PATTERN, InvalidPeriod
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import CURSOR_PATTERN, Instant, SearchText
from pmo.core.written_cache import MEGABYTE
from pmo.kpis import feed_ratelimit, feed_revalidation
from pmo.kpis import feed_service as feed
from pmo.kpis.feed_schemas import (
    FEED_DEFINITION_COLUMNS,
    FEED_VALUE_COLUMNS,
    FeedDefinition,
    FeedPage,
    FeedValue,
)

# Its GETs are plain reads: the request count takes its shares in a write transaction of its
# own (`feed_ratelimit`), so a poll never waits for SQLite's write lock.
router = ApiRouter(tags=["kpi-feed"])

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
JSON_MEDIA_TYPE = "application/json"
MAX_LIMIT = 1000


async def feed_reader(request: Request, actor: Annotated[Actor, require(Permission.kpis_read)]) -> Actor:
    """The reader, with each request of an API client counted against its limit (and the
    limit's `RateLimit` fields sent on the answer)."""
    if actor.kind == "client":
        fields = await feed_ratelimit.count_request(
            get_engine(), actor.id, get_settings().client_requests_per_minute
        )
        ratelimit.announce(request.scope, fields)
    return actor


Reader = Annotated[Actor, Depends(feed_reader)]
CodeQ = Annotated[
    list[SearchText] | None,
    Query(description="A KPI code, e.g. `CS-01`; repeat for several (`code=CS-01&code=CS-02`)."),
]
ProgrammeQ = Annotated[uuid.UUID | None, Query(description="KPIs linked to this programme.")]
PeriodText = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=PERIOD_BOUND_PATTERN)]
PeriodFromQ = Annotated[
    PeriodText | None,
    Query(
        description="Values of periods starting on or after this: a period code (`2022-23`, "
        "`2022-23-Q1`, `2022-04`) or an ISO date. A code that reads both ways (`2011-12`) is a month."
    ),
]
PeriodToQ = Annotated[
    PeriodText | None,
    Query(description="Values of periods ending on or before this: a period code or an ISO date."),
]
UpdatedSinceQ = Annotated[
    Instant | None,
    Query(
        description="Only records changed at or after this instant (ISO 8601 with offset), by "
        "`updated_at`. For values, `after_sequence` is the sync that never misses one committed late."
    ),
]
AfterSequenceQ = Annotated[
    int | None,
    Query(
        ge=0,
        le=2**63 - 1,  # the largest sequence a 64-bit column holds: beyond it SQLite cannot compare
        description="Incremental sync that never misses a value: only values whose latest change has "
        "a larger `sequence` than this (send the largest `sequence` you hold). Changes are numbered "
        "in commit order, so a value committed late is still after it.",
    ),
]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Records per page (at most 1000).")]
CursorQ = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=CURSOR_PATTERN,
        description="From the previous page's `next`: opaque, do not build.",
    ),
]
AcceptH = Annotated[
    str | None,
    Header(
        max_length=1000,
        # OpenAPI ignores a parameter named Accept (3.1, Parameter Object): the operation's
        # response media types say what is offered.
        include_in_schema=False,
        description="Media types with optional `q` weights (RFC 9110); 406 if none is offered.",
    ),
]
IfNoneMatchH = Annotated[
    str | None,
    Header(alias="If-None-Match", max_length=1000, description="An earlier `ETag`: 304 if current."),
]
IfModifiedSinceH = Annotated[
    str | None,
    Header(
        alias="If-Modified-Since",
        max_length=100,
        description="An earlier `Last-Modified`: 304 if nothing changed since (If-None-Match wins).",
    ),
]


def _responses(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "One page (values in `sequence` order, definitions in (updated_at, id) "
            'order). `Link: <...>; rel="next"` names the next page while there is one. `ETag` and '
            "`Last-Modified` are set. "
            "`Accept: text/csv` still gets the page as CSV here; the `.csv` operation declares it.",
            "model": model,
        },
        **declare(304, 406),
    }


CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page as CSV: a header row, then one row per record, the columns of the "
        "JSON items in their order. Decimals are exact (`72.5`), times ISO 8601 UTC with `Z`. "
        '`Link: <...>; rel="next"` names the next page while there is one.',
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **declare(304, 406),
}


def _query(
    codes: list[str] | None,
    programme_id: uuid.UUID | None,
    period_from: str | None,
    period_to: str | None,
    updated_since: Any,
    limit: int,
    cursor: str | None,
    cursor_type: type[feed.Cursor] | type[feed.SequenceCursor],
    after_sequence: int | None = None,
) -> feed.FeedQuery:
    problems: list[FieldProblem] = []

    def bound(name: str, text: str | None, *, end: bool) -> Any:
        if text is None:
            return None
        try:
            return feed.period_bound(text, end=end)
        except InvalidPeriod as exc:
            problems.append(FieldProblem(location=["query", name], message=str(exc), type="period"))
            return None

    start, finish = bound("period_from", period_from, end=False), bound("period_to", period_to, end=True)
    parsed_cursor = None
    if cursor is not None:
        try:
            parsed_cursor = cursor_type.decode(cursor)
        except feed.InvalidCursor as exc:
            problems.append(FieldProblem(location=["query", "cursor"], message=str(exc), type="cursor"))
    if problems:
        raise Unprocessable("; ".join(p.message for p in problems), errors=problems)
    return feed.FeedQuery(
        codes=tuple(codes or ()),
        programme_id=programme_id,
        period_from=start,
        period_to=finish,
        updated_since=updated_since,
        limit=limit,
        cursor=parsed_cursor,
        after_sequence=after_sequence,
    )


async def values_query(
    code: CodeQ = None,
    programme_id: ProgrammeQ = None,
    period_from: PeriodFromQ = None,
    period_to: PeriodToQ = None,
    updated_since: UpdatedSinceQ = None,
    after_sequence: AfterSequenceQ = None,
    limit: LimitQ = 100,
    cursor: CursorQ = None,
) -> feed.FeedQuery:
    return _query(
        code,
        programme_id,
        period_from,
        period_to,
        updated_since,
        limit,
        cursor,
        feed.SequenceCursor,
        after_sequence,
    )


async def definitions_query(
    code: CodeQ = None,
    programme_id: ProgrammeQ = None,
    updated_since: UpdatedSinceQ = None,
    limit: LimitQ = 100,
    cursor: CursorQ = None,
) -> feed.FeedQuery:
    return _query(code, programme_id, None, None, updated_since, limit, cursor, feed.Cursor)


ValuesQuery = Annotated[feed.FeedQuery, Depends(values_query)]
DefinitionsQuery = Annotated[feed.FeedQuery, Depends(definitions_query)]
# The JSON operations answer CSV too when `Accept` prefers it (as before the `.csv` ones).
JSON_OFFERS = (JSON_MEDIA_TYPE, "text/csv")
CSV_OFFERS = ("text/csv",)


def _render(
    request: Request,
    items: list[Any],
    next_cursor: feed.Cursor | feed.SequenceCursor | None,
    limit: int,
    columns: list[str],
    csv: bool,
) -> feed.RenderedPage:
    # Absolute, on PMO_PUBLIC_URL (the same whatever host name was used, so is the body's tag).
    next_link = absolute_url(request, cursor=next_cursor.encode()) if next_cursor is not None else None
    if csv:
        return feed.RenderedPage(feed.to_csv(columns, items), next_link)
    if items and isinstance(items[0], dict):  # values: straight from the rows to JSON bytes
        body = feed.values_json(items, limit, next_link, next_cursor.encode() if next_cursor else None)
        return feed.RenderedPage(body, next_link)
    page = FeedPage[Any](
        items=items, limit=limit, next=next_link, next_cursor=next_cursor.encode() if next_cursor else None
    )
    return feed.RenderedPage(page.model_dump_json().encode(), next_link)


def _feed(
    request: Request,
    session: SessionDep,
    actor: Actor,
    what: str,
    query: feed.FeedQuery,
    csv: bool,
    conditions: tuple[str | None, str | None],
    accept: str | None,
) -> Response:
    media_type = CSV_MEDIA_TYPE if csv else JSON_MEDIA_TYPE
    # The next poll of the same shape may be answered 304 before the framework.
    shape = feed.FeedShape(what, query.key(), media_type)
    feed_revalidation.remember(request.scope, accept, shape)
    validators = feed.validators(session, actor.organisation_id, shape)
    if validators.not_modified(*conditions):
        return Response(status_code=304, headers=validators.headers())
    page_key = feed.page_key(validators.etag, request.scope)
    page = feed.PAGES.get(page_key)
    if page is None:
        if what == "values":
            values, after = feed.value_page(session, actor.organisation_id, query)
            page = _render(request, values, after, query.limit, FEED_VALUE_COLUMNS, csv)
        else:
            definitions, next_cursor = feed.definition_page(session, actor.organisation_id, query)
            page = _render(request, definitions, next_cursor, query.limit, FEED_DEFINITION_COLUMNS, csv)
        feed.PAGES.put(page_key, page, max_bytes=get_settings().feed_page_cache_mb * MEGABYTE)
    return feed.page_response(request, page, validators, media_type)


VALUES_DESCRIPTION = """Published KPI values of your organisation, each with its KPI code,
period (code, label, ISO start and end), actual (an exact decimal string), commentary, publication and last
change, and what the server works out: target, RAG, and direction of travel and % change
against the previous period and the same period a year before (published values only).

Drafts and values awaiting verification are never in the feed. Values come in the order
of their latest change (`sequence`, numbered in commit order): a new published version,
a correction, or a change to what is worked out from it (its target, the tolerance, the
previous period's or the year before's actual) gives the value a new `sequence`, so it
comes again. Resume with `after_sequence` (the largest `sequence` you hold): every change
comes once, in order, none missed. A revalidation (`If-None-Match`, `If-Modified-Since`)
costs one small read."""

DEFINITIONS_DESCRIPTION = """KPI definitions of your organisation (active and retired): code,
name, unit, polarity, frequency, decimal places, linked programme and project, baseline and tolerance. Paged,
tagged and rate limited like the values."""


@router.get(
    "/kpi-feed/values",
    response_model=FeedPage[FeedValue],
    responses=_responses(FeedPage[FeedValue]),
    description=VALUES_DESCRIPTION,
)
def feed_values(
    request: Request,
    session: SessionDep,
    actor: Reader,
    query: ValuesQuery,
    accept: AcceptH = None,
    if_none_match: IfNoneMatchH = None,
    if_modified_since: IfModifiedSinceH = None,
) -> Response:
    csv = negotiate(accept, JSON_OFFERS) == "text/csv"
    return _feed(request, session, actor, "values", query, csv, (if_none_match, if_modified_since), accept)


@router.get(
    "/kpi-feed/values.csv",
    response_class=Response,
    responses=CSV_RESPONSES,
    description=VALUES_DESCRIPTION.replace("Published KPI values", "As CSV: published KPI values", 1),
)
def feed_values_csv(
    request: Request,
    session: SessionDep,
    actor: Reader,
    query: ValuesQuery,
    accept: AcceptH = None,
    if_none_match: IfNoneMatchH = None,
    if_modified_since: IfModifiedSinceH = None,
) -> Response:
    negotiate(accept, CSV_OFFERS)
    return _feed(request, session, actor, "values", query, True, (if_none_match, if_modified_since), accept)


@router.get(
    "/kpi-feed/definitions",
    response_model=FeedPage[FeedDefinition],
    responses=_responses(FeedPage[FeedDefinition]),
    description=DEFINITIONS_DESCRIPTION,
)
def feed_definitions(
    request: Request,
    session: SessionDep,
    actor: Reader,
    query: DefinitionsQuery,
    accept: AcceptH = None,
    if_none_match: IfNoneMatchH = None,
    if_modified_since: IfModifiedSinceH = None,
) -> Response:
    csv = negotiate(accept, JSON_OFFERS) == "text/csv"
    return _feed(
        request, session, actor, "definitions", query, csv, (if_none_match, if_modified_since), accept
    )


@router.get(
    "/kpi-feed/definitions.csv",
    response_class=Response,
    responses=CSV_RESPONSES,
    description=DEFINITIONS_DESCRIPTION.replace("KPI definitions", "As CSV: KPI definitions", 1),
)
def feed_definitions_csv(
    request: Request,
    session: SessionDep,
    actor: Reader,
    query: DefinitionsQuery,
    accept: AcceptH = None,
    if_none_match: IfNoneMatchH = None,
    if_modified_since: IfModifiedSinceH = None,
) -> Response:
    negotiate(accept, CSV_OFFERS)
    return _feed(
        request, session, actor, "definitions", query, True, (if_none_match, if_modified_since), accept
    )
