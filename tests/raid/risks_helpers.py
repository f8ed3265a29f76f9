"""Fixtures and helpers of the risk tests: a register made through the API, and risks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from pmo.core.permissions import Role

API = "/api/v1"
PROBLEM = "application/problem+json"
Person = Any  # tests/conftest.py's Person


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


class Raid:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, who: Person, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = self.client.post(f"{API}{path}", json=body, headers=who.headers)
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, who: Person, path: str, **params: Any) -> dict[str, Any]:
        response = self.client.get(f"{API}{path}", headers=who.headers, params=params)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def patch(self, who: Person, path: str, body: dict[str, Any]) -> Response:
        tag = self.client.get(f"{API}{path}", headers=who.headers).headers["ETag"]
        return self.client.patch(f"{API}{path}", json=body, headers={**who.headers, "If-Match": tag})

    def programme(self, who: Person, **fields: Any) -> dict[str, Any]:
        portfolio = self.post(who, "/portfolios", {"name": f"Portfolio {uuid.uuid4().hex[:6]}"})
        body = {"portfolio_id": portfolio["id"], "name": f"Programme {uuid.uuid4().hex[:6]}", **fields}
        return self.post(who, "/programmes", body)

    def project(self, who: Person, programme: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"programme_id": programme["id"], "name": f"Project {uuid.uuid4().hex[:6]}", **fields}
        return self.post(who, "/projects", body)

    def risk(self, who: Person, project: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": f"Risk {uuid.uuid4().hex[:6]}",
            "category": "delivery",
            "inherent_likelihood": 4,
            "inherent_impact": 4,
            "residual_likelihood": 2,
            "residual_impact": 3,
            **fields,
        }
        if project is not None:
            body["project_id"] = project["id"]
        return self.post(who, "/risks", body)


@pytest.fixture
def raid(client: TestClient) -> Raid:
    return Raid(client)


@pytest.fixture
def pmo(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.pmo)


@pytest.fixture
def programme(raid: Raid, pmo: Person) -> dict[str, Any]:
    return raid.programme(pmo)


@pytest.fixture
def manager(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.project_manager)


@pytest.fixture
def project(raid: Raid, pmo: Person, programme: dict[str, Any], manager: Person) -> dict[str, Any]:
    """A project managed by `manager`."""
    return raid.project(pmo, programme, project_manager_id=str(manager.id))
