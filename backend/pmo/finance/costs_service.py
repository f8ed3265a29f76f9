"""Cost lines: one-off investment items and resourcing lines (posts with their grade) of a
programme or a project, by financial year and funding source (DOMAIN.md section 7).

Takes a session and the actor; never commits. Every record is looked up within the actor's
organisation (another organisation's line, programme, project or funding source is 404).
Every write is audited (`cost_line`).

Who may change the money of what (`can_edit_money`, shared with the benefits register):

* `pmo` changes any programme's or project's lines, `finance` those its role's scope covers
  (`pmo.portfolio.scope.may`: organisation, directorate, programme or project);
* a sponsor or project manager changes those of the projects they may change
  (`pmo.portfolio.policies.can_edit_project`);
* lines of a programme (not of one project) are changed by `pmo` and `finance` only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Rule, Verdict
from pmo.core.errors import FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.permissions import Actor, Denied, Permission, Role, enforce
from pmo.core.schemas import Page
from pmo.finance.costs_schemas import (
    NULLABLE_COST_FIELDS,
    CostKind,
    CostLineAction,
    CostLineCreate,
    CostLinePublic,
    CostLineUpdate,
    CostTotals,
    FundingSourceTotal,
    KindTotal,
    YearTotal,
)
from pmo.finance.models import CostLine, FundingSource
from pmo.portfolio import policies as portfolio_policies
from pmo.portfolio import scope
from pmo.portfolio.models import Programme, Project

# Shared with the benefits register ------------------------------------------------------------


def own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def attach(
    session: Session, actor: Actor, *, programme_id: uuid.UUID | None, project_id: uuid.UUID | None
) -> tuple[Programme | None, Project | None]:
    """The one programme or project a line or benefit belongs to (404 if not ours)."""
    if (programme_id is None) == (project_id is None):
        given = [n for n, v in (("programme_id", programme_id), ("project_id", project_id)) if v] or [
            "project_id"
        ]
        raise Unprocessable(
            "It belongs to exactly one of a programme or a project: give one of programme_id, project_id.",
            errors=[
                FieldProblem(location=["body", name], message="give exactly one", type="value_error")
                for name in given
            ],
        )
    if project_id is not None:
        return None, own(session, actor, Project, project_id, "project")
    return own(session, actor, Programme, programme_id or uuid.UUID(int=0), "programme"), None


def can_edit_money(
    actor: Actor, project: Project | None, programme: Programme | None = None
) -> bool | Denied:
    """May `actor` change the cost lines and benefits of `project`, or (no project) of
    `programme`'s own? The PMO any; a finance officer those their scope covers; a sponsor or
    project manager those of the projects they may change."""
    if portfolio_policies.is_pmo(actor):
        return True
    record: Project | Programme | None = project if project is not None else programme
    if record is not None and scope.may(actor, Role.finance, record) is True:
        return True
    if project is not None:
        decision = portfolio_policies.can_edit_project(actor, project)
        if decision is True:
            return True
        if actor.grants_for(Role.finance) and not any(
            actor.grants_for(r) for r in portfolio_policies.EDITORS
        ):
            return scope.may(actor, Role.finance, project)
        return decision
    if record is not None and actor.grants_for(Role.finance):
        return scope.may(actor, Role.finance, record)
    return Denied(
        "The costs and benefits of a programme (not of one project) are changed by the PMO and finance."
    )


def check_can_edit(session: Session, actor: Actor, record: Any) -> None:
    """Raise 403 unless `actor` may add `record` (a new cost line or benefit)."""
    project = session.get(Project, record.project_id) if record.project_id else None
    programme = session.get(Programme, record.programme_id) if record.programme_id else None
    enforce(can_edit_money(actor, project, programme))


# What the caller may do to a cost line or benefit: the routes guard with the tables (here and
# in the benefits register), `allowed_actions` lists what they allow. Both depend only on
# where the record belongs.


@dataclass(frozen=True)
class MoneyContext:
    project: Project | None
    programme: Programme | None


def may_edit_money(actor: Actor, c: MoneyContext) -> Verdict:
    return can_edit_money(actor, c.project, c.programme)


def money_contexts(session: Session, records: Sequence[Any]) -> list[MoneyContext]:
    """The contexts of cost lines or benefits in two queries, however many there are (the
    projects' programmes are loaded too: the scope rule reads them)."""
    if not records:
        return []
    project_ids = {r.project_id for r in records if r.project_id}
    projects = {
        p.id: p for p in session.execute(select(Project).where(col(Project.id).in_(project_ids))).scalars()
    }
    programme_ids = {r.programme_id for r in records if r.programme_id} | {
        p.programme_id for p in projects.values()
    }
    programmes = {
        p.id: p
        for p in session.execute(select(Programme).where(col(Programme.id).in_(programme_ids))).scalars()
    }
    return [
        MoneyContext(
            projects[r.project_id] if r.project_id else None,
            programmes[r.programme_id] if r.programme_id else None,
        )
        for r in records
    ]


COST_ACTIONS = ActionTable(
    CostLineAction,
    {
        CostLineAction.edit: Rule(Permission.costs_benefits_edit, may_edit_money),
        CostLineAction.delete: Rule(Permission.costs_benefits_edit, may_edit_money),
    },
)


def scope_filter(
    statement: Any, model: Any, *, programme_id: uuid.UUID | None, project_id: uuid.UUID | None
) -> Any:
    """Limit to a project's records, or to a programme's own and its projects' records."""
    if project_id is not None:
        statement = statement.where(model.project_id == project_id)
    if programme_id is not None:
        statement = statement.where(
            or_(
                model.programme_id == programme_id,
                col(model.project_id).in_(select(Project.id).where(Project.programme_id == programme_id)),
            )
        )
    return statement


# Cost lines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostFilters:
    programme_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    kind: str | None = None
    financial_year: str | None = None
    funding_source_id: uuid.UUID | None = None


COST_SORTS = {
    "financial_year": CostLine.financial_year,
    "amount": CostLine.amount_pence,
    "kind": CostLine.kind,
    "description": CostLine.description,
    "created_at": CostLine.created_at,
}


def cost_line_public(actor: Actor, line: CostLine, context: MoneyContext) -> CostLinePublic:
    allowed = COST_ACTIONS.allowed(actor, context)
    return CostLinePublic.model_validate(
        {**line.model_dump(), "amount": line.amount_pence, "allowed_actions": allowed}
    )


def cost_line_view(session: Session, actor: Actor, line: CostLine) -> CostLinePublic:
    return cost_line_public(actor, line, money_contexts(session, [line])[0])


def _statement(actor: Actor, filters: CostFilters) -> Any:
    statement = select(CostLine).where(CostLine.organisation_id == actor.organisation_id)
    statement = scope_filter(
        statement, CostLine, programme_id=filters.programme_id, project_id=filters.project_id
    )
    if filters.kind is not None:
        statement = statement.where(CostLine.kind == filters.kind)
    if filters.financial_year is not None:
        statement = statement.where(CostLine.financial_year == filters.financial_year)
    if filters.funding_source_id is not None:
        statement = statement.where(CostLine.funding_source_id == filters.funding_source_id)
    return statement


def list_cost_lines(
    session: Session, actor: Actor, page: PageParams, filters: CostFilters, *, sort: str
) -> Page[Any]:
    statement = _statement(actor, filters).order_by(*order_by(sort, COST_SORTS, CostLine.id))
    result = paginate(session, statement, page)
    lines = list(result.items)
    result.items = [
        cost_line_public(actor, line, c)
        for line, c in zip(lines, money_contexts(session, lines), strict=True)
    ]
    return result


def totals(session: Session, actor: Actor, filters: CostFilters) -> CostTotals:
    """Sums by year, kind and funding source. Integer pence throughout, so every total is
    the exact sum of its lines."""
    lines = _statement(actor, filters).subquery()
    rows = session.execute(
        sql_select(
            lines.c.financial_year,
            lines.c.kind,
            lines.c.funding_source_id,
            func.count(),
            func.sum(lines.c.amount_pence),
        ).group_by(lines.c.financial_year, lines.c.kind, lines.c.funding_source_id)
    ).all()
    by_year: dict[str, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    by_source: dict[uuid.UUID | None, int] = defaultdict(int)
    count = 0
    for year, kind, source_id, n, pence in rows:
        source = uuid.UUID(str(source_id)) if source_id is not None else None
        by_year[year] += int(pence)
        by_kind[kind] += int(pence)
        by_source[source] += int(pence)
        count += n
    names = dict(
        session.execute(
            select(FundingSource.id, FundingSource.name).where(
                col(FundingSource.id).in_([s for s in by_source if s is not None])
            )
        ).all()
    )
    return CostTotals(
        count=count,
        total=sum(by_year.values()),
        by_financial_year=[YearTotal(financial_year=y, amount=by_year[y]) for y in sorted(by_year)],
        by_kind=[KindTotal(kind=CostKind(k), amount=by_kind[k]) for k in sorted(by_kind)],
        by_funding_source=[
            FundingSourceTotal(funding_source_id=s, funding_source_name=names.get(s) if s else None, amount=p)
            for s, p in sorted(by_source.items(), key=lambda item: (item[0] is None, names.get(item[0], "")))
        ],
    )


def get_cost_line(session: Session, actor: Actor, line_id: uuid.UUID) -> CostLine:
    line: CostLine = own(session, actor, CostLine, line_id, "cost line")
    return line


def _check_grade(kind: str, grade: str | None) -> None:
    if grade is not None and kind != CostKind.resourcing:
        raise Unprocessable(
            "Only a resourcing line (a post) has a grade.",
            errors=[
                FieldProblem(
                    location=["body", "grade"], message="only for resourcing lines", type="value_error"
                )
            ],
        )


def create_cost_line(session: Session, actor: Actor, data: CostLineCreate) -> CostLine:
    attach(session, actor, programme_id=data.programme_id, project_id=data.project_id)
    if data.funding_source_id is not None:
        own(session, actor, FundingSource, data.funding_source_id, "funding source")
    _check_grade(data.kind, data.grade)
    values = data.model_dump(exclude={"amount"})
    line = CostLine(organisation_id=actor.organisation_id, **values, amount_pence=data.amount)
    check_can_edit(session, actor, line)
    audit.created(session, actor, line, "cost_line")
    return line


def update_cost_line(session: Session, actor: Actor, line: CostLine, data: CostLineUpdate) -> CostLine:
    COST_ACTIONS.guard(actor, CostLineAction.edit, money_contexts(session, [line])[0])
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE_COST_FIELDS
    }
    if "amount" in changes:
        # The dump writes money as pounds text; the field itself holds the pence.
        changes.pop("amount")
        changes["amount_pence"] = data.amount
    if changes.get("funding_source_id") is not None:
        own(session, actor, FundingSource, changes["funding_source_id"], "funding source")
    _check_grade(changes.get("kind", line.kind), changes.get("grade", line.grade))
    audit.changed(session, actor, line, "cost_line", changes)
    return line


def delete_cost_line(session: Session, actor: Actor, line: CostLine) -> None:
    COST_ACTIONS.guard(actor, CostLineAction.delete, money_contexts(session, [line])[0])
    audit.deleted(session, actor, line, "cost_line")
