"""Routes of the risk log: `/api/v1/risks` and `/api/v1/risk-actions`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.raid import risks_service as service
from pmo.raid.common import ReviewDatedFilters
from pmo.raid.risks_schemas import (
    ActionStatus,
    Closure,
    Escalation,
    HeatMap,
    Nature,
    RiskActionCreate,
    RiskActionPublic,
    RiskActionUpdate,
    RiskCreate,
    RiskDetail,
    RiskHistory,
    RiskOccurred,
    RiskOccurredResult,
    RiskPublic,
    RiskUpdate,
    ScoreBasis,
)
from pmo.raid.scoring import Band

router = ApiRouter(tags=["risks"])

P = Permission
Read = Annotated[Actor, require(P.raid_read)]
Edit = Annotated[Actor, require(P.raid_edit)]

NatureQ = Annotated[Nature | None, Query(description="Threats or opportunities only.")]
BandQ = Annotated[
    Band | None, Query(description="Risks whose score (on `basis`, residual by default) is in this RAG band.")
]
BasisQ = Annotated[ScoreBasis, Query(description="Which score `band` (and the heat map) looks at.")]
DueForReviewQ = Annotated[
    bool | None, Query(description="`true`: open risks whose review date is today or past.")
]
OverdueActionsQ = Annotated[
    bool | None,
    Query(description="`true`: risks with a response action neither done nor cancelled past its due date."),
]
RiskSort = Annotated[
    str,
    sort_query(
        "reference", "title", "inherent_score", "residual_score", "review_date", "raised_on", "updated_at"
    ),
]
ActionSort = Annotated[str, sort_query("due_date", "created_at", "status")]


def _url(risk_id: uuid.UUID) -> str:
    return f"/api/v1/risks/{risk_id}"


@router.get("/risks", response_model=Page[RiskPublic], responses=declare())
def list_risks(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    filters: ReviewDatedFilters,
    nature: NatureQ = None,
    band: BandQ = None,
    basis: BasisQ = ScoreBasis.residual,
    due_for_review: DueForReviewQ = None,
    overdue_actions: OverdueActionsQ = None,
    sort: RiskSort = "reference",
) -> Page[Any]:
    """The risk log, filtered. Scores and RAG bands are worked out by the server on the
    organisation's scale: 5x5 (score 1-25; green 1-4, amber 5-12, red 15-25) or hml3
    (low/medium/high = 1-3; score 1-9; green 1-2, amber 3-4, red 6-9)."""
    return service.list_risks(
        session,
        actor,
        page,
        filters,
        sort=sort,
        nature=nature,
        band=band,
        basis=basis,
        due_for_review=due_for_review,
        overdue_actions=overdue_actions,
    )


@router.get("/risks/heat-map", response_model=HeatMap, responses=declare(304))
def risk_heat_map(
    session: SessionDep,
    actor: Read,
    filters: ReviewDatedFilters,
    basis: BasisQ = ScoreBasis.residual,
    nature: NatureQ = None,
    band: BandQ = None,
    due_for_review: DueForReviewQ = None,
    overdue_actions: OverdueActionsQ = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Counts of risks per likelihood x impact cell (every cell of the organisation's scale,
    zeros included), on the inherent or residual scores, for any list filter."""
    result = service.heat_map(
        session,
        actor,
        filters,
        basis=basis,
        nature=nature,
        band=band,
        due_for_review=due_for_review,
        overdue_actions=overdue_actions,
    )
    return json_with_etag(result, if_none_match)


@router.post("/risks", status_code=201, response_model=RiskDetail, responses=declare(404))
def create_risk(
    request: Request,
    body: RiskCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Raise a risk on a project, a programme or a portfolio (give exactly one). Likelihood and
    impact outside the organisation's scale, or a response type that does not fit the
    nature, are 422."""

    def create() -> tuple[RiskDetail, str]:
        risk = service.create_risk(session, actor, body)
        return service.risk_detail(session, actor, risk), _url(risk.id)

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/risks/{risk_id:uuid}", response_model=RiskDetail, responses=declare(304, 404))
def get_risk(
    risk_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The risk with its response actions and the issue it became, if it happened."""
    risk = service.get_risk(session, actor, risk_id)
    return json_with_etag(service.risk_detail(session, actor, risk), if_none_match)


@router.patch("/risks/{risk_id:uuid}", response_model=RiskDetail, responses=declare(404, 409, 412, 428))
def update_risk(
    risk_id: uuid.UUID, body: RiskUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change a risk. Closed risks do not change (409)."""
    risk = service.get_risk(session, actor, risk_id)
    check_if_match(if_match, service.risk_detail(session, actor, risk))
    service.update_risk(session, actor, risk, body)
    return json_with_etag(service.risk_detail(session, actor, risk), None)


@router.post("/risks/{risk_id}/escalate", response_model=RiskDetail, responses=declare(404, 409))
def escalate_risk(risk_id: uuid.UUID, body: Escalation, session: SessionDep, actor: Edit) -> Response:
    """Escalate to a level above the current one (programme, steering_group), with a reason."""
    risk = service.escalate(session, actor, service.get_risk(session, actor, risk_id), body)
    return json_with_etag(service.risk_detail(session, actor, risk), None)


@router.post("/risks/{risk_id}/de-escalate", response_model=RiskDetail, responses=declare(404, 409))
def de_escalate_risk(risk_id: uuid.UUID, body: Escalation, session: SessionDep, actor: Edit) -> Response:
    """Bring a risk back down to a level below the current one, with a reason."""
    risk = service.de_escalate(session, actor, service.get_risk(session, actor, risk_id), body)
    return json_with_etag(service.risk_detail(session, actor, risk), None)


@router.post("/risks/{risk_id}/close", response_model=RiskDetail, responses=declare(404, 409))
def close_risk(risk_id: uuid.UUID, body: Closure, session: SessionDep, actor: Edit) -> Response:
    """Close a risk. Only the PMO or a sponsor may close an escalated risk (403 otherwise)."""
    risk = service.close_risk(session, actor, service.get_risk(session, actor, risk_id), body)
    return json_with_etag(service.risk_detail(session, actor, risk), None)


@router.post(
    "/risks/{risk_id}/occurred",
    status_code=201,
    response_model=RiskOccurredResult,
    responses=declare(404, 409),
)
def risk_occurred(
    request: Request,
    risk_id: uuid.UUID,
    body: RiskOccurred,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """The risk happened: raise the issue (I-NNNN) it became, linked to the risk, on the same
    project, programme or portfolio, and close the risk as "occurred". A second time is 409."""
    risk = service.get_risk(session, actor, risk_id)

    def create() -> tuple[RiskOccurredResult, str]:
        closed, issue = service.risk_occurred(session, actor, risk, body)
        return service.occurred_result(session, actor, closed, issue), f"/api/v1/issues/{issue.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/risks/{risk_id}/history", response_model=RiskHistory, responses=declare(304, 404))
def risk_history(
    risk_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """Every audit event of the risk and of its response actions, oldest first."""
    risk = service.get_risk(session, actor, risk_id)
    return json_with_etag(service.history(session, actor, risk), if_none_match)


# Response actions --------------------------------------------------------------------------


@router.get("/risks/{risk_id}/actions", response_model=Page[RiskActionPublic], responses=declare(404))
def list_risk_actions(
    risk_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: Annotated[ActionStatus | None, Query(description="Actions with this status.")] = None,
    sort: ActionSort = "due_date",
) -> Page[Any]:
    """The mitigating actions of a risk, with owners and due dates."""
    risk = service.get_risk(session, actor, risk_id)
    return service.list_actions(
        session, actor, risk, page, status=status.value if status else None, sort=sort
    )


@router.post(
    "/risks/{risk_id}/actions", status_code=201, response_model=RiskActionPublic, responses=declare(404, 409)
)
def create_risk_action(
    request: Request,
    risk_id: uuid.UUID,
    body: RiskActionCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a mitigating action to a risk."""
    risk = service.get_risk(session, actor, risk_id)

    def create() -> tuple[RiskActionPublic, str]:
        action = service.create_action(session, actor, risk, body)
        return service.response_action_public(session, actor, action), f"/api/v1/risk-actions/{action.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/risk-actions/{action_id}", response_model=RiskActionPublic, responses=declare(304, 404))
def get_risk_action(
    action_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One mitigating action of a risk."""
    action = service.get_action(session, actor, action_id)
    return json_with_etag(service.response_action_public(session, actor, action), if_none_match)


@router.patch(
    "/risk-actions/{action_id}", response_model=RiskActionPublic, responses=declare(404, 409, 412, 428)
)
def update_risk_action(
    action_id: uuid.UUID, body: RiskActionUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change or complete a risk's action. `If-Match` required."""
    action = service.get_action(session, actor, action_id)
    check_if_match(if_match, service.response_action_public(session, actor, action))
    service.update_action(session, actor, action, body)
    return json_with_etag(service.response_action_public(session, actor, action), None)


@router.delete("/risk-actions/{action_id}", status_code=204, responses=declare(404, 409))
def delete_risk_action(action_id: uuid.UUID, session: SessionDep, actor: Edit) -> Response:
    """Remove an action from its risk."""
    service.delete_action(session, actor, service.get_action(session, actor, action_id))
    return Response(status_code=204)
