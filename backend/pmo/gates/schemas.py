from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from pmo.core.errors import FieldValueError
from pmo.core.permissions import Role
from pmo.core.schemas import Description, InputModel, Name, PublicModel

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,59}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=60)]


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# Text that must say something: spaces alone are refused.
Text = Annotated[Description, StringConstraints(min_length=1), AfterValidator(_not_blank)]


# Lifecycles ------------------------------------------------------------------------------


class DeciderType(StrEnum):
    governance_body = "governance_body"
    role = "role"
    elected_members = "elected_members"


class Approval(StrEnum):
    any = "any"
    all = "all"


class StageSpec(InputModel):
    key: Key
    name: Name
    description: Description = ""


class CriterionSpec(InputModel):
    key: Key
    text: Text = Field(description="What the requester must answer, e.g. 'The project will deliver ...'.")


class DeciderSpec(InputModel):
    """Who decides: the project's governance body, holders of a role, or elected members."""

    type: DeciderType
    role: Role | None = Field(default=None, description="For `type` role only: the role that decides.")

    @model_validator(mode="after")
    def _role_for_role_type(self) -> DeciderSpec:
        if self.type == DeciderType.role and self.role is None:
            raise FieldValueError("role", "Choose the role that decides")
        if self.type != DeciderType.role and self.role is not None:
            raise FieldValueError("role", "Only holders of a role (type 'role') are named by a role")
        return self


class GateSpec(InputModel):
    key: Key
    name: Name
    from_stage: Key
    to_stage: Key
    criteria: list[CriterionSpec] = Field(min_length=1, max_length=30)
    business_case_sections: list[Key] = Field(
        default_factory=list, max_length=20, description="Sections a request must bring, e.g. 'scope'."
    )
    deciders: list[DeciderSpec] = Field(min_length=1, max_length=5)
    approval: Approval = Field(
        default=Approval.any, description="`any`: one decider's decision settles it; `all` must approve."
    )

    @model_validator(mode="after")
    def _unique_parts(self) -> GateSpec:
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError(f"gate '{self.key}': criterion keys must be unique")
        if len(set(self.business_case_sections)) != len(self.business_case_sections):
            raise ValueError(f"gate '{self.key}': business case sections must be unique")
        if len({(d.type, d.role) for d in self.deciders}) != len(self.deciders):
            raise ValueError(f"gate '{self.key}': deciders are repeated")
        return self


class LifecycleCreate(InputModel):
    """A custom lifecycle: at least two stages in order, and one gate from each stage to the next."""

    name: Name
    description: Description = ""
    stages: list[StageSpec] = Field(min_length=2, max_length=20)
    gates: list[GateSpec] = Field(max_length=19)

    @model_validator(mode="after")
    def _gates_join_consecutive_stages(self) -> LifecycleCreate:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError("stage keys must be unique")
        gate_keys = [g.key for g in self.gates]
        if len(set(gate_keys)) != len(gate_keys):
            raise ValueError("gate keys must be unique")
        expected = list(itertools.pairwise(keys))
        given = [(g.from_stage, g.to_stage) for g in self.gates]
        if sorted(given) != sorted(expected):
            pairs = ", ".join(f"{a} -> {b}" for a, b in expected)
            raise ValueError(
                f"there must be exactly one gate for each step from a stage to the next: {pairs}"
            )
        return self


class StagePublic(PublicModel):
    key: str
    name: str
    description: str


class CriterionPublic(PublicModel):
    key: str
    text: str


class DeciderPublic(PublicModel):
    type: DeciderType
    role: Role | None = None


class GatePublic(PublicModel):
    key: str
    name: str
    from_stage: str
    to_stage: str
    criteria: list[CriterionPublic]
    business_case_sections: list[str]
    deciders: list[DeciderPublic]
    approval: Approval


class LifecyclePublic(PublicModel):
    id: uuid.UUID
    name: str
    description: str
    builtin_key: str | None = Field(
        description="Set for the built-in lifecycles: chesterfield, green_book, ipa_gateway."
    )
    is_default: bool = Field(description="Whether new projects of the organisation follow this lifecycle.")
    stages: list[StagePublic]
    gates: list[GatePublic]
    created_at: datetime
    updated_at: datetime


# Gate reviews ----------------------------------------------------------------------------


class ReviewStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    approved_with_conditions = "approved_with_conditions"
    deferred = "deferred"
    rejected = "rejected"
    withdrawn = "withdrawn"
    superseded = "superseded"


class GateDecisionChoice(StrEnum):
    approve = "approve"
    approve_with_conditions = "approve_with_conditions"
    defer = "defer"
    reject = "reject"


class GateReviewAction(StrEnum):
    """What can be done to a gate review (`allowed_actions`): the four decisions
    (POST /gate-reviews/{id}/decisions) and withdraw (POST /gate-reviews/{id}/withdraw)."""

    approve = "approve"
    approve_with_conditions = "approve_with_conditions"
    defer = "defer"
    reject = "reject"
    withdraw = "withdraw"


APPROVALS = frozenset({GateDecisionChoice.approve, GateDecisionChoice.approve_with_conditions})


class Answer(InputModel):
    criterion: Key
    answer: Description = Field(description="The evidence. A blank answer leaves the criterion unanswered.")


class AnswerPublic(PublicModel):
    criterion: str
    answer: str


class GateReviewCreate(InputModel):
    """A request to move the project through the gate from its current stage to the next."""

    gate_key: Key | None = Field(
        default=None, description="The gate from the project's current stage; found when left out."
    )
    summary: Text
    answers: list[Answer] = Field(default_factory=list, max_length=30)
    business_case: dict[Key, Description] | None = Field(
        default=None,
        max_length=20,
        description="The business case by section, for gates that need one (e.g. scope, costs, benefits).",
    )

    @model_validator(mode="after")
    def _one_answer_per_criterion(self) -> GateReviewCreate:
        criteria = [a.criterion for a in self.answers]
        if len(set(criteria)) != len(criteria):
            raise ValueError("answer each criterion once")
        return self


class GateReviewPublic(PublicModel):
    id: uuid.UUID
    project_id: uuid.UUID
    lifecycle_id: uuid.UUID
    gate_key: str
    from_stage: str
    to_stage: str
    status: ReviewStatus
    requested_by_id: uuid.UUID
    requested_at: datetime
    summary: str
    answers: list[AnswerPublic]
    business_case: dict[str, str] | None
    decider_ids: list[uuid.UUID] = Field(description="Who decides, worked out when it was requested.")
    approval: Approval
    decided_at: datetime | None
    outcome_reason: str | None
    conditions: str | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[GateReviewAction] = Field(
        description="What you may do to the review now: the checks its routes make, run for you."
    )


class GateDecisionPublic(PublicModel):
    id: uuid.UUID
    review_id: uuid.UUID
    decider_id: uuid.UUID
    decision: GateDecisionChoice
    reason: str
    conditions: str | None
    decided_at: datetime


class GateReviewDetail(GateReviewPublic):
    gate: GatePublic = Field(description="The gate: its criteria, business case sections and deciders.")
    unanswered: list[str] = Field(description="Criteria without an answer: the review cannot be approved.")
    decisions: list[GateDecisionPublic]


class GateDecisionCreate(InputModel):
    decision: GateDecisionChoice
    reason: Text
    conditions: Description | None = Field(
        default=None, description="Required for approve_with_conditions, and only for it."
    )

    @model_validator(mode="after")
    def _conditions_with_conditional_approval(self) -> GateDecisionCreate:
        conditions = (self.conditions or "").strip()
        if self.decision == GateDecisionChoice.approve_with_conditions and not conditions:
            raise ValueError("approve_with_conditions needs the conditions")
        if self.decision != GateDecisionChoice.approve_with_conditions and conditions:
            raise ValueError("conditions go with approve_with_conditions only")
        self.conditions = conditions or None
        return self
