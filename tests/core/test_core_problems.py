"""Every error is an `application/problem+json` document with no stack trace."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from pmo.core.config import get_settings
from pmo.core.permissions import Role
from pmo.main import create_app
from pmo.organisations.models import Directorate


def test_401_without_a_token(client, assert_problem):
    response = client.get("/api/v1/users")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_401_with_a_bad_token(client, assert_problem):
    response = client.get("/api/v1/users", headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


def test_403_without_the_permission(client, factory, org, assert_problem):
    viewer = factory.person(org, Role.viewer)
    response = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=viewer.headers)
    body = assert_problem(response, 403)
    assert "directorates:manage" in body["detail"]


def test_404_unknown_id(client, admin, assert_problem):
    response = client.get(f"/api/v1/users/{uuid.uuid4()}", headers=admin.headers)
    assert_problem(response, 404)


def test_404_unknown_path(client, admin, assert_problem):
    assert_problem(client.get("/api/v1/no-such-thing", headers=admin.headers), 404)
    # Other paths are the web app's pages (tests/web); an API path is never one.
    assert_problem(client.post("/api/v1/no-such-thing", headers=admin.headers), 404)


def test_405_wrong_method(client, admin, assert_problem):
    response = client.put(f"/api/v1/users/{admin.id}", json={}, headers=admin.headers)
    assert_problem(response, 405)
    # Starlette names only the first matching route's methods in Allow; it is there at least.
    assert response.headers["allow"]


def test_409_conflict(client, admin, assert_problem):
    assert (
        client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers).status_code
        == 201
    )
    response = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers)
    assert_problem(response, 409)


def test_412_and_428(client, admin, assert_problem):
    url = f"/api/v1/users/{admin.id}"
    assert_problem(client.patch(url, json={"display_name": "X"}, headers=admin.headers), 428)
    stale = {**admin.headers, "If-Match": '"0123456789abcdef0123456789abcdef"'}
    assert_problem(client.patch(url, json={"display_name": "X"}, headers=stale), 412)


def test_413_too_large(client, admin, assert_problem, count_rows):
    too_big = "x" * (get_settings().max_body_bytes + 1)
    response = client.post(
        "/api/v1/directorates", json={"name": "Big", "description": too_big}, headers=admin.headers
    )
    assert_problem(response, 413)
    assert count_rows(Directorate) == 0


def test_422_validation_lists_the_fields(client, admin, assert_problem):
    response = client.post("/api/v1/directorates", json={"name": "", "colour": "red"}, headers=admin.headers)
    body = assert_problem(response, 422)
    locations = {tuple(e["location"]) for e in body["errors"]}
    assert ("body", "name") in locations
    assert ("body", "colour") in locations
    for error in body["errors"]:
        assert error["message"]
        assert error["type"]


def test_422_query_parameter(client, admin, assert_problem):
    body = assert_problem(client.get("/api/v1/users?limit=0", headers=admin.headers), 422)
    assert body["errors"][0]["location"] == ["query", "limit"]


def test_422_malformed_json(client, admin, assert_problem):
    response = client.post(
        "/api/v1/directorates",
        content=b"{not json",
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 422)


def test_429_too_many_sign_in_attempts(client, admin, monkeypatch, assert_problem):
    monkeypatch.setattr(get_settings(), "login_failures_per_address", 2)
    # The web app's sign-in (the token endpoint answers in RFC 6749's shape instead).
    body = {"email": admin.user.email, "password": "wrong password"}
    for _ in range(2):
        assert client.post("/api/v1/auth/session", json=body).status_code == 401
    response = client.post("/api/v1/auth/session", json=body)
    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) >= 1


def test_500_is_a_problem_without_the_exception(engine, assert_problem):
    app = create_app()

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail 4f2a")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom", headers={"X-Request-ID": "boom-1"})
    body = assert_problem(response, 500)
    assert "secret internal detail" not in response.text
    assert "RuntimeError" not in response.text
    assert body["request_id"] == "boom-1"
    assert response.headers["x-request-id"] == "boom-1"


@pytest.mark.parametrize("method", ["post", "patch"])
def test_unknown_fields_are_refused(client, admin, method, assert_problem):
    if method == "post":
        response = client.post(
            "/api/v1/directorates",
            json={"name": "A", "organisation_id": str(uuid.uuid4())},
            headers=admin.headers,
        )
    else:
        tag = client.get(f"/api/v1/users/{admin.id}", headers=admin.headers).headers["etag"]
        response = client.patch(
            f"/api/v1/users/{admin.id}",
            json={"is_active": False},
            headers={**admin.headers, "If-Match": tag},
        )
    assert_problem(response, 422)
