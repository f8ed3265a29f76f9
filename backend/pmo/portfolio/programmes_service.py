"""Programmes and the programme dashboard (see `portfolios_service` for the rules every
service of the register keeps)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.errors import Conflict
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.periods import today
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.gates.models import GateReview, Lifecycle
from pmo.organisations.models import RoleAssignment
from pmo.portfolio.milestones_service import CLOSED_MILESTONE, milestone_views
from pmo.portfolio.models import Milestone, Portfolio, Programme, Project
from pmo.portfolio.portfolios_schemas import RecordStatus
from pmo.portfolio.portfolios_service import (
    check_date_order,
    check_references,
    closing,
    in_status,
    name_taken,
    open_portfolio,
    own,
)
from pmo.portfolio.programmes_schemas import (
    PendingGateReview,
    ProgrammeAction,
    ProgrammeCreate,
    ProgrammeDashboard,
    ProgrammePublic,
    ProgrammeUpdate,
)
from pmo.portfolio.projects_schemas import ProjectUpdate

DASHBOARD_DAYS = 90
VIEW_LIMIT = 200


def open_programme(session: Session, programme_id: uuid.UUID) -> None:
    programme = session.get_one(Programme, programme_id)
    if programme.status == RecordStatus.closed:
        raise Conflict(f"The programme '{programme.name}' is closed: it takes no projects.")


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class ProgrammeContext:
    programme: Programme
    projects: int
    # References of its projects not yet in their lifecycle's last stage.
    projects_open: list[str]
    roles_held: int
    portfolio: Portfolio


def _is_active(_actor: Actor, c: ProgrammeContext) -> Verdict:
    return in_status("programme", c.programme, RecordStatus.active)


def _projects_done(_actor: Actor, c: ProgrammeContext) -> Verdict:
    if c.projects_open:
        return Blocked(
            f"Projects {', '.join(c.projects_open)} have not reached their last stage: close them "
            "through their gate reviews first."
        )
    return True


def _is_closed(_actor: Actor, c: ProgrammeContext) -> Verdict:
    return in_status("programme", c.programme, RecordStatus.closed)


def _portfolio_open(_actor: Actor, c: ProgrammeContext) -> Verdict:
    if c.portfolio.status == RecordStatus.closed:
        return Blocked(f"The portfolio '{c.portfolio.name}' is closed: it takes no programmes.")
    return True


def _empty(_actor: Actor, c: ProgrammeContext) -> Verdict:
    if c.projects:
        return Blocked(f"The programme has {c.projects} project(s); move them to another programme first.")
    if c.roles_held:
        return Blocked(f"{c.roles_held} role assignment(s) are held for this programme; remove them first.")
    return True


_MANAGE = Permission.portfolio_manage
ACTIONS = ActionTable(
    ProgrammeAction,
    {
        ProgrammeAction.edit: Rule(_MANAGE, lambda _actor, _c: True),
        ProgrammeAction.close: Rule(_MANAGE, steps(_is_active, _projects_done)),
        ProgrammeAction.reopen: Rule(_MANAGE, steps(_is_closed, _portfolio_open)),
        ProgrammeAction.delete: Rule(_MANAGE, _empty),
    },
)


def action_contexts(session: Session, programmes: Sequence[Programme]) -> list[ProgrammeContext]:
    """The contexts of `programmes` in four queries, however many there are."""
    if not programmes:
        return []
    ids = [p.id for p in programmes]
    projects = session.execute(
        select(Project.programme_id, Project.reference, Project.stage, Project.lifecycle_id).where(
            col(Project.programme_id).in_(ids)
        )
    ).all()
    last_stage = {
        lifecycle.id: lifecycle.stages[-1]["key"]
        for lifecycle in session.execute(
            select(Lifecycle).where(col(Lifecycle.id).in_({p.lifecycle_id for p in projects}))
        ).scalars()
    }
    counts: dict[uuid.UUID, int] = defaultdict(int)
    still_open: dict[uuid.UUID, list[str]] = defaultdict(list)
    for programme_id, reference, stage, lifecycle_id in projects:
        counts[programme_id] += 1
        if stage != last_stage[lifecycle_id]:
            still_open[programme_id].append(reference)
    roles = dict(
        session.execute(
            select(RoleAssignment.programme_id, func.count())
            .where(col(RoleAssignment.programme_id).in_(ids))
            .group_by(col(RoleAssignment.programme_id))
        ).all()
    )
    portfolios = {
        p.id: p
        for p in session.execute(
            select(Portfolio).where(col(Portfolio.id).in_({p.portfolio_id for p in programmes}))
        ).scalars()
    }
    return [
        ProgrammeContext(
            p, counts[p.id], sorted(still_open[p.id]), roles.get(p.id, 0), portfolios[p.portfolio_id]
        )
        for p in programmes
    ]


def programme_public(session: Session, actor: Actor, programme: Programme) -> ProgrammePublic:
    return _public(actor, action_contexts(session, [programme])[0])


def _public(actor: Actor, context: ProgrammeContext) -> ProgrammePublic:
    return ProgrammePublic.model_validate(
        {**context.programme.model_dump(), "allowed_actions": ACTIONS.allowed(actor, context)}
    )


# Programmes ----------------------------------------------------------------------------

PROGRAMME_SORTS = {
    "name": Programme.name,
    "created_at": Programme.created_at,
    "planned_end": func.coalesce(Programme.planned_end, date.max),
}


def list_programmes(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    portfolio_id: uuid.UUID | None,
    lead_directorate_id: uuid.UUID | None,
    sro_id: uuid.UUID | None,
    governance_body_id: uuid.UUID | None,
    q: str | None,
    sort: str,
    status: RecordStatus | None = None,
) -> Page[Any]:
    statement = select(Programme).where(Programme.organisation_id == actor.organisation_id)
    for column, value in (
        (Programme.status, status.value if status else None),
        (Programme.portfolio_id, portfolio_id),
        (Programme.lead_directorate_id, lead_directorate_id),
        (Programme.sro_id, sro_id),
        (Programme.governance_body_id, governance_body_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if q:
        statement = statement.where(text_search(q, Programme.name, Programme.ambition))
    statement = statement.order_by(*order_by(sort, PROGRAMME_SORTS, Programme.id))
    found = paginate(session, statement, page)
    found.items = [_public(actor, c) for c in action_contexts(session, found.items)]
    return found


def get_programme(session: Session, actor: Actor, programme_id: uuid.UUID) -> Programme:
    programme: Programme = own(session, actor, Programme, programme_id, "programme")
    return programme


def create_programme(session: Session, actor: Actor, data: ProgrammeCreate) -> Programme:
    check_references(session, actor, data.model_dump())
    open_portfolio(session, data.portfolio_id)
    name_taken(session, Programme, actor.organisation_id, data.name, "programme")
    programme = Programme(organisation_id=actor.organisation_id, **data.model_dump())
    audit.created(session, actor, programme, "programme")
    return programme


# Fields a null in a PATCH clears (a person, a board, a date); a null elsewhere changes nothing.
CLEARABLE = {
    "sro_id",
    "project_manager_id",
    "governance_body_id",
    "lead_directorate_id",
    "planned_start",
    "planned_end",
}


def patch_changes(data: ProgrammeUpdate | ProjectUpdate) -> dict[str, Any]:
    given = data.model_dump(exclude_unset=True)
    return {k: v for k, v in given.items() if v is not None or k in CLEARABLE}


def update_programme(
    session: Session, actor: Actor, programme: Programme, data: ProgrammeUpdate
) -> Programme:
    context = action_contexts(session, [programme])[0]
    ACTIONS.guard(actor, ProgrammeAction.edit, context)
    if data.status is not None:
        closes = data.status == RecordStatus.closed
        ACTIONS.guard(actor, ProgrammeAction.close if closes else ProgrammeAction.reopen, context)
    changes = patch_changes(data)
    check_references(session, actor, changes)
    if "name" in changes and changes["name"].lower() != programme.name.lower():
        name_taken(session, Programme, programme.organisation_id, changes["name"], "programme")
    if changes.get("portfolio_id", programme.portfolio_id) != programme.portfolio_id:
        open_portfolio(session, changes["portfolio_id"])
    changes.update(closing(programme.status, changes))
    check_date_order(
        changes.get("planned_start", programme.planned_start),
        changes.get("planned_end", programme.planned_end),
        "planned_start",
        "planned_end",
    )
    audit.changed(session, actor, programme, "programme", changes)
    return programme


def delete_programme(session: Session, actor: Actor, programme: Programme) -> None:
    ACTIONS.guard(actor, ProgrammeAction.delete, action_contexts(session, [programme])[0])
    audit.deleted(session, actor, programme, "programme")


# Dashboard -----------------------------------------------------------------------------


def pending_reviews(session: Session, statement: Any) -> list[PendingGateReview]:
    rows = session.execute(statement).all()
    return [
        PendingGateReview(
            id=review.id,
            project_id=review.project_id,
            project_reference=reference,
            project_name=name,
            gate_key=review.gate_key,
            from_stage=review.from_stage,
            to_stage=review.to_stage,
            requested_by_id=review.requested_by_id,
            requested_at=review.requested_at,
        )
        for review, reference, name in rows
    ]


def pending_reviews_query(organisation_id: uuid.UUID) -> Any:
    return (
        select(GateReview, Project.reference, Project.name)
        .join(Project, Project.id == GateReview.project_id)  # type: ignore[arg-type]
        .where(GateReview.organisation_id == organisation_id, GateReview.status == "pending")
        .order_by(col(GateReview.requested_at), col(GateReview.id))
    )


def programme_dashboard(session: Session, actor: Actor, programme: Programme) -> ProgrammeDashboard:
    in_programme = select(Project.id).where(
        Project.organisation_id == actor.organisation_id, Project.programme_id == programme.id
    )
    by_stage = dict(
        session.execute(
            select(Project.stage, func.count())
            .where(Project.organisation_id == actor.organisation_id, Project.programme_id == programme.id)
            .group_by(Project.stage)
            .order_by(Project.stage)
        ).all()
    )
    by_confidence = {
        (rating or "not_assessed"): count
        for rating, count in session.execute(
            select(Project.confidence, func.count())
            .where(Project.organisation_id == actor.organisation_id, Project.programme_id == programme.id)
            .group_by(Project.confidence)
        ).all()
    }
    now = today()
    open_milestones = (
        select(Milestone)
        .where(
            Milestone.organisation_id == actor.organisation_id,
            col(Milestone.project_id).in_(in_programme),
            col(Milestone.status).not_in(CLOSED_MILESTONE),
        )
        .order_by(col(Milestone.due_date), col(Milestone.id))
        .limit(VIEW_LIMIT)
    )
    due = session.execute(
        open_milestones.where(
            Milestone.due_date >= now, Milestone.due_date <= now + timedelta(days=DASHBOARD_DAYS)
        )
    ).scalars()
    overdue = session.execute(open_milestones.where(Milestone.due_date < now)).scalars()
    reviews = pending_reviews(
        session, pending_reviews_query(actor.organisation_id).where(Project.programme_id == programme.id)
    )
    return ProgrammeDashboard(
        programme_id=programme.id,
        projects=sum(by_stage.values()),
        projects_by_stage=dict(sorted(by_stage.items())),
        projects_by_confidence=dict(sorted(by_confidence.items())),
        milestones_due=milestone_views(session, actor, list(due)),
        milestones_overdue=milestone_views(session, actor, list(overdue)),
        gate_reviews_pending=reviews[:VIEW_LIMIT],
    )
