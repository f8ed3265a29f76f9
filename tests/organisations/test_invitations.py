"""Invitations (pmo.invitations): an administrator adds a person with a one-time link; the
invitee sets a first password with it, once, before it expires."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.permissions import Role
from pmo.invitations.models import Invitation
from pmo.organisations.models import User
from support.api import API, oauth_error, problem, sign_in
from support.database import audit_actions, audit_events, count

PASSWORD = "a brand new long password"


def _invite(client, admin, email="new.officer@chesterfield.test", roles=("pmo",)):  # type: ignore[no-untyped-def]
    body = {"email": email, "display_name": "New Officer", "roles": list(roles)}
    response = client.post(f"{API}/invitations", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response


def _token(issued: dict) -> str:  # type: ignore[type-arg]
    return str(issued["invitation_url"]).rsplit("/", 1)[1]


def _expire(engine, user_id) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        session.execute(
            update(Invitation)
            .where(col(Invitation.user_id) == uuid.UUID(user_id))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()


def test_an_invitee_sets_a_password_once_and_signs_in(client, admin, engine):
    response = _invite(client, admin)
    issued = response.json()
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["location"].endswith(f"/api/v1/users/{issued['user']['id']}")
    assert issued["invitation_url"].startswith(f"{get_settings().public_url}/invitations/")
    assert issued["user"]["email"] == "new.officer@chesterfield.test"
    assert [r["role"] for r in issued["user"]["roles"]] == ["pmo"]
    token = _token(issued)
    # Only the hash is stored; nothing in the audit trail holds the token.
    stored = [row[0] for row in _all(engine, select(Invitation.token_hash))]
    assert len(stored) == 1
    assert token not in stored[0]
    assert all(token not in str(e) for e in audit_events(engine, issued["user"]["id"]))

    lookup = client.post(f"{API}/invitations/lookup", json={"token": token})
    assert lookup.status_code == 200, lookup.text
    assert lookup.json()["email"] == "new.officer@chesterfield.test"
    assert lookup.json()["organisation_name"] == admin.organisation.name

    # No password works before the invitation is used.
    refused = client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": "new.officer@chesterfield.test", "password": PASSWORD},
    )
    oauth_error(refused, 400, "invalid_grant")

    accepted = client.post(f"{API}/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 204, accepted.text
    headers = sign_in(client, "new.officer@chesterfield.test", PASSWORD)
    roles = client.get(f"{API}/me", headers=headers).json()["roles"]
    assert [(r["role"], r["scope"]) for r in roles] == [("pmo", "the whole organisation")]
    assert audit_actions(engine, issued["user"]["id"])[-1] == ("password_set", "user")

    again = problem(
        client.post(f"{API}/invitations/accept", json={"token": token, "password": "another long password"}),
        409,
    )
    assert again["type"].endswith("/problems/invitation-unusable")
    assert again["reason"] == "used"
    assert problem(client.post(f"{API}/invitations/lookup", json={"token": token}), 409)["reason"] == "used"
    sign_in(client, "new.officer@chesterfield.test", PASSWORD)  # the first password still stands


def _all(engine, statement):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.execute(statement).all())


def test_an_expired_invitation_is_refused_and_changes_nothing(client, admin, engine):
    issued = _invite(client, admin).json()
    _expire(engine, issued["user"]["id"])
    before = _all(engine, select(User.password_hash))
    body = problem(
        client.post(f"{API}/invitations/accept", json={"token": _token(issued), "password": PASSWORD}), 409
    )
    assert body["reason"] == "expired"
    assert "expired" in body["detail"]
    assert (
        problem(client.post(f"{API}/invitations/lookup", json={"token": _token(issued)}), 409)["reason"]
        == "expired"
    )
    assert _all(engine, select(User.password_hash)) == before
    assert _all(engine, select(Invitation.accepted_at)) == [(None,)]


def test_a_new_link_replaces_the_last_one(client, admin, engine):
    first = _invite(client, admin).json()
    _expire(engine, first["user"]["id"])
    response = client.post(f"{API}/users/{first['user']['id']}/invitation", headers=admin.headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert _token(second) != _token(first)
    assert problem(client.post(f"{API}/invitations/lookup", json={"token": _token(first)}), 409)[
        "reason"
    ] in {
        "replaced",
        "expired",
    }
    assert (
        client.post(
            f"{API}/invitations/accept", json={"token": _token(second), "password": PASSWORD}
        ).status_code
        == 204
    )
    # Once a password is set from a link, no new link is given.
    done = problem(client.post(f"{API}/users/{first['user']['id']}/invitation", headers=admin.headers), 409)
    assert "already set a password" in done["detail"]


def test_replacing_a_live_link_says_replaced(client, admin):
    first = _invite(client, admin).json()
    client.post(f"{API}/users/{first['user']['id']}/invitation", headers=admin.headers)
    body = problem(
        client.post(f"{API}/invitations/accept", json={"token": _token(first), "password": PASSWORD}), 409
    )
    assert body["reason"] == "replaced"


def test_a_person_with_a_password_gets_no_link(client, admin, pmo):
    body = problem(client.post(f"{API}/users/{pmo.id}/invitation", headers=admin.headers), 409)
    assert "already have a password" in body["detail"]


def test_a_deactivated_invitee_cannot_use_the_link(client, admin):
    issued = _invite(client, admin).json()
    assert (
        client.post(f"{API}/users/{issued['user']['id']}/deactivate", headers=admin.headers).status_code
        == 200
    )
    body = problem(
        client.post(f"{API}/invitations/accept", json={"token": _token(issued), "password": PASSWORD}), 409
    )
    assert body["reason"] == "deactivated"


def test_an_unknown_link_is_404(client):
    body = problem(client.post(f"{API}/invitations/lookup", json={"token": "not-a-real-token"}), 404)
    assert "no invitation" in body["detail"]


def test_a_weak_password_is_refused_at_the_field_and_keeps_the_link(client, admin):
    issued = _invite(client, admin).json()
    body = problem(
        client.post(f"{API}/invitations/accept", json={"token": _token(issued), "password": "short"}), 422
    )
    assert [e["location"] for e in body["errors"]] == [["body", "password"]]
    assert (
        client.post(
            f"{API}/invitations/accept", json={"token": _token(issued), "password": PASSWORD}
        ).status_code
        == 204
    )


def test_an_email_in_use_is_409_and_nothing_is_written(client, admin, pmo, engine):
    users, invitations = count(engine, "users"), count(engine, "invitations")
    body = {"email": pmo.user.email, "display_name": "Someone", "roles": ["viewer"]}
    problem(client.post(f"{API}/invitations", json=body, headers=admin.headers), 409)
    assert (count(engine, "users"), count(engine, "invitations")) == (users, invitations)


@pytest.mark.parametrize("role", [Role.pmo, Role.viewer, Role.finance])
def test_only_user_managers_invite(client, factory, org, role):
    person = factory.person(org, role)
    body = {"email": "x@chesterfield.test", "display_name": "X"}
    problem(client.post(f"{API}/invitations", json=body, headers=person.headers), 403)


def test_another_organisations_person_gets_no_link(client, admin, other_admin):
    issued = _invite(client, admin).json()
    problem(client.post(f"{API}/users/{issued['user']['id']}/invitation", headers=other_admin.headers), 404)


def test_deleting_an_invited_person_removes_their_links(client, admin, engine):
    issued = _invite(client, admin).json()
    assert client.delete(f"{API}/users/{issued['user']['id']}", headers=admin.headers).status_code == 204
    assert count(engine, "invitations") == 0
