"""Projects: input and output models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from pmo.core.periods import IsoDate
from pmo.core.references import ProjectReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean
from pmo.portfolio.confidence_schemas import ConfidenceRating
from pmo.portfolio.portfolios_schemas import dates_in_order
from pmo.portfolio.programmes_schemas import Outcomes

StageKey = Annotated[str, StringConstraints(min_length=1, max_length=60), _Clean]


class ProjectAction(StrEnum):
    """What can be done to a project (`allowed_actions`). A project is never deleted or closed
    directly: it closes through its last gate review (`request_gate_review`)."""

    edit = "edit"  # PATCH /projects/{id}
    assess_confidence = "assess_confidence"  # POST /projects/{id}/confidence
    add_milestone = "add_milestone"  # POST /projects/{id}/milestones
    request_gate_review = "request_gate_review"  # POST /projects/{id}/gate-reviews: a gate leads on
    request_drawdown = "request_drawdown"  # POST /drawdowns for this project


class ProjectCreate(InputModel):
    programme_id: uuid.UUID
    name: Name
    description: Description = ""
    ambition: Description = ""
    resident_outcomes: Description = ""
    success_measures: Description = ""
    strategic_outcomes: Outcomes = []
    lead_directorate_id: uuid.UUID | None = None
    sro_id: uuid.UUID | None = None
    project_manager_id: uuid.UUID | None = None
    governance_body_id: uuid.UUID | None = None
    lifecycle_id: uuid.UUID | None = Field(
        default=None, description="The lifecycle it follows; the organisation's default when left out."
    )
    planned_start: IsoDate | None = None
    planned_end: IsoDate | None = None

    @model_validator(mode="after")
    def _order(self) -> ProjectCreate:
        dates_in_order(self.planned_start, self.planned_end)
        return self


class ProjectUpdate(InputModel):
    programme_id: uuid.UUID | None = None
    name: Name | None = None
    description: Description | None = None
    ambition: Description | None = None
    resident_outcomes: Description | None = None
    success_measures: Description | None = None
    strategic_outcomes: Outcomes | None = None
    lead_directorate_id: uuid.UUID | None = None
    sro_id: uuid.UUID | None = None
    project_manager_id: uuid.UUID | None = None
    governance_body_id: uuid.UUID | None = None
    planned_start: IsoDate | None = None
    planned_end: IsoDate | None = None
    stage: StageKey | None = Field(
        default=None,
        description="Only the current stage is accepted: a project changes stage through a gate review.",
    )


class ProjectPublic(PublicModel):
    id: uuid.UUID
    reference: ProjectReference = Field(description="Unique in the organisation, never reused, e.g. P-0042.")
    programme_id: uuid.UUID
    name: str
    description: str
    ambition: str
    resident_outcomes: str
    success_measures: str
    strategic_outcomes: list[str]
    lead_directorate_id: uuid.UUID | None
    sro_id: uuid.UUID | None
    project_manager_id: uuid.UUID | None
    governance_body_id: uuid.UUID | None
    lifecycle_id: uuid.UUID
    stage: str = Field(description="The key of the lifecycle stage it is in.")
    planned_start: date | None
    planned_end: date | None
    confidence: ConfidenceRating | None = Field(description="The latest delivery confidence.")
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[ProjectAction] = Field(
        description="What you may do to the project now: the checks its routes make, run for you. "
        "A gate review request can still be refused when it is made, if nobody but you could decide "
        "the gate (409)."
    )
