"""Who may request, withdraw and decide gate reviews. Pure functions: `True` or `Denied(reason)`."""

from __future__ import annotations

from pmo.core.permissions import Actor, Denied, Role
from pmo.gates.models import GateReview
from pmo.portfolio.models import Project
from pmo.portfolio.policies import EDITORS, can_edit_project


def can_request(actor: Actor, project: Project) -> bool | Denied:
    """Whoever may change the project (`pmo.portfolio.policies.can_edit_project`): the PMO, a
    sponsor or project manager whose scope covers it, its SRO or its named manager."""
    decision = can_edit_project(actor, project)
    if decision is True or any(actor.grants_for(r) for r in EDITORS):
        return decision
    return Denied(
        "You may request gate reviews only for projects you manage, projects you are SRO of, "
        "or projects in your sponsor or project manager scope; ask the PMO."
    )


def can_withdraw(actor: Actor, review: GateReview) -> bool | Denied:
    if Role.pmo in actor.roles or (actor.kind == "user" and actor.id == review.requested_by_id):
        return True
    return Denied("Only the person who requested the review, or the PMO, can withdraw it.")


def can_decide(actor: Actor, review: GateReview) -> bool | Denied:
    if actor.kind == "user" and actor.id == review.requested_by_id:
        return Denied("You requested this review: someone else must decide it (four-eyes).")
    if str(actor.id) not in review.decider_ids:
        return Denied("You are not one of the deciders of this gate review.")
    return True
