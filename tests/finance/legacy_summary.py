"""The financial summary as it was built before issue 16 summed its cost lines in SQL: every
cost line read and grouped in Python. Kept as the oracle `test_summary_same_answer` compares
the service with (byte for byte, every scope of the demo and of a small scale council, each
basis, both forms).

Copied from `pmo.finance.summary_service` at 9443f1e.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy
from sqlmodel import Session, col, select

from pmo.core.pagination import public_url_of
from pmo.core.permissions import Actor
from pmo.finance.costs_service import own
from pmo.finance.models import Benefit, BenefitProfileEntry, CostLine, FundingSource
from pmo.finance.summary_schemas import (
    Basis,
    CostRow,
    CostSourceTotal,
    FinancialSummary,
    Recurring,
    SummaryLines,
    SummaryRow,
    SummaryTotals,
    YearAmount,
)
from pmo.finance.summary_service import _drawdown_totals, _line, _lines_query
from pmo.gates.models import Lifecycle
from pmo.organisations.models import Directorate, Organisation
from pmo.portfolio.models import Portfolio, Programme, Project

# What the summary reads of each record, as rows of columns rather than ORM objects: at 2,000
# projects and their cost lines, building the objects cost more than the queries.
PROJECT_COLUMNS = (
    col(Project.id),
    col(Project.programme_id),
    col(Project.reference),
    col(Project.name),
    col(Project.lead_directorate_id),
    col(Project.lifecycle_id),
    col(Project.stage),
)
COST_LINE_COLUMNS = (
    col(CostLine.project_id),
    col(CostLine.programme_id),
    col(CostLine.funding_source_id),
    col(CostLine.kind),
    col(CostLine.description),
    col(CostLine.grade),
    col(CostLine.financial_year),
    col(CostLine.amount_pence),
)


@dataclass
class _Row:
    programme: Programme
    project: Any  # a row of PROJECT_COLUMNS, or None for the programme's own row
    one_off: int = 0
    resourcing: int = 0
    benefits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    in_mtfp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    has_records: bool = False


def _years(values: dict[str, int], years: list[str]) -> list[YearAmount]:
    return [YearAmount(financial_year=y, amount=values.get(y, 0)) for y in years]


def programme_summary(
    session: Session,
    actor: Actor,
    programme_id: uuid.UUID,
    basis: Basis,
    lines: SummaryLines = SummaryLines.all,
) -> FinancialSummary:
    programme: Programme = own(session, actor, Programme, programme_id, "programme")
    return _summary(session, actor, "programme", programme.id, programme.name, [programme], basis, lines)


def portfolio_summary(
    session: Session,
    actor: Actor,
    portfolio_id: uuid.UUID,
    basis: Basis,
    lines: SummaryLines = SummaryLines.all,
) -> FinancialSummary:
    portfolio: Portfolio = own(session, actor, Portfolio, portfolio_id, "portfolio")
    programmes = list(
        session.execute(
            select(Programme).where(Programme.portfolio_id == portfolio.id).order_by(col(Programme.name))
        ).scalars()
    )
    return _summary(session, actor, "portfolio", portfolio.id, portfolio.name, programmes, basis, lines)


def _summary(
    session: Session,
    actor: Actor,
    scope: str,
    scope_id: uuid.UUID,
    scope_name: str,
    programmes: list[Programme],
    basis: Basis,
    lines: SummaryLines,
) -> FinancialSummary:
    listed = lines == SummaryLines.all
    programme_ids = [p.id for p in programmes]
    projects = (
        session.connection()
        .execute(
            sqlalchemy.select(*PROJECT_COLUMNS)
            .where(col(Project.programme_id).in_(programme_ids))
            .order_by(col(Project.reference))
        )
        .all()
    )
    rows: dict[tuple[uuid.UUID, uuid.UUID | None], _Row] = {}
    for programme in programmes:
        rows[(programme.id, None)] = _Row(programme, None)
    by_programme = {p.id: p for p in programmes}
    for project in projects:
        rows[(project.programme_id, project.id)] = _Row(by_programme[project.programme_id], project)
    by_project = {p.id: p for p in projects}

    def row_of(record: Any) -> _Row:
        if record.project_id is not None:
            return rows[(by_project[record.project_id].programme_id, record.project_id)]
        return rows[(record.programme_id, None)]

    # The scope's projects as a subquery: 2,000 bound ids cost more to send than to look up.
    scope_projects = sqlalchemy.select(col(Project.id)).where(col(Project.programme_id).in_(programme_ids))
    in_scope = col(CostLine.project_id).in_(scope_projects) | col(CostLine.programme_id).in_(programme_ids)
    cost_lines = session.connection().execute(sqlalchemy.select(*COST_LINE_COLUMNS).where(in_scope)).all()
    for line in cost_lines:
        row = row_of(line)
        row.has_records = True
        if line.kind == "one_off":
            row.one_off += line.amount_pence
        else:
            row.resourcing += line.amount_pence

    benefits = (
        session.connection()
        .execute(
            sqlalchemy.select(
                col(Benefit.id), col(Benefit.project_id), col(Benefit.programme_id), col(Benefit.in_mtfp)
            ).where(
                col(Benefit.benefit_class) == "cashable",
                (col(Benefit.project_id).in_(scope_projects))
                | (col(Benefit.programme_id).in_(programme_ids)),
            )
        )
        .all()
    )
    by_benefit = {b.id: b for b in benefits}
    for benefit in benefits:
        row_of(benefit).has_records = True
    years: set[str] = set()
    basis_column = getattr(BenefitProfileEntry, f"{basis.value}_pence")
    for benefit_id, financial_year, value in (
        session.connection()
        .execute(
            sqlalchemy.select(
                col(BenefitProfileEntry.benefit_id), col(BenefitProfileEntry.financial_year), basis_column
            ).where(col(BenefitProfileEntry.benefit_id).in_(list(by_benefit)))
        )
        .all()
    ):
        years.add(financial_year)
        if value is None:
            continue
        benefit = by_benefit[benefit_id]
        row = row_of(benefit)
        row.benefits[financial_year] += value
        if benefit.in_mtfp:
            row.in_mtfp[financial_year] += value
    financial_years = sorted(years)

    shown = [r for r in rows.values() if r.has_records]
    # Appendix B's order: by programme, its projects by reference, then the programme's own row.
    order = {p.id: i for i, p in enumerate(programmes)}
    shown.sort(
        key=lambda r: (order[r.programme.id], r.project is None, r.project.reference if r.project else "")
    )
    # Names read once for every row (one query each, not two per row).
    of_organisation = Directorate.organisation_id == actor.organisation_id
    names = select(Directorate.id, Directorate.name).where(of_organisation)
    service_areas = dict(session.execute(names).all())
    stage_names = {
        lifecycle.id: {str(s["key"]): str(s["name"]) for s in lifecycle.stages}
        for lifecycle in session.execute(
            select(Lifecycle).where(Lifecycle.organisation_id == actor.organisation_id)
        ).scalars()
    }
    summary_rows = [_summary_row(r, financial_years, service_areas, stage_names) for r in shown]

    def total(name: str) -> dict[str, int]:
        result: dict[str, int] = defaultdict(int)
        for r in shown:
            for year, value in getattr(r, name).items():
                result[year] += value
        return result

    cashable, mtfp = total("benefits"), total("in_mtfp")
    new = {y: cashable.get(y, 0) - mtfp.get(y, 0) for y in financial_years}
    cumulative: dict[str, int] = {}
    running = 0
    for year in financial_years:
        running += cashable.get(year, 0)
        cumulative[year] = running
    last = financial_years[-1] if financial_years else None
    totals = SummaryTotals(
        one_off_investment=sum(r.one_off for r in shown),
        resourcing=sum(r.resourcing for r in shown),
        cashable_benefits=_years(cashable, financial_years),
        cashable_benefits_total=sum(cashable.values()),
        already_in_mtfp=_years(mtfp, financial_years),
        already_in_mtfp_total=sum(mtfp.values()),
        new=_years(new, financial_years),
        new_total=sum(new.values()),
        cumulative=_years(cumulative, financial_years),
        recurring_thereafter=Recurring(
            total=cashable.get(last, 0) if last else 0,
            already_in_mtfp=mtfp.get(last, 0) if last else 0,
            new=new.get(last, 0) if last else 0,
        ),
    )
    sources = {
        s.id: s
        for s in session.execute(
            select(FundingSource).where(FundingSource.organisation_id == actor.organisation_id)
        ).scalars()
    }
    cost_years, costs, costs_count, costs_by_source, costs_by_year = _costs(
        cost_lines, by_project, by_programme, sources, listed
    )
    drawdown_totals, drawdowns_count = _drawdown_totals(session, programme_ids, sources)
    drawdown_lines = (
        [_line(row) for row in session.execute(_lines_query(programme_ids)).all()] if listed else []
    )
    return FinancialSummary(
        organisation=session.get_one(Organisation, actor.organisation_id).name,
        scope=scope,
        scope_id=scope_id,
        scope_name=scope_name,
        basis=basis,
        financial_years=financial_years,
        rows=summary_rows,
        totals=totals,
        cost_years=cost_years,
        costs=costs,
        costs_count=costs_count,
        costs_by_funding_source=costs_by_source,
        costs_by_year=_years(costs_by_year, cost_years),
        costs_total=sum(costs_by_year.values()),
        drawdowns_by_funding_source=drawdown_totals,
        drawdowns_approved=sum(t.approved for t in drawdown_totals),
        drawdowns_pending=sum(t.pending for t in drawdown_totals),
        drawdowns=drawdown_lines,
        drawdowns_count=drawdowns_count,
        drawdowns_url=public_url_of(f"/api/v1/{scope}s/{scope_id}/financial-summary/drawdowns"),
    )


def _summary_row(
    row: _Row,
    years: list[str],
    service_areas: dict[uuid.UUID, str],
    stage_names: dict[uuid.UUID, dict[str, str]],
) -> SummaryRow:
    project = row.project
    directorate_id = project.lead_directorate_id if project else row.programme.lead_directorate_id
    service_area = service_areas.get(directorate_id) if directorate_id is not None else None
    stage_name = (
        stage_names.get(project.lifecycle_id, {}).get(project.stage, project.stage) if project else None
    )
    total = sum(row.benefits.values())
    mtfp = sum(row.in_mtfp.values())
    return SummaryRow(
        level="project" if project else "programme",
        project_id=project.id if project else None,
        reference=project.reference if project else None,
        name=project.name if project else row.programme.name,
        programme_id=row.programme.id,
        programme_name=row.programme.name,
        stage=project.stage if project else None,
        stage_name=stage_name,
        service_area=service_area,
        one_off_investment=row.one_off,
        resourcing=row.resourcing,
        cashable_benefits=_years(row.benefits, years),
        cashable_benefits_total=total,
        already_in_mtfp=mtfp,
        new=total - mtfp,
    )


def _costs(
    lines: Sequence[Any],  # rows of COST_LINE_COLUMNS
    projects: dict[uuid.UUID, Any],  # rows of PROJECT_COLUMNS
    programmes: dict[uuid.UUID, Programme],
    sources: dict[uuid.UUID, FundingSource],
    listed: bool,
) -> tuple[list[str], list[CostRow], int, list[CostSourceTotal], dict[str, int]]:
    """The cost rows (only counted unless `listed`), the totals by source and by year."""
    years = sorted({line.financial_year for line in lines})
    groups: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_source: dict[uuid.UUID | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_year: dict[str, int] = defaultdict(int)
    for line in lines:
        project = projects.get(line.project_id) if line.project_id else None
        programme = programmes[project.programme_id if project else line.programme_id]
        key = (
            line.funding_source_id,
            line.kind,
            project.reference if project else None,
            programme.name,
            line.description,
            line.grade,
        )
        groups[key][line.financial_year] += line.amount_pence
        by_source[line.funding_source_id][line.financial_year] += line.amount_pence
        by_year[line.financial_year] += line.amount_pence

    def source_name(source_id: uuid.UUID | None) -> str | None:
        return sources[source_id].name if source_id in sources else None

    def source_order(source_id: uuid.UUID | None) -> tuple[bool, str]:
        return source_id is None, source_name(source_id) or ""

    rows = [
        CostRow(
            funding_source_id=key[0],
            funding_source_name=source_name(key[0]),
            kind=key[1],
            project_reference=key[2],
            programme_name=key[3],
            description=key[4],
            grade=key[5],
            by_year=_years(values, years),
            total=sum(values.values()),
        )
        for key, values in sorted(
            groups.items() if listed else (),
            key=lambda item: (*source_order(item[0][0]), item[0][1], item[0][2] or "", item[0][3:5]),
        )
    ]
    totals = [
        CostSourceTotal(
            funding_source_id=source_id,
            funding_source_name=source_name(source_id),
            by_year=_years(values, years),
            total=sum(values.values()),
        )
        for source_id, values in sorted(by_source.items(), key=lambda item: source_order(item[0]))
    ]
    return years, rows, len(groups), totals, by_year
