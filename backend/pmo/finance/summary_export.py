"""The financial summary as CSV and XLSX, laid out like Appendix B of the Chesterfield report:
a header block (organisation, programme or portfolio, basis), the project rows with their
one-off investment and cashable benefits per year, the totals rows (total, already in the
MTFP, new, cumulative, recurring thereafter), then the costs and draw-downs by funding source.

As in Appendix B ("Total Project Costs / (Cashable Benefits)"), costs are positive and
cashable benefits negative: the XLSX number format shows them in brackets, `(£44,000.00)`.
CSV cells hold pounds strings (`-44000.00`); XLSX cells hold numbers with two decimals.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from pmo.core.money import pounds_text
from pmo.core.spreadsheet import safe_text
from pmo.finance.summary_schemas import FinancialSummary, YearAmount

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
POUNDS_FORMAT = '"£"#,##0.00;("£"#,##0.00);"£"0.00'


@dataclass(frozen=True)
class Money:
    pence: int


@dataclass(frozen=True)
class Heading:
    text: str


Cell = str | Money | None
Line = list[Cell]


def _benefit(values: list[YearAmount]) -> list[Cell]:
    return [Money(-v.amount) for v in values]


def layout(summary: FinancialSummary) -> list[Line | Heading]:
    """The sheet as rows of text and money cells (`Heading`: a row in bold)."""
    years = summary.financial_years
    t = summary.totals
    lead = 5  # Reference, Activity, Programme, Project stage, Service area
    out: list[Line | Heading] = [
        Heading(f"Financial summary: {summary.scope_name}"),
        ["Organisation", summary.organisation],
        ["Scope", summary.scope.capitalize()],
        ["Cashable benefits", f"{summary.basis.value} values"],
        ["Sign", "As Appendix B: costs positive, (cashable benefits) negative"],
        [],
        Heading("Projects with indicative financial benefits"),
        [
            "Reference",
            "Activity",
            "Programme",
            "Project stage",
            "Service area",
            "One-off investment £",
            "Resourcing £",
            *(f"Cashable benefits {y} £" for y in years),
            "Cashable benefits total £",
            "Already in MTFP £",
            "New £",
        ],
    ]
    for row in summary.rows:
        out.append(
            [
                row.reference,
                row.name if row.level == "project" else f"{row.name} (programme)",
                row.programme_name,
                row.stage_name,
                row.service_area,
                Money(row.one_off_investment),
                Money(row.resourcing),
                *_benefit(row.cashable_benefits),
                Money(-row.cashable_benefits_total),
                Money(-row.already_in_mtfp),
                Money(-row.new),
            ]
        )
    blank: list[Cell] = [None] * (lead - 1)
    out += [
        [
            "Total project costs / (cashable benefits)",
            *blank,
            Money(t.one_off_investment),
            Money(t.resourcing),
            *_benefit(t.cashable_benefits),
            Money(-t.cashable_benefits_total),
            Money(-t.already_in_mtfp_total),
            Money(-t.new_total),
        ],
        [
            "(Cashable benefits) already in MTFP",
            *blank,
            None,
            None,
            *_benefit(t.already_in_mtfp),
            Money(-t.already_in_mtfp_total),
        ],
        ["Total new cashable benefits", *blank, None, None, *_benefit(t.new), Money(-t.new_total)],
        ["Cumulative cashable benefits", *blank, None, None, *_benefit(t.cumulative)],
        [
            "Recurring annual cashable benefits thereafter",
            *blank,
            None,
            None,
            *([None] * max(len(years) - 1, 0)),
            Money(-t.recurring_thereafter.total),
        ],
        [],
        Heading("Costs by funding source"),
        [
            "Funding source",
            "Kind",
            "Project",
            "Programme",
            "Item or post",
            "Grade",
            *(f"{y} £" for y in summary.cost_years),
            "Total £",
        ],
    ]
    for cost in summary.costs:
        out.append(
            [
                cost.funding_source_name or "(no funding source)",
                "One-off investment" if cost.kind == "one_off" else "Resourcing",
                cost.project_reference,
                cost.programme_name,
                cost.description,
                cost.grade,
                *(Money(v.amount) for v in cost.by_year),
                Money(cost.total),
            ]
        )
    for source in summary.costs_by_funding_source:
        out.append(
            [
                f"Total from {source.funding_source_name or '(no funding source)'}",
                *([None] * 5),
                *(Money(v.amount) for v in source.by_year),
                Money(source.total),
            ]
        )
    out += [
        [
            "Total costs",
            *([None] * 5),
            *(Money(v.amount) for v in summary.costs_by_year),
            Money(summary.costs_total),
        ],
        [],
        Heading("Draw-downs by funding source"),
        ["Funding source", "Opening balance £", "Committed £", "Remaining £", "Approved £", "Pending £"],
    ]
    for d in summary.drawdowns_by_funding_source:
        out.append(
            [
                d.funding_source_name,
                Money(d.opening_balance),
                Money(d.committed),
                Money(d.remaining),
                Money(d.approved),
                Money(d.pending),
            ]
        )
    out += [
        ["Total", None, None, None, Money(summary.drawdowns_approved), Money(summary.drawdowns_pending)],
        [],
        Heading("Draw-downs"),
        [
            "Reference",
            "Project",
            "Funding source",
            "Financial year",
            "Amount £",
            "Status",
            "Route",
            "Decided",
            "Meeting",
            "Meeting date",
            "Minute reference",
        ],
    ]
    for line in summary.drawdowns:
        out.append(
            [
                line.reference,
                f"{line.project_reference} {line.project_name}",
                line.funding_source_name,
                line.financial_year,
                Money(line.amount),
                line.status,
                line.route,
                line.decided_at.date().isoformat() if line.decided_at else None,
                line.meeting_body,
                line.meeting_date.isoformat() if line.meeting_date else None,
                line.minute_reference,
            ]
        )
    return out


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Money):
        return pounds_text(cell.pence)
    return safe_text(cell)


def to_csv(summary: FinancialSummary) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in layout(summary):
        writer.writerow([safe_text(line.text)] if isinstance(line, Heading) else [_text(c) for c in line])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(summary: FinancialSummary) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:  # a new workbook always has one sheet
        sheet = workbook.create_sheet()
    sheet.title = "Financial summary"
    bold = Font(bold=True)
    for number, line in enumerate(layout(summary), start=1):
        if isinstance(line, Heading):
            sheet.cell(row=number, column=1, value=safe_text(line.text)).font = bold
            continue
        for column, cell in enumerate(line, start=1):
            if isinstance(cell, Money):
                target = sheet.cell(row=number, column=column, value=Decimal(cell.pence) / 100)
                target.number_format = POUNDS_FORMAT
            elif cell is not None:
                sheet.cell(row=number, column=column, value=_text(cell))
    sheet.column_dimensions["B"].width = 60
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def file_name(summary: FinancialSummary, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", summary.scope_name.lower()).strip("-")[:60] or summary.scope
    return f"financial-summary-{slug}-{summary.basis.value}.{extension}"
