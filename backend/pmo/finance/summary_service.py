"""The financial summary of a programme or a portfolio (`summary_schemas`), worked out from
the cost lines, the benefits register and the draw-downs.

How each figure is made (all in integer pence, so every total is the exact sum of its lines):

* a row per project that has a cost line or a cashable benefit, and a programme-level row
  for a programme that holds such records itself;
* one-off investment: the sum of the row's `one_off` cost lines (all years); resourcing:
  of its `resourcing` lines;
* cashable benefits per year: the `basis` value (planned, forecast or actual) of the
  row's cashable benefits' profiles, a missing value counting as zero; non-cashable,
  qualitative and dis-benefits are not cashable and are left out;
* already in the MTFP / new: the same split by the benefit's `in_mtfp` flag;
* the years are those of the cashable profiles in the scope; cumulative is the running sum;
  "recurring thereafter" is the last year's total (and its split), which the benefits are
  expected to keep delivering each year after it (as Appendix B's £392k after 2025/26);
* costs by funding source: the cost lines grouped by funding source, kind, holder, item and
  grade, per financial year;
* draw-downs per funding source: approved, and pending (in consultation, awaiting decision
  or referred) draw-downs of the scope's projects, with the sources' balances.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy
from sqlalchemy import and_, case, func
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from pmo.audit.models import AuditChainHead
from pmo.core.config import get_settings
from pmo.core.etag import tag_of
from pmo.core.pagination import PageParams, paginate, public_url_of
from pmo.core.permissions import Actor
from pmo.core.schemas import Page
from pmo.core.written_cache import MEGABYTE, WrittenCache
from pmo.finance.costs_service import own
from pmo.finance.models import Benefit, BenefitProfileEntry, CostLine, Drawdown, FundingSource
from pmo.finance.summary_schemas import (
    Basis,
    CostRow,
    CostSourceTotal,
    DrawdownLine,
    DrawdownSourceTotal,
    FinancialSummary,
    Recurring,
    SummaryLines,
    SummaryRow,
    SummaryTotals,
    YearAmount,
)
from pmo.gates.models import Lifecycle
from pmo.organisations.models import Directorate, Organisation
from pmo.portfolio.models import Portfolio, Programme, Project

PENDING = ("consultation", "awaiting_decision", "referred")
APPROVED = "approved"


# What the summary reads of each record, as rows of columns rather than ORM objects: at 2,000
# projects and their cost lines, building the objects cost more than the queries.
PROJECT_COLUMNS = (
    col(Project.id),
    col(Project.programme_id),
    col(Project.reference),
    col(Project.name),
    col(Project.lifecycle_id),
    col(Project.stage),
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
    service_area: str | None = None  # a project's lead directorate (a programme's: looked up)


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
    return _programme_summary(session, actor, programme, basis, lines)


def _programme_summary(
    session: Session, actor: Actor, programme: Programme, basis: Basis, lines: SummaryLines
) -> FinancialSummary:
    return _summary(session, actor, "programme", programme.id, programme.name, [programme], basis, lines)


def portfolio_summary(
    session: Session,
    actor: Actor,
    portfolio_id: uuid.UUID,
    basis: Basis,
    lines: SummaryLines = SummaryLines.all,
) -> FinancialSummary:
    portfolio: Portfolio = own(session, actor, Portfolio, portfolio_id, "portfolio")
    return _portfolio_summary(session, actor, portfolio, basis, lines)


def _portfolio_summary(
    session: Session, actor: Actor, portfolio: Portfolio, basis: Basis, lines: SummaryLines
) -> FinancialSummary:
    programmes = list(
        session.execute(
            select(Programme).where(Programme.portfolio_id == portfolio.id).order_by(col(Programme.name))
        ).scalars()
    )
    return _summary(session, actor, "portfolio", portfolio.id, portfolio.name, programmes, basis, lines)


# Written-out JSON summaries -------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenSummary:
    body: bytes  # the summary's JSON
    etag: str


# Summaries written out, at most `PMO_SUMMARY_CACHE_MB` a process, by what they are of and the
# organisation's audit chain head. Every write in an organisation appends to its audit chain in
# the same transaction (`pmo.audit.service.record`), and the head is read from the database
# on every request before anything else of the summary, so a summary is only found again while
# nothing in its organisation has changed since it was made (in any process), and one made
# while a change committed holds that change or a later one, never an earlier state. At 2,000
# projects and 20,000 draw-downs the 1.0.0 form takes some 330 ms to work out and 6.6 MB to hold.
WRITTEN: WrittenCache[WrittenSummary] = WrittenCache()


# What each scope of a summary is, and how its summary is worked out from its record.
_SCOPES: dict[str, tuple[Any, Callable[..., FinancialSummary]]] = {
    "programme": (Programme, _programme_summary),
    "portfolio": (Portfolio, _portfolio_summary),
}


def summary_json(
    session: Session,
    actor: Actor,
    scope: str,  # "programme" or "portfolio"
    scope_id: uuid.UUID,
    basis: Basis,
    lines: SummaryLines,
) -> WrittenSummary:
    """The scope's summary in that form as JSON: kept, or worked out and kept. The 404 of a
    scope of another organisation either way."""
    # The head first: whatever the summary is made of is read after it, so at that head or later.
    head = session.execute(
        sqlalchemy.select(col(AuditChainHead.last_hash)).where(
            col(AuditChainHead.organisation_id) == actor.organisation_id
        )
    ).scalar_one()
    model, make = _SCOPES[scope]
    record = own(session, actor, model, scope_id, scope)
    # The public URL too: `drawdowns_url` is written from it.
    key = (actor.organisation_id, head, get_settings().public_url, scope, record.id, basis, lines)
    written = WRITTEN.get(key)
    if written is None:
        summary = make(session, actor, record, basis, lines)
        body = summary.model_dump_json().encode()
        written = WrittenSummary(body, tag_of(summary, body))
        WRITTEN.put(key, written, max_bytes=get_settings().summary_cache_mb * MEGABYTE)
    return written


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
    by_programme = {p.id: p for p in programmes}
    # The scope's projects as a subquery: 2,000 bound ids cost more to send than to look up.
    scope_projects = sqlalchemy.select(col(Project.id)).where(col(Project.programme_id).in_(programme_ids))
    # A cost line or a benefit belongs to exactly one of a project or a programme.
    costs_in_scope = col(CostLine.project_id).in_(scope_projects) | col(CostLine.programme_id).in_(
        programme_ids
    )
    connection = session.connection()
    # The scope's projects and programmes by id (random UUIDs: one dict holds both).
    rows: dict[uuid.UUID, _Row] = {p.id: _Row(p, None) for p in programmes}
    # Each project with its service area and its cost lines summed by kind, in one read: at 2,000
    # projects, reading every cost line to sum it cost more than the rest of the summary.
    for project in connection.execute(_projects_with_costs(programme_ids, scope_projects, actor)).all():
        row = rows[project.id] = _Row(by_programme[project.programme_id], project)
        row.service_area = project.service_area
        if project.one_off is not None:
            row.one_off, row.resourcing, row.has_records = project.one_off, project.resourcing, True
    for programme_id, one_off, resourcing in connection.execute(
        _summed_by_kind(CostLine.programme_id).where(col(CostLine.programme_id).in_(programme_ids))
    ).all():
        row = rows[programme_id]
        row.one_off, row.resourcing, row.has_records = one_off, resourcing, True

    def row_of(record: Any) -> _Row:
        return rows[record.project_id if record.project_id is not None else record.programme_id]

    benefits = connection.execute(
        sqlalchemy.select(
            col(Benefit.id), col(Benefit.project_id), col(Benefit.programme_id), col(Benefit.in_mtfp)
        ).where(
            col(Benefit.benefit_class) == "cashable",
            (col(Benefit.project_id).in_(scope_projects)) | (col(Benefit.programme_id).in_(programme_ids)),
        )
    ).all()
    by_benefit = {b.id: b for b in benefits}
    for benefit in benefits:
        row_of(benefit).has_records = True
    years: set[str] = set()
    basis_column = getattr(BenefitProfileEntry, f"{basis.value}_pence")
    for benefit_id, financial_year, value in connection.execute(
        sqlalchemy.select(
            col(BenefitProfileEntry.benefit_id), col(BenefitProfileEntry.financial_year), basis_column
        ).where(col(BenefitProfileEntry.benefit_id).in_(list(by_benefit)))
    ).all():
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
    programme_service_areas = _programme_service_areas(session, actor, [r.programme for r in shown])
    stage_names = {
        lifecycle.id: {str(s["key"]): str(s["name"]) for s in lifecycle.stages}
        for lifecycle in session.execute(
            select(Lifecycle).where(Lifecycle.organisation_id == actor.organisation_id)
        ).scalars()
    }
    summary_rows = [_summary_row(r, financial_years, programme_service_areas, stage_names) for r in shown]

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
        session, costs_in_scope, rows, sources, listed
    )
    drawdown_totals, drawdowns_count = _drawdown_totals(session, programme_ids, sources)
    drawdown_lines = (
        # Core's execution: the ORM's row handling cost as much again for 20,000 rows.
        [_line(row) for row in session.connection().execute(_lines_query(programme_ids)).all()]
        if listed
        else []
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


def _summed_by_kind(holder: Any) -> Select[Any]:
    """Cost lines summed per holder (a project or programme column): one-off, and the rest
    (resourcing), as Appendix B's two columns."""
    one_off = col(CostLine.kind) == "one_off"
    amount = col(CostLine.amount_pence)
    return (
        sqlalchemy.select(
            holder,
            func.sum(case((one_off, amount), else_=0)).label("one_off"),
            func.sum(case((one_off, 0), else_=amount)).label("resourcing"),
        )
        .where(holder.is_not(None))
        .group_by(holder)
    )


def _projects_with_costs(programme_ids: list[uuid.UUID], scope_projects: Any, actor: Actor) -> Select[Any]:
    """The scope's projects (PROJECT_COLUMNS), each with its lead directorate's name
    (`service_area`) and its cost lines' sums (`one_off`, `resourcing`: null without lines)."""
    costs = _summed_by_kind(col(CostLine.project_id)).where(col(CostLine.project_id).in_(scope_projects))
    summed = costs.subquery()
    statement = (
        sqlalchemy.select(
            *PROJECT_COLUMNS,
            col(Directorate.name).label("service_area"),
            summed.c.one_off,
            summed.c.resourcing,
        )
        .outerjoin(summed, summed.c.project_id == col(Project.id))
        .outerjoin(
            Directorate,
            and_(
                col(Directorate.id) == col(Project.lead_directorate_id),
                col(Directorate.organisation_id) == actor.organisation_id,
            ),
        )
        .where(col(Project.programme_id).in_(programme_ids))
        .order_by(col(Project.reference))
    )
    return cast("Select[Any]", statement)


def _programme_service_areas(
    session: Session, actor: Actor, programmes: list[Programme]
) -> dict[uuid.UUID, str]:
    """The names of the programmes' lead directorates (for their own rows)."""
    ids = {p.lead_directorate_id for p in programmes if p.lead_directorate_id is not None}
    if not ids:
        return {}
    names = select(Directorate.id, Directorate.name).where(
        Directorate.organisation_id == actor.organisation_id, col(Directorate.id).in_(ids)
    )
    return dict(session.execute(names).all())


def _summary_row(
    row: _Row,
    years: list[str],
    programme_service_areas: dict[uuid.UUID, str],
    stage_names: dict[uuid.UUID, dict[str, str]],
) -> SummaryRow:
    project = row.project
    if project:
        service_area = row.service_area
    else:
        directorate_id = row.programme.lead_directorate_id
        service_area = programme_service_areas.get(directorate_id) if directorate_id is not None else None
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
    session: Session,
    in_scope: Any,  # the condition on cost lines
    holders: dict[uuid.UUID, _Row],  # the scope's projects and programmes, by id
    sources: dict[uuid.UUID, FundingSource],
    listed: bool,
) -> tuple[list[str], list[CostRow], int, list[CostSourceTotal], dict[str, int]]:
    """The cost rows (only counted unless `listed`), the totals by source and by year, all
    summed in SQL (integer pence: exact). A cost row is Appendix B's: the lines of one funding
    source, kind, holder (project reference and programme name), item and grade, per year."""
    by_source: dict[uuid.UUID | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_year: dict[str, int] = defaultdict(int)
    for source_id, year, amount in session.execute(
        sqlalchemy.select(
            col(CostLine.funding_source_id),
            col(CostLine.financial_year),
            func.sum(col(CostLine.amount_pence)),
        )
        .where(in_scope)
        .group_by(col(CostLine.funding_source_id), col(CostLine.financial_year))
    ).all():
        by_source[source_id][year] += amount
        by_year[year] += amount
    years = sorted(by_year)
    # Project references and programme names are unique in an organisation: grouping by the
    # holder's id is grouping by its names, without joining them.
    key = (
        col(CostLine.funding_source_id),
        col(CostLine.kind),
        col(CostLine.project_id),
        col(CostLine.programme_id),
        col(CostLine.description),
        col(CostLine.grade),
    )
    keys = sqlalchemy.select(*key).where(in_scope).distinct().subquery()
    count = session.execute(sqlalchemy.select(func.count()).select_from(keys)).scalar_one()
    groups: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if listed:
        summed = (
            sqlalchemy.select(*key, col(CostLine.financial_year), func.sum(col(CostLine.amount_pence)))
            .where(in_scope)
            .group_by(*key, col(CostLine.financial_year))
        )
        for source_id, kind, project_id, programme_id, description, grade, year, amount in session.execute(
            summed
        ).all():
            holder = holders[project_id if project_id is not None else programme_id]
            reference = holder.project.reference if holder.project else None
            named = (source_id, kind, reference, holder.programme.name, description, grade)
            groups[named][year] += amount

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
            groups.items(),
            # Source, kind, holder, item, then grade: the grade settles posts of the same title,
            # whose order was the order the lines happened to be read in.
            key=lambda item: (
                *source_order(item[0][0]),
                item[0][1],
                item[0][2] or "",
                item[0][3:5],
                item[0][5] or "",
            ),
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
    return years, rows, count, totals, by_year


def _scope_drawdowns(programme_ids: list[uuid.UUID]) -> Any:
    """The approved or pending draw-downs of the programmes' projects (a condition)."""
    projects = select(Project.id).where(col(Project.programme_id).in_(programme_ids))
    return and_(col(Drawdown.project_id).in_(projects), col(Drawdown.status).in_((APPROVED, *PENDING)))


def _drawdown_totals(
    session: Session, programme_ids: list[uuid.UUID], sources: dict[uuid.UUID, FundingSource]
) -> tuple[list[DrawdownSourceTotal], int]:
    """Approved and pending per funding source, summed in SQL (integer pence: exact), and how
    many draw-downs there are."""
    approved: dict[uuid.UUID, int] = defaultdict(int)
    pending: dict[uuid.UUID, int] = defaultdict(int)
    count = 0
    grouped = (
        select(
            Drawdown.funding_source_id,
            Drawdown.status,
            func.sum(Drawdown.amount_pence),
            func.count(),
        )
        .where(_scope_drawdowns(programme_ids))
        .group_by(col(Drawdown.funding_source_id), col(Drawdown.status))
    )
    for source_id, status, amount, how_many in session.execute(grouped).all():
        (approved if status == APPROVED else pending)[source_id] += int(amount)
        count += how_many
    totals = [
        DrawdownSourceTotal(
            funding_source_id=s.id,
            funding_source_name=s.name,
            opening_balance=s.opening_balance_pence,
            committed=s.committed_pence,
            remaining=s.opening_balance_pence - s.committed_pence,
            approved=approved.get(s.id, 0),
            pending=pending.get(s.id, 0),
        )
        for s in sorted(sources.values(), key=lambda s: s.name)
        if s.id in approved or s.id in pending
    ]
    return totals, count


def _lines_query(programme_ids: list[uuid.UUID]) -> Select[Any]:
    # The columns of a `DrawdownLine`, by its field names: not whole draw-downs, whose ORM
    # objects (purpose text, consultees and all) were four fifths of a summary listing 20,000.
    return cast(
        "Select[Any]",
        sqlalchemy.select(
            col(Drawdown.id),
            col(Drawdown.reference),
            col(Project.reference).label("project_reference"),
            col(Project.name).label("project_name"),
            col(FundingSource.name).label("funding_source_name"),
            col(Drawdown.financial_year),
            col(Drawdown.amount_pence).label("amount"),
            col(Drawdown.status),
            col(Drawdown.route),
            col(Drawdown.decided_at),
            col(Drawdown.meeting_body),
            col(Drawdown.meeting_date),
            col(Drawdown.minute_reference),
        )
        .join(Project, col(Project.id) == col(Drawdown.project_id))
        .join(FundingSource, col(FundingSource.id) == col(Drawdown.funding_source_id))
        .where(_scope_drawdowns(programme_ids))
        .order_by(col(Drawdown.reference), col(Drawdown.id)),
    )


_LINE_FIELDS = tuple(DrawdownLine.model_fields)  # `_lines_query`'s columns, in its order


def _line(row: Any) -> DrawdownLine:
    return DrawdownLine(**dict(zip(_LINE_FIELDS, row, strict=True)))


def programme_drawdown_lines(
    session: Session, actor: Actor, programme_id: uuid.UUID, page: PageParams
) -> Page[DrawdownLine]:
    programme: Programme = own(session, actor, Programme, programme_id, "programme")
    return paginate(session, _lines_query([programme.id]), page, _line, whole_rows=True)


def portfolio_drawdown_lines(
    session: Session, actor: Actor, portfolio_id: uuid.UUID, page: PageParams
) -> Page[DrawdownLine]:
    portfolio: Portfolio = own(session, actor, Portfolio, portfolio_id, "portfolio")
    programme_ids = list(
        session.execute(select(Programme.id).where(Programme.portfolio_id == portfolio.id)).scalars()
    )
    return paginate(session, _lines_query(programme_ids), page, _line, whole_rows=True)
