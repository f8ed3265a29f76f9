"""Fixtures of the money, cost line, benefit and financial summary tests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from pmo.core.permissions import Role
from support.api import API, Person

from .costs_benefits_helpers import CostsApi
from .money_support import Money


@pytest.fixture
def api(client: TestClient) -> CostsApi:
    return CostsApi(client)


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
