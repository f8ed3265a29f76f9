"""Routes of cost lines: `/api/v1/cost-lines`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.periods import FinancialYearText
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.finance import costs_service as service
from pmo.finance.costs_schemas import CostKind, CostLineCreate, CostLinePublic, CostLineUpdate, CostTotals

router = ApiRouter(tags=["cost-lines"])

P = Permission
Read = Annotated[Actor, require(P.finance_read)]
Edit = Annotated[Actor, require(P.costs_benefits_edit)]
CostSort = Annotated[str, sort_query(*service.COST_SORTS)]


def cost_filters(
    programme_id: Annotated[
        uuid.UUID | None, Query(description="Lines of this programme and of its projects.")
    ] = None,
    project_id: Annotated[uuid.UUID | None, Query(description="Lines of this project.")] = None,
    kind: Annotated[
        CostKind | None, Query(description="One-off investment or resourcing lines only.")
    ] = None,
    financial_year: Annotated[
        FinancialYearText | None, Query(description='Lines of this year, "2022/23".')
    ] = None,
    funding_source_id: Annotated[
        uuid.UUID | None, Query(description="Lines paid from this funding source.")
    ] = None,
) -> service.CostFilters:
    return service.CostFilters(
        programme_id=programme_id,
        project_id=project_id,
        kind=kind.value if kind else None,
        financial_year=financial_year,
        funding_source_id=funding_source_id,
    )


Filters = Annotated[service.CostFilters, Depends(cost_filters)]


def _url(line_id: uuid.UUID) -> str:
    return f"/api/v1/cost-lines/{line_id}"


@router.get("/cost-lines", response_model=Page[CostLinePublic], responses=declare())
def list_cost_lines(
    session: SessionDep, actor: Read, page: PageDep, filters: Filters, sort: CostSort = "financial_year"
) -> Page[Any]:
    """One-off investment and resourcing lines, filtered."""
    return service.list_cost_lines(session, actor, page, filters, sort=sort)


@router.get("/cost-lines/totals", response_model=CostTotals, responses=declare(304))
def cost_totals(
    session: SessionDep, actor: Read, filters: Filters, if_none_match: IfNoneMatch = None
) -> Response:
    """Totals of the lines the same filters select: by financial year, by kind, by funding
    source, and the grand total. Sums are exact to the penny."""
    return json_with_etag(service.totals(session, actor, filters), if_none_match)


@router.post("/cost-lines", status_code=201, response_model=CostLinePublic, responses=declare(404))
def create_cost_line(
    request: Request,
    body: CostLineCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a line to a programme or a project (give exactly one). The amount is a positive
    decimal string of pounds (`"51322.00"`); a JSON number, zero, a negative amount or a third
    decimal place is 422. Only a resourcing line has a grade."""

    def create() -> tuple[CostLinePublic, str]:
        line = service.create_cost_line(session, actor, body)
        return service.cost_line_view(session, actor, line), _url(line.id)

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/cost-lines/{cost_line_id:uuid}", response_model=CostLinePublic, responses=declare(304, 404))
def get_cost_line(
    cost_line_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One cost line: one-off investment or resourcing, by financial year."""
    line = service.get_cost_line(session, actor, cost_line_id)
    return json_with_etag(service.cost_line_view(session, actor, line), if_none_match)


@router.patch(
    "/cost-lines/{cost_line_id:uuid}", response_model=CostLinePublic, responses=declare(404, 412, 428)
)
def update_cost_line(
    cost_line_id: uuid.UUID, body: CostLineUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change a cost line's amounts or description. `If-Match` required."""
    line = service.get_cost_line(session, actor, cost_line_id)
    check_if_match(if_match, service.cost_line_view(session, actor, line))
    service.update_cost_line(session, actor, line, body)
    return json_with_etag(service.cost_line_view(session, actor, line), None)


@router.delete("/cost-lines/{cost_line_id:uuid}", status_code=204, responses=declare(404))
def delete_cost_line(cost_line_id: uuid.UUID, session: SessionDep, actor: Edit) -> Response:
    """Remove a cost line; the totals follow."""
    service.delete_cost_line(session, actor, service.get_cost_line(session, actor, cost_line_id))
    return Response(status_code=204)
