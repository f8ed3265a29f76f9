"""Refresh-token rotation, reuse detection, logout and sign-out everywhere."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlmodel import Session

from pmo.auth.models import RefreshToken
from pmo.core.config import get_settings
from pmo.core.security import digest
from pmo.organisations.models import User
from support.api import oauth_error, problem

from .helpers import ME_URL, bearer

EMAIL = "member@chesterfield.test"
GRACE = get_settings().refresh_reuse_grace_seconds


@pytest.fixture
def member(factory, org):
    return factory.person(org, email=EMAIL)


def test_refresh_rotates_the_pair(client, login, refresh, member):
    first = login(EMAIL).json()

    response = refresh(first["refresh_token"])

    assert response.status_code == 200, response.text
    second = response.json()
    assert second["token_type"] == "bearer"
    assert second["expires_in"] > 0
    assert second["refresh_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    me = client.get(ME_URL, headers=bearer(second["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == EMAIL


def test_a_refresh_token_works_only_once_after_the_grace_period(login, refresh, member, clock):
    first = login(EMAIL).json()
    assert refresh(first["refresh_token"]).status_code == 200
    clock.advance(GRACE + 1)

    body = oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")
    assert body["error"] == "invalid_grant"
    assert "already used" in body["error_description"]


def test_reusing_a_used_refresh_token_revokes_the_whole_family(client, login, refresh, member, clock):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()
    third = refresh(second["refresh_token"]).json()
    clock.advance(GRACE + 1)

    # The first token comes back: someone kept a copy. Every token of the family ends.
    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")

    oauth_error(refresh(third["refresh_token"]), 400, "invalid_grant")
    # And the family stays ended: nothing rotated from it is usable.
    oauth_error(refresh(second["refresh_token"]), 400, "invalid_grant")


def test_family_revocation_leaves_other_sessions_alone(login, refresh, member, clock):
    laptop = login(EMAIL).json()
    phone = login(EMAIL).json()
    rotated = refresh(laptop["refresh_token"]).json()
    clock.advance(GRACE + 1)
    assert refresh(laptop["refresh_token"]).status_code == 400  # reuse: laptop family revoked

    assert refresh(rotated["refresh_token"]).status_code == 400
    assert refresh(phone["refresh_token"]).status_code == 200


def test_reuse_is_recorded_in_the_database(login, refresh, member, session: Session, clock):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()
    clock.advance(GRACE + 1)
    assert refresh(first["refresh_token"]).status_code == 400

    tokens = session.execute(select(RefreshToken).where(RefreshToken.user_id == member.id)).scalars().all()
    assert len(tokens) == 2
    assert len({t.family_id for t in tokens}) == 1
    assert all(t.revoked_at is not None for t in tokens)
    # Only hashes are kept.
    hashes = {t.token_hash for t in tokens}
    assert hashes == {digest(first["refresh_token"]), digest(second["refresh_token"])}


def family_of(session: Session, refresh_token: str) -> uuid.UUID:
    family_id = session.execute(
        select(RefreshToken.family_id).where(RefreshToken.token_hash == digest(refresh_token))
    ).scalar_one()
    session.rollback()  # end the read transaction: SQLite would keep the next request waiting
    return family_id


def test_the_grace_period_is_a_few_seconds_by_default():
    assert 1 <= GRACE <= 30


def test_reuse_within_the_grace_period_gets_a_sibling_in_the_same_family(
    client, login, refresh, member, session: Session, clock
):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()
    clock.advance(GRACE - 1)

    response = refresh(first["refresh_token"])

    assert response.status_code == 200, response.text
    sibling = response.json()
    assert sibling["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    assert family_of(session, sibling["refresh_token"]) == family_of(session, second["refresh_token"])
    for pair in (second, sibling):
        assert client.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200
    # Both tabs carry on, each with its own token.
    assert refresh(second["refresh_token"]).status_code == 200
    assert refresh(sibling["refresh_token"]).status_code == 200


def test_reuse_at_the_end_of_the_grace_period_still_gets_a_sibling(login, refresh, member, clock):
    first = login(EMAIL).json()
    assert refresh(first["refresh_token"]).status_code == 200
    clock.advance(GRACE)

    assert refresh(first["refresh_token"]).status_code == 200


def test_reuse_after_the_grace_period_ends_the_siblings_too(client, login, refresh, member, clock):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()
    sibling = refresh(first["refresh_token"]).json()
    clock.advance(GRACE + 1)

    assert (
        "already used"
        in oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")["error_description"]
    )

    oauth_error(refresh(second["refresh_token"]), 400, "invalid_grant")
    oauth_error(refresh(sibling["refresh_token"]), 400, "invalid_grant")


def test_the_grace_period_is_counted_from_the_first_use(login, refresh, member, clock):
    first = login(EMAIL).json()
    assert refresh(first["refresh_token"]).status_code == 200
    clock.advance(GRACE - 1)
    assert refresh(first["refresh_token"]).status_code == 200
    clock.advance(2)

    # The sibling did not move the first use on: this is past the grace period.
    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_no_grace_for_a_token_of_an_ended_session(client, login, refresh, member, clock):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()
    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": second["refresh_token"]}).status_code == 204
    )

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_a_grace_period_of_zero_takes_any_reuse_as_theft(login, refresh, member, monkeypatch):
    monkeypatch.setattr(get_settings(), "refresh_reuse_grace_seconds", 0)
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")
    oauth_error(refresh(second["refresh_token"]), 400, "invalid_grant")


def test_unknown_refresh_token_is_401(refresh, member):
    body = oauth_error(refresh("this-was-never-issued"), 400, "invalid_grant")
    assert body["error"] == "invalid_grant"


def test_access_token_is_not_a_refresh_token(login, refresh, member):
    first = login(EMAIL).json()
    oauth_error(refresh(first["access_token"]), 400, "invalid_grant")


def test_missing_refresh_token_is_invalid_request(client, member):
    response = client.post("/api/v1/auth/token", data={"grant_type": "refresh_token"})
    assert "`refresh_token`" in oauth_error(response, 400, "invalid_request")["error_description"]


def test_expired_refresh_token_is_refused(login, refresh, member, session: Session):
    first = login(EMAIL).json()
    token = session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == digest(first["refresh_token"]))
    ).scalar_one()
    token.expires_at = token.issued_at.replace(year=token.issued_at.year - 1)
    session.add(token)
    session.commit()

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_of_a_deactivated_user_is_refused(client, login, refresh, admin, member):
    first = login(EMAIL).json()
    assert client.post(f"/api/v1/users/{member.id}/deactivate", headers=admin.headers).status_code == 200

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_of_a_user_disabled_in_the_database_is_refused(login, refresh, member, session):
    first = login(EMAIL).json()
    user = session.get_one(User, member.id)
    user.is_active = False
    session.add(user)
    session.commit()

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_of_a_deleted_user_is_refused(client, login, refresh, admin, member):
    first = login(EMAIL).json()
    assert client.delete(f"/api/v1/users/{member.id}", headers=admin.headers).status_code == 204

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_logout_revokes_the_refresh_token(client, login, refresh, member):
    first = login(EMAIL).json()

    response = client.post("/api/v1/auth/logout", json={"refresh_token": first["refresh_token"]})

    assert response.status_code == 204, response.text
    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")


def test_logout_revokes_tokens_rotated_from_it(client, login, refresh, member):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()

    # Logging out with the newest token ends the session; so does an older one of the family.
    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": first["refresh_token"]}).status_code == 204
    )

    oauth_error(refresh(second["refresh_token"]), 400, "invalid_grant")


def test_logout_leaves_other_sessions_alone(client, login, refresh, member):
    laptop = login(EMAIL).json()
    phone = login(EMAIL).json()

    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": laptop["refresh_token"]}).status_code == 204
    )

    assert refresh(phone["refresh_token"]).status_code == 200


def test_logout_with_unknown_token_is_204(client, member):
    assert client.post("/api/v1/auth/logout", json={"refresh_token": "never-issued"}).status_code == 204


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": "x", "extra": 1}])
def test_logout_with_a_bad_body_is_422(client, member, body):
    problem(client.post("/api/v1/auth/logout", json=body), 422)


def test_logout_all_ends_every_session_of_that_person_only(
    client, login, refresh, factory, org, member, session: Session
):
    colleague = factory.person(org, email="colleague@chesterfield.test")
    laptop = login(EMAIL).json()
    phone = login(EMAIL).json()
    theirs = login("colleague@chesterfield.test").json()
    for pair in (laptop, phone):
        assert client.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200
    response = client.post("/api/v1/auth/logout-all", headers=bearer(laptop["access_token"]))

    assert response.status_code == 204, response.text
    for pair in (laptop, phone):
        problem(client.get(ME_URL, headers=bearer(pair["access_token"])), 401)
        oauth_error(refresh(pair["refresh_token"]), 400, "invalid_grant")
    problem(client.get(ME_URL, headers=member.headers), 401)
    tokens = session.execute(select(RefreshToken).where(RefreshToken.user_id == member.id)).scalars().all()
    assert len(tokens) == 2
    assert all(t.revoked_at is not None for t in tokens)
    assert session.get_one(User, member.id).token_generation == 1
    session.rollback()  # end the read transaction: SQLite would keep the next sign-in waiting

    # Other people stay signed in.
    assert client.get(ME_URL, headers=bearer(theirs["access_token"])).status_code == 200
    assert client.get(ME_URL, headers=colleague.headers).status_code == 200
    assert refresh(theirs["refresh_token"]).status_code == 200
    # Signing in again works at once.
    fresh = login(EMAIL)
    assert fresh.status_code == 200
    assert client.get(ME_URL, headers=bearer(fresh.json()["access_token"])).status_code == 200
    assert refresh(fresh.json()["refresh_token"]).status_code == 200


def test_logout_all_needs_an_access_token(client, member):
    problem(client.post("/api/v1/auth/logout-all"), 401)


def test_reactivation_does_not_revive_old_sessions(client, login, refresh, admin, member):
    pair = login(EMAIL).json()
    assert client.post(f"/api/v1/users/{member.id}/deactivate", headers=admin.headers).status_code == 200

    assert client.post(f"/api/v1/users/{member.id}/reactivate", headers=admin.headers).status_code == 200

    problem(client.get(ME_URL, headers=bearer(pair["access_token"])), 401)
    oauth_error(refresh(pair["refresh_token"]), 400, "invalid_grant")
    assert login(EMAIL).status_code == 200
