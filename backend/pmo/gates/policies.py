"""Who may withdraw and decide gate reviews. Pure functions: `True` or `Denied(reason)`."""

from __future__ import annotations

from pmo.core.permissions import Actor, Denied, Role
from pmo.gates.models import GateReview

# Who may request a review: the project's action table (`pmo.portfolio.policies.ACTIONS`,
# `request_gate_review`), the project's editors.


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
