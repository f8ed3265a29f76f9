"""Fixtures of the cost line, benefit and financial summary tests: a register made through
the API, and funding sources, KPIs and draw-downs inserted with the models (their routes are
another domain's)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session

from pmo.core.permissions import Role
from pmo.finance.models import Drawdown, FundingSource
from pmo.kpis.models import Kpi
from pmo.organisations import service as org_service
from pmo.organisations.schemas import DirectorateCreate, RoleAssignmentCreate

API = "/api/v1"
PROBLEM = "application/problem+json"
Person = Any  # tests/conftest.py's Person


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


class Api:
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

    def put_profile(self, who: Person, benefit_id: str, profile: list[dict[str, Any]]) -> Response:
        tag = self.client.get(f"{API}/benefits/{benefit_id}", headers=who.headers).headers["ETag"]
        return self.client.put(
            f"{API}/benefits/{benefit_id}/profile",
            json={"profile": profile},
            headers={**who.headers, "If-Match": tag},
        )

    def programme(self, who: Person, **fields: Any) -> dict[str, Any]:
        portfolio = self.post(who, "/portfolios", {"name": f"Portfolio {uuid.uuid4().hex[:6]}"})
        body = {"portfolio_id": portfolio["id"], "name": f"Programme {uuid.uuid4().hex[:6]}", **fields}
        return self.post(who, "/programmes", body)

    def project(self, who: Person, programme: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"programme_id": programme["id"], "name": f"Project {uuid.uuid4().hex[:6]}", **fields}
        return self.post(who, "/projects", body)

    def cost_line(self, who: Person, expect: int = 201, **fields: Any) -> dict[str, Any]:
        body = {
            "kind": "one_off",
            "description": "Consultancy",
            "amount": "1000.00",
            "financial_year": "2022/23",
        }
        return self.post(who, "/cost-lines", {**body, **fields}, expect)

    def benefit(self, who: Person, expect: int = 201, **fields: Any) -> dict[str, Any]:
        body = {
            "title": f"Saving {uuid.uuid4().hex[:6]}",
            "category": "financial",
            "benefit_class": "cashable",
        }
        return self.post(who, "/benefits", {**body, **fields}, expect)


def funding_source(
    engine: Engine, organisation: Any, name: str = "Capital receipts flexibility", **fields: Any
) -> FundingSource:
    with Session(engine, expire_on_commit=False) as session:
        source = FundingSource(
            organisation_id=organisation.id,
            name=name,
            kind=fields.pop("kind", "capital_receipts"),
            opening_balance_pence=fields.pop("opening_balance_pence", 50_000_000),
            **fields,
        )
        session.add(source)
        session.commit()
        return source


def kpi(engine: Engine, organisation: Any, code: str = "CS-01") -> Kpi:
    with Session(engine, expire_on_commit=False) as session:
        row = Kpi(
            organisation_id=organisation.id,
            code=code,
            name="Calls answered within 60 seconds",
            unit="percentage",
            polarity="higher_is_better",
            frequency="quarterly",
        )
        session.add(row)
        session.commit()
        return row


def drawdown(
    engine: Engine,
    organisation: Any,
    *,
    project_id: str,
    source: FundingSource,
    requested_by: Person,
    amount_pence: int,
    status: str,
    route: str = "delegated",
    reference: str | None = None,
    **fields: Any,
) -> Drawdown:
    with Session(engine, expire_on_commit=False) as session:
        row = Drawdown(
            organisation_id=organisation.id,
            reference=reference or f"DD-{uuid.uuid4().hex[:4]}",
            project_id=uuid.UUID(project_id),
            funding_source_id=source.id,
            amount_pence=amount_pence,
            financial_year=fields.pop("financial_year", "2022/23"),
            purpose="Pump-prime the approved business case.",
            requested_by_id=requested_by.id,
            status=status,
            submitted_at=datetime(2022, 5, 3, 9, 0, tzinfo=UTC),
            route=route,
            **fields,
        )
        session.add(row)
        session.commit()
        return row


def scoped(
    engine: Engine, factory: Any, organisation: Any, role: Role, directorate_name: str
) -> tuple[Person, str]:
    """A person holding `role` for one new directorate only, and the directorate's id."""
    person = factory.person(organisation)
    with Session(engine, expire_on_commit=False) as session:
        directorate = org_service.create_directorate(
            session, None, organisation.id, DirectorateCreate(name=directorate_name)
        )
        org_service.assign_role(
            session,
            None,
            organisation.id,
            RoleAssignmentCreate(user_id=person.id, role=role, directorate_id=directorate.id),
        )
        session.commit()
        return person, str(directorate.id)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def pmo(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.pmo)


@pytest.fixture
def finance(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.finance)


@pytest.fixture
def manager(factory: Any, org: Any) -> Person:
    return factory.person(org, Role.project_manager)


@pytest.fixture
def programme(api: Api, pmo: Person) -> dict[str, Any]:
    return api.programme(pmo)


@pytest.fixture
def project(api: Api, pmo: Person, programme: dict[str, Any], manager: Person) -> dict[str, Any]:
    """A project managed by `manager`."""
    return api.project(pmo, programme, project_manager_id=str(manager.id))
