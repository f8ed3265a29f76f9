"""Input and output models of funding sources (reserves and budgets)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from pmo.core.money import Amount, Pounds
from pmo.core.periods import FinancialYearText, parse_financial_year
from pmo.core.schemas import Description, InputModel, Name, PublicModel


class FundingKind(StrEnum):
    reserve = "reserve"
    revenue_budget = "revenue_budget"
    capital_budget = "capital_budget"
    capital_receipts = "capital_receipts"
    grant = "grant"
    other = "other"


class FundingSourceAction(StrEnum):
    """What can be done to a funding source (`allowed_actions`)."""

    edit = "edit"  # PATCH /funding-sources/{id}: its details, balance, years, or open/closed
    delete = "delete"  # DELETE /funding-sources/{id}: only one no draw-down was ever requested from


class FundingStatus(StrEnum):
    open = "open"  # draw-downs may be requested and approved
    closed = "closed"  # nothing new is drawn; what was approved stays committed


def _years_in_order(first: str | None, last: str | None) -> None:
    if first and last and parse_financial_year(last).start_year < parse_financial_year(first).start_year:
        raise ValueError("last_year must not be before first_year")


class FundingSourceCreate(InputModel):
    name: Name
    kind: FundingKind
    description: Description = ""
    opening_balance: Amount = Field(description='What the reserve or budget holds, e.g. "555000.00".')
    first_year: FinancialYearText | None = Field(
        default=None, description="The first financial year it may be drawn in (none: no limit)."
    )
    last_year: FinancialYearText | None = Field(
        default=None, description="The last financial year it may be drawn in (none: no limit)."
    )

    @model_validator(mode="after")
    def _order(self) -> FundingSourceCreate:
        _years_in_order(self.first_year, self.last_year)
        return self


class FundingSourceUpdate(InputModel):
    """Only the fields given change. `first_year`/`last_year` null removes that limit."""

    name: Name | None = None
    kind: FundingKind | None = None
    description: Description | None = None
    opening_balance: Amount | None = Field(
        default=None, description="Never below what is already committed (409)."
    )
    first_year: FinancialYearText | None = None
    last_year: FinancialYearText | None = None
    status: FundingStatus | None = Field(
        default=None, description="`closed`: no new draw-downs are requested or approved against it."
    )


class FundingSourcePublic(PublicModel):
    id: uuid.UUID
    name: str
    kind: FundingKind
    description: str
    opening_balance: Pounds
    committed: Pounds = Field(description="The sum of the approved draw-downs.")
    pending: Pounds = Field(description="The sum of the draw-downs awaiting consultation or a decision.")
    remaining: Pounds = Field(description="opening_balance - committed; never below zero.")
    first_year: str | None
    last_year: str | None
    status: FundingStatus
    created_at: datetime
    updated_at: datetime
    version: int
    allowed_actions: list[FundingSourceAction] = Field(
        description="What you may do to the source now: the checks its routes make, run for you."
    )
