"""Input and output models of cost lines: one-off investment items and resourcing lines."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from pmo.core.money import Amount, Pounds
from pmo.core.periods import FinancialYearText
from pmo.core.schemas import InputModel, PublicModel, _Clean

Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _Clean]
Grade = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), _Clean]


class CostKind(StrEnum):
    one_off = "one_off"  # an item of one-off investment
    resourcing = "resourcing"  # a post (with its grade) or other resource


class CostLineCreate(InputModel):
    programme_id: uuid.UUID | None = Field(default=None, description="Give exactly one of the two.")
    project_id: uuid.UUID | None = None
    kind: CostKind
    description: Item = Field(description='The item, or the post\'s title, e.g. "Business Analyst x 2".')
    grade: Grade | None = Field(
        default=None, description='A post\'s grade, e.g. "Grade 12"; resourcing only.'
    )
    amount: Amount
    financial_year: FinancialYearText
    funding_source_id: uuid.UUID | None = Field(default=None, description="A funding source of yours.")


class CostLineUpdate(InputModel):
    kind: CostKind | None = None
    description: Item | None = None
    grade: Grade | None = Field(default=None, description="`null` removes it.")
    amount: Amount | None = None
    financial_year: FinancialYearText | None = None
    funding_source_id: uuid.UUID | None = Field(default=None, description="`null` removes it.")


class CostLineAction(StrEnum):
    """What can be done to a cost line (`allowed_actions`)."""

    edit = "edit"  # PATCH /cost-lines/{id}
    delete = "delete"  # DELETE /cost-lines/{id}


# Fields of CostLineUpdate that may be set to null.
NULLABLE_COST_FIELDS = frozenset({"grade", "funding_source_id"})


class CostLinePublic(PublicModel):
    id: uuid.UUID
    programme_id: uuid.UUID | None
    project_id: uuid.UUID | None
    kind: CostKind
    description: str
    grade: str | None
    amount: Pounds
    financial_year: str
    funding_source_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[CostLineAction] = Field(
        description="What you may do to the line now: the checks its routes make, run for you."
    )


class YearTotal(PublicModel):
    financial_year: str
    amount: Pounds


class KindTotal(PublicModel):
    kind: CostKind
    amount: Pounds


class FundingSourceTotal(PublicModel):
    funding_source_id: uuid.UUID | None = Field(description="`null`: lines with no funding source.")
    funding_source_name: str | None
    amount: Pounds


class CostTotals(PublicModel):
    """Exact sums (in pence, shown as pounds) of the lines that match the filters."""

    count: int
    total: Pounds
    by_financial_year: list[YearTotal]
    by_kind: list[KindTotal]
    by_funding_source: list[FundingSourceTotal]
