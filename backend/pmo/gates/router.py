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
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.gates import service
from pmo.gates.schemas import (
    GateDecisionCreate,
    GateReviewAction,
    GateReviewCreate,
    GateReviewDetail,
    GateReviewPublic,
    LifecycleCreate,
    LifecyclePublic,
    ReviewStatus,
)

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
ManageLifecycles = Annotated[Actor, require(P.lifecycles_manage)]
RequestReviews = Annotated[Actor, require(P.gate_reviews_request)]
# The permissions of the actions on a review are those its action table declares.
WithdrawReviews = Annotated[Actor, require(service.ACTIONS.permission(GateReviewAction.withdraw))]
DecideReviews = Annotated[Actor, require(service.ACTIONS.permission(GateReviewAction.approve))]
LifecycleSort = Annotated[str, sort_query("name", "created_at")]
ReviewSort = Annotated[str, sort_query("requested_at", "decided_at", "status")]


# Lifecycles ------------------------------------------------------------------------------


@router.get("/lifecycles", tags=["lifecycles"], response_model=Page[LifecyclePublic], responses=declare())
def list_lifecycles(
    session: SessionDep, actor: Read, page: PageDep, sort: LifecycleSort = "name"
) -> Page[LifecyclePublic]:
    """The organisation's lifecycles: the built-in ones and its own. `is_default` marks the one
    new projects follow."""
    return service.list_lifecycles(session, actor, page, sort)


@router.post(
    "/lifecycles",
    tags=["lifecycles"],
    status_code=201,
    response_model=LifecyclePublic,
    responses=declare(409),
)
def create_lifecycle(
    request: Request,
    body: LifecycleCreate,
    session: SessionDep,
    actor: ManageLifecycles,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Define a lifecycle of your own: at least two stages, and one gate from each stage to the
    next with its criteria, the business case sections it needs, and who decides (`any` one of
    them, or `all`). A lifecycle cannot be changed once made (projects and reviews point at
    it): define a new one and make it the default instead."""

    def create() -> tuple[LifecyclePublic, str]:
        lifecycle = service.create_lifecycle(session, actor, body)
        return service.lifecycle_view(session, lifecycle), f"/api/v1/lifecycles/{lifecycle.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/lifecycles/{lifecycle_id}",
    tags=["lifecycles"],
    response_model=LifecyclePublic,
    responses=declare(304, 404),
)
def get_lifecycle(
    lifecycle_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One lifecycle: its stages and the gates between them (immutable once made)."""
    lifecycle = service.get_lifecycle(session, actor, lifecycle_id)
    return json_with_etag(service.lifecycle_view(session, lifecycle), if_none_match)


@router.post(
    "/lifecycles/{lifecycle_id}/make-default",
    tags=["lifecycles"],
    response_model=LifecyclePublic,
    responses=declare(404),
)
def make_default_lifecycle(
    lifecycle_id: uuid.UUID, session: SessionDep, actor: ManageLifecycles
) -> LifecyclePublic:
    """New projects follow this lifecycle from now on; existing projects keep theirs."""
    lifecycle = service.make_default(session, actor, service.get_lifecycle(session, actor, lifecycle_id))
    return service.lifecycle_view(session, lifecycle)


# Gate reviews ----------------------------------------------------------------------------


@router.post(
    "/projects/{project_id}/gate-reviews",
    tags=["gate-reviews"],
    status_code=201,
    response_model=GateReviewDetail,
    responses=declare(404, 409),
)
def request_gate_review(
    project_id: uuid.UUID,
    request: Request,
    body: GateReviewCreate,
    session: SessionDep,
    actor: RequestReviews,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Ask to move the project through the gate from its current stage to the next, with the
    evidence: an answer per criterion and, where the gate needs one, every business case
    section. Answers may be incomplete now, but a review with a criterion unanswered cannot be
    approved. The deciders are worked out now (never you). A pending request for the same
    gate is superseded. The project's stage changes only when a review is approved.

    Who may ask: the PMO for any project; a sponsor for projects of their directorate or that
    they are SRO of; a project manager for the projects they manage."""

    def create() -> tuple[GateReviewDetail, str]:
        project = service.get_project(session, actor, project_id)
        review = service.request_review(session, actor, project, body)
        return service.review_detail(session, actor, review), f"/api/v1/gate-reviews/{review.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/projects/{project_id}/gate-reviews",
    tags=["gate-reviews"],
    response_model=Page[GateReviewPublic],
    responses=declare(404),
)
def list_project_gate_reviews(
    project_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: ReviewStatus | None = None,
    sort: ReviewSort = "-requested_at",
) -> Page[GateReviewPublic]:
    """The project's gate reviews, every one kept: withdrawn, superseded and decided too."""
    project = service.get_project(session, actor, project_id)
    return service.list_reviews(session, actor, page, status=status, project_id=project.id, sort=sort)


@router.get(
    "/gate-reviews", tags=["gate-reviews"], response_model=Page[GateReviewPublic], responses=declare()
)
def list_gate_reviews(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: ReviewStatus | None = None,
    project_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    awaiting_me: Annotated[
        bool, Query(description="Only pending reviews you are a decider of and have not decided yet.")
    ] = False,
    sort: ReviewSort = "-requested_at",
) -> Page[GateReviewPublic]:
    """Requests to pass a gate, filtered by project, gate or status."""
    return service.list_reviews(
        session,
        actor,
        page,
        status=status,
        project_id=project_id,
        programme_id=programme_id,
        awaiting_me=awaiting_me,
        sort=sort,
    )


@router.get(
    "/gate-reviews/{review_id}",
    tags=["gate-reviews"],
    response_model=GateReviewDetail,
    responses=declare(304, 404),
)
def get_gate_review(
    review_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """A gate review with its gate (criteria, sections, deciders), what is unanswered, and
    the decisions made so far."""
    review = service.get_review(session, actor, review_id)
    return json_with_etag(service.review_detail(session, actor, review), if_none_match)


@router.post(
    "/gate-reviews/{review_id}/withdraw",
    tags=["gate-reviews"],
    response_model=GateReviewDetail,
    responses=declare(404, 409),
)
def withdraw_gate_review(
    review_id: uuid.UUID, session: SessionDep, actor: WithdrawReviews
) -> GateReviewDetail:
    """Withdraw a pending review: the requester or the PMO. The review is kept."""
    review = service.withdraw(session, actor, service.get_review(session, actor, review_id))
    return service.review_detail(session, actor, review)


@router.post(
    "/gate-reviews/{review_id}/decisions",
    tags=["gate-reviews"],
    status_code=201,
    response_model=GateReviewDetail,
    responses=declare(404, 409),
)
def decide_gate_review(
    review_id: uuid.UUID,
    request: Request,
    body: GateDecisionCreate,
    session: SessionDep,
    actor: DecideReviews,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record your decision as one of the review's deciders: approve, approve with conditions,
    defer or reject, with a reason. With approval `any` your decision settles the review; with
    `all` a defer or reject settles it and approval needs every decider. An approved review
    moves the project to the next stage. The requester never decides their own review (403);
    a review with a criterion unanswered cannot be approved (422). Returns the review."""

    def create() -> tuple[GateReviewDetail, str]:
        review = service.decide(session, actor, service.get_review(session, actor, review_id), body)
        return service.review_detail(session, actor, review), f"/api/v1/gate-reviews/{review.id}"

    return create_once(request, session, actor, idempotency_key, body, create)
