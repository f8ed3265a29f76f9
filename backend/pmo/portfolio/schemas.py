"""Input and output models of the portfolio register."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from pmo.core.errors import FieldValueError
from pmo.core.periods import IsoDate, QuarterText
from pmo.core.references import ProjectReference, RiskReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean

# Strategic outcomes a programme or project serves (Chesterfield's OD programme has seven).
Outcomes = Annotated[list[Name], Field(max_length=30, description="Strategic outcomes served (at most 30).")]
Phase = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), _Clean]
StageKey = Annotated[str, StringConstraints(min_length=1, max_length=60), _Clean]


class GovernanceBodyKind(StrEnum):
    steering_group = "steering_group"
    programme_board = "programme_board"
    transformation_board = "transformation_board"
    cabinet = "cabinet"
    council = "council"
    other = "other"


class RecordStatus(StrEnum):
    """A portfolio or programme: `active`, or `closed` (kept, read-only for new work)."""

    active = "active"
    closed = "closed"


_STATUS = (
    "`closed` closes it (a programme once all its projects are in their last stage; a portfolio "
    "once all its programmes are closed); `active` opens it again."
)


class MemberRole(StrEnum):
    chair = "chair"
    member = "member"


class ConfidenceRating(StrEnum):
    """Every rating of either scale. `ipa5`: all five; `rag3`: green, amber, red."""

    green = "green"
    amber_green = "amber_green"
    amber = "amber"
    amber_red = "amber_red"
    red = "red"


CONFIDENCE_SCALES: dict[str, tuple[ConfidenceRating, ...]] = {
    "ipa5": (
        ConfidenceRating.green,
        ConfidenceRating.amber_green,
        ConfidenceRating.amber,
        ConfidenceRating.amber_red,
        ConfidenceRating.red,
    ),
    "rag3": (ConfidenceRating.green, ConfidenceRating.amber, ConfidenceRating.red),
}


class MilestoneStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    missed = "missed"


def _dates_in_order(start: date | None, end: date | None, names: str = "planned_start") -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"the end date must not be before {names}")


# Portfolios ------------------------------------------------------------------------------


class PortfolioCreate(InputModel):
    name: Name
    description: Description = ""
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _order(self) -> PortfolioCreate:
        _dates_in_order(self.start_date, self.end_date, "start_date")
        return self


class PortfolioUpdate(InputModel):
    name: Name | None = None
    description: Description | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    status: RecordStatus | None = Field(default=None, description=_STATUS)


class PortfolioPublic(PublicModel):
    id: uuid.UUID
    name: str
    description: str
    start_date: date | None
    end_date: date | None
    status: RecordStatus
    closed_on: date | None
    created_at: datetime
    updated_at: datetime


# Governance bodies -----------------------------------------------------------------------


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


# Programmes ------------------------------------------------------------------------------


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
        _dates_in_order(self.planned_start, self.planned_end)
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
    status: RecordStatus | None = Field(default=None, description=_STATUS)


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


# Projects --------------------------------------------------------------------------------


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
        _dates_in_order(self.planned_start, self.planned_end)
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


# Delivery confidence ---------------------------------------------------------------------


class ConfidenceCreate(InputModel):
    rating: ConfidenceRating = Field(
        description="On the organisation's scale: ipa5 (all five) or rag3 (green, amber, red)."
    )
    commentary: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean
    ] = Field(description="Why: required.")


class ConfidencePublic(PublicModel):
    id: uuid.UUID
    project_id: uuid.UUID
    scale: str
    rating: ConfidenceRating
    commentary: str
    assessed_by_id: uuid.UUID | None
    assessed_at: datetime


# Milestones ------------------------------------------------------------------------------


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


# Views -----------------------------------------------------------------------------------


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


class ProgrammeCounts(PublicModel):
    """A programme's line of the portfolio overview: its projects by stage and by confidence."""

    programme_id: uuid.UUID
    name: str
    projects: int = Field(description="Projects in the programme.")
    projects_by_stage: dict[str, int] = Field(description="Stage key -> number of projects.")
    projects_by_confidence: dict[str, int] = Field(
        description="Rating -> number of projects; `not_assessed` for those with none yet."
    )


class PortfolioOverview(PublicModel):
    """The portfolio dashboard's data in one answer: every programme's counts, and the
    organisation's milestones and gate reviews that need attention."""

    programmes: list[ProgrammeCounts] = Field(description="Every programme, by name.")
    milestones_due_count: int = Field(description="Not done or missed, due today or in the next 90 days.")
    milestones_overdue_count: int = Field(description="Not done or missed, due before today.")
    milestones_due: list[MilestonePublic] = Field(
        description="The first of those due (earliest first, at most 200)."
    )
    milestones_overdue: list[MilestonePublic] = Field(
        description="The first of those overdue (earliest first, at most 200)."
    )
    gate_reviews_pending: list[PendingGateReview] = Field(description="Waiting for a decision (at most 200).")


class ActionDue(PublicModel):
    """A response action to a risk that waits for its actionee."""

    id: uuid.UUID
    description: str
    due_date: date
    status: str = Field(description="`open` or `in_progress`.")
    overdue: bool = Field(description="Due before today.")
    risk_id: uuid.UUID
    risk_reference: RiskReference
    risk_title: str
    project_id: uuid.UUID | None = Field(
        description="The risk's project; null for a programme's or portfolio's."
    )
    project_reference: ProjectReference | None
    project_name: str | None
    programme_id: uuid.UUID | None = Field(description="Set when the risk is a programme's.")
    portfolio_id: uuid.UUID | None = Field(description="Set when the risk is a portfolio's.")


class MyWork(PublicModel):
    gate_reviews_to_decide: list[PendingGateReview] = Field(
        description="Pending reviews you are a decider of and have not decided yet."
    )
    milestones_due: list[MilestonePublic] = Field(
        description="Milestones you own that are overdue or due within 30 days (not done or missed)."
    )
    actions_due: list[ActionDue] = Field(
        description="Risk actions you are the actionee of, open or in progress, on an open risk, that are "
        "overdue or due within 30 days (earliest first)."
    )


def milestone_public(milestone: Any, today: date) -> MilestonePublic:
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
    )
