from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page, SearchText
from pmo.finance import funding_service as service
from pmo.finance.funding_schemas import (
    FundingKind,
    FundingSourceCreate,
    FundingSourcePublic,
    FundingSourceUpdate,
    FundingStatus,
)

router = ApiRouter(tags=["funding-sources"])

Read = Annotated[Actor, require(Permission.finance_read)]
Manage = Annotated[Actor, require(Permission.funding_sources_manage)]
Sort = Annotated[str, sort_query("name", "kind", "created_at")]


@router.get("/funding-sources", response_model=Page[FundingSourcePublic], responses=declare())
def list_funding_sources(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    kind: FundingKind | None = None,
    status: FundingStatus | None = None,
    q: Annotated[SearchText | None, Query(description="Text in the name or description.")] = None,
    sort: Sort = "name",
) -> Page[FundingSourcePublic]:
    """The organisation's reserves and budgets, each with its opening balance, what approved
    draw-downs have committed, what waiting requests ask for, and what remains."""
    return service.list_sources(session, actor, page, kind=kind, status=status, q=q, sort=sort)


@router.post("/funding-sources", status_code=201, response_model=FundingSourcePublic, responses=declare(409))
def create_funding_source(
    request: Request,
    body: FundingSourceCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a reserve or budget (finance). Amounts are strings of pounds, e.g. `"555000.00"`."""

    def create() -> tuple[FundingSourcePublic, str]:
        source = service.create_source(session, actor, actor.organisation_id, body)
        return service.source_view(session, actor, source), f"/api/v1/funding-sources/{source.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/funding-sources/{funding_source_id}",
    response_model=FundingSourcePublic,
    responses=declare(304, 404),
)
def get_funding_source(
    funding_source_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One reserve or budget: opening balance, committed and what is left."""
    source = service.get_source(session, actor, funding_source_id)
    return json_with_etag(service.source_view(session, actor, source), if_none_match)


@router.patch(
    "/funding-sources/{funding_source_id}",
    response_model=FundingSourcePublic,
    responses=declare(404, 409, 412, 428),
)
def update_funding_source(
    funding_source_id: uuid.UUID,
    body: FundingSourceUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Change a source (finance). The opening balance never goes below what is committed
    (409). `status: closed` stops new draw-downs and approvals; approved ones stay committed."""
    source = service.get_source(session, actor, funding_source_id)
    check_if_match(if_match, service.source_view(session, actor, source))
    service.update_source(session, actor, source, body)
    return json_with_etag(service.source_view(session, actor, source), None)


@router.delete("/funding-sources/{funding_source_id}", status_code=204, responses=declare(404, 409))
def delete_funding_source(funding_source_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete a source no draw-down was ever requested from (409 otherwise: close it instead)."""
    service.delete_source(session, actor, service.get_source(session, actor, funding_source_id))
    return Response(status_code=204)
