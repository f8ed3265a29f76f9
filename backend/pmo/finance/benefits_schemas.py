"""Input and output models of the benefits register (DOMAIN.md section 7)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from pmo.core.money import MAX_PENCE, Pounds, pence_from_text
from pmo.core.periods import FinancialYearText
from pmo.core.references import BenefitReference
from pmo.core.schemas import Description, InputModel, Name, PublicModel


def _value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError('must be a string of pounds like "44000.00", not a JSON number')
    pence = pence_from_text(value)
    if pence < 0:
        raise ValueError("must not be negative: a dis-benefit's value is its cost, as a positive amount")
    if pence > MAX_PENCE:
        raise ValueError("is too large")
    return pence


# A profile value: zero or more. Zero is a real value (Appendix B shows "0" for a year with no
# saving yet), unlike a cost line's amount. The class says whether it is a gain or a cost.
BenefitValue = Annotated[
    int,
    BeforeValidator(_value),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{1,13}(\.\d{1,2})?$",
            "examples": ["44000.00"],
            "description": 'Pounds, zero or more, e.g. "44000.00".',
        }
    ),
]


class Category(StrEnum):
    customer = "customer"
    cultural = "cultural"
    financial = "financial"
    efficiency = "efficiency"


class BenefitClass(StrEnum):
    cashable = "cashable"
    non_cashable = "non_cashable"
    qualitative = "qualitative"
    dis_benefit = "dis_benefit"


class BenefitStatus(StrEnum):
    identified = "identified"
    planned = "planned"
    realising = "realising"
    realised = "realised"
    closed = "closed"


class ProfileEntryIn(InputModel):
    financial_year: FinancialYearText
    planned: BenefitValue | None = None
    forecast: BenefitValue | None = None
    actual: BenefitValue | None = None


Profile = Annotated[
    list[ProfileEntryIn],
    Field(max_length=50, description="One entry per financial year; a year at most once."),
]


class BenefitCreate(InputModel):
    programme_id: uuid.UUID | None = Field(default=None, description="Give exactly one of the two.")
    project_id: uuid.UUID | None = None
    title: Name
    description: Description = ""
    category: Category
    benefit_class: BenefitClass
    owner_id: uuid.UUID | None = None
    kpi_id: uuid.UUID | None = Field(
        default=None, description="The KPI that measures it (of your organisation)."
    )
    baseline: Annotated[str, Field(max_length=2_000)] = ""
    in_mtfp: bool = Field(default=False, description="A cashable benefit already counted in the MTFP.")
    status: BenefitStatus = BenefitStatus.identified
    profile: Profile = Field(default_factory=list, description="Not for a qualitative benefit.")


class BenefitUpdate(InputModel):
    title: Name | None = None
    description: Description | None = None
    category: Category | None = None
    benefit_class: BenefitClass | None = None
    owner_id: uuid.UUID | None = Field(default=None, description="`null` removes the owner.")
    kpi_id: uuid.UUID | None = Field(default=None, description="`null` removes the link.")
    baseline: Annotated[str, Field(max_length=2_000)] | None = None
    in_mtfp: bool | None = None
    status: BenefitStatus | None = None


NULLABLE_BENEFIT_FIELDS = frozenset({"owner_id", "kpi_id"})


class ProfileReplace(InputModel):
    profile: Profile


class ProfileEntryPublic(PublicModel):
    financial_year: str
    planned: Pounds | None
    forecast: Pounds | None
    actual: Pounds | None


class ProfileTotals(PublicModel):
    planned: Pounds
    forecast: Pounds
    actual: Pounds


class BenefitAction(StrEnum):
    """What can be done to a benefit (`allowed_actions`)."""

    edit = "edit"  # PATCH /benefits/{id}
    replace_profile = "replace_profile"  # PUT /benefits/{id}/profile
    delete = "delete"  # DELETE /benefits/{id}


class BenefitPublic(PublicModel):
    id: uuid.UUID
    reference: BenefitReference = Field(description="Unique in the organisation, never reused, e.g. B-0004.")
    programme_id: uuid.UUID | None
    project_id: uuid.UUID | None
    title: str
    description: str
    category: Category
    benefit_class: BenefitClass
    owner_id: uuid.UUID | None
    kpi_id: uuid.UUID | None
    baseline: str
    in_mtfp: bool
    status: BenefitStatus
    profile: list[ProfileEntryPublic] = Field(description="By financial year, earliest first.")
    totals: ProfileTotals = Field(description="Sums of the profile (a missing value counts as zero).")
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[BenefitAction] = Field(
        description="What you may do to the benefit now: the checks its routes make, run for you."
    )
