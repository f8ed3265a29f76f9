"""Input and output models of draw-down requests, their consultation and decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from pmo.core.money import Amount, Pounds
from pmo.core.periods import FinancialYearText, IsoDate
from pmo.core.permissions import Role
from pmo.core.schemas import Description, InputModel, PublicModel, _Clean
from pmo.finance.rules_schemas import RuleVersionPublic


class DrawdownStatus(StrEnum):
    consultation = "consultation"  # delegated: waiting for the required consultees' views
    awaiting_decision = "awaiting_decision"  # delegated: every view recorded
    referred = "referred"  # waiting for the Cabinet or Council decision
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


OPEN_STATUSES = (
    DrawdownStatus.consultation.value,
    DrawdownStatus.awaiting_decision.value,
    DrawdownStatus.referred.value,
)


class Route(StrEnum):
    delegated = "delegated"
    cabinet = "cabinet"
    council = "council"


class View(StrEnum):
    supports = "supports"
    objects = "objects"
    comment = "comment"


class DrawdownDecisionChoice(StrEnum):
    approve = "approve"
    reject = "reject"


class Outcome(StrEnum):
    approved = "approved"
    rejected = "rejected"


class Committee(StrEnum):
    cabinet = "cabinet"
    council = "council"


Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]
ShortRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), _Clean]
BusinessCaseRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), _Clean]


class DrawdownCreate(InputModel):
    project_id: uuid.UUID
    funding_source_id: uuid.UUID
    amount: Amount = Field(description='Pounds as a string, e.g. "30000.00". A JSON number is refused (422).')
    financial_year: FinancialYearText = Field(description="The financial year it is drawn in.")
    purpose: Purpose
    gate_review_id: uuid.UUID | None = Field(
        default=None, description="An approved gate review of the same project (the approved business case)."
    )
    business_case_reference: BusinessCaseRef = Field(
        default="", description="Where the approved business case is, e.g. a report reference."
    )

    @model_validator(mode="after")
    def _linked(self) -> DrawdownCreate:
        if self.gate_review_id is None and not self.business_case_reference:
            raise ValueError(
                "link the approved business case: give gate_review_id or business_case_reference"
            )
        return self


class RoutePreview(PublicModel):
    route: Route
    rule_id: uuid.UUID | None
    rule_version: int | None
    rule_name: str | None
    decider_role: Role | None
    decider_directorate_id: uuid.UUID | None
    consultee_roles: list[Role]
    route_reason: str
    approved_delegated_total: Pounds = Field(
        description="Under a cumulative rule: what the project already has approved under the rule that year."
    )


class ConsultationCreate(InputModel):
    view: View
    comment: Description = ""
    role: Role | None = Field(
        default=None, description="The consultee role you answer as; needed only if you hold several."
    )


class ConsultationPublic(PublicModel):
    id: uuid.UUID
    role: Role
    consultee_id: uuid.UUID
    view: View
    comment: str
    recorded_at: datetime


class DrawdownDecisionCreate(InputModel):
    decision: DrawdownDecisionChoice
    reason: Reason


class CommitteeDecisionCreate(InputModel):
    body: Committee = Field(description="Must be the body the request was referred to.")
    meeting_date: IsoDate
    minute_reference: ShortRef | None = None
    key_decision_reference: ShortRef | None = None
    outcome: Outcome
    notes: Description = ""

    @model_validator(mode="after")
    def _referenced(self) -> CommitteeDecisionCreate:
        if not self.minute_reference and not self.key_decision_reference:
            raise ValueError("give minute_reference or key_decision_reference (or both)")
        return self


class DrawdownPublic(PublicModel):
    id: uuid.UUID
    reference: str
    project_id: uuid.UUID
    funding_source_id: uuid.UUID
    amount: Pounds
    financial_year: str
    purpose: str
    gate_review_id: uuid.UUID | None
    business_case_reference: str
    requested_by_id: uuid.UUID
    status: DrawdownStatus
    submitted_at: datetime
    route: Route
    rule_version_id: uuid.UUID | None
    decider_role: Role | None
    decider_directorate_id: uuid.UUID | None
    consultee_roles: list[Role]
    route_reason: str
    decision: Outcome | None
    decision_reason: str
    decided_at: datetime | None
    decided_by_id: uuid.UUID | None
    meeting_body: Committee | None
    meeting_date: date | None
    minute_reference: str | None
    key_decision_reference: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class DrawdownDetail(DrawdownPublic):
    consultations: list[ConsultationPublic]
    rule_version: RuleVersionPublic | None = Field(description="The rule version the route was given under.")
    consultees_outstanding: list[Role] = Field(description="Required consultee roles with no view yet.")
    next_step: str = Field(description="What the request waits for, and who can do it.")
