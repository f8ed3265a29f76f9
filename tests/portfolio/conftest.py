"""Fixtures for the portfolio tests: a register made through the API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.api import API

Factory = Any  # tests/conftest.py's Factory
Person = Any  # tests/conftest.py's Person


class Register:
    """Makes register records through the API, and reads them with their ETag."""

    def __init__(self, engine: Any, factory: Factory, client: TestClient) -> None:
        self.engine = engine
        self.factory = factory
        self.client = client

    def post(self, who: Person, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(f"{API}{path}", json=body, headers=who.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def portfolio(
        self, who: Person, name: str = "Organisational Development Programme 2022-2025"
    ) -> dict[str, Any]:
        return self.post(who, "/portfolios", {"name": name})

    def programme(
        self, who: Person, portfolio: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        portfolio = portfolio or self.portfolio(who, f"Portfolio {uuid.uuid4().hex[:6]}")
        body = {"portfolio_id": portfolio["id"], "name": f"Programme {uuid.uuid4().hex[:6]}", **fields}
        return self.post(who, "/programmes", body)

    def project(self, who: Person, programme: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"programme_id": programme["id"], "name": f"Project {uuid.uuid4().hex[:6]}", **fields}
        return self.post(who, "/projects", body)

    def get(self, who: Person, path: str) -> tuple[dict[str, Any], str]:
        response = self.client.get(f"{API}{path}", headers=who.headers)
        assert response.status_code == 200, response.text
        return response.json(), response.headers["ETag"]

    def patch(self, who: Person, path: str, body: dict[str, Any]) -> Any:
        _, tag = self.get(who, path)
        return self.client.patch(f"{API}{path}", json=body, headers={**who.headers, "If-Match": tag})


@pytest.fixture
def register(engine: Any, factory: Factory, client: TestClient) -> Register:
    return Register(engine, factory, client)


@pytest.fixture
def project(register: Register, pmo: Person, programme: dict[str, Any]) -> dict[str, Any]:
    """A project with no project manager (tests/conftest.py's has one)."""
    return register.project(pmo, programme)
