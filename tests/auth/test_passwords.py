"""Passwords (NCSC guidance): 12 characters or more, the most common ones refused, no
composition rules; and wrong guesses at the current password limited per account."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from conftest import PASSWORD
from pmo.core.config import get_settings
from pmo.core.security import COMMON_PASSWORDS_FILE, is_common_password
from pmo.demo import DEMO_PASSWORD
from pmo.organisations.models import User
from pmo.organisations.schemas import UserCreate
from support.api import oauth_error, problem

from .helpers import TOKEN_URL

USERS_URL = "/api/v1/users"
PASSWORD_URL = "/api/v1/me/password"
EMAIL = "member@chesterfield.test"
# On the shipped list, and 12 characters or more: only the list refuses them.
COMMON = ["password1234", "Password1234", "QWERTY123456", "1q2w3e4r5t6y", "qazwsxedcrfv"]


@pytest.fixture
def member(factory, org):
    return factory.person(org, email=EMAIL)


def test_the_list_ships_with_the_package_and_spares_the_demo_and_test_passwords():
    assert COMMON_PASSWORDS_FILE.exists()
    entries = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split("\n\n", 1)[1].splitlines()
    assert len(entries) > 10_000
    assert all(is_common_password(p) for p in ("123456", "password", "qwerty", *COMMON))
    assert not is_common_password(DEMO_PASSWORD)
    assert not is_common_password(PASSWORD)
    UserCreate(email="demo@council.test", display_name="Demo", password=DEMO_PASSWORD)


@pytest.mark.parametrize("password", COMMON)
def test_creating_a_user_with_a_common_password_is_422_naming_the_field(client, admin, engine, password):
    body = {"email": "new@chesterfield.test", "display_name": "New Person", "password": password}

    refusal = problem(client.post(USERS_URL, json=body, headers=admin.headers), 422)

    assert [e["location"] for e in refusal["errors"]] == [["body", "password"]]
    assert "common" in refusal["errors"][0]["message"]
    with Session(engine) as session:
        created = session.execute(
            select(func.count()).where(User.email == "new@chesterfield.test")
        ).scalar_one()
    assert created == 0


def test_no_composition_rules(client, admin):
    # Lower-case words only, no digit or symbol: long and uncommon is enough.
    body = {
        "email": "new@chesterfield.test",
        "display_name": "New Person",
        "password": "plain lowercase words",
    }
    assert client.post(USERS_URL, json=body, headers=admin.headers).status_code == 201


def test_changing_to_a_common_password_is_422_naming_the_field(client, login, member):
    body = {"current_password": PASSWORD, "new_password": "Password1234"}

    refusal = problem(client.post(PASSWORD_URL, json=body, headers=member.headers), 422)

    assert [e["location"] for e in refusal["errors"]] == [["body", "new_password"]]
    assert login(EMAIL).status_code == 200  # unchanged


def test_the_command_line_refuses_a_common_password(engine, org):
    from typer.testing import CliRunner

    from pmo.cli import app

    arguments = ["create-user", "--organisation", org.name, "--email", "c@council.test", "--name", "C"]
    result = CliRunner().invoke(app, [*arguments, "--password-stdin"], input="password1234\n")

    assert result.exit_code != 0
    assert "common" in result.output
    with Session(engine) as session:
        assert session.execute(select(User.id).where(User.email == "c@council.test")).first() is None


# Wrong guesses at the current password ---------------------------------------------------


@pytest.fixture
def three_failures(monkeypatch):
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 3)


def change(client, person, current: str):
    body = {"current_password": current, "new_password": "a brand new passphrase"}
    return client.post(PASSWORD_URL, json=body, headers=person.headers)


def test_wrong_current_passwords_are_limited_per_account(client, member, three_failures, counters):
    for _ in range(3):
        problem(change(client, member, "a wrong guess"), 401)

    response = change(client, member, PASSWORD)

    problem(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= get_settings().login_window_seconds
    assert counters("login-account:") == {f"login-account:{EMAIL}": 3}


def test_fewer_wrong_guesses_than_the_limit_do_not_block_the_change(client, login, member, three_failures):
    for _ in range(2):
        problem(change(client, member, "a wrong guess"), 401)

    assert change(client, member, PASSWORD).status_code == 204
    assert login(EMAIL, "a brand new passphrase").status_code == 200


def test_guesses_through_either_door_share_the_accounts_limit(client, login, member, three_failures):
    # One password, one limit: guesses at the password change lock sign-in too, and back.
    for _ in range(3):
        change(client, member, "a wrong guess")

    oauth_error(login(EMAIL), 429, "too_many_requests")


def test_the_password_change_limit_leaves_other_accounts_alone(
    client, login, factory, org, member, three_failures
):
    colleague = factory.person(org, email="colleague@chesterfield.test")
    for _ in range(3):
        change(client, member, "a wrong guess")

    assert change(client, colleague, PASSWORD).status_code == 204
    assert (
        client.post(
            TOKEN_URL,
            data={
                "grant_type": "password",
                "username": "colleague@chesterfield.test",
                "password": "a brand new passphrase",
            },
        ).status_code
        == 200
    )
