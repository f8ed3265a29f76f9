"""Where a record sits, and whether an actor's role reaches it: the one place scoped roles are
decided. Every policy asks `may(actor, role, record)`.

A record's place is its project (and so the project's programme and lead directorate), or its
programme (and the programme's lead directorate), or the organisation: a milestone, RAID item,
KPI, cost line, benefit, gate review, draw-down or highlight report sits where its project or
programme does. A role held for the organisation covers every place; one held for a
directorate, programme or project covers the records placed there (`Grant.covers`).

Two roles also reach records through being named on them, whatever the scope of their role:
a project manager changes the projects they are named manager of, and a sponsor the projects
and programmes they are SRO of. An organisation-wide project manager role reaches ONLY those:
"project manager" for the whole council means "of the projects I am named on"; held for a
directorate, programme or project it means every project there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from pmo.core.permissions import ORGANISATION, Actor, Denied, Grant, Place, Role, holds, out_of_scope
from pmo.organisations.models import RoleAssignment, User
from pmo.portfolio.models import Programme, Project


def programme_place(programme: Programme) -> Place:
    return Place(
        directorate_id=programme.lead_directorate_id,
        programme_id=programme.id,
        description=f"this is programme {programme.name}",
    )


def project_place(project: Project) -> Place:
    session = object_session(project)
    programme = session.get(Programme, project.programme_id) if session is not None else None
    within = f" in programme {programme.name}" if programme is not None else ""
    return Place(
        directorate_id=project.lead_directorate_id,
        programme_id=project.programme_id,
        project_id=project.id,
        description=f"{project.reference} is{within or ' another project'}",
    )


def place_of(record: Any) -> Place:
    """The place of a project, a programme, or a record hanging from one (`project_id`, else
    `programme_id`); anything else (a portfolio's item) belongs to the whole organisation."""
    if isinstance(record, Project):
        return project_place(record)
    if isinstance(record, Programme):
        return programme_place(record)
    session = object_session(record)
    if session is not None:
        project_id = getattr(record, "project_id", None)
        if project_id is not None:
            return project_place(session.get_one(Project, project_id))
        programme_id = getattr(record, "programme_id", None)
        if programme_id is not None:
            return programme_place(session.get_one(Programme, programme_id))
    return ORGANISATION


def _named(actor: Actor, user_id: uuid.UUID | None) -> bool:
    return actor.kind == "user" and user_id is not None and actor.id == user_id


def named_on(actor: Actor, role: Role, record: Any) -> bool:
    """Named on the record for `role`: a project's manager, a project's or programme's SRO."""
    if not actor.grants_for(role):
        return False
    if role == Role.project_manager and isinstance(record, Project):
        return _named(actor, record.project_manager_id)
    if role == Role.sponsor and isinstance(record, Project | Programme):
        return _named(actor, record.sro_id)
    return False


def reaches(actor: Actor, role: Role, place: Place) -> bool:
    """Holds `role` for `place` through the scope of a role (not by being named). An
    organisation-wide project manager role reaches no place by itself (see the module doc)."""
    if role == Role.project_manager:
        return any(g.covers(place) and not g.organisation_wide for g in actor.grants_for(role))
    return holds(actor, role, place)


def may(actor: Actor, role: Role, record: Any, place: Place | None = None) -> bool | Denied:
    """Does `actor` hold `role` for `record`? `True`, or the refusal naming their scope and
    where the record is. `place` is given when the caller already knows it (a new record)."""
    place = place if place is not None else place_of(record)
    if reaches(actor, role, place) or named_on(actor, role, record):
        return True
    if role == Role.project_manager and any(g.organisation_wide for g in actor.grants_for(role)):
        return Denied(
            f"You are project manager of the projects you are named manager of only; {place.description}."
        )
    return out_of_scope(actor, role, place)


def may_any(actor: Actor, roles: tuple[Role, ...], record: Any, place: Place | None = None) -> bool | Denied:
    """`may` for the first of `roles` the actor holds at all that reaches the record; the
    refusal is about the roles they hold (the first, when they hold several)."""
    place = place if place is not None else place_of(record)
    refusals: list[Denied] = []
    for role in roles:
        if not actor.grants_for(role):
            continue
        decision = may(actor, role, record, place)
        if decision is True:
            return True
        if isinstance(decision, Denied):
            refusals.append(decision)
    return refusals[0] if refusals else Denied("You do not hold a role that may change this.")


def people_holding(
    session: Session,
    organisation_id: uuid.UUID,
    roles: Iterable[str],
    accepts: Callable[[Grant], bool],
) -> set[uuid.UUID]:
    """The active people holding one of `roles` through a grant `accepts` takes (for the people
    whose role covers a place: `lambda g: g.covers(place)`), for deciders and notifications."""
    assignments = session.execute(
        select(RoleAssignment)
        .join(User, col(User.id) == col(RoleAssignment.user_id))
        .where(
            RoleAssignment.organisation_id == organisation_id,
            col(RoleAssignment.role).in_(list(roles)),
            col(User.is_active).is_(True),
        )
    ).scalars()
    return {
        a.user_id
        for a in assignments
        if accepts(Grant(Role(a.role), a.directorate_id, a.programme_id, a.project_id))
    }


def covered(grants: Iterable[Grant], project_id: Any, programme_id: Any | None = None) -> ColumnElement[bool]:
    """A SQL condition: the row's project (column `project_id`) or, for a programme's own
    row, its programme (`programme_id`) is in the scope of one of `grants` - the same rule as
    `Grant.covers`, for lists (work lists, KPIs one may submit for)."""
    conditions: list[ColumnElement[bool]] = []
    for g in grants:
        if g.organisation_wide:
            conditions.append(true())
            continue
        if g.project_id is not None:
            conditions.append(project_id == g.project_id)
            continue
        if g.programme_id is not None:
            projects = select(Project.id).where(col(Project.programme_id) == g.programme_id)
            conditions.append(project_id.in_(projects))
            if programme_id is not None:
                conditions.append(programme_id == g.programme_id)
            continue
        projects = select(Project.id).where(col(Project.lead_directorate_id) == g.directorate_id)
        conditions.append(project_id.in_(projects))
        if programme_id is not None:
            programmes = select(Programme.id).where(col(Programme.lead_directorate_id) == g.directorate_id)
            conditions.append(programme_id.in_(programmes))
    return or_(*conditions) if conditions else false()


def reaching_grants(actor: Actor, role: Role) -> list[Grant]:
    """The grants of `role` that reach places by their scope (see `reaches`)."""
    grants = actor.grants_for(role)
    return [g for g in grants if not g.organisation_wide] if role == Role.project_manager else grants
