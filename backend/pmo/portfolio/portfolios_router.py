"""Portfolios: list, create, read, change or close, delete."""

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
from pmo.portfolio import portfolios_service as service
from pmo.portfolio.portfolios_schemas import PortfolioCreate, PortfolioPublic, PortfolioUpdate

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Manage = Annotated[Actor, require(P.portfolio_manage)]
Search = Annotated[SearchText | None, Query(description="Text to look for in names and descriptions.")]

PortfolioSort = Annotated[str, sort_query("name", "created_at")]


@router.get("/portfolios", tags=["portfolios"], response_model=Page[PortfolioPublic], responses=declare())
def list_portfolios(
    session: SessionDep, actor: Read, page: PageDep, q: Search = None, sort: PortfolioSort = "name"
) -> Page[PortfolioPublic]:
    """The organisation's change portfolios."""
    return service.list_portfolios(session, actor, page, q, sort)


@router.post(
    "/portfolios",
    tags=["portfolios"],
    status_code=201,
    response_model=PortfolioPublic,
    responses=declare(409),
)
def create_portfolio(
    request: Request,
    body: PortfolioCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a portfolio to group programmes."""

    def create() -> tuple[PortfolioPublic, str]:
        portfolio = service.create_portfolio(session, actor, body)
        return service.portfolio_public(session, actor, portfolio), f"/api/v1/portfolios/{portfolio.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/portfolios/{portfolio_id}",
    tags=["portfolios"],
    response_model=PortfolioPublic,
    responses=declare(304, 404),
)
def get_portfolio(
    portfolio_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One portfolio of your organisation."""
    portfolio = service.get_portfolio(session, actor, portfolio_id)
    return json_with_etag(service.portfolio_public(session, actor, portfolio), if_none_match)


@router.patch(
    "/portfolios/{portfolio_id}",
    tags=["portfolios"],
    response_model=PortfolioPublic,
    responses=declare(404, 409, 412, 428),
)
def update_portfolio(
    portfolio_id: uuid.UUID,
    body: PortfolioUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Rename or describe a portfolio, or close it (`status`: `closed`, once its programmes
    are all closed; a closed portfolio takes no new programmes) or open it again. `If-Match`
    required."""
    portfolio = service.get_portfolio(session, actor, portfolio_id)
    check_if_match(if_match, service.portfolio_public(session, actor, portfolio))
    service.update_portfolio(session, actor, portfolio, body)
    return json_with_etag(service.portfolio_public(session, actor, portfolio), None)


@router.delete(
    "/portfolios/{portfolio_id}", tags=["portfolios"], status_code=204, responses=declare(404, 409)
)
def delete_portfolio(portfolio_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete an empty portfolio; one with programmes is a 409."""
    service.delete_portfolio(session, actor, service.get_portfolio(session, actor, portfolio_id))
    return Response(status_code=204)
