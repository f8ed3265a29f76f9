"""Input and output models of draw-down requests, their consultation and decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pmo.core.errors import FieldValueError
from pmo.core.money import Amount, Pounds
from pmo.core.periods import FinancialYearText, IsoDate, today
from pmo.core.permissions import Role
from pmo.core.references import DrawdownReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean
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


class DrawdownAction(StrEnum):
    """What can be done to a draw-down request (`allowed_actions`)."""

    consult = "consult"  # POST /drawdowns/{id}/consultations
    approve = "approve"  # POST /drawdowns/{id}/decision, decision approve
    reject = "reject"  # POST /drawdowns/{id}/decision, decision reject
    record_committee_decision = "record_committee_decision"  # POST /drawdowns/{id}/committee-decision
    withdraw = "withdraw"  # POST /drawdowns/{id}/withdraw


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
            raise FieldValueError(
                "business_case_reference",
                "Enter where the approved business case is, or choose its approved gate review",
            )
        return self


class PendingDrawdown(PublicModel):
    """A request on the same project and financial year that is not decided yet."""

    id: uuid.UUID
    reference: DrawdownReference
    amount: Pounds
    status: DrawdownStatus
    route: Route


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
    pending_requests: list[PendingDrawdown] = Field(
        description="The project's requests in the same financial year that wait for a view or a decision."
    )
    year_total_with_pending: Pounds = Field(
        description="This amount, with the pending requests and (under a cumulative rule) what is already "
        "approved: what the project's year comes to if they are all approved."
    )
    route_with_pending: Route = Field(
        description="Who decides this request if the pending ones are approved first (under a cumulative "
        "rule they count towards its limit); the same as `route` when none are pending."
    )
    pending_note: str | None = Field(
        description='The pending requests in words, e.g. "With the pending request DD-0012 this brings the '
        'year to £62,000.00: Cabinet decides." None when there are none.'
    )


class ConsultationCreate(InputModel):
    view: View
    comment: Description = ""
    role: Role | None = Field(
        default=None, description="The consultee role you answer as; needed only if you hold several."
    )
    conflict_of_interest: bool | None = Field(
        default=None,
        description="Whether you declare a conflict of interest in this decision. Required of an "
        "executive member (answering as `member`): it goes on the record of the decision.",
    )
    conflict_of_interest_details: Description = Field(
        default="", description="The interest declared; required when `conflict_of_interest` is true."
    )
    dispensation_granted_by: Name | None = Field(
        default=None, description="The head of paid service who granted a dispensation for the conflict."
    )
    dispensation_granted_on: IsoDate | None = None
    dispensation_details: Description = ""

    @model_validator(mode="after")
    def _declared(self) -> ConsultationCreate:
        if self.conflict_of_interest and not self.conflict_of_interest_details.strip():
            raise ValueError("say what the conflict of interest is (conflict_of_interest_details)")
        dispensation = (
            self.dispensation_granted_by or self.dispensation_granted_on or self.dispensation_details
        )
        if dispensation and not self.conflict_of_interest:
            raise ValueError("a dispensation is recorded only for a declared conflict of interest")
        if dispensation and not (self.dispensation_granted_by and self.dispensation_granted_on):
            raise ValueError(
                "a dispensation needs who granted it and when "
                "(dispensation_granted_by, dispensation_granted_on)"
            )
        return self


class ConsultationPublic(PublicModel):
    id: uuid.UUID
    role: Role
    consultee_id: uuid.UUID
    view: View
    comment: str
    recorded_at: datetime
    conflict_of_interest: bool | None
    conflict_of_interest_details: str
    dispensation_granted_by: str | None
    dispensation_granted_on: date | None
    dispensation_details: str


class ExemptParagraph(IntEnum):
    """Paragraphs 1 to 7 of Part 1 of Schedule 12A to the Local Government Act 1972."""

    individual = 1
    identity = 2
    financial_affairs = 3
    labour_relations = 4
    legal_privilege = 5
    notices_orders = 6
    crime = 7


class DrawdownDecisionCreate(InputModel):
    decision: DrawdownDecisionChoice
    reason: Reason = Field(description="The reasons for the decision: on the public record.")
    alternatives_considered: Reason = Field(
        description="The alternative options considered and rejected, and why: on the public record."
    )
    exempt_paragraph: ExemptParagraph | None = Field(
        default=None,
        description="Set when the record holds exempt information: the paragraph (1 to 7) of "
        "Schedule 12A to the Local Government Act 1972 it falls under.",
    )
    exempt_information: Description = Field(
        default="",
        description="The exempt information itself, withheld from the public version of the record.",
    )

    @model_validator(mode="after")
    def _exempt(self) -> DrawdownDecisionCreate:
        if (self.exempt_paragraph is None) != (not self.exempt_information.strip()):
            raise ValueError("exempt information and its paragraph (exempt_paragraph) come together")
        return self


class CommitteeDecisionCreate(InputModel):
    body: Committee = Field(description="Must be the body the request was referred to.")
    meeting_date: IsoDate = Field(description="The day of the meeting that decided: today or in the past.")
    minute_reference: ShortRef | None = None
    key_decision_reference: ShortRef | None = None
    outcome: Outcome
    notes: Description = ""

    @model_validator(mode="after")
    def _referenced(self) -> CommitteeDecisionCreate:
        if not self.minute_reference and not self.key_decision_reference:
            raise FieldValueError(
                "minute_reference", "Enter the minute reference or the key decision reference (or both)"
            )
        return self

    @field_validator("meeting_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        # A decision is recorded after the meeting that took it, never ahead of it.
        if value > today():
            raise PydanticCustomError(
                "date_not_future", "The date of the meeting must be today or in the past"
            )
        return value


class DrawdownPublic(PublicModel):
    id: uuid.UUID
    reference: DrawdownReference
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
    allowed_actions: list[DrawdownAction] = Field(
        description="What you may do to the request now: the checks its routes make, run for you. "
        "An approval can still be refused when it is taken, by the funding source's balance or a "
        "cumulative limit used up since."
    )


class DrawdownDetail(DrawdownPublic):
    consultations: list[ConsultationPublic]
    rule_version: RuleVersionPublic | None = Field(description="The rule version the route was given under.")
    consultees_outstanding: list[Role] = Field(description="Required consultee roles with no view yet.")
    next_step: str = Field(description="What the request waits for, and who can do it.")
    officer_decision_id: uuid.UUID | None = Field(
        description="The record of the officer decision, once a delegated decision is taken."
    )
    forward_plan_entry_id: uuid.UUID | None = Field(description="Its entry on the forward plan, if listed.")
