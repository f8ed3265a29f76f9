"""An organisation always keeps one active admin (409), whoever asks.

Through HTTP the asking admin is always another active admin (and may not act on
themselves: 403), so the rule is driven here through the service with an actor who holds
the admin role but is not one of the organisation's admins (as the command line would be).
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy.exc import NoResultFound
from sqlmodel import Session, select

from pmo.core.errors import Conflict
from pmo.core.permissions import Actor, Grant, Role
from pmo.organisations import service
from pmo.organisations.models import RoleAssignment, User
from support.api import API, problem
from support.database import audit_count


def _operator(organisation_id: uuid.UUID) -> Actor:
    grants = (Grant(Role.admin),)
    return Actor(
        kind="user", id=uuid.uuid4(), organisation_id=organisation_id, label="operator", grants=grants
    )


def _admin_assignment(session: Session, user_id: uuid.UUID) -> RoleAssignment:
    return session.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == user_id, RoleAssignment.role == "admin")
    ).one()


def _attempt(session: Session, actor: Actor, user: User, action: str) -> None:
    if action == "deactivate":
        service.set_user_active(session, actor, user, active=False)
    elif action == "delete":
        service.delete_user(session, actor, user)
    else:
        service.remove_role(session, actor, _admin_assignment(session, user.id))


ACTIONS = ["deactivate", "delete", "remove_admin_role"]


@pytest.mark.parametrize("action", ACTIONS)
def test_last_active_admin_is_kept(engine, admin, org, action):
    events = audit_count(engine, org.id)
    with Session(engine, expire_on_commit=False) as session:
        user = session.get_one(User, admin.id)
        with pytest.raises(Conflict, match="last active admin"):
            _attempt(session, _operator(org.id), user, action)
        session.rollback()
    with Session(engine) as session:
        user = session.get_one(User, admin.id)
        assert user.is_active is True
        assert _admin_assignment(session, admin.id) is not None
    assert audit_count(engine, org.id) == events


@pytest.mark.parametrize("action", ACTIONS)
def test_an_inactive_admin_does_not_count(engine, factory, admin, org, action):
    dormant = factory.person(org, Role.admin, email="dormant@chesterfield.test")
    with Session(engine, expire_on_commit=False) as session:
        service.set_user_active(session, _operator(org.id), session.get_one(User, dormant.id), active=False)
        session.commit()
        with pytest.raises(Conflict):
            _attempt(session, _operator(org.id), session.get_one(User, admin.id), action)
        session.rollback()


@pytest.mark.parametrize("action", ACTIONS)
def test_another_active_admin_makes_it_allowed(engine, factory, admin, org, action):
    factory.person(org, Role.admin, email="second@chesterfield.test")
    with Session(engine, expire_on_commit=False) as session:
        _attempt(session, _operator(org.id), session.get_one(User, admin.id), action)
        session.commit()


def test_admins_of_other_organisations_do_not_count(engine, admin, other_admin, org):
    with Session(engine, expire_on_commit=False) as session, pytest.raises(Conflict):
        service.set_user_active(session, _operator(org.id), session.get_one(User, admin.id), active=False)


def test_inactive_last_admin_can_be_deleted_when_another_admin_is_active(client, factory, admin, org, db):
    # An inactive admin is not "the last active admin": removing them is fine.
    other = factory.person(org, Role.admin, email="other@chesterfield.test")
    assert client.post(f"{API}/users/{other.id}/deactivate", headers=admin.headers).status_code == 200
    assert client.delete(f"{API}/users/{other.id}", headers=admin.headers).status_code == 204
    # Now the asking admin is the only admin; acting on themselves is refused (403, not 409).
    problem(client.post(f"{API}/users/{admin.id}/deactivate", headers=admin.headers), 403)
    assert db.get(User, admin.id).is_active is True


def _actor_for(user: User) -> Actor:
    grants = (Grant(Role.admin),)  # what their token carries
    return Actor(
        kind="user", id=user.id, organisation_id=user.organisation_id, label=user.email, grants=grants
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_two_admins_removing_each_other_at_once_leave_one(engine, factory, admin, org, action):
    """A deactivates B while B deactivates A: one of them must lose (the check and the write
    race otherwise, each seeing the other still active)."""
    second = factory.person(org, Role.admin, email="second@chesterfield.test")
    outcome: dict[str, BaseException | None] = {}

    def b_removes_a() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                b = session.get_one(User, second.id)
                a = session.get_one(User, admin.id)
                _attempt(session, _actor_for(b), a, action)
                session.commit()
            outcome["b"] = None
        except BaseException as exc:
            outcome["b"] = exc

    with Session(engine, expire_on_commit=False) as first:
        a = first.get_one(User, admin.id)
        _attempt(first, _actor_for(a), first.get_one(User, second.id), action)  # not committed yet
        racer = threading.Thread(target=b_removes_a)
        racer.start()
        racer.join(timeout=1.0)  # B now waits on a lock held by A's open transaction
        first.commit()
    racer.join(timeout=30)
    assert not racer.is_alive()

    # B is refused: 409 (the last admin), or B is already gone when deleted first.
    assert outcome["b"] is not None, "both admins removed each other"
    assert isinstance(outcome["b"], Conflict | NoResultFound), outcome
    with Session(engine) as session:
        active_admins = session.exec(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)  # type: ignore[arg-type]
            .where(RoleAssignment.role == "admin", User.organisation_id == org.id, User.is_active.is_(True))  # type: ignore[attr-defined]
        ).all()
        assert [u.id for u in active_admins] == [admin.id]
