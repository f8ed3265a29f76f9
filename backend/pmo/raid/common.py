"""What the four RAID logs (risks, issues, assumptions, dependencies) share.

* `attach`: where an item hangs: exactly one of a project, a programme or a portfolio of the
  actor's organisation (another organisation's is 404; none or several is 422).
* `can_edit_item` (pure policy) and `check_can_edit` (loads the project or programme and
  raises 403): `pmo` edits every item; a sponsor or project manager edits the items of the
  projects they may edit (`pmo.portfolio.policies.can_edit_project`); an item of a
  programme by `pmo`, the programme's SRO, or a sponsor or project manager whose role is
  held for the programme or its directorate (`pmo.portfolio.scope.may`); an item of a
  portfolio by `pmo`.
* `check_people`: every person a body names (`owner_id`, `actionee_id`, ...) is of the
  actor's organisation, or 404.
* `RaidFilters` and the `ReviewDatedFilters` / `DueDatedFilters` dependencies: the list
  filters every log has, defined once, and `raid_filters(statement, model, filters)` that
  applies them. The date range is on the log's own date: `review_from`/`review_to` on a
  risk's `review_date`; `due_from`/`due_to` on an issue's `due_date`, an assumption's
  `validate_by` and a dependency's `needed_by`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import or_
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from pmo.core.errors import FieldProblem, Forbidden, NotFound, Unprocessable
from pmo.core.pagination import text_search
from pmo.core.periods import IsoDate
from pmo.core.permissions import Actor, Denied
from pmo.core.schemas import SearchText, Slug
from pmo.organisations.models import User
from pmo.portfolio import policies as portfolio_policies
from pmo.portfolio import scope
from pmo.portfolio.models import Portfolio, Programme, Project

S = TypeVar("S", bound=Select[Any])

# A bulk import's check of one row (the log's input model, the row's number): the new item's
# columns but id and reference, or the ProblemError its create service would raise.
RowCheck = Callable[[Any, int], dict[str, Any]]


class EscalationLevel(StrEnum):
    project = "project"
    programme = "programme"
    steering_group = "steering_group"


ESCALATION_ORDER = {
    EscalationLevel.project: 0,
    EscalationLevel.programme: 1,
    EscalationLevel.steering_group: 2,
}


# Where an item hangs ---------------------------------------------------------------------


def _own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def attach(
    session: Session,
    actor: Actor,
    *,
    project_id: uuid.UUID | None,
    programme_id: uuid.UUID | None,
    portfolio_id: uuid.UUID | None,
) -> tuple[Project | None, Programme | None, Portfolio | None]:
    """The one project, programme or portfolio an item belongs to (404 if not ours)."""
    check_one_place(project_id=project_id, programme_id=programme_id, portfolio_id=portfolio_id)
    if project_id is not None:
        return _own(session, actor, Project, project_id, "project"), None, None
    if programme_id is not None:
        return None, _own(session, actor, Programme, programme_id, "programme"), None
    return None, None, _own(session, actor, Portfolio, portfolio_id or uuid.UUID(int=0), "portfolio")


def check_one_place(
    *, project_id: uuid.UUID | None, programme_id: uuid.UUID | None, portfolio_id: uuid.UUID | None
) -> None:
    """422 unless exactly one of the three is given (no database: bulk imports check it too)."""
    given = [
        name
        for name, value in (
            ("project_id", project_id),
            ("programme_id", programme_id),
            ("portfolio_id", portfolio_id),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise Unprocessable(
            "An item belongs to exactly one of a project, a programme or a portfolio: "
            "give one of project_id, programme_id, portfolio_id.",
            errors=[
                FieldProblem(location=["body", name], message="give exactly one", type="value_error")
                for name in (given or ["project_id"])
            ],
        )


def check_people(session: Session, actor: Actor, **people: uuid.UUID | None) -> None:
    """Each named person (`owner_id=...`) is a user of the actor's organisation, or 404."""
    for name, user_id in people.items():
        if user_id is not None:
            _own(session, actor, User, user_id, f"user ({name})")


# Who may edit an item ---------------------------------------------------------------------


def can_edit_item(
    actor: Actor, item: Any, project: Project | None, programme: Programme | None = None
) -> bool | Denied:
    """`item` is any RAID item; `project` is its project (if it is a project's item) and
    `programme` its programme (if it is a programme's item)."""
    if portfolio_policies.is_pmo(actor):
        return True
    if project is not None:
        decision = portfolio_policies.can_edit_project(actor, project)
        if decision is True or any(actor.grants_for(r) for r in portfolio_policies.EDITORS):
            return decision
        return Denied(
            f"You cannot change {getattr(item, 'reference', 'this item')}: the PMO changes any RAID "
            "item; a sponsor or project manager those of the projects in their scope."
        )
    if programme is not None:
        # A programme's items: its SRO with a sponsor role, or a sponsor or project manager
        # whose role is held for the programme or its directorate.
        return scope.may_any(actor, portfolio_policies.EDITORS, programme)
    return Denied("Items of a portfolio are changed by the PMO.")


def check_can_edit(session: Session, actor: Actor, item: Any) -> None:
    """Raise 403 unless `actor` may change `item` (loads its project or programme)."""
    project = session.get(Project, item.project_id) if item.project_id else None
    programme = session.get(Programme, item.programme_id) if item.programme_id else None
    decision = can_edit_item(actor, item, project, programme)
    if isinstance(decision, Denied):
        raise Forbidden(decision.reason)


# List filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RaidFilters:
    portfolio_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    status: str | None = None
    category: str | None = None
    escalation_level: str | None = None
    escalated: bool | None = None
    q: str | None = None
    # On the log's own date column (see `DATE_COLUMNS`).
    date_from: date | None = None
    date_to: date | None = None


# The date a log's range filter is on.
DATE_COLUMNS = {
    "risks": "review_date",
    "raid_issues": "due_date",
    "assumptions": "validate_by",
    "dependencies": "needed_by",
}
_TEXT_COLUMNS = ("reference", "title", "statement", "description", "cause", "event", "effect")


def raid_filters(statement: S, model: Any, filters: RaidFilters) -> S:
    """Apply the common filters to a `select(model)` (already limited to the organisation)."""
    f = filters
    if f.project_id is not None:
        statement = statement.where(model.project_id == f.project_id)
    if f.programme_id is not None:
        # The programme's own items and those of its projects.
        statement = statement.where(
            or_(
                model.programme_id == f.programme_id,
                col(model.project_id).in_(select(Project.id).where(Project.programme_id == f.programme_id)),
            )
        )
    if f.portfolio_id is not None:
        # The portfolio's own items, its programmes' and their projects'.
        programmes = select(Programme.id).where(Programme.portfolio_id == f.portfolio_id)
        statement = statement.where(
            or_(
                model.portfolio_id == f.portfolio_id,
                col(model.programme_id).in_(programmes),
                col(model.project_id).in_(
                    select(Project.id).where(col(Project.programme_id).in_(programmes))
                ),
            )
        )
    for name in ("owner_id", "status", "category", "escalation_level"):
        value = getattr(f, name)
        if value is not None and hasattr(model, name):
            statement = statement.where(getattr(model, name) == value)
    if f.escalated is not None and hasattr(model, "escalation_level"):
        statement = statement.where(
            model.escalation_level != EscalationLevel.project.value
            if f.escalated
            else model.escalation_level == EscalationLevel.project.value
        )
    date_name = DATE_COLUMNS.get(model.__tablename__)
    if date_name is not None:
        column = getattr(model, date_name)
        if f.date_from is not None:
            statement = statement.where(column >= f.date_from)
        if f.date_to is not None:
            statement = statement.where(column <= f.date_to)
    if f.q:
        columns = [getattr(model, name) for name in _TEXT_COLUMNS if hasattr(model, name)]
        statement = statement.where(text_search(f.q, *columns))
    return statement


# The query parameters, defined once ----------------------------------------------------------

PortfolioIdQ = Annotated[
    uuid.UUID | None, Query(description="Items of this portfolio, its programmes and their projects.")
]
ProgrammeIdQ = Annotated[uuid.UUID | None, Query(description="Items of this programme and of its projects.")]
ProjectIdQ = Annotated[uuid.UUID | None, Query(description="Items of this project.")]
OwnerIdQ = Annotated[uuid.UUID | None, Query(description="Items owned by this person.")]
StatusQ = Annotated[Slug | None, Query(description="Items with this status.")]
CategoryQ = Annotated[str | None, Query(max_length=60, description="Items of this category.")]
EscalationQ = Annotated[EscalationLevel | None, Query(description="Items at this escalation level.")]
EscalatedQ = Annotated[
    bool | None,
    Query(description="`true`: items escalated above project level; `false`: those that are not."),
]
SearchQ = Annotated[
    SearchText | None, Query(description="Text to look for in the reference, title and text.")
]


def _common(
    portfolio_id: PortfolioIdQ = None,
    programme_id: ProgrammeIdQ = None,
    project_id: ProjectIdQ = None,
    owner_id: OwnerIdQ = None,
    status: StatusQ = None,
    category: CategoryQ = None,
    escalation_level: EscalationQ = None,
    escalated: EscalatedQ = None,
    q: SearchQ = None,
) -> dict[str, Any]:
    return {
        "portfolio_id": portfolio_id,
        "programme_id": programme_id,
        "project_id": project_id,
        "owner_id": owner_id,
        "status": status,
        "category": category,
        "escalation_level": escalation_level.value if escalation_level else None,
        "escalated": escalated,
        "q": q,
    }


def review_dated_filters(
    common: Annotated[dict[str, Any], Depends(_common)],
    review_from: Annotated[IsoDate | None, Query(description="Review date on or after this day.")] = None,
    review_to: Annotated[IsoDate | None, Query(description="Review date on or before this day.")] = None,
) -> RaidFilters:
    return RaidFilters(**common, date_from=review_from, date_to=review_to)


def due_dated_filters(
    common: Annotated[dict[str, Any], Depends(_common)],
    due_from: Annotated[
        IsoDate | None, Query(description="Due (or validate-by, needed-by) on or after this day.")
    ] = None,
    due_to: Annotated[
        IsoDate | None, Query(description="Due (or validate-by, needed-by) on or before this day.")
    ] = None,
) -> RaidFilters:
    return RaidFilters(**common, date_from=due_from, date_to=due_to)


# Risks use `ReviewDatedFilters`; issues, assumptions and dependencies `DueDatedFilters`.
ReviewDatedFilters = Annotated[RaidFilters, Depends(review_dated_filters)]
DueDatedFilters = Annotated[RaidFilters, Depends(due_dated_filters)]
RaidListParams = DueDatedFilters
