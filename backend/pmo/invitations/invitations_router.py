from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Request, Response

from pmo.auth.dependencies import PUBLIC, require
from pmo.core.db import SessionDep
from pmo.core.errors import declare, declare_public
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.security import NO_STORE, NO_STORE_DOC
from pmo.invitations import invitations_service as service
from pmo.invitations.invitations_schemas import (
    InvitationAcceptance,
    InvitationCreate,
    InvitationDetails,
    InvitationIssued,
    InvitationToken,
)
from pmo.organisations import service as organisations

router = ApiRouter(tags=["invitations"])

ManageUsers = Annotated[Actor, require(Permission.users_manage)]


@router.post(
    "/invitations",
    status_code=201,
    response_model=InvitationIssued,
    summary="Invite a person",
    responses={**declare(409), 201: NO_STORE_DOC},
)
def invite_user(
    request: Request,
    body: InvitationCreate,
    session: SessionDep,
    actor: ManageUsers,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a person with no password and a one-time link for them to set one. Copy
    `invitation_url` to the invitee: it is in this response only, works once and expires
    after `PMO_INVITATION_DAYS` days. A retry with the same `Idempotency-Key` is a 409,
    because the link is never stored to be sent again."""

    def create() -> tuple[InvitationIssued, str]:
        issued = service.invite(session, actor, body)
        return issued, f"/api/v1/users/{issued.user.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.post(
    "/users/{user_id}/invitation",
    status_code=201,
    response_model=InvitationIssued,
    summary="Send a new invitation link",
    responses={**declare(404, 409), 201: NO_STORE_DOC},
)
def reissue_invitation(
    user_id: uuid.UUID, response: Response, session: SessionDep, actor: ManageUsers
) -> InvitationIssued:
    """A new one-time link for an invited person who has not set a password yet (the last
    one was lost or expired). Their earlier links stop working."""
    response.headers.update(NO_STORE)
    return service.reissue(session, actor, organisations.get_user(session, actor, user_id))


@router.post(
    "/invitations/lookup",
    response_model=InvitationDetails,
    summary="Read an invitation",
    responses=declare_public(404, 409),
    dependencies=[PUBLIC],
)
def read_invitation(body: InvitationToken, session: SessionDep) -> InvitationDetails:
    """Whom the invitation link is for, while it can still be used: no sign-in, the token is
    the credential (sent in the body, so it stays out of URLs and logs). 409
    `invitation-unusable` says why a real link cannot be used (`reason`: `used`, `expired`,
    `replaced`, `deactivated`)."""
    return service.details(session, body.token)


@router.post(
    "/invitations/accept",
    status_code=204,
    summary="Set a first password from an invitation",
    responses=declare_public(404, 409),
    dependencies=[PUBLIC],
)
def accept_invitation(body: InvitationAcceptance, session: SessionDep) -> Response:
    """Set the invitee's password and use up the link; then they sign in as usual. A second
    use, or one after expiry, is refused with 409 `invitation-unusable`."""
    service.accept(session, body.token, body.password)
    return Response(status_code=204)
