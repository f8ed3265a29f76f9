"""Shared set-up of the money tests (funding sources, delegation rules, draw-downs): an
organisation with one person per role, a directorate, a programme and a project made through
the API, and helpers for sources and requests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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


@dataclass
class Money:
    client: TestClient
    pmo: Person
    finance: Person
    sponsor: Person
    member: Person
    pm: Person
    democratic: Person
    viewer: Person
    directorate: dict[str, Any]
    programme: dict[str, Any]
    project: dict[str, Any]

    def call(self, method: str, who: Person, path: str, body: Any = None, **params: Any) -> Response:
        return self.client.request(method, f"{API}{path}", json=body, headers=who.headers, params=params)

    def post(self, who: Person, path: str, body: Any = None, status: int = 201) -> dict[str, Any]:
        response = self.call("POST", who, path, body)
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, who: Person, path: str, **params: Any) -> dict[str, Any]:
        response = self.call("GET", who, path, **params)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def patch(self, who: Person, path: str, body: dict[str, Any]) -> Response:
        tag = self.client.get(f"{API}{path}", headers=who.headers).headers["ETag"]
        return self.client.patch(f"{API}{path}", json=body, headers={**who.headers, "If-Match": tag})

    def source(self, opening: str = "555000.00", **fields: Any) -> dict[str, Any]:
        body = {"name": f"Reserve {uuid.uuid4().hex[:6]}", "kind": "reserve", "opening_balance": opening}
        return self.post(self.finance, "/funding-sources", {**body, **fields})

    def project_of(self, **fields: Any) -> dict[str, Any]:
        body = {
            "programme_id": self.programme["id"],
            "name": f"Project {uuid.uuid4().hex[:6]}",
            "lead_directorate_id": self.directorate["id"],
            "project_manager_id": str(self.pm.id),
            **fields,
        }
        return self.post(self.pmo, "/projects", body)

    def body(self, source: dict[str, Any], amount: str, **fields: Any) -> dict[str, Any]:
        return {
            "project_id": self.project["id"],
            "funding_source_id": source["id"],
            "amount": amount,
            "financial_year": "2022/23",
            "purpose": "Specialist support for the Finance Service redesign",
            "business_case_reference": "Cabinet report 26 April 2022, Appendix B",
            **fields,
        }

    def request(self, source: dict[str, Any], amount: str, *, by: Person | None = None, **fields: Any) -> Any:
        return self.post(by or self.pm, "/drawdowns", self.body(source, amount, **fields))

    def consult_all(self, drawdown: dict[str, Any]) -> dict[str, Any]:
        self.post(self.finance, f"/drawdowns/{drawdown['id']}/consultations", {"view": "supports"})
        return self.post(self.member, f"/drawdowns/{drawdown['id']}/consultations", {"view": "supports"})

    def approve(self, drawdown: dict[str, Any], who: Person | None = None) -> Response:
        body = {"decision": "approve", "reason": "Supported by an approved business case."}
        return self.call("POST", who or self.sponsor, f"/drawdowns/{drawdown['id']}/decision", body)

    def cabinet(self, drawdown: dict[str, Any], outcome: str = "approved", body: str = "cabinet") -> Response:
        decision = {
            "body": body,
            "meeting_date": "2022-06-14",
            "minute_reference": "Cabinet minute 12 (2022/23)",
            "outcome": outcome,
        }
        return self.call("POST", self.democratic, f"/drawdowns/{drawdown['id']}/committee-decision", decision)


@pytest.fixture
def money(client: TestClient, factory: Any, org: Any) -> Money:
    people = {
        "pmo": factory.person(org, Role.pmo),
        "finance": factory.person(org, Role.finance),
        "sponsor": factory.person(org, Role.sponsor),
        "member": factory.person(org, Role.member),
        "pm": factory.person(org, Role.project_manager),
        "democratic": factory.person(org, Role.democratic_services),
        "viewer": factory.person(org, Role.viewer),
    }
    admin = factory.person(org, Role.admin)

    def post(who: Person, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(f"{API}{path}", json=body, headers=who.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    directorate = post(admin, "/directorates", {"name": "Digital, HR and Customer Services"})
    portfolio = post(people["pmo"], "/portfolios", {"name": "Organisational Development 2022-2025"})
    programme = post(
        people["pmo"], "/programmes", {"portfolio_id": portfolio["id"], "name": "Customer Experience"}
    )
    project = post(
        people["pmo"],
        "/projects",
        {
            "programme_id": programme["id"],
            "name": "Replace the Council website",
            "lead_directorate_id": directorate["id"],
            "project_manager_id": str(people["pm"].id),
        },
    )
    return Money(client=client, directorate=directorate, programme=programme, project=project, **people)
