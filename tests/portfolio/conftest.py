"""Fixtures for the portfolio tests: people in every role, and a register made through the API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from pmo.core.permissions import Role
from pmo.organisations import service as org_service
from pmo.organisations.models import Directorate, Organisation
from pmo.organisations.schemas import DirectorateCreate, RoleAssignmentCreate

API = "/api/v1"
Factory = Any  # tests/conftest.py's Factory
Person = Any  # tests/conftest.py's Person


class Register:
    """Makes directorates, people with scoped roles, and register records (through the API)."""

    def __init__(self, engine: Any, factory: Factory, client: TestClient) -> None:
        self.engine = engine
        self.factory = factory
        self.client = client

    def directorate(self, organisation: Organisation, name: str | None = None) -> Directorate:
        with Session(self.engine, expire_on_commit=False) as session:
            directorate = org_service.create_directorate(
                session, None, organisation.id, DirectorateCreate(name=name or f"Dir {uuid.uuid4().hex[:6]}")
            )
            session.commit()
            return directorate

    def scoped(self, organisation: Organisation, role: Role, directorate: Directorate) -> Person:
        """A person holding `role` for one directorate only."""
        person = self.factory.person(organisation)
        with Session(self.engine) as session:
            org_service.assign_role(
                session,
                None,
                organisation.id,
                RoleAssignmentCreate(user_id=person.id, role=role, directorate_id=directorate.id),
            )
            session.commit()
        return person

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
def pmo(factory: Factory, org: Organisation) -> Person:
    return factory.person(org, Role.pmo, email="pmo@chesterfield.test")


@pytest.fixture
def other_pmo(factory: Factory, other_org: Organisation) -> Person:
    return factory.person(other_org, Role.pmo, email="pmo@dacorum.test")


@pytest.fixture
def programme(register: Register, pmo: Person) -> dict[str, Any]:
    return register.programme(pmo)


@pytest.fixture
def project(register: Register, pmo: Person, programme: dict[str, Any]) -> dict[str, Any]:
    return register.project(pmo, programme)
