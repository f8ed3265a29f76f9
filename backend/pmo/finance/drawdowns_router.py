from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.periods import FinancialYearText
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.finance import drawdowns_service as service
from pmo.finance.drawdowns_schemas import (
    CommitteeDecisionCreate,
    ConsultationCreate,
    DrawdownAction,
    DrawdownCreate,
    DrawdownDecisionCreate,
    DrawdownDetail,
    DrawdownPublic,
    DrawdownStatus,
    Route,
    RoutePreview,
)

router = ApiRouter(tags=["drawdowns"])

P = Permission
Read = Annotated[Actor, require(P.finance_read)]
Requester = Annotated[Actor, require(P.drawdowns_request)]
# The permissions of the actions on a request are those its action table declares.
Withdrawer = Annotated[Actor, require(service.ACTIONS.permission(DrawdownAction.withdraw))]
Consultee = Annotated[Actor, require(service.ACTIONS.permission(DrawdownAction.consult))]
Decider = Annotated[Actor, require(service.ACTIONS.permission(DrawdownAction.approve))]
Recorder = Annotated[Actor, require(service.ACTIONS.permission(DrawdownAction.record_committee_decision))]
Sort = Annotated[str, sort_query("submitted_at", "amount", "reference", "status", "decided_at")]


@router.get("/drawdowns", response_model=Page[DrawdownPublic], responses=declare())
def list_drawdowns(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: DrawdownStatus | None = None,
    project_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    funding_source_id: uuid.UUID | None = None,
    financial_year: Annotated[FinancialYearText | None, Query()] = None,
    route: Route | None = None,
    requested_by: uuid.UUID | None = None,
    awaiting_me: Annotated[
        bool,
        Query(description="Only requests you can act on now: consult on, decide, or record a decision for."),
    ] = False,
    sort: Sort = "-submitted_at",
) -> Page[DrawdownPublic]:
    """Draw-down requests (DD-0001) you can see, filtered by funding source, project or status."""
    filters = service.DrawdownFilters(
        status=status,
        project_id=project_id,
        programme_id=programme_id,
        funding_source_id=funding_source_id,
        financial_year=financial_year,
        route=route,
        requested_by=requested_by,
        awaiting_me=awaiting_me,
    )
    return service.list_drawdowns(session, actor, page, filters, sort)


_ROUTING = """The route is worked out now, under the rule covering the funding source (a rule
naming the source before one covering all): within the limit it is delegated (the rule's
decider decides after every required consultee has recorded a view); above it, it is referred
to Cabinet, or to Council above the rule's council limit. Exactly the limit is within it. Under
a cumulative rule the project's approved delegated total in that financial year counts too."""


# The routing rules are shared by two operations' descriptions, so they are given as
# `description=` (a docstring cannot be built from parts).
@router.post(
    "/drawdowns/route-preview",
    response_model=RoutePreview,
    responses=declare(404, 409),
    description="The route a request would take if submitted now, with the reason; nothing is saved.\n\n"
    + _ROUTING,
)
def preview_drawdown_route(body: DrawdownCreate, session: SessionDep, actor: Requester) -> RoutePreview:
    return service.preview_route(session, actor, body)


@router.post(
    "/drawdowns",
    status_code=201,
    response_model=DrawdownDetail,
    responses=declare(404, 409),
    description="Ask to draw an amount from a funding source for a project in your scope, linked to "
    "its approved business case (an approved gate review of the project, or a reference).\n\n" + _ROUTING,
)
def create_drawdown(
    request: Request,
    body: DrawdownCreate,
    session: SessionDep,
    actor: Requester,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[DrawdownDetail, str]:
        drawdown = service.create_drawdown(session, actor, body)
        return service.drawdown_detail(session, actor, drawdown), f"/api/v1/drawdowns/{drawdown.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


# `:uuid` so that /drawdowns/route-preview is not taken for a request's id (a GET there is a 405
# that offers POST only).
@router.get("/drawdowns/{drawdown_id:uuid}", response_model=DrawdownDetail, responses=declare(304, 404))
def get_drawdown(
    drawdown_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """A request with its route, the rule version it was routed under, the views recorded,
    the consultees still to answer and what it waits for."""
    drawdown = service.get_drawdown(session, actor, drawdown_id)
    return json_with_etag(service.drawdown_detail(session, actor, drawdown), if_none_match)


@router.post(
    "/drawdowns/{drawdown_id}/consultations",
    status_code=201,
    response_model=DrawdownDetail,
    responses=declare(404, 409),
)
def consult_on_drawdown(
    drawdown_id: uuid.UUID,
    request: Request,
    body: ConsultationCreate,
    session: SessionDep,
    actor: Consultee,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record your view (supports, objects, comment) as one of the request's required
    consultee roles: one view per role. Someone not holding a required role gets 403; the
    requester is never consulted on their own request."""

    def create() -> tuple[DrawdownDetail, str]:
        drawdown = service.consult(session, actor, service.get_drawdown(session, actor, drawdown_id), body)
        return service.drawdown_detail(session, actor, drawdown), f"/api/v1/drawdowns/{drawdown.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.post("/drawdowns/{drawdown_id}/decision", response_model=DrawdownDetail, responses=declare(404, 409))
def decide_drawdown(
    drawdown_id: uuid.UUID, body: DrawdownDecisionCreate, session: SessionDep, actor: Decider
) -> DrawdownDetail:
    """The delegated decision, by the rule's decider, once every required consultee has
    recorded a view (409 before). Approval commits the amount against the funding source in
    the same transaction; an approval that would overdraw it is a 409 naming what remains.
    A referred request, the requester, or an approval that would now take the project's
    cumulative total over the limit is a 403 naming the rule. A decided request is a 409."""
    drawdown = service.decide(session, actor, service.get_drawdown(session, actor, drawdown_id), body)
    return service.drawdown_detail(session, actor, drawdown)


@router.post(
    "/drawdowns/{drawdown_id}/committee-decision",
    response_model=DrawdownDetail,
    responses=declare(404, 409),
)
def record_committee_decision(
    drawdown_id: uuid.UUID, body: CommitteeDecisionCreate, session: SessionDep, actor: Recorder
) -> DrawdownDetail:
    """Record the Cabinet or Council decision on a referred request (democratic services):
    the body it was referred to, the meeting date, the minute and/or key-decision reference
    and the outcome. Approval commits the amount (409 if it would overdraw the source)."""
    drawdown = service.record_committee_decision(
        session, actor, service.get_drawdown(session, actor, drawdown_id), body
    )
    return service.drawdown_detail(session, actor, drawdown)


@router.post("/drawdowns/{drawdown_id}/withdraw", response_model=DrawdownDetail, responses=declare(404, 409))
def withdraw_drawdown(drawdown_id: uuid.UUID, session: SessionDep, actor: Withdrawer) -> DrawdownDetail:
    """Withdraw a request before its decision: the requester or the PMO. Nothing was
    committed, so nothing is released."""
    drawdown = service.withdraw(session, actor, service.get_drawdown(session, actor, drawdown_id))
    return service.drawdown_detail(session, actor, drawdown)
