from __future__ import annotations

from datetime import datetime

from pydantic import Field

from pmo.core.permissions import Role
from pmo.core.schemas import Email, InputModel, Name, OpaqueToken, Password, PublicModel
from pmo.core.security import HoldsSecret
from pmo.organisations.schemas import UserPublic


class InvitationCreate(InputModel):
    email: Email
    display_name: Name
    roles: list[Role] = Field(
        default_factory=list,
        max_length=10,
        description="Roles to hold for the whole organisation from the start "
        "(more with `POST /role-assignments`).",
    )


class InvitationIssued(PublicModel, HoldsSecret):
    """The invitee's account and the one-time link: shown in this response only."""

    user: UserPublic
    invitation_url: str = Field(
        description="Give this link to the invitee: it opens the app's page to set a first password. "
        "It works once, until `expires_at`; it is not stored and cannot be shown again."
    )
    expires_at: datetime


class InvitationToken(InputModel):
    token: OpaqueToken = Field(description="The last part of the invitation link.")


class InvitationAcceptance(InputModel):
    token: OpaqueToken = Field(description="The last part of the invitation link.")
    password: Password = Field(
        description="At least 12 characters, and not one of the most common passwords."
    )


class InvitationDetails(PublicModel):
    """Whom an invitation is for, shown to the invitee before they set a password."""

    email: str
    display_name: str
    organisation_name: str
    expires_at: datetime
