"""Programmes and the programme dashboard."""

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
from pmo.portfolio import programmes_service as service
from pmo.portfolio.portfolios_schemas import RecordStatus
from pmo.portfolio.programmes_schemas import (
    ProgrammeCreate,
    ProgrammeDashboard,
    ProgrammePublic,
    ProgrammeUpdate,
)

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Manage = Annotated[Actor, require(P.portfolio_manage)]
Search = Annotated[SearchText | None, Query(description="Text to look for in names and descriptions.")]

ProgrammeSort = Annotated[str, sort_query("name", "created_at", "planned_end")]


@router.get("/programmes", tags=["programmes"], response_model=Page[ProgrammePublic], responses=declare())
def list_programmes(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    portfolio_id: uuid.UUID | None = None,
    lead_directorate_id: uuid.UUID | None = None,
    sro_id: uuid.UUID | None = None,
    governance_body_id: uuid.UUID | None = None,
    status: Annotated[RecordStatus | None, Query(description="Active or closed programmes only.")] = None,
    q: Search = None,
    sort: ProgrammeSort = "name",
) -> Page[ProgrammePublic]:
    """Programmes you can see, filtered by portfolio, directorate or status."""
    return service.list_programmes(
        session,
        actor,
        page,
        portfolio_id=portfolio_id,
        lead_directorate_id=lead_directorate_id,
        sro_id=sro_id,
        governance_body_id=governance_body_id,
        q=q,
        sort=sort,
        status=status,
    )


@router.post(
    "/programmes",
    tags=["programmes"],
    status_code=201,
    response_model=ProgrammePublic,
    responses=declare(404, 409),
)
def create_programme(
    request: Request,
    body: ProgrammeCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A programme in one of your portfolios. Ids of another organisation's records are 404."""

    def create() -> tuple[ProgrammePublic, str]:
        programme = service.create_programme(session, actor, body)
        return service.programme_public(session, actor, programme), f"/api/v1/programmes/{programme.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/programmes/{programme_id}",
    tags=["programmes"],
    response_model=ProgrammePublic,
    responses=declare(304, 404),
)
def get_programme(
    programme_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One programme: owner, sponsor, dates, status."""
    programme = service.get_programme(session, actor, programme_id)
    return json_with_etag(service.programme_public(session, actor, programme), if_none_match)


@router.patch(
    "/programmes/{programme_id}",
    tags=["programmes"],
    response_model=ProgrammePublic,
    responses=declare(404, 409, 412, 428),
)
def update_programme(
    programme_id: uuid.UUID,
    body: ProgrammeUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Change a programme's details, or close it (`status`: `closed`, once every project is in
    its lifecycle's last stage; a closed programme takes no new projects) or open it again.
    `If-Match` required."""
    programme = service.get_programme(session, actor, programme_id)
    check_if_match(if_match, service.programme_public(session, actor, programme))
    service.update_programme(session, actor, programme, body)
    return json_with_etag(service.programme_public(session, actor, programme), None)


@router.delete(
    "/programmes/{programme_id}", tags=["programmes"], status_code=204, responses=declare(404, 409)
)
def delete_programme(programme_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete a programme with no projects (409 otherwise: close it instead)."""
    service.delete_programme(session, actor, service.get_programme(session, actor, programme_id))
    return Response(status_code=204)


@router.get(
    "/programmes/{programme_id}/dashboard",
    tags=["programmes"],
    response_model=ProgrammeDashboard,
    responses=declare(304, 404),
)
def get_programme_dashboard(
    programme_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """Projects by stage and by confidence, milestones due in the next 90 days and overdue,
    gate reviews waiting for a decision."""
    programme = service.get_programme(session, actor, programme_id)
    return json_with_etag(service.programme_dashboard(session, actor, programme), if_none_match)
