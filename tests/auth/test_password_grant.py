"""POST /auth/token with grant_type=password: who may sign in, and how refusals look."""

from __future__ import annotations

import pytest
from jose import jwt
from sqlmodel import Session

from conftest import PASSWORD
from pmo.core.config import get_settings
from pmo.organisations.models import User
from support.api import oauth_error

from .helpers import ME_URL, TOKEN_URL, bearer


def test_password_grant_returns_a_token_pair(client, login, admin, org):
    response = login("admin@chesterfield.test")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str)
    assert body["access_token"]
    assert isinstance(body["refresh_token"], str)
    assert body["refresh_token"]
    assert body["expires_in"] == get_settings().access_token_minutes * 60
    assert body["refresh_token"] != body["access_token"]
    me = client.get(ME_URL, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "admin@chesterfield.test"
    assert me.json()["kind"] == "user"
    assert me.json()["organisation"]["id"] == str(org.id)


def test_access_token_carries_the_expected_claims(login, admin, org):
    token = login("admin@chesterfield.test").json()["access_token"]

    settings = get_settings()
    claims = jwt.decode(token, settings.signing_secret, algorithms=["HS256"], audience=settings.jwt_audience)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert claims["iss"] == settings.public_url == "http://127.0.0.1:8000"
    assert claims["sub"] == str(admin.id)
    assert claims["org"] == str(org.id)
    assert claims["typ"] == "access"
    assert claims["roles"] == ["admin"]
    assert claims["exp"] - claims["iat"] == settings.access_token_minutes * 60
    assert "password" not in token


def test_email_is_matched_without_regard_to_case_or_spaces(login, admin):
    assert login("  Admin@Chesterfield.TEST ").status_code == 200


def test_sign_in_records_last_login(login, admin, session: Session):
    assert login("admin@chesterfield.test").status_code == 200
    assert session.get_one(User, admin.id).last_login_at is not None


def test_wrong_password_is_invalid_grant_400_as_rfc_6749_says(login, admin):
    body = oauth_error(login("admin@chesterfield.test", "not the password"), 400, "invalid_grant")
    assert "access_token" not in body


def test_unknown_email_is_refused_like_a_wrong_password(login, admin):
    unknown = oauth_error(login("nobody@chesterfield.test"), 400, "invalid_grant")
    wrong = oauth_error(login("admin@chesterfield.test", "not the password"), 400, "invalid_grant")
    # The same answer either way: the response does not tell which emails have accounts.
    assert unknown == wrong


def test_user_deactivated_through_the_api_cannot_sign_in(client, login, factory, org, admin):
    person = factory.person(org, email="leaver@chesterfield.test")
    deactivated = client.post(f"/api/v1/users/{person.id}/deactivate", headers=admin.headers)
    assert deactivated.status_code == 200, deactivated.text

    oauth_error(login("leaver@chesterfield.test"), 400, "invalid_grant")


def test_user_disabled_in_the_database_cannot_sign_in(login, factory, org, session: Session):
    person = factory.person(org, email="disabled@chesterfield.test")
    user = session.get_one(User, person.id)
    user.is_active = False
    session.add(user)
    session.commit()

    oauth_error(login("disabled@chesterfield.test"), 400, "invalid_grant")


def test_user_of_another_organisation_signs_in_to_their_own(client, login, admin, other_admin, other_org):
    token = login("admin@dacorum.test").json()["access_token"]
    assert client.get(ME_URL, headers=bearer(token)).json()["organisation"]["id"] == str(other_org.id)


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "password", "password": PASSWORD},
        {"grant_type": "password", "username": "admin@chesterfield.test"},
        {"grant_type": "password", "username": "", "password": PASSWORD},
        {"grant_type": "password", "username": "admin@chesterfield.test", "password": ""},
        {"grant_type": "password"},
    ],
    ids=["no-username", "no-password", "empty-username", "empty-password", "neither"],
)
def test_missing_credentials_are_invalid_request(client, admin, data):
    body = oauth_error(client.post(TOKEN_URL, data=data), 400, "invalid_request")
    assert "access_token" not in body


def test_missing_grant_type_is_invalid_request(client, admin):
    response = client.post(TOKEN_URL, data={"username": "admin@chesterfield.test", "password": PASSWORD})
    assert "grant_type" in oauth_error(response, 400, "invalid_request")["error_description"]


@pytest.mark.parametrize("grant_type", ["implicit", "authorization_code", "PASSWORD"])
def test_unknown_grant_type_is_unsupported_grant_type(client, admin, grant_type):
    response = client.post(
        TOKEN_URL,
        data={"grant_type": grant_type, "username": "admin@chesterfield.test", "password": PASSWORD},
    )
    oauth_error(response, 400, "unsupported_grant_type")


def test_credentials_as_json_instead_of_a_form_are_invalid_request(client, admin):
    response = client.post(
        TOKEN_URL,
        json={"grant_type": "password", "username": "admin@chesterfield.test", "password": PASSWORD},
    )
    assert (
        "application/x-www-form-urlencoded"
        in oauth_error(response, 400, "invalid_request")["error_description"]
    )


def test_a_parameter_sent_twice_is_invalid_request(client, admin):
    body = "grant_type=password&username=admin%40chesterfield.test&password=x&password=y"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post(TOKEN_URL, content=body, headers=headers)
    assert "`password`" in oauth_error(response, 400, "invalid_request")["error_description"]


def test_a_file_instead_of_a_form_is_invalid_request(client, admin):
    response = client.post(TOKEN_URL, files={"grant_type": ("g.txt", b"password")})
    oauth_error(response, 400, "invalid_request")


def test_overlong_password_is_invalid_request_without_a_server_error(client, admin):
    response = client.post(
        TOKEN_URL,
        data={"grant_type": "password", "username": "admin@chesterfield.test", "password": "x" * 5000},
    )
    assert "longer than" in oauth_error(response, 400, "invalid_request")["error_description"]
