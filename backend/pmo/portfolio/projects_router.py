"""Projects: list, create, read and change."""

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
from pmo.portfolio import projects_service as service
from pmo.portfolio.confidence_schemas import ConfidenceRating
from pmo.portfolio.projects_schemas import ProjectCreate, ProjectPublic, ProjectUpdate, StageKey

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Edit = Annotated[Actor, require(P.projects_edit)]

ProjectSort = Annotated[str, sort_query("reference", "name", "stage", "planned_end", "updated_at")]


@router.get("/projects", tags=["projects"], response_model=Page[ProjectPublic], responses=declare())
def list_projects(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    programme_id: uuid.UUID | None = None,
    portfolio_id: uuid.UUID | None = None,
    directorate_id: Annotated[uuid.UUID | None, Query(description="The lead directorate.")] = None,
    stage: StageKey | None = None,
    confidence: ConfidenceRating | None = None,
    sro_id: uuid.UUID | None = None,
    project_manager_id: uuid.UUID | None = None,
    q: Annotated[SearchText | None, Query(description="Text in the name, reference or description.")] = None,
    sort: ProjectSort = "reference",
) -> Page[ProjectPublic]:
    """Projects you can see (P-0042), filtered by programme, stage or status."""
    return service.list_projects(
        session,
        actor,
        page,
        programme_id=programme_id,
        portfolio_id=portfolio_id,
        directorate_id=directorate_id,
        stage=stage,
        confidence=confidence.value if confidence else None,
        sro_id=sro_id,
        project_manager_id=project_manager_id,
        q=q,
        sort=sort,
    )


@router.post(
    "/projects", tags=["projects"], status_code=201, response_model=ProjectPublic, responses=declare(404, 409)
)
def create_project(
    request: Request,
    body: ProjectCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a project (PMO anywhere; a sponsor within their directorate). It gets the next
    reference (`P-0042`) and starts in the first stage of its lifecycle. Projects are never
    deleted: they close through a gate review, and their history stays."""

    def create() -> tuple[ProjectPublic, str]:
        project = service.create_project(session, actor, body)
        return service.project_public(session, actor, project), f"/api/v1/projects/{project.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/projects/{project_id}", tags=["projects"], response_model=ProjectPublic, responses=declare(304, 404)
)
def get_project(
    project_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One project: its stage, manager, sponsor, dates and delivery confidence."""
    project = service.get_project(session, actor, project_id)
    return json_with_etag(service.project_public(session, actor, project), if_none_match)


@router.patch(
    "/projects/{project_id}",
    tags=["projects"],
    response_model=ProjectPublic,
    responses=declare(404, 409, 412, 428),
)
def update_project(
    project_id: uuid.UUID, body: ProjectUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change descriptive fields, people and dates. A different `stage` is a 409: the stage
    changes only through `POST /api/v1/projects/{id}/gate-reviews`."""
    project = service.get_project(session, actor, project_id)
    check_if_match(if_match, service.project_public(session, actor, project))
    service.update_project(session, actor, project, body)
    return json_with_etag(service.project_public(session, actor, project), None)
