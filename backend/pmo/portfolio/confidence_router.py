"""A project's delivery confidence assessments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.portfolio import confidence_service as service
from pmo.portfolio.confidence_schemas import ConfidenceCreate, ConfidencePublic
from pmo.portfolio.projects_service import get_project

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Edit = Annotated[Actor, require(P.projects_edit)]


@router.get(
    "/projects/{project_id}/confidence",
    tags=["projects"],
    response_model=Page[ConfidencePublic],
    responses=declare(404),
)
def list_confidence(
    project_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[ConfidencePublic]:
    """The project's delivery confidence history, newest first."""
    project = get_project(session, actor, project_id)
    return service.confidence_history(session, actor, project, page)


@router.post(
    "/projects/{project_id}/confidence",
    tags=["projects"],
    status_code=201,
    response_model=ConfidencePublic,
    responses=declare(404, 412),
)
def assess_confidence(
    request: Request,
    project_id: uuid.UUID,
    body: ConfidenceCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Set the delivery confidence with a commentary, on the organisation's scale (a rating off
    the scale is 422). The project's `confidence` becomes this rating; the history is kept."""

    def create() -> tuple[ConfidencePublic, str]:
        project = get_project(session, actor, project_id)
        assessment = service.assess_confidence(session, actor, project, body)
        return ConfidencePublic.model_validate(assessment), f"/api/v1/projects/{project.id}/confidence"

    return create_once(request, session, actor, idempotency_key, body, create)
