"""Invitations: a single-use, expiring link to set a first password. Takes a session; never commits."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.errors import Forbidden, NotFound, ProblemError
from pmo.core.pagination import public_url_of
from pmo.core.permissions import Actor, Permission
from pmo.core.security import digest, hash_password, new_secret
from pmo.invitations.invitations_schemas import InvitationCreate, InvitationDetails, InvitationIssued
from pmo.invitations.models import Invitation
from pmo.organisations import service as organisations
from pmo.organisations.models import Organisation, User
from pmo.organisations.schemas import RoleAssignmentCreate, UserAction, UserCreate

# The web app's page that takes the token (frontend/src/pages/Invitation.tsx).
APP_PATH = "/invitations/"


class InvitationUnusable(ProblemError):
    """An invitation link that was real but cannot be used now; `reason` says why."""

    status, slug, title = 409, "invitation-unusable", "This invitation link cannot be used"

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail, extra={"reason": reason})


def _issue(session: Session, actor: Actor, user: User) -> InvitationIssued:
    """A new link for `user`; any earlier link of theirs stops working."""
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(
            col(Invitation.user_id) == user.id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.replaced_at).is_(None),
        )
        .values(replaced_at=now)
    )
    token = new_secret(32)
    invitation = Invitation(
        organisation_id=user.organisation_id,
        user_id=user.id,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + timedelta(days=get_settings().invitation_days),
    )
    audit.created(session, actor, invitation, "invitation")
    return InvitationIssued(
        user=organisations.user_view(session, actor, user),
        invitation_url=public_url_of(APP_PATH + token),
        expires_at=invitation.expires_at,
    )


def invite(session: Session, actor: Actor, data: InvitationCreate) -> InvitationIssued:
    if data.roles and Permission.roles_manage not in actor.permissions():
        raise Forbidden("Giving roles needs the roles:manage permission; invite without roles.")
    # Nobody knows this password: the account cannot be signed in to until the link is used.
    placeholder = UserCreate.model_construct(email=data.email, display_name=data.display_name, password="")
    user = organisations.create_user(
        session, actor, actor.organisation_id, placeholder, password_hash=hash_password(new_secret(32))
    )
    for role in dict.fromkeys(data.roles):
        organisations.assign_role(
            session, actor, actor.organisation_id, RoleAssignmentCreate(user_id=user.id, role=role)
        )
    return _issue(session, actor, user)


def reissue(session: Session, actor: Actor, user: User) -> InvitationIssued:
    """A fresh link for a person who has not yet set a password from one (lost or expired)."""
    organisations.USER_ACTIONS.guard(
        actor, UserAction.reissue_invitation, organisations.user_context(session, user)
    )
    return _issue(session, actor, user)


def _usable(session: Session, token: str, *, for_update: bool = False) -> tuple[Invitation, User]:
    query = select(Invitation).where(Invitation.token_hash == digest(token))
    invitation = session.exec(query.with_for_update() if for_update else query).first()
    if invitation is None:
        raise NotFound("There is no invitation with that link. Check you copied all of it.")
    user = session.get_one(User, invitation.user_id)
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            "This invitation has already been used to set a password. Sign in, or ask your "
            "administrator for a new invitation.",
            "used",
        )
    if invitation.replaced_at is not None:
        raise InvitationUnusable(
            "A newer invitation has been sent for this account; use the latest link.", "replaced"
        )
    if invitation.expires_at <= utcnow():
        raise InvitationUnusable(
            "This invitation has expired. Ask your administrator for a new one.", "expired"
        )
    if not user.is_active:
        raise InvitationUnusable("This account has been deactivated.", "deactivated")
    return invitation, user


def details(session: Session, token: str) -> InvitationDetails:
    invitation, user = _usable(session, token)
    organisation = session.get_one(Organisation, user.organisation_id)
    return InvitationDetails(
        email=user.email,
        display_name=user.display_name,
        organisation_name=organisation.name,
        expires_at=invitation.expires_at,
    )


def accept(session: Session, token: str, password: str) -> uuid.UUID:
    """Set the invitee's password and use up the link (locked: two tabs cannot both use it)."""
    invitation, user = _usable(session, token, for_update=True)
    label = f"{user.email}, by invitation"
    audit.changed(
        session,
        None,
        invitation,
        "invitation",
        {"accepted_at": utcnow()},
        action="accept",
        system_label=label,
    )
    audit.changed(
        session,
        None,
        user,
        "user",
        {"password_hash": hash_password(password)},
        action="password_set",
        system_label=label,
    )
    return user.id
