from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from pmo.auth.dependencies import Authenticated, require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission, Role
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page, SearchText
from pmo.organisations import service
from pmo.organisations.schemas import (
    DirectorateCreate,
    DirectoratePublic,
    DirectorateUpdate,
    MePublic,
    OrganisationPublic,
    OrganisationSummary,
    OrganisationUpdate,
    PasswordChange,
    RoleAssignmentCreate,
    RoleAssignmentPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)

router = ApiRouter()

P = Permission
Search = Annotated[SearchText | None, Query(description="Text to look for in names and emails.")]


# Me and my organisation ------------------------------------------------------------------


@router.get("/me", tags=["me"], response_model=MePublic, responses=declare(304))
async def get_me(actor: Authenticated, if_none_match: IfNoneMatch = None) -> Response:
    """Who is asking: the person or API client, its organisation, roles and permissions."""
    # `async`, from the principal alone (names included, exact through the auth generation):
    # no session, no thread-pool trip.
    me = MePublic(
        kind=actor.kind,
        id=actor.id,
        organisation=OrganisationSummary(id=actor.organisation_id, name=actor.organisation_name),
        email=actor.label if actor.kind == "user" else None,
        display_name=actor.display_name,
        roles=[service.grant_public(g) for g in actor.grants],
        scopes=sorted(s.value for s in actor.scopes),
        permissions=sorted(p.value for p in actor.permissions()),
    )
    return json_with_etag(me, if_none_match)


@router.post("/me/password", tags=["me"], status_code=204, responses=declare())
def change_password(body: PasswordChange, session: SessionDep, actor: Authenticated) -> Response:
    """Change your own password. Every session ends, this one too: sign in again with the new
    password. Wrong current passwords count with the account's failed sign-ins (429 after
    too many)."""
    refused = service.change_own_password(session, actor, body)
    if refused is not None:
        session.commit()  # the wrong guess stays counted although the request fails
        raise refused
    return Response(status_code=204)


@router.get("/organisation", tags=["organisation"], response_model=OrganisationPublic, responses=declare(304))
def get_organisation(
    session: SessionDep,
    actor: Annotated[Actor, require(P.organisation_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Your council: its name and settings (confidence and risk scales, default lifecycle, KPI tolerance)."""
    organisation = service.get_organisation(session, actor)
    return json_with_etag(OrganisationPublic.model_validate(organisation), if_none_match)


@router.patch(
    "/organisation",
    tags=["organisation"],
    response_model=OrganisationPublic,
    responses=declare(409, 412, 428),
)
def update_organisation(
    body: OrganisationUpdate,
    session: SessionDep,
    actor: Annotated[Actor, require(P.organisation_manage)],
    if_match: IfMatch = None,
) -> Response:
    """Change your council's name or settings. `If-Match` required."""
    check_if_match(if_match, OrganisationPublic.model_validate(service.get_organisation(session, actor)))
    organisation = service.update_organisation(session, actor, body)
    return json_with_etag(OrganisationPublic.model_validate(organisation), None)


# Directorates ----------------------------------------------------------------------------

ReadDirectorates = Annotated[Actor, require(P.directorates_read)]
ManageDirectorates = Annotated[Actor, require(P.directorates_manage)]
DirectorateSort = Annotated[str, sort_query("name", "created_at")]


@router.get(
    "/directorates", tags=["directorates"], response_model=Page[DirectoratePublic], responses=declare()
)
def list_directorates(
    session: SessionDep,
    actor: ReadDirectorates,
    page: PageDep,
    q: Search = None,
    sort: DirectorateSort = "name",
) -> Page[DirectoratePublic]:
    """The council's directorates, for filtering and for placing programmes and people."""
    return service.list_directorates(session, actor, page, q, sort)


@router.post(
    "/directorates",
    tags=["directorates"],
    status_code=201,
    response_model=DirectoratePublic,
    responses=declare(409),
)
def create_directorate(
    request: Request,
    body: DirectorateCreate,
    session: SessionDep,
    actor: ManageDirectorates,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a directorate; its name must be unique within the council."""

    def create() -> tuple[DirectoratePublic, str]:
        directorate = service.create_directorate(session, actor, actor.organisation_id, body)
        return DirectoratePublic.model_validate(directorate), f"/api/v1/directorates/{directorate.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/directorates/{directorate_id}",
    tags=["directorates"],
    response_model=DirectoratePublic,
    responses=declare(304, 404),
)
def get_directorate(
    directorate_id: uuid.UUID, session: SessionDep, actor: ReadDirectorates, if_none_match: IfNoneMatch = None
) -> Response:
    """One directorate of your organisation."""
    directorate = service.get_directorate(session, actor, directorate_id)
    return json_with_etag(DirectoratePublic.model_validate(directorate), if_none_match)


@router.patch(
    "/directorates/{directorate_id}",
    tags=["directorates"],
    response_model=DirectoratePublic,
    responses=declare(404, 409, 412, 428),
)
def update_directorate(
    directorate_id: uuid.UUID,
    body: DirectorateUpdate,
    session: SessionDep,
    actor: ManageDirectorates,
    if_match: IfMatch = None,
) -> Response:
    """Rename a directorate. `If-Match` required."""
    directorate = service.get_directorate(session, actor, directorate_id)
    check_if_match(if_match, DirectoratePublic.model_validate(directorate))
    service.update_directorate(session, actor, directorate, body)
    return json_with_etag(DirectoratePublic.model_validate(directorate), None)


@router.delete(
    "/directorates/{directorate_id}", tags=["directorates"], status_code=204, responses=declare(404, 409)
)
def delete_directorate(directorate_id: uuid.UUID, session: SessionDep, actor: ManageDirectorates) -> Response:
    """Remove a directorate that nothing refers to any more (409 while something does)."""
    service.delete_directorate(session, actor, service.get_directorate(session, actor, directorate_id))
    return Response(status_code=204)


# Users -----------------------------------------------------------------------------------

ReadUsers = Annotated[Actor, require(P.users_read)]
ManageUsers = Annotated[Actor, require(P.users_manage)]
UserSort = Annotated[str, sort_query("email", "display_name", "created_at")]


@router.get("/users", tags=["users"], response_model=Page[UserPublic], responses=declare())
def list_users(
    session: SessionDep,
    actor: ReadUsers,
    page: PageDep,
    q: Search = None,
    is_active: bool | None = None,
    role: Role | None = None,
    directorate_id: uuid.UUID | None = None,
    sort: UserSort = "email",
) -> Page[UserPublic]:
    """The people of your organisation, filtered by text, status, role or directorate."""
    return service.list_users(
        session, actor, page, q=q, is_active=is_active, role=role, directorate_id=directorate_id, sort=sort
    )


@router.post("/users", tags=["users"], status_code=201, response_model=UserPublic, responses=declare(409))
def create_user(
    request: Request,
    body: UserCreate,
    session: SessionDep,
    actor: ManageUsers,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a person. Give them roles with `POST /role-assignments`."""

    def create() -> tuple[UserPublic, str]:
        user = service.create_user(session, actor, actor.organisation_id, body)
        return service.user_view(session, actor, user), f"/api/v1/users/{user.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/users/{user_id}", tags=["users"], response_model=UserPublic, responses=declare(304, 404))
def get_user(
    user_id: uuid.UUID, session: SessionDep, actor: ReadUsers, if_none_match: IfNoneMatch = None
) -> Response:
    """One person of your organisation, with their roles."""
    return json_with_etag(
        service.user_view(session, actor, service.get_user(session, actor, user_id)), if_none_match
    )


@router.patch(
    "/users/{user_id}", tags=["users"], response_model=UserPublic, responses=declare(404, 409, 412, 428)
)
def update_user(
    user_id: uuid.UUID, body: UserUpdate, session: SessionDep, actor: ManageUsers, if_match: IfMatch = None
) -> Response:
    """Change a person's display name or email. `If-Match` required."""
    user = service.get_user(session, actor, user_id)
    check_if_match(if_match, service.user_view(session, actor, user))
    service.update_user(session, actor, user, body)
    return json_with_etag(service.user_view(session, actor, user), None)


@router.post(
    "/users/{user_id}/deactivate", tags=["users"], response_model=UserPublic, responses=declare(404, 409)
)
def deactivate_user(user_id: uuid.UUID, session: SessionDep, actor: ManageUsers) -> UserPublic:
    """Stop a person signing in, at once: their sessions end and their tokens stop working."""
    user = service.set_user_active(session, actor, service.get_user(session, actor, user_id), active=False)
    return service.user_view(session, actor, user)


@router.post("/users/{user_id}/reactivate", tags=["users"], response_model=UserPublic, responses=declare(404))
def reactivate_user(user_id: uuid.UUID, session: SessionDep, actor: ManageUsers) -> UserPublic:
    """Let a deactivated person sign in again; their roles are as they were."""
    user = service.set_user_active(session, actor, service.get_user(session, actor, user_id), active=True)
    return service.user_view(session, actor, user)


@router.delete("/users/{user_id}", tags=["users"], status_code=204, responses=declare(404, 409))
def delete_user(user_id: uuid.UUID, session: SessionDep, actor: ManageUsers) -> Response:
    """Remove a person and their roles. The audit trail keeps what they did."""
    service.delete_user(session, actor, service.get_user(session, actor, user_id))
    return Response(status_code=204)


# Role assignments ------------------------------------------------------------------------

ReadRoles = Annotated[Actor, require(P.roles_read)]
ManageRoles = Annotated[Actor, require(P.roles_manage)]
RoleSort = Annotated[str, sort_query("role", "created_at")]


@router.get(
    "/role-assignments",
    tags=["role-assignments"],
    response_model=Page[RoleAssignmentPublic],
    responses=declare(),
)
def list_role_assignments(
    session: SessionDep,
    actor: ReadRoles,
    page: PageDep,
    user_id: uuid.UUID | None = None,
    role: Role | None = None,
    directorate_id: uuid.UUID | None = None,
    programme_id: Annotated[uuid.UUID | None, Query(description="Roles held for this programme.")] = None,
    project_id: Annotated[uuid.UUID | None, Query(description="Roles held for this project.")] = None,
    sort: RoleSort = "role",
) -> Page[RoleAssignmentPublic]:
    """Who holds which role, for the whole organisation or for a directorate, programme or
    project; each with its scope in words."""
    result = service.list_role_assignments(
        session,
        actor,
        page,
        user_id=user_id,
        role=role,
        scopes={"directorate_id": directorate_id, "programme_id": programme_id, "project_id": project_id},
        sort=sort,
    )
    return Page[RoleAssignmentPublic](
        items=service.assignments_public(session, result.items),
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


@router.post(
    "/role-assignments",
    tags=["role-assignments"],
    status_code=201,
    response_model=RoleAssignmentPublic,
    responses=declare(404, 409),
)
def assign_role(
    request: Request,
    body: RoleAssignmentCreate,
    session: SessionDep,
    actor: ManageRoles,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Give a person a role, for the whole organisation or, for a project manager, sponsor or
    finance officer, for one directorate, programme or project (at most one of
    `directorate_id`, `programme_id`, `project_id`; each must be of your organisation)."""

    def create() -> tuple[RoleAssignmentPublic, str]:
        assignment = service.assign_role(session, actor, actor.organisation_id, body)
        session.flush()
        return service.assignments_public(session, [assignment])[
            0
        ], f"/api/v1/role-assignments/{assignment.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/role-assignments/{role_assignment_id}",
    tags=["role-assignments"],
    response_model=RoleAssignmentPublic,
    responses=declare(304, 404),
)
def get_role_assignment(
    role_assignment_id: uuid.UUID, session: SessionDep, actor: ReadRoles, if_none_match: IfNoneMatch = None
) -> Response:
    """One role assignment: the person, the role and where it applies."""
    assignment = service.get_role_assignment(session, actor, role_assignment_id)
    return json_with_etag(service.assignments_public(session, [assignment])[0], if_none_match)


@router.delete(
    "/role-assignments/{role_assignment_id}",
    tags=["role-assignments"],
    status_code=204,
    responses=declare(404, 409),
)
def remove_role(role_assignment_id: uuid.UUID, session: SessionDep, actor: ManageRoles) -> Response:
    """End a role assignment; the change is audited. The last administrator cannot be removed."""
    service.remove_role(session, actor, service.get_role_assignment(session, actor, role_assignment_id))
    return Response(status_code=204)
