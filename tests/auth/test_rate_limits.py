"""Sign-in throttling: per account after failed sign-ins, and per client address."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pmo.core.config import get_settings
from support.api import problem

from .helpers import ME_URL, TOKEN_URL, bearer

EMAIL = "member@chesterfield.test"
ACCOUNT_KEY = f"login-account:{EMAIL}"


@pytest.fixture
def member(factory, org):
    return factory.person(org, email=EMAIL)


@pytest.fixture
def three_failures(monkeypatch):
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 3)


@pytest.fixture
def three_attempts(monkeypatch):
    monkeypatch.setattr(get_settings(), "login_attempts_per_address", 3)


def assert_throttled(response) -> None:
    body = problem(response, 429)
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= get_settings().login_window_seconds
    assert "access_token" not in body


def test_account_is_locked_after_n_failed_sign_ins_even_with_the_right_password(
    login, member, three_failures
):
    for _ in range(3):
        problem(login(EMAIL, "wrong password"), 401)

    assert_throttled(login(EMAIL))


def test_failures_below_the_limit_do_not_lock(login, member, three_failures):
    for _ in range(2):
        problem(login(EMAIL, "wrong password"), 401)

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
        problem(login("ghost@chesterfield.test", "guess"), 401)

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


def test_address_is_throttled_after_n_attempts(login, member, three_attempts):
    for _ in range(3):
        assert login(EMAIL).status_code == 200

    assert_throttled(login(EMAIL))


def test_address_limit_counts_failed_and_successful_attempts(login, member, three_attempts, counters):
    login(EMAIL, "wrong password")
    login("ghost@chesterfield.test", "guess")
    login(EMAIL)

    assert_throttled(login(EMAIL))
    # The test client's address is "testclient"; every attempt is counted, the refused one too.
    assert counters("login-address:") == {"login-address:testclient": 4}


def test_address_limit_covers_every_grant_type(client, login, member, three_attempts):
    pair = login(EMAIL).json()
    login(EMAIL)
    login(EMAIL)

    refreshed = client.post(
        TOKEN_URL, data={"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    )
    assert_throttled(refreshed)
    credentials = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": "pmo_x", "client_secret": "y"}
    )
    assert_throttled(credentials)


def test_address_limit_applies_across_accounts(login, factory, org, member, three_attempts):
    factory.person(org, email="colleague@chesterfield.test")
    for _ in range(3):
        login(EMAIL, "wrong password")

    assert_throttled(login("colleague@chesterfield.test"))


def test_refused_scope_requests_are_counted_against_the_address(client, admin, three_attempts, counters):
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
        assert problem(client.post(TOKEN_URL, data=data), 401)["error"] == "invalid_scope"

    assert counters("login-address:") == {"login-address:testclient": 3}
    assert_throttled(client.post(TOKEN_URL, data=data | {"scope": "kpis:read"}))
