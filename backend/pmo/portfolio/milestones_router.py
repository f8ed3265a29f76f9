"""A project's milestones, their baselines and re-baselining."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.portfolio import milestones_service as service
from pmo.portfolio.milestones_schemas import (
    MilestoneBaselinePublic,
    MilestoneCreate,
    MilestonePublic,
    MilestoneRebaseline,
    MilestoneStatus,
    MilestoneUpdate,
)
from pmo.portfolio.projects_service import get_project

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Edit = Annotated[Actor, require(P.projects_edit)]

MilestoneSort = Annotated[str, sort_query("due_date", "title", "created_at")]


@router.get(
    "/projects/{project_id}/milestones",
    tags=["milestones"],
    response_model=Page[MilestonePublic],
    responses=declare(404),
)
def list_milestones(
    project_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: MilestoneStatus | None = None,
    sort: MilestoneSort = "due_date",
) -> Page[MilestonePublic]:
    """A project's milestones, by date or financial quarter."""
    project = get_project(session, actor, project_id)
    return service.list_milestones(session, actor, project, page, status=status, sort=sort)


@router.post(
    "/projects/{project_id}/milestones",
    tags=["milestones"],
    status_code=201,
    response_model=MilestonePublic,
    responses=declare(404),
)
def create_milestone(
    request: Request,
    project_id: uuid.UUID,
    body: MilestoneCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Planned by date or by financial quarter (exactly one); a quarter is due on its last day."""

    def create() -> tuple[MilestonePublic, str]:
        project = get_project(session, actor, project_id)
        milestone = service.create_milestone(session, actor, project, body)
        return service.milestone_view(session, actor, milestone), f"/api/v1/milestones/{milestone.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/milestones/{milestone_id}",
    tags=["milestones"],
    response_model=MilestonePublic,
    responses=declare(304, 404),
)
def get_milestone(
    milestone_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One milestone: due date or quarter, status."""
    milestone = service.get_milestone(session, actor, milestone_id)
    return json_with_etag(service.milestone_view(session, actor, milestone), if_none_match)


@router.patch(
    "/milestones/{milestone_id}",
    tags=["milestones"],
    response_model=MilestonePublic,
    responses=declare(404, 412, 428),
)
def update_milestone(
    milestone_id: uuid.UUID, body: MilestoneUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Move, rename or complete a milestone. `If-Match` required."""
    milestone = service.get_milestone(session, actor, milestone_id)
    check_if_match(if_match, service.milestone_view(session, actor, milestone))
    project = get_project(session, actor, milestone.project_id)
    service.update_milestone(session, actor, milestone, project, body)
    return json_with_etag(service.milestone_view(session, actor, milestone), None)


@router.post(
    "/milestones/{milestone_id}/rebaseline",
    tags=["milestones"],
    response_model=MilestonePublic,
    responses=declare(404, 412, 428),
    summary="Re-baseline a milestone",
)
def rebaseline_milestone(
    milestone_id: uuid.UUID,
    body: MilestoneRebaseline,
    session: SessionDep,
    actor: Edit,
    if_match: IfMatch = None,
) -> Response:
    """Move the milestone's baseline to a new date or financial quarter, saying why (e.g. the
    board decision that agreed it). The baseline it replaces stays in the history
    (`GET /milestones/{id}/baselines`); a forecast equal to the new baseline is cleared."""
    milestone = service.get_milestone(session, actor, milestone_id)
    check_if_match(if_match, service.milestone_view(session, actor, milestone))
    project = get_project(session, actor, milestone.project_id)
    service.rebaseline_milestone(session, actor, milestone, project, body)
    return json_with_etag(service.milestone_view(session, actor, milestone), None)


@router.get(
    "/milestones/{milestone_id}/baselines",
    tags=["milestones"],
    response_model=list[MilestoneBaselinePublic],
    responses=declare(404),
    summary="A milestone's baselines",
)
def list_milestone_baselines(
    milestone_id: uuid.UUID, session: SessionDep, actor: Read
) -> list[MilestoneBaselinePublic]:
    """Every baseline the milestone has had, the first first, each with who set it, when and
    why; the last is the current one (its date is the milestone's `due_date`)."""
    milestone = service.get_milestone(session, actor, milestone_id)
    return service.milestone_baselines(session, actor, milestone)


@router.delete("/milestones/{milestone_id}", tags=["milestones"], status_code=204, responses=declare(404))
def delete_milestone(milestone_id: uuid.UUID, session: SessionDep, actor: Edit) -> Response:
    """Remove a milestone from its project."""
    milestone = service.get_milestone(session, actor, milestone_id)
    project = get_project(session, actor, milestone.project_id)
    service.delete_milestone(session, actor, milestone, project)
    return Response(status_code=204)
