"""Who may change which project. Pure functions: `True` or `Denied(reason)`.

Routes first require `projects:edit` (pmo, sponsor, project_manager); these then look at the
project itself:

* `pmo` manages the whole register;
* a `sponsor` works within their directorate: projects whose lead directorate their sponsor
  role covers (an organisation-wide sponsor role covers every directorate), and projects
  they are the SRO of;
* a `project_manager` edits only the projects they manage.
"""

from __future__ import annotations

import uuid

from pmo.core.permissions import Actor, Denied, Role
from pmo.portfolio.models import Project


def _holds(actor: Actor, role: Role, directorate_id: uuid.UUID | None = None) -> bool:
    """Holds `role` for the whole organisation, or for `directorate_id` when one is given."""
    return any(
        g.role == role
        and (g.directorate_id is None or (directorate_id is not None and g.directorate_id == directorate_id))
        for g in actor.grants
    )


def _is(actor: Actor, user_id: uuid.UUID | None) -> bool:
    return actor.kind == "user" and user_id is not None and actor.id == user_id


def can_create_project(actor: Actor, lead_directorate_id: uuid.UUID | None) -> bool | Denied:
    if _holds(actor, Role.pmo):
        return True
    if _holds(actor, Role.sponsor, lead_directorate_id):
        return True
    if any(g.role == Role.sponsor for g in actor.grants):
        return Denied("A sponsor adds projects led by a directorate their sponsor role covers.")
    return Denied("Projects are added by the PMO, or by a sponsor within their directorate.")


def can_edit_project(actor: Actor, project: Project) -> bool | Denied:
    if _holds(actor, Role.pmo):
        return True
    if any(g.role == Role.sponsor for g in actor.grants) and (
        _holds(actor, Role.sponsor, project.lead_directorate_id) or _is(actor, project.sro_id)
    ):
        return True
    if any(g.role == Role.project_manager for g in actor.grants) and _is(actor, project.project_manager_id):
        return True
    return Denied(
        f"You cannot change {project.reference}: the PMO changes any project, a sponsor those of "
        "their directorate or that they are SRO of, a project manager those they manage."
    )


def can_lead_from(actor: Actor, project: Project, lead_directorate_id: uuid.UUID | None) -> bool | Denied:
    """A sponsor who edits through their directorate may not hand the project to another one."""
    if _holds(actor, Role.pmo) or lead_directorate_id == project.lead_directorate_id:
        return True
    if _holds(actor, Role.sponsor, lead_directorate_id) or _is(actor, project.sro_id):
        return True
    if _is(actor, project.project_manager_id) and any(g.role == Role.project_manager for g in actor.grants):
        return Denied("Ask the PMO or the sponsor to change a project's lead directorate.")
    return Denied("You may only give the project a lead directorate your sponsor role covers.")
