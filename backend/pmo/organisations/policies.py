"""Who may do what to people and roles. Pure functions: `True` or `Denied(reason)`."""

from __future__ import annotations

from pmo.core.permissions import Actor, Denied
from pmo.organisations.models import RoleAssignment, User


def can_change_status(actor: Actor, user: User) -> bool | Denied:
    if actor.kind == "user" and actor.id == user.id:
        return Denied("You cannot deactivate or delete your own account; ask another admin.")
    return True


def can_remove_role(actor: Actor, assignment: RoleAssignment) -> bool | Denied:
    if actor.kind == "user" and actor.id == assignment.user_id and assignment.role == "admin":
        return Denied("You cannot remove your own admin role; ask another admin.")
    return True
