from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from pmo.core.periods import IsoDate
from pmo.core.schemas import InputModel, Name, PublicModel, _Clean

Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), _Clean]


class MeetingAction(StrEnum):
    """What can be done to a meeting (`allowed_actions`)."""

    edit = "edit"  # PATCH /meetings/{id}: move it, retitle it
    delete = "delete"  # DELETE /meetings/{id}: only while no report pack was made for it


class MeetingCreate(InputModel):
    body_id: uuid.UUID = Field(description="The governance body that meets.")
    meets_on: IsoDate = Field(description="The date of the meeting.")
    title: Name = Field(description='e.g. "Cabinet" or "OD Steering Group, March".')
    location: Location = Field(default="", description='e.g. "Committee Room 1, Town Hall".')


class MeetingUpdate(InputModel):
    """The body does not change: a meeting of another body is another meeting."""

    meets_on: IsoDate | None = None
    title: Name | None = None
    location: Location | None = None


class MeetingPublic(PublicModel):
    id: uuid.UUID
    body_id: uuid.UUID
    body_name: str
    meets_on: date
    title: str
    location: str
    previous_meets_on: date | None = Field(
        description="Worked out: the date of the body's meeting before this one, if any."
    )
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[MeetingAction] = Field(
        description="What you may do to the meeting now: the checks its routes make, run for you."
    )
