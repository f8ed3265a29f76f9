"""Input and output models of the issue, assumption and dependency logs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from pmo.audit.schemas import AuditEventPublic
from pmo.core.periods import IsoDate
from pmo.core.references import AssumptionReference, DependencyReference, IssueReference, RaidReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean
from pmo.raid.common import EscalationLevel
from pmo.raid.risks_schemas import Category as RiskCategory
from pmo.raid.risks_schemas import Nature, Point, Proximity, ResponseType

Category = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60), _Clean]
Statement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]
PartyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _Clean]

PLACEMENT = "Give exactly one of project_id, programme_id and portfolio_id: where the item belongs."


class IssueType(StrEnum):
    """PRINCE2's kinds of issue."""

    problem_concern = "problem_concern"
    request_for_change = "request_for_change"
    off_specification = "off_specification"


class Rating(StrEnum):
    """Priority and severity of an issue."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class IssueStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"


class AssumptionStatus(StrEnum):
    unvalidated = "unvalidated"
    valid = "valid"
    invalid = "invalid"


class DependencyStatus(StrEnum):
    open = "open"
    at_risk = "at_risk"
    met = "met"
    closed = "closed"


class DependencyDirection(StrEnum):
    """`outbound`: the item's project needs something from the other end; `inbound`: the
    other end needs something from the item's project."""

    inbound = "inbound"
    outbound = "outbound"


class IssueAction(StrEnum):
    """What can be done to an issue (`allowed_actions`)."""

    edit = "edit"  # PATCH /issues/{id} (resolving or closing it too)
    escalate = "escalate"  # POST /issues/{id}/escalate: neither resolved nor closed, a level above remains
    de_escalate = "de_escalate"  # POST /issues/{id}/de-escalate: it is above project level


class AssumptionAction(StrEnum):
    """What can be done to an assumption (`allowed_actions`)."""

    edit = "edit"  # PATCH /assumptions/{id}
    invalidate = "invalidate"  # POST /assumptions/{id}/invalidate: it has raised no risk or issue yet


class DependencyAction(StrEnum):
    """What can be done to a dependency (`allowed_actions`)."""

    edit = "edit"  # PATCH /dependencies/{id}
    escalate = "escalate"  # POST /dependencies/{id}/escalate: neither met nor closed, a level above remains
    de_escalate = "de_escalate"  # POST /dependencies/{id}/de-escalate: it is above project level


ALLOWED_ACTIONS = "What you may do to it now: the checks its routes make, run for you."


class EscalateTo(StrEnum):
    programme = "programme"
    steering_group = "steering_group"


# Escalation (issues and dependencies) --------------------------------------------------------


class Escalate(InputModel):
    level: EscalateTo = Field(description="Above the current level: programme, then steering_group.")
    reason: Reason = Field(description="Why it needs the attention of that level.")


class Deescalate(InputModel):
    level: EscalationLevel = Field(
        default=EscalationLevel.project, description="Below the current level; project by default."
    )
    reason: Description = ""


class ItemHistory(PublicModel):
    """The item's audit events, oldest first."""

    items: list[AuditEventPublic]


# Issues ----------------------------------------------------------------------------------


class IssueCreate(InputModel):
    project_id: uuid.UUID | None = Field(default=None, description=PLACEMENT)
    programme_id: uuid.UUID | None = None
    portfolio_id: uuid.UUID | None = None
    title: Name
    description: Description = ""
    issue_type: IssueType = IssueType.problem_concern
    category: Category = ""
    priority: Rating = Rating.medium
    severity: Rating = Rating.medium
    raised_by_id: uuid.UUID | None = Field(default=None, description="Who raised it; you, if left out.")
    owner_id: uuid.UUID | None = None
    due_date: IsoDate | None = None
    resolution: Description = ""
    status: IssueStatus = IssueStatus.open

    @model_validator(mode="after")
    def _resolution(self) -> IssueCreate:
        _needs_resolution(self.status, self.resolution)
        return self


class IssueUpdate(InputModel):
    title: Name | None = None
    description: Description | None = None
    issue_type: IssueType | None = None
    category: Category | None = None
    priority: Rating | None = None
    severity: Rating | None = None
    raised_by_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    due_date: IsoDate | None = None
    resolution: Description | None = None
    status: IssueStatus | None = Field(
        default=None, description="Resolved or closed only with a resolution (given now or before)."
    )


def _needs_resolution(status: IssueStatus | None, resolution: str | None) -> None:
    if status in (IssueStatus.resolved, IssueStatus.closed) and not (resolution or "").strip():
        raise ValueError("a resolved or closed issue needs a resolution")


class IssuePublic(PublicModel):
    id: uuid.UUID
    reference: IssueReference = Field(description="Unique in the organisation, never reused, e.g. I-0003.")
    project_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    portfolio_id: uuid.UUID | None
    title: str
    description: str
    issue_type: IssueType
    category: str
    priority: Rating
    severity: Rating
    raised_by_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    raised_on: date
    due_date: date | None
    resolution: str
    status: IssueStatus
    escalation_level: EscalationLevel
    escalation_reason: str | None
    risk_id: uuid.UUID | None = Field(description="The risk it was, when a risk occurred and became it.")
    overdue: bool = Field(description="Worked out: due before today and neither resolved nor closed.")
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[IssueAction] = Field(description=ALLOWED_ACTIONS)


# Assumptions -----------------------------------------------------------------------------


class AssumptionCreate(InputModel):
    project_id: uuid.UUID | None = Field(default=None, description=PLACEMENT)
    programme_id: uuid.UUID | None = None
    portfolio_id: uuid.UUID | None = None
    statement: Statement
    category: Category = ""
    owner_id: uuid.UUID | None = None
    validate_by: IsoDate | None = None
    status: AssumptionStatus = AssumptionStatus.unvalidated


class AssumptionUpdate(InputModel):
    statement: Statement | None = None
    category: Category | None = None
    owner_id: uuid.UUID | None = None
    validate_by: IsoDate | None = None
    status: AssumptionStatus | None = Field(
        default=None,
        description="`invalid` here records only that; `POST .../invalidate` also raises a risk or issue.",
    )


class AssumptionPublic(PublicModel):
    id: uuid.UUID
    reference: AssumptionReference = Field(
        description="Unique in the organisation, never reused, e.g. A-0007."
    )
    project_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    portfolio_id: uuid.UUID | None
    statement: str
    category: str
    owner_id: uuid.UUID | None
    raised_on: date
    validate_by: date | None
    status: AssumptionStatus
    raised_risk_id: uuid.UUID | None = Field(description="The risk raised when it was found invalid.")
    raised_issue_id: uuid.UUID | None = Field(description="The issue raised when it was found invalid.")
    validation_due: bool = Field(description="Worked out: unvalidated and validate_by is today or past.")
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[AssumptionAction] = Field(description=ALLOWED_ACTIONS)


class RaisedIssue(InputModel):
    """The issue an invalid assumption raises (in the assumption's project, programme or portfolio)."""

    title: Name
    description: Description = ""
    issue_type: IssueType = IssueType.problem_concern
    category: Category = ""
    priority: Rating = Rating.medium
    severity: Rating = Rating.medium
    owner_id: uuid.UUID | None = Field(default=None, description="The assumption's owner, if left out.")
    due_date: IsoDate | None = None


class RaisedRisk(InputModel):
    """The risk an invalid assumption raises, in the assumption's project, programme or
    portfolio: the fields of `RiskCreate` but where it belongs. Likelihood and impact are on
    the organisation's scale (422 off it); residual defaults to inherent."""

    title: Name
    category: RiskCategory
    cause: Description = ""
    event: Description = ""
    effect: Description = ""
    nature: Nature = Nature.threat
    inherent_likelihood: Point
    inherent_impact: Point
    residual_likelihood: Point | None = Field(default=None, description="Defaults to the inherent one.")
    residual_impact: Point | None = Field(default=None, description="Defaults to the inherent one.")
    target_likelihood: Point | None = None
    target_impact: Point | None = None
    proximity: Proximity = ""
    response_type: ResponseType | None = Field(default=None, description="Must fit the nature.")
    review_date: IsoDate | None = None
    owner_id: uuid.UUID | None = Field(default=None, description="The assumption's owner, if left out.")


class Invalidate(InputModel):
    """Found invalid: record it and raise a risk or an issue, in one step."""

    raise_: Literal["risk", "issue"] = Field(alias="raise", description="What to raise.")
    risk: RaisedRisk | None = Field(default=None, description='The new risk, when `raise` is "risk".')
    issue: RaisedIssue | None = Field(default=None, description='The new issue, when `raise` is "issue".')

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    @model_validator(mode="after")
    def _one(self) -> Invalidate:
        wanted, other = (self.risk, self.issue) if self.raise_ == "risk" else (self.issue, self.risk)
        if wanted is None:
            raise ValueError(f'give the new {self.raise_} as "{self.raise_}"')
        if other is not None:
            raise ValueError(f'raise is "{self.raise_}": give only "{self.raise_}"')
        return self


class InvalidationResult(PublicModel):
    assumption: AssumptionPublic
    raised: Literal["risk", "issue"]
    raised_id: uuid.UUID = Field(description="The new risk's or issue's id.")
    raised_reference: RaidReference = Field(
        description="The new risk's or issue's reference (R-0012, I-0003)."
    )


# Dependencies ----------------------------------------------------------------------------


class DependencyCreate(InputModel):
    project_id: uuid.UUID = Field(description="The project the dependency is recorded on.")
    other_project_id: uuid.UUID | None = Field(
        default=None, description="The other end: a project of your organisation (any programme)..."
    )
    external_party: PartyName | None = Field(default=None, description="...or a party outside the portfolio.")
    direction: DependencyDirection = Field(
        description="`outbound`: project_id needs something from the other end; `inbound`: the reverse."
    )
    title: Name
    description: Description = ""
    category: Category = ""
    owner_id: uuid.UUID | None = None
    needed_by: IsoDate | None = None
    status: DependencyStatus = DependencyStatus.open

    @model_validator(mode="after")
    def _one_end(self) -> DependencyCreate:
        _one_other_end(self.other_project_id, self.external_party)
        if self.other_project_id is not None and self.other_project_id == self.project_id:
            raise ValueError("a project cannot depend on itself")
        return self


def _one_other_end(other_project_id: Any, external_party: Any) -> None:
    if (other_project_id is None) == (external_party is None):
        raise ValueError("give exactly one of other_project_id and external_party")


class DependencyUpdate(InputModel):
    other_project_id: uuid.UUID | None = Field(default=None, description="Replaces an external party.")
    external_party: PartyName | None = Field(default=None, description="Replaces the other project.")
    direction: DependencyDirection | None = None
    title: Name | None = None
    description: Description | None = None
    category: Category | None = None
    owner_id: uuid.UUID | None = None
    needed_by: IsoDate | None = None
    status: DependencyStatus | None = None

    @model_validator(mode="after")
    def _at_most_one_end(self) -> DependencyUpdate:
        if self.other_project_id is not None and self.external_party is not None:
            raise ValueError("give at most one of other_project_id and external_party")
        return self


class DependencyPublic(PublicModel):
    id: uuid.UUID
    reference: DependencyReference = Field(
        description="Unique in the organisation, never reused, e.g. D-0021."
    )
    project_id: uuid.UUID
    other_project_id: uuid.UUID | None
    external_party: str | None
    direction: DependencyDirection = Field(description="As recorded, from project_id's side.")
    title: str
    description: str
    category: str
    owner_id: uuid.UUID | None
    raised_on: date
    needed_by: date | None
    status: DependencyStatus
    escalation_level: EscalationLevel
    escalation_reason: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[DependencyAction] = Field(description=ALLOWED_ACTIONS)


class ProjectDependency(DependencyPublic):
    """A dependency as one of its two projects sees it."""

    seen_from_project_id: uuid.UUID = Field(description="The project whose list this is.")
    direction_seen: DependencyDirection = Field(
        description="From that project's side: outbound where it needs, inbound where it gives."
    )
    counterpart_project_id: uuid.UUID | None = Field(description="The project at the other end, if any.")
    counterpart_external_party: str | None = Field(description="The party at the other end, if outside.")
