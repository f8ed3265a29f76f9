"""Fixtures and helpers of the issue, assumption and dependency tests: a register made
through the API by a pmo person, people in each role, and items."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text

from pmo.core.permissions import Role

API = "/api/v1"
PROBLEM = "application/problem+json"
Person = Any  # tests/conftest.py's Person


def problem(response: Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem document with `status`, and return it."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def events(engine: Engine, record_id: str) -> list[tuple[str, str]]:
    """(action, record_type) of one record's audit events, oldest first."""
    value: Any = uuid.UUID(record_id)
    if engine.dialect.name != "postgresql":
        value = value.hex
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT action, record_type FROM audit_events WHERE record_id = :id ORDER BY seq"),
            {"id": value},
        ).all()
    return [(r[0], r[1]) for r in rows]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


class Items:
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

    def refs(self, who: Person, path: str, **params: Any) -> list[str]:
        return [item["reference"] for item in self.get(who, path, **params)["items"]]

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

    def issue(self, who: Person, project: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"title": f"Issue {uuid.uuid4().hex[:6]}", **fields}
        if project is not None:
            body["project_id"] = project["id"]
        return self.post(who, "/issues", body)

    def assumption(self, who: Person, project: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"statement": f"Assumption {uuid.uuid4().hex[:6]}", **fields}
        if project is not None:
            body["project_id"] = project["id"]
        return self.post(who, "/assumptions", body)

    def dependency(
        self, who: Person, project: dict[str, Any], other: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "project_id": project["id"],
            "title": f"Dependency {uuid.uuid4().hex[:6]}",
            "direction": "outbound",
            **fields,
        }
        if other is not None:
            body["other_project_id"] = other["id"]
        elif "external_party" not in fields:
            body["external_party"] = "Derbyshire County Council"
        return self.post(who, "/dependencies", body)


@pytest.fixture
def items(client: TestClient) -> Items:
    return Items(client)


@pytest.fixture
def pmo(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.pmo)


@pytest.fixture
def other_pmo(factory: Any, other_org: Any) -> Person:
    return factory.person(other_org, Role.pmo)


@pytest.fixture
def manager(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.project_manager)


@pytest.fixture
def programme(items: Items, pmo: Person) -> dict[str, Any]:
    return items.programme(pmo)


@pytest.fixture
def project(items: Items, pmo: Person, programme: dict[str, Any], manager: Person) -> dict[str, Any]:
    """A project managed by `manager`."""
    return items.project(pmo, programme, project_manager_id=str(manager.id))
