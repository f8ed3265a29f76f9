"""Governance bodies and their members."""

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
from pmo.portfolio import governance_bodies_service as service
from pmo.portfolio.governance_bodies_schemas import (
    GovernanceBodyCreate,
    GovernanceBodyKind,
    GovernanceBodyMemberCreate,
    GovernanceBodyMemberPublic,
    GovernanceBodyPublic,
    GovernanceBodyUpdate,
)

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Manage = Annotated[Actor, require(P.portfolio_manage)]
Search = Annotated[SearchText | None, Query(description="Text to look for in names and descriptions.")]

BodySort = Annotated[str, sort_query("name", "kind", "created_at")]


@router.get(
    "/governance-bodies",
    tags=["governance-bodies"],
    response_model=Page[GovernanceBodyPublic],
    responses=declare(),
)
def list_governance_bodies(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    q: Search = None,
    kind: GovernanceBodyKind | None = None,
    directorate_id: uuid.UUID | None = None,
    sort: BodySort = "name",
) -> Page[GovernanceBodyPublic]:
    """Boards that oversee programmes and decide gates, with their members."""
    return service.list_governance_bodies(
        session, actor, page, q=q, kind=kind, directorate_id=directorate_id, sort=sort
    )


@router.post(
    "/governance-bodies",
    tags=["governance-bodies"],
    status_code=201,
    response_model=GovernanceBodyPublic,
    responses=declare(404, 409),
)
def create_governance_body(
    request: Request,
    body: GovernanceBodyCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A Steering Group, a directorate programme board, Cabinet, Council... Add members next."""

    def create() -> tuple[GovernanceBodyPublic, str]:
        created = service.create_governance_body(session, actor, body)
        return service.body_view(session, actor, created), f"/api/v1/governance-bodies/{created.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/governance-bodies/{body_id}",
    tags=["governance-bodies"],
    response_model=GovernanceBodyPublic,
    responses=declare(304, 404),
)
def get_governance_body(
    body_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One governance body and its members."""
    found = service.get_governance_body(session, actor, body_id)
    return json_with_etag(service.body_view(session, actor, found), if_none_match)


@router.patch(
    "/governance-bodies/{body_id}",
    tags=["governance-bodies"],
    response_model=GovernanceBodyPublic,
    responses=declare(404, 409, 412, 428),
)
def update_governance_body(
    body_id: uuid.UUID,
    body: GovernanceBodyUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Change a governance body's name, kind, directorate or description. `If-Match` required."""
    found = service.get_governance_body(session, actor, body_id)
    check_if_match(if_match, service.body_view(session, actor, found))
    service.update_governance_body(session, actor, found, body)
    return json_with_etag(service.body_view(session, actor, found), None)


@router.delete(
    "/governance-bodies/{body_id}", tags=["governance-bodies"], status_code=204, responses=declare(404, 409)
)
def delete_governance_body(body_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete a body no programme or project names (409 otherwise), with its members."""
    service.delete_governance_body(session, actor, service.get_governance_body(session, actor, body_id))
    return Response(status_code=204)


@router.post(
    "/governance-bodies/{body_id}/members",
    tags=["governance-bodies"],
    status_code=201,
    response_model=GovernanceBodyMemberPublic,
    responses=declare(404, 409),
)
def add_governance_body_member(
    request: Request,
    body_id: uuid.UUID,
    body: GovernanceBodyMemberCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a person of your organisation to the body, as chair or member."""

    def create() -> tuple[GovernanceBodyMemberPublic, str]:
        found = service.get_governance_body(session, actor, body_id)
        return service.add_member(session, actor, found, body), f"/api/v1/governance-bodies/{found.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.delete(
    "/governance-bodies/{body_id}/members/{user_id}",
    tags=["governance-bodies"],
    status_code=204,
    responses=declare(404),
)
def remove_governance_body_member(
    body_id: uuid.UUID, user_id: uuid.UUID, session: SessionDep, actor: Manage
) -> Response:
    """Take a person off a governance body; decisions they made stay recorded."""
    service.remove_member(session, actor, service.get_governance_body(session, actor, body_id), user_id)
    return Response(status_code=204)
