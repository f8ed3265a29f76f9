"""Governance bodies and their members: input and output models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from pmo.core.schemas import Description, InputModel, Name, PublicModel


class GovernanceBodyKind(StrEnum):
    steering_group = "steering_group"
    programme_board = "programme_board"
    transformation_board = "transformation_board"
    cabinet = "cabinet"
    council = "council"
    other = "other"


class MemberRole(StrEnum):
    chair = "chair"
    member = "member"


class GovernanceBodyAction(StrEnum):
    """What can be done to a governance body (`allowed_actions`)."""

    edit = "edit"  # PATCH /governance-bodies/{id}
    delete = "delete"  # DELETE /governance-bodies/{id}: no programme, project or meeting names it
    add_member = "add_member"  # POST /governance-bodies/{id}/members
    remove_member = "remove_member"  # DELETE /governance-bodies/{id}/members/{user_id}: it has members


class GovernanceBodyCreate(InputModel):
    name: Name
    kind: GovernanceBodyKind
    directorate_id: uuid.UUID | None = Field(default=None, description="For a directorate programme board.")
    description: Description = ""


class GovernanceBodyUpdate(InputModel):
    name: Name | None = None
    kind: GovernanceBodyKind | None = None
    directorate_id: uuid.UUID | None = None
    description: Description | None = None


class GovernanceBodyMemberCreate(InputModel):
    user_id: uuid.UUID
    role: MemberRole = MemberRole.member


class GovernanceBodyMemberPublic(PublicModel):
    user_id: uuid.UUID
    display_name: str
    role: MemberRole
    created_at: datetime


class GovernanceBodyPublic(PublicModel):
    id: uuid.UUID
    name: str
    kind: GovernanceBodyKind
    directorate_id: uuid.UUID | None
    description: str
    members: list[GovernanceBodyMemberPublic]
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[GovernanceBodyAction] = Field(
        description="What you may do to the governance body now: the checks its routes make, run for you."
    )
