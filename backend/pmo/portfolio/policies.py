"""Who may change which project. Pure functions: `True` or `Denied(reason)`.

Routes first require `projects:edit` (pmo, sponsor, project_manager); these then look at the
project itself through `pmo.portfolio.scope.may`, the one rule for scoped roles:

* `pmo` manages the whole register;
* a `sponsor` changes the projects their sponsor role's scope covers (organisation,
  directorate, programme or project) and those they are SRO of;
* a `project_manager` changes the projects they are named manager of, and every project in
  the scope of a project manager role held for a directorate, programme or project.
"""

from __future__ import annotations

import uuid

from pmo.core.permissions import Actor, Denied, Place, Role, out_of_scope
from pmo.portfolio import scope
from pmo.portfolio.models import Programme, Project

EDITORS = (Role.sponsor, Role.project_manager)


def is_pmo(actor: Actor) -> bool:
    return bool(actor.grants_for(Role.pmo))


def can_create_project(
    actor: Actor, lead_directorate_id: uuid.UUID | None, programme: Programme
) -> bool | Denied:
    if is_pmo(actor):
        return True
    place = Place(
        directorate_id=lead_directorate_id,
        programme_id=programme.id,
        description=f"the new project would be in programme {programme.name}",
    )
    if scope.reaches(actor, Role.sponsor, place):
        return True
    if actor.grants_for(Role.sponsor):
        return out_of_scope(actor, Role.sponsor, place)
    return Denied("Projects are added by the PMO, or by a sponsor within their scope.")


def can_edit_project(actor: Actor, project: Project) -> bool | Denied:
    if is_pmo(actor):
        return True
    decision = scope.may_any(actor, EDITORS, project)
    if decision is True:
        return True
    if not any(actor.grants_for(r) for r in EDITORS):
        return Denied(
            f"You cannot change {project.reference}: the PMO changes any project, a sponsor or "
            "project manager those in their scope."
        )
    return decision


def can_lead_from(actor: Actor, project: Project, lead_directorate_id: uuid.UUID | None) -> bool | Denied:
    """Whoever hands a project to another lead directorate must reach it there too (a sponsor
    of one directorate may not give their project away)."""
    if is_pmo(actor) or lead_directorate_id == project.lead_directorate_id:
        return True
    moved = Place(
        directorate_id=lead_directorate_id,
        programme_id=project.programme_id,
        project_id=project.id,
        description="the new lead directorate is outside it",
    )
    if scope.named_on(actor, Role.sponsor, project) or scope.reaches(actor, Role.sponsor, moved):
        return True
    if actor.grants_for(Role.project_manager) and not actor.grants_for(Role.sponsor):
        return Denied("Ask the PMO or the sponsor to change a project's lead directorate.")
    return out_of_scope(actor, Role.sponsor, moved)


def can_move_to_programme(actor: Actor, project: Project, programme_id: uuid.UUID) -> bool | Denied:
    """A project moved to another programme must stay within the mover's scope."""
    if is_pmo(actor) or programme_id == project.programme_id:
        return True
    moved = Place(
        directorate_id=project.lead_directorate_id,
        programme_id=programme_id,
        project_id=project.id,
        description="the programme you are moving it to is outside it",
    )
    if any(scope.named_on(actor, r, project) or scope.reaches(actor, r, moved) for r in EDITORS):
        return True
    return out_of_scope(actor, next(r for r in EDITORS if actor.grants_for(r)), moved)
