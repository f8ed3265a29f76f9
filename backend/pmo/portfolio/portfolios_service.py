"""Portfolios, and the checks every record of the register shares.

The services of this package take a session and the actor and never commit. Every record is
looked up within the actor's organisation first: another organisation's record, or a reference
to one (a programme, a person, a directorate, a board), is "not found" (404), never 403 and
never a 422, so nobody learns what another council holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.periods import today
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.organisations.models import Directorate, User
from pmo.portfolio.models import GovernanceBody, Portfolio, Programme
from pmo.portfolio.portfolios_schemas import (
    PortfolioAction,
    PortfolioCreate,
    PortfolioPublic,
    PortfolioUpdate,
    RecordStatus,
)


def check_date_order(start: date | None, end: date | None, start_name: str, end_name: str) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable(
            f"{end_name} must not be before {start_name}.",
            errors=[
                FieldProblem(location=["body", end_name], message="before the start", type="value_error")
            ],
        )


def name_taken(session: Session, model: Any, organisation_id: uuid.UUID, name: str, what: str) -> None:
    taken = session.execute(
        select(model.id).where(
            model.organisation_id == organisation_id, func.lower(model.name) == name.lower()
        )
    ).first()
    if taken:
        raise Conflict(f"There is already a {what} called '{name}'.")


# References to other records: all within the actor's organisation, or 404. ------------


def own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def check_references(session: Session, actor: Actor, changes: dict[str, Any]) -> None:
    """Every id a body names (people, directorate, board, portfolio, programme) is ours."""
    kinds = {
        "sro_id": (User, "user (sro_id)"),
        "project_manager_id": (User, "user (project_manager_id)"),
        "owner_id": (User, "user (owner_id)"),
        "user_id": (User, "user"),
        "lead_directorate_id": (Directorate, "directorate (lead_directorate_id)"),
        "directorate_id": (Directorate, "directorate"),
        "governance_body_id": (GovernanceBody, "governance body"),
        "portfolio_id": (Portfolio, "portfolio"),
        "programme_id": (Programme, "programme"),
    }
    for name, (model, what) in kinds.items():
        value = changes.get(name)
        if value is not None:
            own(session, actor, model, value, what)


# Closing -------------------------------------------------------------------------------


def closing(current: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The status as stored text, and the day it closed: set on closing, cleared on reopening."""
    wanted = changes.get("status")
    if wanted is None or wanted == current:
        return {}
    return {"status": str(wanted), "closed_on": today() if wanted == RecordStatus.closed else None}


def in_status(what: str, record: Portfolio | Programme, wanted: RecordStatus) -> Verdict:
    """Closing needs an active portfolio or programme, reopening a closed one."""
    if record.status != wanted:
        return Blocked(f"The {what} '{record.name}' is already {record.status}.")
    return True


def open_portfolio(session: Session, portfolio_id: uuid.UUID) -> None:
    portfolio = session.get_one(Portfolio, portfolio_id)
    if portfolio.status == RecordStatus.closed:
        raise Conflict(f"The portfolio '{portfolio.name}' is closed: it takes no programmes.")


# Portfolios ----------------------------------------------------------------------------

PORTFOLIO_SORTS = {"name": Portfolio.name, "created_at": Portfolio.created_at}


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class PortfolioContext:
    portfolio: Portfolio
    programmes: int
    active_programmes: int


def _is_active(_actor: Actor, c: PortfolioContext) -> Verdict:
    return in_status("portfolio", c.portfolio, RecordStatus.active)


def _programmes_closed(_actor: Actor, c: PortfolioContext) -> Verdict:
    if c.active_programmes:
        return Blocked(f"The portfolio has {c.active_programmes} active programme(s): close them first.")
    return True


def _is_closed(_actor: Actor, c: PortfolioContext) -> Verdict:
    return in_status("portfolio", c.portfolio, RecordStatus.closed)


def _empty(_actor: Actor, c: PortfolioContext) -> Verdict:
    if c.programmes:
        return Blocked(f"The portfolio has {c.programmes} programme(s); move or delete them first.")
    return True


_MANAGE = Permission.portfolio_manage
ACTIONS = ActionTable(
    PortfolioAction,
    {
        PortfolioAction.edit: Rule(_MANAGE, lambda _actor, _c: True),
        PortfolioAction.close: Rule(_MANAGE, steps(_is_active, _programmes_closed)),
        PortfolioAction.reopen: Rule(_MANAGE, _is_closed),
        PortfolioAction.delete: Rule(_MANAGE, _empty),
    },
)


def action_contexts(session: Session, portfolios: Sequence[Portfolio]) -> list[PortfolioContext]:
    """The contexts of `portfolios` in one query, however many there are."""
    counts: dict[uuid.UUID, dict[str, int]] = {p.id: {} for p in portfolios}
    if portfolios:
        for portfolio_id, status, programmes in session.execute(
            select(Programme.portfolio_id, Programme.status, func.count())
            .where(col(Programme.portfolio_id).in_(counts))
            .group_by(col(Programme.portfolio_id), col(Programme.status))
        ).all():
            counts[portfolio_id][status] = programmes
    return [
        PortfolioContext(p, sum(counts[p.id].values()), counts[p.id].get(RecordStatus.active.value, 0))
        for p in portfolios
    ]


def portfolio_public(session: Session, actor: Actor, portfolio: Portfolio) -> PortfolioPublic:
    return _public(actor, action_contexts(session, [portfolio])[0])


def _public(actor: Actor, context: PortfolioContext) -> PortfolioPublic:
    return PortfolioPublic.model_validate(
        {**context.portfolio.model_dump(), "allowed_actions": ACTIONS.allowed(actor, context)}
    )


def list_portfolios(session: Session, actor: Actor, page: PageParams, q: str | None, sort: str) -> Page[Any]:
    statement = select(Portfolio).where(Portfolio.organisation_id == actor.organisation_id)
    if q:
        statement = statement.where(text_search(q, Portfolio.name, Portfolio.description))
    statement = statement.order_by(*order_by(sort, PORTFOLIO_SORTS, Portfolio.id))
    found = paginate(session, statement, page)
    found.items = [_public(actor, c) for c in action_contexts(session, found.items)]
    return found


def get_portfolio(session: Session, actor: Actor, portfolio_id: uuid.UUID) -> Portfolio:
    portfolio: Portfolio = own(session, actor, Portfolio, portfolio_id, "portfolio")
    return portfolio


def create_portfolio(session: Session, actor: Actor, data: PortfolioCreate) -> Portfolio:
    name_taken(session, Portfolio, actor.organisation_id, data.name, "portfolio")
    portfolio = Portfolio(organisation_id=actor.organisation_id, **data.model_dump())
    audit.created(session, actor, portfolio, "portfolio")
    return portfolio


def update_portfolio(
    session: Session, actor: Actor, portfolio: Portfolio, data: PortfolioUpdate
) -> Portfolio:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    context = action_contexts(session, [portfolio])[0]
    ACTIONS.guard(actor, PortfolioAction.edit, context)
    if data.status is not None:
        closes = data.status == RecordStatus.closed
        ACTIONS.guard(actor, PortfolioAction.close if closes else PortfolioAction.reopen, context)
    if "name" in changes and changes["name"].lower() != portfolio.name.lower():
        name_taken(session, Portfolio, portfolio.organisation_id, changes["name"], "portfolio")
    changes.update(closing(portfolio.status, changes))
    check_date_order(
        changes.get("start_date", portfolio.start_date),
        changes.get("end_date", portfolio.end_date),
        "start_date",
        "end_date",
    )
    audit.changed(session, actor, portfolio, "portfolio", changes)
    return portfolio


def delete_portfolio(session: Session, actor: Actor, portfolio: Portfolio) -> None:
    ACTIONS.guard(actor, PortfolioAction.delete, action_contexts(session, [portfolio])[0])
    audit.deleted(session, actor, portfolio, "portfolio")
