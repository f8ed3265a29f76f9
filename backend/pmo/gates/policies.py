"""Who may request, withdraw and decide gate reviews. Pure functions: `True` or `Denied(reason)`."""

from __future__ import annotations

from pmo.core.permissions import Actor, Denied, Role
from pmo.gates.models import GateReview
from pmo.portfolio.models import Project


def can_request(actor: Actor, project: Project) -> bool | Denied:
    """pmo: any project. sponsor: projects of a directorate they sponsor, or where they are SRO.
    project_manager: the projects they manage."""
    if Role.pmo in actor.roles:
        return True
    if actor.kind == "user" and actor.id in (project.sro_id, project.project_manager_id):
        return True
    if any(
        g.role == Role.sponsor
        and (g.directorate_id is None or g.directorate_id == project.lead_directorate_id)
        for g in actor.grants
    ):
        return True
    return Denied(
        "You may request gate reviews only for projects you manage, projects you are SRO of, "
        "or projects of a directorate you sponsor; ask the PMO."
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
