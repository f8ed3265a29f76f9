"""`ActionTable.allowed` asks each check once per record, and answers as `verdict` does."""

from __future__ import annotations

import uuid
from collections import Counter
from enum import StrEnum

from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.permissions import Actor, Denied, Grant, Permission, Role


class Act(StrEnum):
    edit = "edit"
    close = "close"
    reopen = "reopen"
    approve = "approve"


def _table(calls: Counter[str], editable: Verdict, open_: bool) -> ActionTable[Act, str]:
    def _editable(_actor: Actor, record: str) -> Verdict:
        calls["editable"] += 1
        return editable

    def _open(_actor: Actor, record: str) -> Verdict:
        calls["open"] += 1
        return True if open_ else Blocked(f"{record} is closed.")

    def _closed(_actor: Actor, record: str) -> Verdict:
        calls["closed"] += 1
        return Blocked(f"{record} is open.") if open_ else True

    return ActionTable(
        Act,
        {
            Act.edit: Rule(Permission.projects_edit, steps(_editable, _open)),
            Act.close: Rule(Permission.projects_edit, steps(_editable, _open)),
            Act.reopen: Rule(Permission.projects_edit, steps(_editable, _closed)),
            # A permission no role below holds: refused before any check runs.
            Act.approve: Rule(Permission.organisation_manage, _editable),
        },
    )


def _actor(role: Role) -> Actor:
    organisation = uuid.uuid4()
    return Actor(kind="user", id=uuid.uuid4(), organisation_id=organisation, label="t", grants=(Grant(role),))


def test_each_check_runs_once_per_record() -> None:
    calls: Counter[str] = Counter()
    table = _table(calls, editable=True, open_=True)
    assert table.allowed(_actor(Role.pmo), "P-0001") == [Act.edit, Act.close]
    # Three rules share the edit check and two the open one: each ran once.
    assert calls == Counter(editable=1, open=1, closed=1)


def test_allowed_agrees_with_each_verdict() -> None:
    for role in (Role.pmo, Role.viewer):
        for editable in (True, Denied("not yours")):
            for open_ in (True, False):
                table = _table(Counter(), editable, open_)
                actor = _actor(role)
                expected = [a for a in Act if table.verdict(actor, a, "P-0001") is True]
                assert table.allowed(actor, "P-0001") == expected, (role, editable, open_)


def test_a_refusal_stops_the_steps() -> None:
    calls: Counter[str] = Counter()
    table = _table(calls, editable=Denied("not yours"), open_=True)
    assert table.allowed(_actor(Role.pmo), "P-0001") == []
    assert calls == Counter(editable=1)  # the record's state is not asked of whoever may not edit
