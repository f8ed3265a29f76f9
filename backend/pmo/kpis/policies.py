"""Who may enter and submit values for which KPI, and who sees values not yet published.

One rule, written once as a SQL condition (`submit_scope`) so lists filter with it and single
records are checked with the very same condition:

* `pmo` submits for every KPI;
* the KPI's owner submits for it (they still need `kpi_values:submit`: a viewer who owns a
  KPI cannot);
* a project manager for the KPIs linked to the projects they manage, and (with the role
  held for a directorate, programme or project) for the KPIs of the projects and programmes
  in that scope;
* a sponsor for the KPIs of projects and programmes their sponsor role's scope covers (an
  organisation-wide sponsor role covers every one) or that they are SRO of; this is
  `pmo.portfolio.scope` (`Grant.covers`) written as SQL (`scope.covered`).

Readers (everyone with `kpis:read`, API clients included) see published values. Those who may
submit for a KPI also see its values not yet published; holders of `kpi_drafts:read` (pmo,
admin) see every value.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import Session, col, select

from pmo.core.permissions import Actor, Denied, Permission, Role
from pmo.kpis.models import Kpi, KpiValue
from pmo.portfolio import scope
from pmo.portfolio.models import Programme, Project

PUBLISHED = "published"


def submit_scope(actor: Actor) -> ColumnElement[bool]:
    """A condition on `Kpi`: the KPIs `actor` may enter and submit values for."""
    if actor.kind != "user" or Permission.kpi_values_submit not in actor.permissions():
        return false()
    if Role.pmo in actor.roles:
        return true()
    conditions: list[Any] = [col(Kpi.owner_id) == actor.id]
    if Role.project_manager in actor.roles:
        managed = select(Project.id).where(col(Project.project_manager_id) == actor.id)
        conditions.append(col(Kpi.project_id).in_(managed))
    if Role.sponsor in actor.roles:
        sro_projects = select(Project.id).where(col(Project.sro_id) == actor.id)
        sro_programmes = select(Programme.id).where(col(Programme.sro_id) == actor.id)
        conditions.append(
            or_(col(Kpi.project_id).in_(sro_projects), col(Kpi.programme_id).in_(sro_programmes))
        )
    # The KPIs of projects and programmes a sponsor or project manager role's scope covers.
    in_scope = [
        g for role in (Role.sponsor, Role.project_manager) for g in scope.reaching_grants(actor, role)
    ]
    if in_scope:
        conditions.append(
            and_(
                or_(col(Kpi.project_id).is_not(None), col(Kpi.programme_id).is_not(None)),
                scope.covered(in_scope, col(Kpi.project_id), col(Kpi.programme_id)),
            )
        )
    return or_(*conditions)


def can_submit(session: Session, actor: Actor, kpi: Kpi) -> bool | Denied:
    allowed = session.execute(select(Kpi.id).where(col(Kpi.id) == kpi.id, submit_scope(actor))).first()
    if allowed is not None:
        return True
    return cannot_submit(actor, kpi)


def cannot_submit(actor: Actor, kpi: Kpi) -> Denied:
    held = [r for r in (Role.project_manager, Role.sponsor) if actor.grants_for(r)]
    why = scope.may(actor, held[0], kpi) if held else True
    return Denied(
        (f"{why.reason} " if isinstance(why, Denied) else "")
        + f"You cannot enter or submit values for {kpi.code}: its owner, the project manager or sponsor "
        "of its project or programme, or the PMO can."
    )


def submittable(session: Session, actor: Actor, kpi_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """`can_submit` for many KPIs in one query: the ids among `kpi_ids` that `actor` may submit for."""
    if not kpi_ids:
        return set()
    return set(session.execute(select(Kpi.id).where(col(Kpi.id).in_(kpi_ids), submit_scope(actor))).scalars())


def sees_every_value(actor: Actor) -> bool:
    return Permission.kpi_drafts_read in actor.permissions()


def can_see(session: Session, actor: Actor, kpi: Kpi, value: KpiValue) -> bool:
    if value.status == PUBLISHED or sees_every_value(actor):
        return True
    return can_submit(session, actor, kpi) is True


def visible_values(actor: Actor) -> ColumnElement[bool]:
    """A condition on `KpiValue`: the values `actor` may see (within their organisation)."""
    if sees_every_value(actor):
        return true()
    submittable = select(Kpi.id).where(col(Kpi.organisation_id) == actor.organisation_id, submit_scope(actor))
    return or_(col(KpiValue.status) == PUBLISHED, col(KpiValue.kpi_id).in_(submittable))
