"""Programmes and the programme dashboard: input and output models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from pmo.core.periods import IsoDate
from pmo.core.references import ProjectReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean
from pmo.portfolio.milestones_schemas import MilestonePublic
from pmo.portfolio.portfolios_schemas import STATUS_DESCRIPTION, RecordStatus, dates_in_order

# Strategic outcomes a programme or project serves (Chesterfield's OD programme has seven).
Outcomes = Annotated[list[Name], Field(max_length=30, description="Strategic outcomes served (at most 30).")]
Phase = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), _Clean]


class ProgrammeAction(StrEnum):
    """What can be done to a programme (`allowed_actions`)."""

    edit = "edit"  # PATCH /programmes/{id}
    close = "close"  # PATCH /programmes/{id} with status closed: every project in its last stage
    reopen = "reopen"  # PATCH /programmes/{id} with status active: it is closed, its portfolio open
    delete = "delete"  # DELETE /programmes/{id}: no projects and no roles held for it


class ProgrammeCreate(InputModel):
    portfolio_id: uuid.UUID
    name: Name
    ambition: Description = ""
    resident_outcomes: Description = Field(default="", description="What changes for residents.")
    success_measures: Description = Field(default="", description="How success will be known.")
    strategic_outcomes: Outcomes = []
    sro_id: uuid.UUID | None = Field(default=None, description="The Senior Responsible Owner.")
    governance_body_id: uuid.UUID | None = Field(default=None, description="The board that oversees it.")
    lead_directorate_id: uuid.UUID | None = None
    phase: Phase = ""
    planned_start: IsoDate | None = None
    planned_end: IsoDate | None = None

    @model_validator(mode="after")
    def _order(self) -> ProgrammeCreate:
        dates_in_order(self.planned_start, self.planned_end)
        return self


class ProgrammeUpdate(InputModel):
    portfolio_id: uuid.UUID | None = None
    name: Name | None = None
    ambition: Description | None = None
    resident_outcomes: Description | None = None
    success_measures: Description | None = None
    strategic_outcomes: Outcomes | None = None
    sro_id: uuid.UUID | None = None
    governance_body_id: uuid.UUID | None = None
    lead_directorate_id: uuid.UUID | None = None
    phase: Phase | None = None
    planned_start: IsoDate | None = None
    planned_end: IsoDate | None = None
    status: RecordStatus | None = Field(default=None, description=STATUS_DESCRIPTION)


class ProgrammePublic(PublicModel):
    id: uuid.UUID
    portfolio_id: uuid.UUID
    name: str
    ambition: str
    resident_outcomes: str
    success_measures: str
    strategic_outcomes: list[str]
    sro_id: uuid.UUID | None
    governance_body_id: uuid.UUID | None
    lead_directorate_id: uuid.UUID | None
    phase: str
    planned_start: date | None
    planned_end: date | None
    status: RecordStatus
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[ProgrammeAction] = Field(
        description="What you may do to the programme now: the checks its routes make, run for you."
    )


class PendingGateReview(PublicModel):
    id: uuid.UUID
    project_id: uuid.UUID
    project_reference: ProjectReference
    project_name: str
    gate_key: str
    from_stage: str
    to_stage: str
    requested_by_id: uuid.UUID
    requested_at: datetime


class ProgrammeDashboard(PublicModel):
    programme_id: uuid.UUID
    projects: int = Field(description="Projects in the programme.")
    projects_by_stage: dict[str, int] = Field(description="Stage key -> number of projects.")
    projects_by_confidence: dict[str, int] = Field(
        description="Rating -> number of projects; `not_assessed` for those with none yet."
    )
    milestones_due: list[MilestonePublic] = Field(
        description="Not done or missed, due today or in the next 90 days (earliest first, at most 200)."
    )
    milestones_overdue: list[MilestonePublic] = Field(description="Overdue (earliest first, at most 200).")
    gate_reviews_pending: list[PendingGateReview] = Field(description="Waiting for a decision.")
