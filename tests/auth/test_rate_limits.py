"""Sign-in throttling: failed sign-ins per account and, separately, per client address."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pmo.core.config import get_settings
from support.api import oauth_error

from .helpers import ME_URL, TOKEN_URL, bearer
from .test_browser_session import CSRF, REFRESH_URL, cookie_values, sign_in, with_session

EMAIL = "member@chesterfield.test"
ACCOUNT_KEY = f"login-account:{EMAIL}"


@pytest.fixture
def member(factory, org):
    return factory.person(org, email=EMAIL)


@pytest.fixture
def three_failures(monkeypatch):
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 3)


@pytest.fixture
def three_address_failures(monkeypatch):
    monkeypatch.setattr(get_settings(), "login_failures_per_address", 3)


def assert_throttled(response) -> None:
    body = oauth_error(response, 429, "too_many_requests")
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= get_settings().login_window_seconds
    assert "access_token" not in body


def test_account_is_locked_after_n_failed_sign_ins_even_with_the_right_password(
    login, member, three_failures
):
    for _ in range(3):
        oauth_error(login(EMAIL, "wrong password"), 400, "invalid_grant")

    assert_throttled(login(EMAIL))


def test_failures_below_the_limit_do_not_lock(login, member, three_failures):
    for _ in range(2):
        oauth_error(login(EMAIL, "wrong password"), 400, "invalid_grant")

    assert login(EMAIL).status_code == 200


def test_failed_sign_ins_are_counted_in_the_database(login, member, three_failures, counters):
    for _ in range(3):
        login(EMAIL, "wrong password")
    # A refused attempt while locked is not counted again.
    login(EMAIL)
    login(EMAIL, "wrong password")

    assert counters("login-account:") == {ACCOUNT_KEY: 3}


def test_successful_sign_in_is_not_counted_against_the_account(login, member, counters):
    assert login(EMAIL).status_code == 200
    assert counters("login-account:") == {}


def test_account_lock_ignores_the_case_of_the_email(login, member, three_failures, counters):
    login(EMAIL, "wrong password")
    login(EMAIL.upper(), "wrong password")
    login(f"  {EMAIL} ", "wrong password")

    assert counters("login-account:") == {ACCOUNT_KEY: 3}
    assert_throttled(login(EMAIL.title()))


def test_account_lock_does_not_affect_other_accounts(login, factory, org, member, three_failures):
    factory.person(org, email="colleague@chesterfield.test")
    for _ in range(3):
        login(EMAIL, "wrong password")

    assert_throttled(login(EMAIL))
    assert login("colleague@chesterfield.test").status_code == 200


def test_failures_for_unknown_accounts_are_counted_too(login, member, three_failures, counters):
    for _ in range(3):
        oauth_error(login("ghost@chesterfield.test", "guess"), 400, "invalid_grant")

    assert counters("login-account:") == {"login-account:ghost@chesterfield.test": 3}
    assert_throttled(login("ghost@chesterfield.test", "guess"))


def test_account_lock_ends_with_its_window(login, member, three_failures, engine):
    for _ in range(3):
        login(EMAIL, "wrong password")
    assert_throttled(login(EMAIL))

    window = get_settings().login_window_seconds
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE rate_limit_counters SET window_start = window_start - :w WHERE key = :k"),
            {"w": window, "k": ACCOUNT_KEY},
        )

    assert login(EMAIL).status_code == 200


def test_access_tokens_keep_working_while_the_account_is_locked(client, login, member, three_failures):
    # The lock stops new sign-ins; it is not a sign-out.
    pair = login(EMAIL).json()
    for _ in range(3):
        login(EMAIL, "wrong password")

    assert_throttled(login(EMAIL))
    assert client.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200


def test_address_is_throttled_after_n_failed_sign_ins(login, member, three_address_failures):
    for _ in range(3):
        oauth_error(login("ghost@chesterfield.test", "guess"), 400, "invalid_grant")

    body = oauth_error(login(EMAIL), 429, "too_many_requests")
    assert "network address" in body["error_description"]


def test_successful_sign_ins_are_not_counted_against_the_address(
    login, member, three_address_failures, counters
):
    for _ in range(10):
        assert login(EMAIL).status_code == 200

    assert counters("login-address:") == {}


def test_address_limit_counts_only_failures(login, member, three_address_failures, counters):
    login(EMAIL, "wrong password")
    login("ghost@chesterfield.test", "guess")
    login(EMAIL)

    # The test client's address is "testclient".
    assert counters("login-address:") == {"login-address:testclient": 2}
    login(EMAIL, "wrong password")
    assert_throttled(login(EMAIL))
    # A refused attempt is not counted again: no password was checked.
    assert counters("login-address:") == {"login-address:testclient": 3}


def test_failed_sign_ins_lock_the_account_but_not_the_address(
    login, factory, org, member, three_failures, counters
):
    factory.person(org, email="colleague@chesterfield.test")
    for _ in range(3):
        login(EMAIL, "wrong password")

    assert_throttled(login(EMAIL))
    # The same office (address) signs in as anyone else.
    assert login("colleague@chesterfield.test").status_code == 200
    assert counters("login-address:") == {"login-address:testclient": 3}


def test_a_hundred_renewals_from_one_address_all_work(client, login, refresh, member):
    # The default limit (60 a window) is what an office behind one address lives with.
    assert get_settings().login_failures_per_address < 100
    pair = login(EMAIL).json()
    for _ in range(100):
        response = refresh(pair["refresh_token"])
        assert response.status_code == 200, response.text
        pair = response.json()

    assert client.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200


def test_a_hundred_browser_renewals_from_one_address_all_work(client, member):
    cookies = cookie_values(sign_in(client, EMAIL))
    for _ in range(100):
        response = client.post(REFRESH_URL, headers=with_session(cookies, cookies[CSRF]))
        assert response.status_code == 200, response.text
        cookies = cookie_values(response)


def test_renewals_are_not_refused_when_the_address_is_throttled(
    login, refresh, member, three_address_failures
):
    pair = login(EMAIL).json()
    for _ in range(3):
        login("ghost@chesterfield.test", "guess")
    assert_throttled(login(EMAIL))

    assert refresh(pair["refresh_token"]).status_code == 200


def test_address_limit_covers_client_credentials(client, member, three_address_failures):
    data = {"grant_type": "client_credentials", "client_id": "pmo_x", "client_secret": "y"}
    for _ in range(3):
        oauth_error(client.post(TOKEN_URL, data=data), 401, "invalid_client")

    assert_throttled(client.post(TOKEN_URL, data=data))


def test_address_limit_applies_across_accounts(login, factory, org, member, three_address_failures):
    factory.person(org, email="colleague@chesterfield.test")
    # One guess at each of many accounts (password spraying): no account is near its limit.
    for name in ("ann", "bob", "cat"):
        oauth_error(login(f"{name}@chesterfield.test", "Summer2026!"), 400, "invalid_grant")

    assert_throttled(login("colleague@chesterfield.test"))
    assert_throttled(login(EMAIL))


def test_refused_scope_requests_are_counted_against_the_address(
    client, admin, three_address_failures, counters
):
    created = client.post(
        "/api/v1/api-clients", json={"name": "Finance", "scopes": ["kpis:read"]}, headers=admin.headers
    ).json()
    data = {
        "grant_type": "client_credentials",
        "client_id": created["client_id"],
        "client_secret": created["client_secret"],
        "scope": "portfolio:read",
    }
    for _ in range(3):
        oauth_error(client.post(TOKEN_URL, data=data), 400, "invalid_scope")

    assert counters("login-address:") == {"login-address:testclient": 3}
    assert_throttled(client.post(TOKEN_URL, data=data | {"scope": "kpis:read"}))
