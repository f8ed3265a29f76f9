"""Revocation to the instant: generations, not whole seconds, and access tokens that name
their session, checked on every request by every process."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from pmo.auth import service as auth_service
from pmo.core.config import get_settings
from pmo.core.security import decode_access_token
from pmo.main import create_app
from pmo.organisations.models import User
from support.api import oauth_error, problem

from .helpers import ME_URL, bearer, claims_for, sign
from .test_browser_session import CSRF, SESSION_URL, cookie_values, sign_in, with_session

EMAIL = "member@chesterfield.test"
CLIENTS_URL = "/api/v1/api-clients"


@pytest.fixture
def member(factory, org):
    return factory.person(org, email=EMAIL)


def me(client, token: str) -> int:
    return client.get(ME_URL, headers=bearer(token)).status_code


def test_access_tokens_name_their_session_and_generation(login, member):
    token = login(EMAIL).json()["access_token"]

    claims = decode_access_token(get_settings(), token)

    assert claims.session_id is not None
    assert claims.generation == 0


def test_sign_out_everywhere_refuses_a_token_issued_in_the_same_second(client, login, member):
    # No waiting between sign-in and sign-out: whole-second times let this token through.
    for _ in range(3):
        pair = login(EMAIL).json()
        assert client.post("/api/v1/auth/logout-all", headers=bearer(pair["access_token"])).status_code == 204

        problem(client.get(ME_URL, headers=bearer(pair["access_token"])), 401)
        # Signing in again at once works.
        assert me(client, login(EMAIL).json()["access_token"]) == 200


def test_a_password_change_refuses_tokens_issued_just_before(client, login, member):
    pair = login(EMAIL).json()
    other = login(EMAIL).json()
    body = {"current_password": "correct horse battery staple", "new_password": "a new long passphrase"}

    assert (
        client.post("/api/v1/me/password", json=body, headers=bearer(pair["access_token"])).status_code == 204
    )

    for tokens in (pair, other):
        problem(client.get(ME_URL, headers=bearer(tokens["access_token"])), 401)
    fresh = login(EMAIL, "a new long passphrase").json()
    assert me(client, fresh["access_token"]) == 200


def test_revoking_a_client_refuses_a_token_issued_in_the_same_second(client, admin):
    created = client.post(
        CLIENTS_URL, json={"name": "Payroll", "scopes": ["kpis:read"]}, headers=admin.headers
    )
    data = {
        "grant_type": "client_credentials",
        "client_id": created.json()["client_id"],
        "client_secret": created.json()["client_secret"],
    }
    token = client.post("/api/v1/auth/token", data=data).json()["access_token"]

    revoked = client.post(f"{CLIENTS_URL}/{created.json()['id']}/revoke", headers=admin.headers)

    assert revoked.status_code == 200
    problem(client.get(ME_URL, headers=bearer(token)), 401)


def test_logout_ends_that_sessions_access_tokens_at_once(client, login, refresh, member):
    laptop = login(EMAIL).json()
    renewed = refresh(laptop["refresh_token"]).json()
    phone = login(EMAIL).json()

    response = client.post("/api/v1/auth/logout", json={"refresh_token": renewed["refresh_token"]})

    assert response.status_code == 204
    for tokens in (laptop, renewed):
        body = problem(client.get(ME_URL, headers=bearer(tokens["access_token"])), 401)
        assert "session has ended" in body["detail"]
    # Another session of the same person is untouched.
    assert me(client, phone["access_token"]) == 200


def test_signing_out_of_the_web_app_ends_its_access_token_at_once(client, member):
    signed_in = sign_in(client, EMAIL)
    cookies = cookie_values(signed_in)
    token = signed_in.json()["access_token"]
    assert me(client, token) == 200

    assert client.delete(SESSION_URL, headers=with_session(cookies, cookies[CSRF])).status_code == 204

    problem(client.get(ME_URL, headers=bearer(token)), 401)


def test_a_stolen_refresh_token_coming_back_ends_the_sessions_access_tokens(
    client, login, refresh, member, clock
):
    first = login(EMAIL).json()
    second = refresh(first["refresh_token"]).json()
    clock.advance(get_settings().refresh_reuse_grace_seconds + 1)

    oauth_error(refresh(first["refresh_token"]), 400, "invalid_grant")

    problem(client.get(ME_URL, headers=bearer(second["access_token"])), 401)


def test_a_token_naming_an_unknown_session_is_refused(client, member, org):
    token = sign(claims_for(member.id, org.id, sid=str(uuid.uuid4())))
    problem(client.get(ME_URL, headers=bearer(token)), 401)


@pytest.mark.parametrize("generation", [1, -1, "0", True, 0.0, None])
def test_a_token_of_another_generation_or_a_malformed_one_is_refused(client, member, org, generation):
    problem(client.get(ME_URL, headers=bearer(sign(claims_for(member.id, org.id, gen=generation)))), 401)


@pytest.mark.parametrize("sid", ["not-a-uuid", 5, ["x"]])
def test_a_malformed_session_claim_is_refused(client, member, org, sid):
    problem(client.get(ME_URL, headers=bearer(sign(claims_for(member.id, org.id, sid=sid)))), 401)


def test_every_app_of_the_process_sees_a_sign_out_at_once(client, login, member, engine):
    # A second app on the same engine: the commit that moved the auth generation on makes
    # the process read it again at once. Other processes: tests/auth/test_principal_cache.py.
    with TestClient(create_app(), raise_server_exceptions=False) as other_worker:
        pair = login(EMAIL).json()
        assert me(other_worker, pair["access_token"]) == 200

        assert (
            client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code
            == 204
        )

        assert me(other_worker, pair["access_token"]) == 401


def test_a_token_added_to_a_session_as_it_is_revoked_ends_with_it(client, login, refresh, member, engine):
    # What a rotation racing a sign-out can leave: the sign-out's UPDATE did not see the
    # token the rotation was inserting. One revoked token ends the whole session.
    pair = login(EMAIL).json()
    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    )
    sid = decode_access_token(get_settings(), pair["access_token"]).session_id
    with Session(engine, expire_on_commit=False) as session:
        user = session.get_one(User, member.id)
        late = auth_service.issue_user_tokens(session, get_settings(), user, family_id=sid)
        session.commit()

    oauth_error(refresh(late.refresh_token or ""), 400, "invalid_grant")
    problem(client.get(ME_URL, headers=bearer(late.access_token)), 401)
