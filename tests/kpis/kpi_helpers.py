"""Fixtures and helpers of the KPI tests: a register made through the API, KPIs and values."""

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


class Bearer:
    """An API client's token, usable wherever a Person's `.headers` is."""

    def __init__(self, token: str) -> None:
        self.headers = {"Authorization": f"Bearer {token}"}


class Kpis:
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

    def kpi(self, who: Person, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": f"K-{uuid.uuid4().hex[:6]}",
            "name": "Resident satisfaction with customer service",
            "unit": "percentage",
            "polarity": "higher_is_better",
            "frequency": "quarterly",
            "decimal_places": 1,
            **fields,
        }
        result: dict[str, Any] = self.post(who, "/kpis", body)
        return result

    def target(self, who: Person, kpi: dict[str, Any], period: str, target: Any, **fields: Any) -> Any:
        return self.post(
            who, f"/kpis/{kpi['id']}/targets", {"period_code": period, "target": target, **fields}
        )

    def value(self, who: Person, kpi: dict[str, Any], period: str, actual: Any, status: int = 201) -> Any:
        return self.post(who, f"/kpis/{kpi['id']}/values", {"period_code": period, "actual": actual}, status)

    def step(self, who: Person, value: dict[str, Any], step: str, status: int = 200, **body: Any) -> Any:
        return self.post(who, f"/kpi-values/{value['id']}/{step}", body or None, status)

    def published(self, pmo: Person, kpi: dict[str, Any], period: str, actual: Any) -> dict[str, Any]:
        value = self.value(pmo, kpi, period, actual)
        for step in ("submit", "verify", "publish"):
            value = self.step(pmo, value, step)
        assert value["status"] == "published"
        result: dict[str, Any] = value
        return result

    def api_client_headers(self, admin: Person, scopes: list[str]) -> Bearer:
        created = self.post(
            admin, "/api-clients", {"name": f"System {uuid.uuid4().hex[:6]}", "scopes": scopes}
        )
        response = self.client.post(
            f"{API}/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["client_id"],
                "client_secret": created["client_secret"],
            },
        )
        assert response.status_code == 200, response.text
        return Bearer(response.json()["access_token"])


@pytest.fixture
def kpis(client: TestClient) -> Kpis:
    return Kpis(client)


@pytest.fixture
def pmo(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.pmo)


@pytest.fixture
def viewer(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.viewer)


@pytest.fixture
def manager(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.project_manager)


@pytest.fixture
def programme(kpis: Kpis, pmo: Person) -> dict[str, Any]:
    return kpis.programme(pmo)


@pytest.fixture
def project(kpis: Kpis, pmo: Person, programme: dict[str, Any], manager: Person) -> dict[str, Any]:
    return kpis.project(pmo, programme, project_manager_id=str(manager.id))
