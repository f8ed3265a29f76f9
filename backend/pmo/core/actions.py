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

    @property
    def checks(self) -> tuple[Callable[[Actor, C], Verdict], ...]:
        """The check's steps in order: one, unless it was made with `steps`."""
        return self.check.checks if isinstance(self.check, Steps) else (self.check,)


class Steps(Generic[C]):
    """A check made of checks taken in order, as a route makes them: the first refusal answers."""

    def __init__(self, checks: tuple[Callable[[Actor, C], Verdict], ...]) -> None:
        self.checks = checks

    def __call__(self, actor: Actor, context: C) -> Verdict:
        return _first_refusal(self.checks, lambda one: one(actor, context))


def steps(*checks: Callable[[Actor, C], Verdict]) -> Steps[C]:
    return Steps(checks)


def _first_refusal(
    checks: tuple[Callable[[Actor, C], Verdict], ...], run: Callable[[Callable[[Actor, C], Verdict]], Verdict]
) -> Verdict:
    for one in checks:
        verdict = run(one)
        if verdict is not True:
            return verdict
    return True


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
        self.rules = {action: rules[action] for action in actions}  # in the enum's order

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
        """The actions `actor` may take on the record now, in the enum's order.

        Each check runs once for the record: most rules share one (the record's edit policy),
        and a check answers from the actor and the context alone. A list of 200 milestones
        asked the same project policy five times an item."""
        verdicts: dict[Callable[[Actor, C], Verdict], Verdict] = {}

        def run(check: Callable[[Actor, C], Verdict]) -> Verdict:
            if check not in verdicts:
                verdicts[check] = check(actor, context)
            return verdicts[check]

        held = actor.permissions()
        return [
            action
            for action, rule in self.rules.items()
            if rule.permission in held and _first_refusal(rule.checks, run) is True
        ]
