"""Who may change which project. Pure functions: `True` or `Denied(reason)`.

Routes first require `projects:edit` (pmo, sponsor, project_manager); these then look at the
project itself through `pmo.portfolio.scope.may`, the one rule for scoped roles:

* `pmo` manages the whole register;
* a `sponsor` changes the projects their sponsor role's scope covers (organisation,
  directorate, programme or project) and those they are SRO of;
* a `project_manager` changes the projects they are named manager of, and every project in
  the scope of a project manager role held for a directorate, programme or project.

The project's action table (`ACTIONS`) is here, beside the rules it uses, because the gate
review and draw-down services guard with it too (and `projects_service` depends on theirs).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.permissions import Actor, Denied, Permission, Place, Role, out_of_scope
from pmo.gates.models import Lifecycle
from pmo.portfolio import scope
from pmo.portfolio.models import Programme, Project
from pmo.portfolio.projects_schemas import ProjectAction

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


# What the caller may do to a project: the routes guard with ACTIONS, `allowed_actions` lists it.


@dataclass(frozen=True)
class ProjectContext:
    project: Project
    # The name of its current stage, and whether a gate of its lifecycle leads on from it.
    stage_name: str
    gate_ahead: bool


def _editable(actor: Actor, c: ProjectContext) -> Verdict:
    return can_edit_project(actor, c.project)


def _may_request_reviews(actor: Actor, c: ProjectContext) -> Verdict:
    decision = can_edit_project(actor, c.project)
    if decision is True or any(actor.grants_for(r) for r in EDITORS):
        return decision
    return Denied(
        "You may request gate reviews only for projects you manage, projects you are SRO of, "
        "or projects in your sponsor or project manager scope; ask the PMO."
    )


def _gate_ahead(_actor: Actor, c: ProjectContext) -> Verdict:
    if not c.gate_ahead:
        return Blocked(f"The project is at {c.stage_name}, its last stage.")
    return True


_EDIT = Permission.projects_edit
ACTIONS = ActionTable(
    ProjectAction,
    {
        ProjectAction.edit: Rule(_EDIT, _editable),
        ProjectAction.assess_confidence: Rule(_EDIT, _editable),
        ProjectAction.add_milestone: Rule(_EDIT, _editable),
        ProjectAction.request_gate_review: Rule(
            Permission.gate_reviews_request, steps(_may_request_reviews, _gate_ahead)
        ),
        # Who may ask for money for a project: whoever may change it.
        ProjectAction.request_drawdown: Rule(Permission.drawdowns_request, _editable),
    },
)


def action_contexts(session: Session, projects: Sequence[Project]) -> list[ProjectContext]:
    """The contexts of `projects` in one query (their lifecycles), however many there are."""
    lifecycles = {
        lifecycle.id: lifecycle
        for lifecycle in session.execute(
            select(Lifecycle).where(col(Lifecycle.id).in_({p.lifecycle_id for p in projects}))
        ).scalars()
    }
    contexts = []
    for project in projects:
        lifecycle = lifecycles[project.lifecycle_id]
        names = {stage["key"]: stage["name"] for stage in lifecycle.stages}
        contexts.append(
            ProjectContext(
                project,
                names.get(project.stage, project.stage),
                any(gate["from_stage"] == project.stage for gate in lifecycle.gates),
            )
        )
    return contexts


def action_context(session: Session, project: Project) -> ProjectContext:
    return action_contexts(session, [project])[0]
