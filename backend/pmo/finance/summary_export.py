"""The financial summary as CSV and XLSX, in the tables of Appendix B of the Chesterfield report.

A CSV is one table (`SummaryTable` picks which); the XLSX has a sheet for each, after an
"About" sheet naming the organisation, the programme or portfolio and the basis:
the projects with their one-off investment and cashable benefits per year, the totals (total,
already in the MTFP, new, cumulative, recurring thereafter), the cost lines, the costs by
funding source, the draw-downs by funding source and the draw-downs themselves.

As in Appendix B ("Total Project Costs / (Cashable Benefits)"), costs are positive and
cashable benefits negative: the XLSX number format shows them in brackets, `(£44,000.00)`.
CSV cells hold pounds strings (`-44000.00`); XLSX cells hold numbers in pounds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from pmo.core.spreadsheet import Column, Kind, Table, label
from pmo.finance.summary_schemas import FinancialSummary, YearAmount

MONEY = Kind.money


class SummaryTable(StrEnum):
    """The tables of the summary: each is one CSV, and a sheet of the XLSX."""

    projects = "projects"
    totals = "totals"
    costs = "costs"
    cost_totals = "cost-totals"
    funding_sources = "funding-sources"
    drawdowns = "drawdowns"


def _benefits(values: list[YearAmount]) -> list[int]:
    return [-v.amount for v in values]


def about(summary: FinancialSummary) -> Table:
    return Table(
        "About",
        [Column("Field"), Column("Value")],
        [
            ["Financial summary", summary.scope_name],
            ["Organisation", summary.organisation],
            ["Scope", label(summary.scope)],
            ["Cashable benefits", f"{label(summary.basis.value)} values"],
            ["Sign", "As Appendix B: costs positive, (cashable benefits) negative"],
        ],
    )


def projects(summary: FinancialSummary) -> Table:
    columns = [
        Column("Reference"),
        Column("Activity"),
        Column("Programme"),
        Column("Project stage"),
        Column("Service area"),
        Column("One-off investment £", MONEY),
        Column("Resourcing £", MONEY),
        *(Column(f"Cashable benefits {y} £", MONEY) for y in summary.financial_years),
        Column("Cashable benefits total £", MONEY),
        Column("Already in MTFP £", MONEY),
        Column("New £", MONEY),
    ]
    rows = [
        [
            row.reference,
            row.name if row.level == "project" else f"{row.name} (programme)",
            row.programme_name,
            row.stage_name,
            row.service_area,
            row.one_off_investment,
            row.resourcing,
            *_benefits(row.cashable_benefits),
            -row.cashable_benefits_total,
            -row.already_in_mtfp,
            -row.new,
        ]
        for row in summary.rows
    ]
    return Table("Projects", columns, rows)


def totals(summary: FinancialSummary) -> Table:
    years = summary.financial_years
    t = summary.totals
    columns = [
        Column("Line"),
        Column("One-off investment £", MONEY),
        Column("Resourcing £", MONEY),
        *(Column(f"Cashable benefits {y} £", MONEY) for y in years),
        Column("Cashable benefits total £", MONEY),
    ]
    no_costs: list[int | None] = [None, None]
    rows: list[list[str | int | None]] = [
        [
            "Total project costs / (cashable benefits)",
            t.one_off_investment,
            t.resourcing,
            *_benefits(t.cashable_benefits),
            -t.cashable_benefits_total,
        ],
        [
            "(Cashable benefits) already in MTFP",
            *no_costs,
            *_benefits(t.already_in_mtfp),
            -t.already_in_mtfp_total,
        ],
        ["Total new cashable benefits", *no_costs, *_benefits(t.new), -t.new_total],
        ["Cumulative cashable benefits", *no_costs, *_benefits(t.cumulative), None],
        [
            "Recurring annual cashable benefits thereafter",
            *no_costs,
            *([None] * len(years)),
            -t.recurring_thereafter.total,
        ],
    ]
    return Table("Totals", columns, rows)


def costs(summary: FinancialSummary) -> Table:
    columns = [
        Column("Funding source"),
        Column("Kind"),
        Column("Project"),
        Column("Programme"),
        Column("Item or post"),
        Column("Grade"),
        *(Column(f"{y} £", MONEY) for y in summary.cost_years),
        Column("Total £", MONEY),
    ]
    rows = [
        [
            cost.funding_source_name or "(no funding source)",
            "One-off investment" if cost.kind == "one_off" else "Resourcing",
            cost.project_reference,
            cost.programme_name,
            cost.description,
            cost.grade,
            *(v.amount for v in cost.by_year),
            cost.total,
        ]
        for cost in summary.costs
    ]
    return Table("Costs", columns, rows)


def cost_totals(summary: FinancialSummary) -> Table:
    columns = [
        Column("Funding source"),
        *(Column(f"{y} £", MONEY) for y in summary.cost_years),
        Column("Total £", MONEY),
    ]
    rows: list[list[str | int | None]] = [
        [
            source.funding_source_name or "(no funding source)",
            *(v.amount for v in source.by_year),
            source.total,
        ]
        for source in summary.costs_by_funding_source
    ]
    rows.append(["All funding sources", *(v.amount for v in summary.costs_by_year), summary.costs_total])
    return Table("Costs by funding source", columns, rows)


def funding_sources(summary: FinancialSummary) -> Table:
    columns = [
        Column("Funding source"),
        Column("Opening balance £", MONEY),
        Column("Committed £", MONEY),
        Column("Remaining £", MONEY),
        Column("Approved £", MONEY),
        Column("Pending £", MONEY),
    ]
    rows: list[list[str | int | None]] = [
        [d.funding_source_name, d.opening_balance, d.committed, d.remaining, d.approved, d.pending]
        for d in summary.drawdowns_by_funding_source
    ]
    rows.append(
        ["All funding sources", None, None, None, summary.drawdowns_approved, summary.drawdowns_pending]
    )
    return Table("Draw-downs by funding source", columns, rows)


def drawdowns(summary: FinancialSummary) -> Table:
    columns = [
        Column("Reference"),
        Column("Project"),
        Column("Funding source"),
        Column("Financial year"),
        Column("Amount £", MONEY),
        Column("Status"),
        Column("Route"),
        Column("Decided at", Kind.timestamp),
        Column("Meeting"),
        Column("Meeting date", Kind.date),
        Column("Minute reference"),
    ]
    rows = [
        [
            line.reference,
            f"{line.project_reference} {line.project_name}",
            line.funding_source_name,
            line.financial_year,
            line.amount,
            label(line.status),
            label(line.route),
            line.decided_at,
            line.meeting_body,
            line.meeting_date,
            line.minute_reference,
        ]
        for line in summary.drawdowns
    ]
    return Table("Draw-downs", columns, rows)


TABLES: dict[SummaryTable, Callable[[FinancialSummary], Table]] = {
    SummaryTable.projects: projects,
    SummaryTable.totals: totals,
    SummaryTable.costs: costs,
    SummaryTable.cost_totals: cost_totals,
    SummaryTable.funding_sources: funding_sources,
    SummaryTable.drawdowns: drawdowns,
}


def workbook_tables(summary: FinancialSummary) -> list[Table]:
    """The XLSX's sheets: "About", then every table."""
    return [about(summary), *(make(summary) for make in TABLES.values())]


def file_name(summary: FinancialSummary, extension: str, table: SummaryTable | None = None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", summary.scope_name.lower()).strip("-")[:60] or summary.scope
    part = f"-{table.value}" if table else ""
    return f"financial-summary-{slug}-{summary.basis.value}{part}.{extension}"
