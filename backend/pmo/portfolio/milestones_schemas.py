"""Milestones and their baselines: input and output models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from pmo.core.errors import FieldValueError
from pmo.core.periods import IsoDate, QuarterText
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean


class MilestoneStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    missed = "missed"


class MilestoneAction(StrEnum):
    """What can be done to a milestone (`allowed_actions`)."""

    edit = "edit"  # PATCH /milestones/{id}: title, description, owner, status
    forecast = "forecast"  # PATCH /milestones/{id} with forecast_date
    complete = "complete"  # PATCH /milestones/{id} with status done: it is not done yet
    rebaseline = "rebaseline"  # POST /milestones/{id}/rebaseline
    delete = "delete"  # DELETE /milestones/{id}


class MilestoneCreate(InputModel):
    title: Name
    description: Description = ""
    owner_id: uuid.UUID | None = None
    planned_date: IsoDate | None = Field(default=None, description="Give this or planned_quarter.")
    planned_quarter: QuarterText | None = Field(
        default=None, description='Give this or planned_date: e.g. "2022/23 Q2"; due its last day.'
    )
    status: MilestoneStatus = MilestoneStatus.planned
    completed_on: IsoDate | None = Field(default=None, description="When done; today if left out.")

    @model_validator(mode="after")
    def _one_plan(self) -> MilestoneCreate:
        if (self.planned_date is None) == (self.planned_quarter is None):
            raise FieldValueError("planned_date", "Enter the planned date or the planned quarter, not both")
        if self.completed_on is not None and self.status != MilestoneStatus.done:
            raise FieldValueError("completed_on", "Enter a completion date only for a milestone that is done")
        return self


class MilestoneUpdate(InputModel):
    """Moving the baseline is not an edit: it is a re-baseline, with a reason (its own operation)."""

    title: Name | None = None
    description: Description | None = None
    owner_id: uuid.UUID | None = None
    forecast_date: IsoDate | None = Field(
        default=None, description="When the project now expects it. Send null to go back to the baseline."
    )
    status: MilestoneStatus | None = None
    completed_on: IsoDate | None = None


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000), _Clean]


class MilestoneRebaseline(InputModel):
    """A new baseline for a milestone, replacing the current one, which stays in its history."""

    planned_date: IsoDate | None = Field(default=None, description="Give this or planned_quarter.")
    planned_quarter: QuarterText | None = Field(
        default=None, description='Give this or planned_date: e.g. "2023/24 Q1"; due its last day.'
    )
    reason: Reason = Field(description="Why the baseline moves, e.g. the board's decision that agreed it.")

    @model_validator(mode="after")
    def _one_plan(self) -> MilestoneRebaseline:
        if (self.planned_date is None) == (self.planned_quarter is None):
            raise ValueError("give exactly one of planned_date and planned_quarter")
        return self


class MilestoneBaselinePublic(PublicModel):
    """One baseline of a milestone: the first, each re-baseline after it, and the current one."""

    number: int = Field(description="1 for the first baseline, then 2, 3, ...")
    planned_date: date | None = Field(description="Set when baselined by date.")
    planned_quarter: str | None = Field(description="Set when baselined by financial quarter.")
    due_date: date
    reason: str = Field(description="Why it was set; empty for the first baseline.")
    set_by_id: uuid.UUID | None
    set_at: datetime
    current: bool


class MilestonePublic(PublicModel):
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    description: str
    owner_id: uuid.UUID | None
    planned_date: date | None = Field(description="Set when planned by date.")
    planned_quarter: str | None = Field(description="Set when planned by financial quarter.")
    due_date: date = Field(
        description="The current baseline: the planned date, or the last day of the planned quarter."
    )
    baseline_date: date = Field(description="The same as due_date: the date of the current baseline.")
    baseline_number: int = Field(description="1 until the milestone is first re-baselined.")
    forecast_date: date | None = Field(description="When it is now expected, if not on its baseline.")
    expected_date: date = Field(description="Worked out: the forecast date, or else the baseline date.")
    status: MilestoneStatus
    completed_on: date | None
    overdue: bool = Field(description="Worked out: due before today and neither done nor missed.")
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[MilestoneAction] = Field(
        description="What you may do to the milestone now: the checks its routes make, run for you."
    )


def milestone_public(milestone: Any, today: date, allowed_actions: list[MilestoneAction]) -> MilestonePublic:
    return MilestonePublic(
        id=milestone.id,
        project_id=milestone.project_id,
        title=milestone.title,
        description=milestone.description,
        owner_id=milestone.owner_id,
        planned_date=None if milestone.planned_quarter else milestone.due_date,
        planned_quarter=milestone.planned_quarter,
        due_date=milestone.due_date,
        baseline_date=milestone.due_date,
        baseline_number=milestone.baseline_number,
        forecast_date=milestone.forecast_date,
        expected_date=milestone.forecast_date or milestone.due_date,
        status=MilestoneStatus(milestone.status),
        completed_on=milestone.completed_on,
        overdue=milestone.due_date < today and milestone.status not in ("done", "missed"),
        created_at=milestone.created_at,
        updated_at=milestone.updated_at,
        allowed_actions=allowed_actions,
    )
