"""Milestones of a project and their baselines (see `portfolios_service` for the rules every
service of the register keeps)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.db import utcnow, without
from pmo.core.errors import FieldProblem, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import parse_quarter, today
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.portfolio import policies
from pmo.portfolio.milestones_schemas import (
    MilestoneAction,
    MilestoneBaselinePublic,
    MilestoneCreate,
    MilestonePublic,
    MilestoneRebaseline,
    MilestoneStatus,
    MilestoneUpdate,
    milestone_public,
)
from pmo.portfolio.models import PROJECT_LONG_TEXTS, Milestone, MilestoneBaseline, Project
from pmo.portfolio.portfolios_service import check_references, own
from pmo.portfolio.projects_schemas import ProjectAction
from pmo.webhooks import emitters

CLOSED_MILESTONE = (MilestoneStatus.done.value, MilestoneStatus.missed.value)


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class MilestoneContext:
    # The milestone, or a row of its columns (the work list reads rows: `pmo.work.work_service`).
    milestone: Milestone | Row[Any]
    project: Project


def _editable(actor: Actor, c: MilestoneContext) -> Verdict:
    return policies.can_edit_project(actor, c.project)


def _not_done(_actor: Actor, c: MilestoneContext) -> Verdict:
    if c.milestone.status == MilestoneStatus.done.value:
        return Blocked(f"The milestone '{c.milestone.title}' is already done.")
    return True


_EDIT = Permission.projects_edit
ACTIONS = ActionTable(
    MilestoneAction,
    {
        MilestoneAction.edit: Rule(_EDIT, _editable),
        MilestoneAction.forecast: Rule(_EDIT, _editable),
        MilestoneAction.complete: Rule(_EDIT, steps(_editable, _not_done)),
        MilestoneAction.rebaseline: Rule(_EDIT, _editable),
        MilestoneAction.delete: Rule(_EDIT, _editable),
    },
)


def action_contexts(session: Session, milestones: Sequence[Milestone]) -> list[MilestoneContext]:
    """The contexts of `milestones` in one query (their projects), however many there are."""
    project_ids = {m.project_id for m in milestones}
    projects = (
        {
            p.id: p
            for p in session.execute(
                select(Project)
                .where(col(Project.id).in_(project_ids))
                .options(*without(Project, PROJECT_LONG_TEXTS))
            ).scalars()
        }
        if project_ids
        else {}
    )
    return [MilestoneContext(m, projects[m.project_id]) for m in milestones]


def milestone_views(session: Session, actor: Actor, milestones: Sequence[Milestone]) -> list[MilestonePublic]:
    """Milestones as the caller sees them, with what they may do to each."""
    now = today()
    return [
        milestone_public(c.milestone, now, ACTIONS.allowed(actor, c))
        for c in action_contexts(session, milestones)
    ]


def milestone_view(session: Session, actor: Actor, milestone: Milestone) -> MilestonePublic:
    return milestone_views(session, actor, [milestone])[0]


MILESTONE_SORTS = {
    "due_date": Milestone.due_date,
    "title": Milestone.title,
    "created_at": Milestone.created_at,
}


def list_milestones(
    session: Session,
    actor: Actor,
    project: Project,
    page: PageParams,
    *,
    status: MilestoneStatus | None,
    sort: str,
) -> Page[MilestonePublic]:
    statement = select(Milestone).where(
        Milestone.organisation_id == actor.organisation_id, Milestone.project_id == project.id
    )
    if status is not None:
        statement = statement.where(Milestone.status == status.value)
    statement = statement.order_by(*order_by(sort, MILESTONE_SORTS, Milestone.id))
    found = paginate(session, statement, page)
    found.items = milestone_views(session, actor, found.items)
    return found


def get_milestone(session: Session, actor: Actor, milestone_id: uuid.UUID) -> Milestone:
    milestone: Milestone = own(session, actor, Milestone, milestone_id, "milestone")
    return milestone


def _plan(planned_date: date | None, planned_quarter: str | None) -> dict[str, Any]:
    if planned_quarter is not None:
        return {"planned_quarter": planned_quarter, "due_date": parse_quarter(planned_quarter).end}
    return {"planned_quarter": None, "due_date": planned_date}


def _baseline(session: Session, actor: Actor, milestone: Milestone, reason: str) -> None:
    """Record the milestone's current plan as its baseline number `baseline_number`."""
    session.add(
        MilestoneBaseline(
            organisation_id=milestone.organisation_id,
            milestone_id=milestone.id,
            number=milestone.baseline_number,
            planned_quarter=milestone.planned_quarter,
            due_date=milestone.due_date,
            reason=reason,
            set_by_id=actor.id if actor.kind == "user" else None,
            set_at=utcnow(),
        )
    )


def create_milestone(session: Session, actor: Actor, project: Project, data: MilestoneCreate) -> Milestone:
    policies.ACTIONS.guard(actor, ProjectAction.add_milestone, policies.action_context(session, project))
    check_references(session, actor, {"owner_id": data.owner_id})
    completed_on = data.completed_on or (today() if data.status == MilestoneStatus.done else None)
    milestone = Milestone(
        organisation_id=project.organisation_id,
        project_id=project.id,
        title=data.title,
        description=data.description,
        owner_id=data.owner_id,
        status=data.status.value,
        completed_on=completed_on,
        **_plan(data.planned_date, data.planned_quarter),
    )
    audit.created(session, actor, milestone, "milestone")
    _baseline(session, actor, milestone, reason="")
    if milestone.status == MilestoneStatus.missed.value:
        emitters.milestone_missed(session, milestone)
    return milestone


def update_milestone(
    session: Session, actor: Actor, milestone: Milestone, project: Project, data: MilestoneUpdate
) -> Milestone:
    context = MilestoneContext(milestone, project)
    ACTIONS.guard(actor, MilestoneAction.edit, context)
    if "forecast_date" in data.model_fields_set:
        ACTIONS.guard(actor, MilestoneAction.forecast, context)
    if data.status == MilestoneStatus.done:
        ACTIONS.guard(actor, MilestoneAction.complete, context)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    check_references(session, actor, changes)
    if "forecast_date" in data.model_fields_set and data.forecast_date is None:
        changes["forecast_date"] = None  # back on its baseline
    if "status" in changes:
        changes["status"] = changes["status"].value
    status = changes.get("status", milestone.status)
    if status == MilestoneStatus.done.value:
        if milestone.completed_on is None and "completed_on" not in changes:
            changes["completed_on"] = today()
    elif "completed_on" in changes:
        raise Unprocessable(
            "completed_on is only for a milestone that is done.",
            errors=[FieldProblem(location=["body", "completed_on"], message="not done", type="value_error")],
        )
    else:
        changes["completed_on"] = None  # reopened: no longer completed
    newly_missed = status == MilestoneStatus.missed.value and milestone.status != status
    audit.changed(session, actor, milestone, "milestone", changes)
    if newly_missed:
        emitters.milestone_missed(session, milestone)
    return milestone


def rebaseline_milestone(
    session: Session, actor: Actor, milestone: Milestone, project: Project, data: MilestoneRebaseline
) -> Milestone:
    """A new baseline with its reason; the old one stays in the history. A forecast that the
    new baseline meets is no longer a forecast: it is cleared."""
    ACTIONS.guard(actor, MilestoneAction.rebaseline, MilestoneContext(milestone, project))
    changes = _plan(data.planned_date, data.planned_quarter) | {
        "baseline_number": milestone.baseline_number + 1
    }
    if milestone.forecast_date is not None and milestone.forecast_date == changes["due_date"]:
        changes["forecast_date"] = None
    audit.changed(session, actor, milestone, "milestone", changes, action="rebaseline")
    _baseline(session, actor, milestone, reason=data.reason)
    return milestone


def milestone_baselines(
    session: Session, actor: Actor, milestone: Milestone
) -> list[MilestoneBaselinePublic]:
    """Every baseline of the milestone, the first first; the last is the current one."""
    rows = session.exec(
        select(MilestoneBaseline)
        .where(
            MilestoneBaseline.organisation_id == actor.organisation_id,
            MilestoneBaseline.milestone_id == milestone.id,
        )
        .order_by(col(MilestoneBaseline.number))
    ).all()
    return [
        MilestoneBaselinePublic(
            number=row.number,
            planned_date=None if row.planned_quarter else row.due_date,
            planned_quarter=row.planned_quarter,
            due_date=row.due_date,
            reason=row.reason,
            set_by_id=row.set_by_id,
            set_at=row.set_at,
            current=row.number == milestone.baseline_number,
        )
        for row in rows
    ]


def delete_milestone(session: Session, actor: Actor, milestone: Milestone, project: Project) -> None:
    ACTIONS.guard(actor, MilestoneAction.delete, MilestoneContext(milestone, project))
    for baseline in session.exec(
        select(MilestoneBaseline).where(MilestoneBaseline.milestone_id == milestone.id)
    ).all():
        session.delete(baseline)
    session.flush()
    audit.deleted(session, actor, milestone, "milestone")
