"""Input and output models of the risk log and its response actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from pmo.audit.schemas import AuditEventPublic
from pmo.core.periods import IsoDate
from pmo.core.references import IssueReference, RiskReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean
from pmo.raid.common import EscalationLevel
from pmo.raid.scoring import Band

Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), _Clean]
Proximity = Annotated[str, StringConstraints(max_length=200), _Clean]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]
Point = Annotated[
    int,
    Field(ge=1, le=5, description="1 to 5 on the 5x5 scale; 1 (low) to 3 (high) on the hml3 scale."),
]


class Nature(StrEnum):
    threat = "threat"
    opportunity = "opportunity"


class ResponseType(StrEnum):
    """Threats: avoid, reduce, fallback, transfer, accept, share. Opportunities: exploit,
    enhance, share, reject."""

    avoid = "avoid"
    reduce = "reduce"
    fallback = "fallback"
    transfer = "transfer"
    accept = "accept"
    share = "share"
    exploit = "exploit"
    enhance = "enhance"
    reject = "reject"


RESPONSES: dict[Nature, frozenset[ResponseType]] = {
    Nature.threat: frozenset(
        {
            ResponseType.avoid,
            ResponseType.reduce,
            ResponseType.fallback,
            ResponseType.transfer,
            ResponseType.accept,
            ResponseType.share,
        }
    ),
    Nature.opportunity: frozenset(
        {ResponseType.exploit, ResponseType.enhance, ResponseType.share, ResponseType.reject}
    ),
}


class RiskStatus(StrEnum):
    open = "open"
    closed = "closed"
    occurred = "occurred"  # it happened and became an issue


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class ScoreBasis(StrEnum):
    inherent = "inherent"
    residual = "residual"


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


# Risks -----------------------------------------------------------------------------------


class RiskCreate(InputModel):
    project_id: uuid.UUID | None = Field(default=None, description="Give exactly one of the three.")
    programme_id: uuid.UUID | None = None
    portfolio_id: uuid.UUID | None = None
    title: Name
    category: Category
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
    owner_id: uuid.UUID | None = None
    raised_on: IsoDate | None = Field(default=None, description="Defaults to today.")


class RiskUpdate(InputModel):
    title: Name | None = None
    category: Category | None = None
    cause: Description | None = None
    event: Description | None = None
    effect: Description | None = None
    nature: Nature | None = None
    inherent_likelihood: Point | None = None
    inherent_impact: Point | None = None
    residual_likelihood: Point | None = None
    residual_impact: Point | None = None
    target_likelihood: Point | None = Field(default=None, description="`null` removes the target.")
    target_impact: Point | None = None
    proximity: Proximity | None = None
    response_type: ResponseType | None = Field(default=None, description="`null` removes it.")
    review_date: IsoDate | None = Field(default=None, description="`null` removes it.")
    owner_id: uuid.UUID | None = Field(default=None, description="`null` removes the owner.")


# Fields of RiskUpdate that may be set to null.
NULLABLE_RISK_FIELDS = frozenset(
    {"target_likelihood", "target_impact", "response_type", "review_date", "owner_id"}
)


class Escalation(InputModel):
    level: EscalationLevel = Field(
        description="Escalate: a level above the current one. De-escalate: a level below it."
    )
    reason: Reason


class Closure(InputModel):
    reason: Reason


class RiskOccurred(InputModel):
    """The issue the risk became. Its title defaults to the risk's, its owner to the risk's."""

    title: Name | None = None
    description: Description
    priority: Priority
    severity: Priority
    owner_id: uuid.UUID | None = None
    due_date: IsoDate | None = None


class RiskActionAllowedAction(StrEnum):
    """What can be done to a risk's response action (`allowed_actions`)."""

    edit = "edit"  # PATCH /risk-actions/{id}: its risk is open
    delete = "delete"  # DELETE /risk-actions/{id}: its risk is open


class RiskActionPublic(PublicModel):
    id: uuid.UUID
    risk_id: uuid.UUID
    description: str
    actionee_id: uuid.UUID | None
    due_date: date | None
    status: ActionStatus
    overdue: bool = Field(description="Worked out: due before today and neither done nor cancelled.")
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[RiskActionAllowedAction] = Field(
        description="What you may do to the action now: the checks its routes make, run for you."
    )


class LinkedIssue(PublicModel):
    """The issue a risk became (`GET /api/v1/issues/{id}` for all of it)."""

    id: uuid.UUID
    reference: IssueReference
    title: str
    status: str
    priority: str
    severity: str
    risk_id: uuid.UUID | None


class RiskAllowedAction(StrEnum):
    """What can be done to a risk (`allowed_actions`); `RiskAction` is a risk's response action."""

    edit = "edit"  # PATCH /risks/{id}
    escalate = "escalate"  # POST /risks/{id}/escalate: a level above the current one remains
    de_escalate = "de_escalate"  # POST /risks/{id}/de-escalate: it is above project level
    close = "close"  # POST /risks/{id}/close
    occurred = "occurred"  # POST /risks/{id}/occurred: it happened, and becomes an issue


class RiskPublic(PublicModel):
    id: uuid.UUID
    reference: RiskReference = Field(description="Unique in the organisation, never reused, e.g. R-0012.")
    project_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    portfolio_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    status: RiskStatus
    raised_on: date
    closed_at: datetime | None
    title: str
    category: str
    cause: str
    event: str
    effect: str
    nature: Nature
    scale: str = Field(description="The scale it is scored on: `5x5` or `hml3`.")
    inherent_likelihood: int
    inherent_impact: int
    inherent_score: int = Field(description="Worked out: likelihood x impact.")
    inherent_band: Band
    residual_likelihood: int
    residual_impact: int
    residual_score: int
    residual_band: Band
    target_likelihood: int | None
    target_impact: int | None
    target_score: int | None
    target_band: Band | None
    proximity: str
    response_type: ResponseType | None
    review_date: date | None
    due_for_review: bool = Field(description="Worked out: open and its review date is today or past.")
    escalation_level: EscalationLevel
    escalation_reason: str | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[RiskAllowedAction] = Field(
        description="What you may do to the risk now: the checks its routes make, run for you."
    )


class RiskDetail(RiskPublic):
    actions: list[RiskActionPublic]
    issue: LinkedIssue | None = Field(description="The issue it became, if it happened.")


class RiskOccurredResult(PublicModel):
    risk: RiskPublic
    issue: LinkedIssue


class RiskActionCreate(InputModel):
    description: Description = Field(min_length=1)
    actionee_id: uuid.UUID | None = None
    due_date: IsoDate | None = None
    status: ActionStatus = ActionStatus.open


class RiskActionUpdate(InputModel):
    description: Description | None = Field(default=None, min_length=1)
    actionee_id: uuid.UUID | None = Field(default=None, description="`null` removes the actionee.")
    due_date: IsoDate | None = Field(default=None, description="`null` removes the due date.")
    status: ActionStatus | None = None


NULLABLE_ACTION_FIELDS = frozenset({"actionee_id", "due_date"})


# Heat map --------------------------------------------------------------------------------


class HeatMapCell(PublicModel):
    likelihood: int
    impact: int
    score: int
    band: Band
    count: int


class HeatMap(PublicModel):
    scale: str = Field(description="`5x5` or `hml3`: the organisation's scale.")
    basis: ScoreBasis
    points: int = Field(description="Likelihood and impact run from 1 to this.")
    total: int = Field(description="Risks counted.")
    cells: list[HeatMapCell] = Field(description="Every cell, zeros included: likelihood, then impact.")


# History ---------------------------------------------------------------------------------


class RiskHistory(PublicModel):
    """The risk's audit events and its actions', oldest first."""

    items: list[AuditEventPublic]
