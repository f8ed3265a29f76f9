"""The web app's session: refresh token in an httpOnly cookie only, CSRF double submit."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select
from sqlmodel import Session

from conftest import PASSWORD
from pmo.auth.models import RefreshToken
from pmo.core.config import get_settings
from pmo.core.security import digest
from support.api import problem

from .helpers import ME_URL, bearer

SESSION_URL = "/api/v1/auth/session"
REFRESH_URL = "/api/v1/auth/session/refresh"
EMAIL = "officer@chesterfield.test"
# `__Host-`: browsers take it only Secure, with Path=/ and no Domain.
CSRF = "__Host-pmo_csrf"


@pytest.fixture
def officer(factory, org):
    return factory.person(org, email=EMAIL)


def set_cookies(response) -> dict[str, SimpleCookie]:
    """Each Set-Cookie header of the response, parsed, by cookie name."""
    parsed = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            parsed[name] = cookie
    return parsed


def cookie_values(response) -> dict[str, str]:
    return {name: jar[name].value for name, jar in set_cookies(response).items()}


def sign_in(client, email: str = EMAIL, password: str = PASSWORD):
    return client.post(SESSION_URL, json={"email": email, "password": password})


def with_session(cookies: dict[str, str], csrf: str | None = None) -> dict[str, str]:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return headers


def assert_no_refresh_token_in_body(response) -> None:
    body = response.json() if response.content else {}
    assert "refresh_token" not in body
    refresh = cookie_values(response).get("pmo_refresh")
    if refresh:
        assert refresh not in response.text


def test_sign_in_sets_the_refresh_token_only_as_a_strict_httponly_secure_cookie(client, officer):
    response = sign_in(client)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "csrf_token"}
    assert_no_refresh_token_in_body(response)
    cookies = set_cookies(response)
    refresh = cookies["pmo_refresh"]["pmo_refresh"]
    assert refresh.value
    assert refresh["httponly"] is True
    assert refresh["secure"] is True
    assert refresh["samesite"].lower() == "strict"
    assert refresh["path"] == "/api/v1/auth"
    assert int(refresh["max-age"]) == get_settings().refresh_token_days * 86400
    csrf = cookies[CSRF][CSRF]
    assert csrf.value == body["csrf_token"]
    assert not csrf["httponly"]  # the app's script reads it after a reload
    assert csrf["secure"] is True
    assert csrf["samesite"].lower() == "strict"
    assert csrf["path"] == "/"
    assert csrf["domain"] == ""
    assert response.headers["cache-control"] == "no-store"
    me = client.get(ME_URL, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == EMAIL


def test_the_cookie_holds_a_real_refresh_token_of_the_user(client, engine, officer):
    response = sign_in(client)

    refresh = cookie_values(response)["pmo_refresh"]
    with Session(engine) as session:
        token = session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == digest(refresh))
        ).scalar_one()
    assert token.user_id == officer.id


def test_wrong_password_is_401_and_sets_no_cookie(client, officer):
    response = sign_in(client, password="not the password")

    body = problem(response, 401)
    assert body["error"] == "invalid_grant"
    assert "set-cookie" not in response.headers


def test_a_malformed_sign_in_is_422_with_field_errors(client):
    body = problem(client.post(SESSION_URL, json={"email": "nobody", "password": ""}), 422)
    fields = {tuple(e["location"])[-1] for e in body["errors"]}
    assert fields == {"email", "password"}


def test_the_account_locks_after_failures_like_the_token_endpoint(client, officer, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 2)
    for _ in range(2):
        problem(sign_in(client, password="wrong"), 401)

    response = sign_in(client)

    body = problem(response, 429)
    assert "locked" in body["detail"]
    assert int(response.headers["retry-after"]) >= 1


def test_refresh_rotates_the_cookie_and_gives_a_new_access_token(client, officer):
    first = sign_in(client)
    cookies = cookie_values(first)

    response = client.post(REFRESH_URL, headers=with_session(cookies, cookies[CSRF]))

    assert response.status_code == 200, response.text
    assert_no_refresh_token_in_body(response)
    rotated = cookie_values(response)
    assert rotated["pmo_refresh"] != cookies["pmo_refresh"]
    assert rotated[CSRF] != cookies[CSRF]
    assert response.json()["csrf_token"] == rotated[CSRF]
    assert response.headers["cache-control"] == "no-store"
    me = client.get(ME_URL, headers=bearer(response.json()["access_token"]))
    assert me.status_code == 200


@pytest.mark.parametrize("csrf", [None, "", "guessed-token"])
def test_refresh_without_the_matching_csrf_header_is_403_and_rotates_nothing(client, engine, officer, csrf):
    cookies = cookie_values(sign_in(client))

    response = client.post(REFRESH_URL, headers=with_session(cookies, csrf))

    body = problem(response, 403)
    assert "X-CSRF-Token" in body["detail"]
    assert "set-cookie" not in response.headers
    with Session(engine) as session:
        token = session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == digest(cookies["pmo_refresh"]))
        ).scalar_one()
    assert token.used_at is None


def test_refresh_with_a_header_but_no_csrf_cookie_is_403(client, officer):
    cookies = cookie_values(sign_in(client))
    header = cookies.pop(CSRF)

    problem(client.post(REFRESH_URL, headers=with_session(cookies, header)), 403)


def test_refresh_without_the_session_cookie_is_401(client):
    headers = with_session({CSRF: "abc"}, "abc")
    problem(client.post(REFRESH_URL, headers=headers), 401)


def test_two_tabs_renewing_with_the_same_cookie_both_stay_signed_in(client, officer):
    first = cookie_values(sign_in(client))

    tabs = [client.post(REFRESH_URL, headers=with_session(first, first[CSRF])) for _ in range(2)]

    assert [tab.status_code for tab in tabs] == [200, 200]
    for tab in tabs:
        rotated = cookie_values(tab)
        assert client.post(REFRESH_URL, headers=with_session(rotated, rotated[CSRF])).status_code == 200


def test_a_reused_refresh_cookie_ends_the_whole_session(client, officer, clock):
    first = cookie_values(sign_in(client))
    second = cookie_values(client.post(REFRESH_URL, headers=with_session(first, first[CSRF])))
    clock.advance(get_settings().refresh_reuse_grace_seconds + 1)

    reuse = client.post(REFRESH_URL, headers=with_session(first, first[CSRF]))

    body = problem(reuse, 401)
    assert "already used" in body["detail"]
    # The thief's use also ended the rightful holder's newer token.
    problem(client.post(REFRESH_URL, headers=with_session(second, second[CSRF])), 401)


def test_sign_out_revokes_the_session_and_clears_the_cookies(client, officer):
    cookies = cookie_values(sign_in(client))

    response = client.delete(SESSION_URL, headers=with_session(cookies, cookies[CSRF]))

    assert response.status_code == 204
    assert response.headers["cache-control"] == "no-store"
    cleared = set_cookies(response)
    assert cleared["pmo_refresh"]["pmo_refresh"].value == ""
    assert cleared["pmo_refresh"]["pmo_refresh"]["path"] == "/api/v1/auth"
    assert int(cleared["pmo_refresh"]["pmo_refresh"]["max-age"]) == 0
    assert int(cleared[CSRF][CSRF]["max-age"]) == 0
    problem(client.post(REFRESH_URL, headers=with_session(cookies, cookies[CSRF])), 401)


def test_sign_out_needs_the_csrf_header(client, officer):
    cookies = cookie_values(sign_in(client))

    problem(client.delete(SESSION_URL, headers=with_session(cookies)), 403)

    # Nothing was ended.
    assert client.post(REFRESH_URL, headers=with_session(cookies, cookies[CSRF])).status_code == 200


def test_sign_out_everywhere_ends_browser_sessions_too(client, officer):
    signed_in = sign_in(client)
    cookies = cookie_values(signed_in)
    token = signed_in.json()["access_token"]

    assert client.post("/api/v1/auth/logout-all", headers=bearer(token)).status_code == 204

    # (Access tokens stopping is tested in test_refresh.py; this is about the cookie's session.)
    problem(client.post(REFRESH_URL, headers=with_session(cookies, cookies[CSRF])), 401)
