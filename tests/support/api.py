"""Calling the API in tests: the prefix, the problem-document check, and a small client
whose calls assert the status they expect (domains subclass it to make their records)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

API = "/api/v1"
PROBLEM = "application/problem+json"
Person = Any  # tests/conftest.py's Person (anything with `.headers`)


def problem(response: Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem document with `status` and no server insides, and return it."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for name in ("type", "title", "detail", "instance"):
        assert name in body, f"{name} missing from {body}"
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


def oauth_error(response: Response, status: int, error: str) -> dict[str, Any]:
    """Assert a token endpoint refusal as RFC 6749 section 5.2 says (JSON, never cached)."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/json", response.headers["content-type"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body: dict[str, Any] = response.json()
    assert body["error"] == error, body
    assert isinstance(body["error_description"], str), body
    assert body["error_description"], body
    assert set(body) == {"error", "error_description"}, body
    return body


def remaining(response: Response) -> int:
    """`r` of the answer's `RateLimit` field: requests left in the window."""
    fields = dict(part.split("=") for part in response.headers["RateLimit"].split(";")[1:])
    return int(fields["r"])


def sign_in(client: TestClient, email: str, password: str) -> dict[str, str]:
    """The headers of a person signed in with the password grant."""
    response = client.post(
        f"{API}/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class Bearer:
    """An API client's token, usable wherever a Person's `.headers` is."""

    def __init__(self, token: str) -> None:
        self.headers = {"Authorization": f"Bearer {token}"}


class Api:
    """Calls as a person, asserting the expected status; and a programme and project to work in."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, who: Person, path: str, body: dict[str, Any] | None = None, status: int = 201) -> Any:
        response = self.client.post(f"{API}{path}", json=body, headers=who.headers)
        assert response.status_code == status, response.text
        return response.json()

    def get(self, who: Person, path: str, expect: int = 200, **params: Any) -> Any:
        response = self.client.get(f"{API}{path}", headers=who.headers, params=params)
        assert response.status_code == expect, response.text
        return response.json()

    def patch(self, who: Person, path: str, body: dict[str, Any], reader: Person | None = None) -> Response:
        """PATCH with the ETag of a fresh read (by `reader`, or `who`)."""
        tag = self.client.get(f"{API}{path}", headers=(reader or who).headers).headers["ETag"]
        return self.client.patch(f"{API}{path}", json=body, headers={**who.headers, "If-Match": tag})

    def programme(self, who: Person, **fields: Any) -> dict[str, Any]:
        portfolio = self.post(who, "/portfolios", {"name": f"Portfolio {uuid.uuid4().hex[:6]}"})
        body = {"portfolio_id": portfolio["id"], "name": f"Programme {uuid.uuid4().hex[:6]}", **fields}
        result: dict[str, Any] = self.post(who, "/programmes", body)
        return result

    def project(self, who: Person, programme: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"programme_id": programme["id"], "name": f"Project {uuid.uuid4().hex[:6]}", **fields}
        result: dict[str, Any] = self.post(who, "/projects", body)
        return result
