"""What a caller may do to a record now: one declaration per kind of record, used twice.

A domain declares its actions once, in an `ActionTable`: for each action (a member of the
record's action enum), the permission its route requires and a check of the record that
calls the domain's policy functions and the record-state precondition the route tests, in
the order the route tests them. The route guards with `table.guard(...)` and the record's
`allowed_actions` field is `table.allowed(...)`, so the two cannot disagree.

A check answers `True`, a `Denied` (who is asking may not: 403) or a `Blocked` (the record's
state does not allow it now: 409, or 422 where the route says so). A check sees a context
built from data already loaded (the record, its project, ...): a list builds the contexts of
a page with a few queries, never one per item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from pmo.core.errors import Conflict, FieldProblem, Forbidden, Unprocessable
from pmo.core.permissions import Actor, Denied, Permission, roles_granting, scopes_granting


@dataclass(frozen=True)
class Blocked:
    """The record's state does not allow the action now: 409, or 422 when the route answers so."""

    reason: str
    status: int = 409
    errors: tuple[FieldProblem, ...] = field(default=())

    def __bool__(self) -> bool:
        return False


Verdict = bool | Denied | Blocked

A = TypeVar("A", bound=StrEnum)
C = TypeVar("C")


@dataclass(frozen=True)
class Rule(Generic[C]):
    """One action: the permission its route requires, then the check of the record."""

    permission: Permission
    check: Callable[[Actor, C], Verdict]


def steps(*checks: Callable[[Actor, C], Verdict]) -> Callable[[Actor, C], Verdict]:
    """A check made of checks taken in order, as a route makes them: the first refusal answers."""

    def check(actor: Actor, context: C) -> Verdict:
        for one in checks:
            verdict = one(actor, context)
            if verdict is not True:
                return verdict
        return True

    return check


def lacks(actor: Actor, permission: Permission) -> Denied:
    """The refusal of an actor without the permission, worded as the route's 403."""
    if actor.kind == "user":
        roles = ", ".join(roles_granting(permission))
        return Denied(f"This needs the permission '{permission}', which comes with the role(s): {roles}.")
    scopes = scopes_granting(permission)
    if not scopes:
        return Denied(f"This needs the permission '{permission}', which no API client scope grants.")
    return Denied(f"This needs the scope {' or '.join(repr(str(s)) for s in scopes)}.")


class ActionTable(Generic[A, C]):
    """The actions on one kind of record, every member of `actions` declared once."""

    def __init__(self, actions: type[A], rules: Mapping[A, Rule[C]]) -> None:
        missing = [a.value for a in actions if a not in rules]
        if missing:
            raise ValueError(f"{actions.__name__}: no rule for {', '.join(missing)}")
        self.actions = actions
        self.rules = dict(rules)

    def permission(self, action: A) -> Permission:
        """The permission the action's route requires (`require(table.permission(...))`)."""
        return self.rules[action].permission

    def verdict(self, actor: Actor, action: A, context: C) -> Verdict:
        rule = self.rules[action]
        if rule.permission not in actor.permissions():
            return lacks(actor, rule.permission)
        return rule.check(actor, context)

    def guard(self, actor: Actor, action: A, context: C) -> None:
        """Raise the refusal the route answers with: 403, 409 or 422."""
        verdict = self.verdict(actor, action, context)
        if isinstance(verdict, Denied):
            raise Forbidden(verdict.reason)
        if isinstance(verdict, Blocked):
            if verdict.status == 422:
                raise Unprocessable(verdict.reason, errors=list(verdict.errors))
            raise Conflict(verdict.reason)

    def allowed(self, actor: Actor, context: C) -> list[A]:
        """The actions `actor` may take on the record now, in the enum's order."""
        return [action for action in self.actions if self.verdict(actor, action, context) is True]
