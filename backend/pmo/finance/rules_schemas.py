"""Input and output models of delegation rules and their versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from pmo.core.money import Amount, Pounds
from pmo.core.periods import IsoDate
from pmo.core.permissions import Role
from pmo.core.schemas import Description, InputModel, Name, PublicModel


class LimitBasis(StrEnum):
    per_request = "per_request"
    # The project's approved delegated total in the financial year, this request included: a
    # need split into small requests still meets the limit.
    cumulative_per_project_per_year = "cumulative_per_project_per_year"


class RuleAction(StrEnum):
    """What can be done to a delegation rule (`allowed_actions`)."""

    # PATCH /delegation-rules/{id}: every change, retiring (is_active false) included, makes a
    # new version, in force from its effective date.
    edit = "edit"


class ReferralBody(StrEnum):
    cabinet = "cabinet"
    council = "council"


_LIMIT = 'The delegated limit in pounds, e.g. "50000.00": exactly the limit is within it.'
_COUNCIL = "Above this (measured like the limit) a request goes to Council rather than Cabinet."
_EFFECTIVE = (
    "The first day the version is in force (today or later; by default today). A draw-down is "
    "routed by the version in force on the day it is submitted."
)


class RuleCreate(InputModel):
    name: Name
    description: Description = ""
    decider_role: Role = Field(description="Who decides within the limit: a role holding drawdowns:decide.")
    decider_directorate_id: uuid.UUID | None = Field(
        default=None,
        description="Only holders of the role for this directorate (or the whole organisation) decide.",
    )
    limit: Amount = Field(description=_LIMIT)
    limit_basis: LimitBasis = LimitBasis.cumulative_per_project_per_year
    funding_source_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="The sources it covers; empty: all of them."
    )
    consultee_roles: list[Role] = Field(
        default_factory=list, max_length=8, description="Roles that must record a view before a decision."
    )
    referral_body: ReferralBody = Field(default=ReferralBody.cabinet, description="Where requests above go.")
    council_limit: Amount | None = Field(default=None, description=_COUNCIL)
    is_active: bool = True
    effective_from: IsoDate | None = Field(default=None, description=_EFFECTIVE)

    @model_validator(mode="after")
    def _limits(self) -> RuleCreate:
        if self.council_limit is not None and self.council_limit <= self.limit:
            raise ValueError("council_limit must be above limit")
        return self


class RuleUpdate(InputModel):
    """Only the fields given change; each change makes a new version. `council_limit` and
    `decider_directorate_id` null remove them."""

    name: Name | None = None
    description: Description | None = None
    decider_role: Role | None = None
    decider_directorate_id: uuid.UUID | None = None
    limit: Amount | None = Field(default=None, description=_LIMIT)
    limit_basis: LimitBasis | None = None
    funding_source_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    consultee_roles: list[Role] | None = Field(default=None, max_length=8)
    referral_body: ReferralBody | None = None
    council_limit: Amount | None = Field(default=None, description=_COUNCIL)
    is_active: bool | None = None
    effective_from: IsoDate | None = Field(
        default=None,
        description=_EFFECTIVE + " Not before the date the latest version took effect.",
    )


class RuleFields(PublicModel):
    """A rule's own fields: what each version keeps (`RulePublic` adds what you may do)."""

    id: uuid.UUID
    name: str
    description: str
    decider_role: Role
    decider_directorate_id: uuid.UUID | None
    limit: Pounds
    limit_basis: LimitBasis
    funding_source_ids: list[uuid.UUID]
    consultee_roles: list[Role]
    referral_body: ReferralBody
    council_limit: Pounds | None
    is_active: bool
    version: int = Field(description="The rule's version: every change makes a new one.")
    created_at: datetime
    updated_at: datetime


class RulePublic(RuleFields):
    allowed_actions: list[RuleAction] = Field(
        description="What you may do to the rule now: the checks its routes make, run for you."
    )


class RuleVersionPublic(PublicModel):
    id: uuid.UUID
    rule_id: uuid.UUID
    version: int
    rule: dict[str, Any] = Field(description="The rule as it stood at this version (amounts in pounds).")
    effective_from: date = Field(description="The first day this version is in force.")
    created_at: datetime
    created_by_id: uuid.UUID | None


class RuleVersionEntry(RuleVersionPublic):
    """A version in the rule's history: what it changed and who made it."""

    changed: list[str] = Field(
        description="The fields that differ from the version before (all of them for the first)."
    )
    created_by_name: str | None = Field(description="Who made the version; null for the system.")
