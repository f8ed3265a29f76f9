"""The financial summary of a programme or portfolio, laid out like Appendix B of the
Chesterfield report (seed 002): per project its stage, service area, one-off investment and
cashable benefits per financial year; totals; the MTFP split; costs and draw-downs by
funding source. Every amount is pence inside and a pounds string in JSON; every total is the
exact sum of its lines."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from pmo.core.money import Pounds
from pmo.core.references import DrawdownReference, ProjectReference
from pmo.core.schemas import PublicModel


class Basis(StrEnum):
    planned = "planned"
    forecast = "forecast"
    actual = "actual"


class SummaryLines(StrEnum):
    """Whether the summary lists its cost lines and draw-downs (`all`, as in 1.0.0) or only
    totals them (`none`)."""

    all = "all"
    none = "none"


class YearAmount(PublicModel):
    financial_year: str
    amount: Pounds


class SummaryRow(PublicModel):
    """A project, or (`level` "programme") the programme's own lines and benefits."""

    level: str = Field(description='"project", or "programme" for records held by the programme itself.')
    project_id: uuid.UUID | None
    reference: ProjectReference | None
    name: str = Field(description="The project, or the programme for a programme-level row.")
    programme_id: uuid.UUID
    programme_name: str
    stage: str | None = Field(description="The project's stage key, e.g. design_develop.")
    stage_name: str | None = Field(description='e.g. "Design and develop".')
    service_area: str | None = Field(description="The lead directorate.")
    one_off_investment: Pounds = Field(description="The sum of its one-off cost lines, all years.")
    resourcing: Pounds = Field(description="The sum of its resourcing cost lines, all years.")
    cashable_benefits: list[YearAmount] = Field(description="One per financial year of the summary.")
    cashable_benefits_total: Pounds
    already_in_mtfp: Pounds = Field(description="The part of the total already counted in the MTFP.")
    new: Pounds = Field(description="The part of the total not yet in the MTFP.")


class Recurring(PublicModel):
    total: Pounds
    already_in_mtfp: Pounds
    new: Pounds


class SummaryTotals(PublicModel):
    one_off_investment: Pounds
    resourcing: Pounds
    cashable_benefits: list[YearAmount]
    cashable_benefits_total: Pounds
    already_in_mtfp: list[YearAmount]
    already_in_mtfp_total: Pounds
    new: list[YearAmount]
    new_total: Pounds
    cumulative: list[YearAmount] = Field(description="Cashable benefits to the end of each year.")
    recurring_thereafter: Recurring = Field(
        description="The last year's cashable benefits, which continue each year after it."
    )


class CostRow(PublicModel):
    funding_source_id: uuid.UUID | None
    funding_source_name: str | None
    kind: str
    project_reference: ProjectReference | None = Field(description="`null`: a line of the programme itself.")
    programme_name: str
    description: str
    grade: str | None
    by_year: list[YearAmount] = Field(description="One per year of `cost_years`.")
    total: Pounds


class CostSourceTotal(PublicModel):
    funding_source_id: uuid.UUID | None
    funding_source_name: str | None
    by_year: list[YearAmount]
    total: Pounds


class DrawdownSourceTotal(PublicModel):
    funding_source_id: uuid.UUID
    funding_source_name: str
    opening_balance: Pounds = Field(description="The source's opening balance (organisation-wide).")
    committed: Pounds = Field(description="Approved against the source, all projects (organisation-wide).")
    remaining: Pounds = Field(description="Opening balance less committed (organisation-wide).")
    approved: Pounds = Field(description="Approved draw-downs of the summary's projects.")
    pending: Pounds = Field(description="Draw-downs in consultation, awaiting decision or referred.")


class DrawdownLine(PublicModel):
    id: uuid.UUID
    reference: DrawdownReference
    project_reference: ProjectReference
    project_name: str
    funding_source_name: str
    financial_year: str
    amount: Pounds
    status: str
    route: str
    decided_at: datetime | None
    meeting_body: str | None
    meeting_date: date | None
    minute_reference: str | None


class FinancialSummary(PublicModel):
    organisation: str
    scope: str = Field(description='"programme" or "portfolio".')
    scope_id: uuid.UUID
    scope_name: str
    basis: Basis = Field(description="Which profile values the cashable benefits are.")
    financial_years: list[str] = Field(description="The years of the benefits columns, earliest first.")
    rows: list[SummaryRow]
    totals: SummaryTotals
    cost_years: list[str]
    costs: list[CostRow] = Field(
        description="The cost lines, grouped as Appendix B groups them; empty with `lines=none` "
        "(the `.csv` operation's `table=costs` lists them)."
    )
    costs_count: int = Field(description="How many rows `costs` has with `lines=all`.")
    costs_by_funding_source: list[CostSourceTotal]
    costs_by_year: list[YearAmount]
    costs_total: Pounds
    drawdowns_by_funding_source: list[DrawdownSourceTotal]
    drawdowns_approved: Pounds
    drawdowns_pending: Pounds
    drawdowns: list[DrawdownLine] = Field(
        description="Every approved or pending draw-down of the summary's projects, by reference; "
        "empty with `lines=none` (page them from `drawdowns_url`)."
    )
    drawdowns_count: int = Field(description="How many approved or pending draw-downs there are.")
    drawdowns_url: str = Field(
        description="The paged list of those draw-downs (absolute URL), as `drawdowns` lists them."
    )
