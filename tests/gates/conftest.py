"""Fixtures for the gate tests: projects inserted straight into the database (the register's
own API is tested in tests/portfolio), governance bodies with members, scoped roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from pmo.core.db import utcnow
from pmo.core.permissions import Role
from pmo.core.references import next_reference
from pmo.gates import service as gates
from pmo.gates.models import Lifecycle
from pmo.organisations.models import Organisation
from pmo.portfolio.models import GovernanceBody, GovernanceBodyMember, Portfolio, Programme, Project
from support.api import API

from .helpers import DISCOVER_ANSWERS

Person = Any  # tests/conftest.py's Person


@dataclass
class Setup:
    engine: Engine
    factory: Any
    client: TestClient

    def body(self, organisation: Organisation, *members: Person, name: str | None = None) -> GovernanceBody:
        with Session(self.engine, expire_on_commit=False) as session:
            body = GovernanceBody(
                organisation_id=organisation.id,
                name=name or f"Steering Group {uuid.uuid4().hex[:6]}",
                kind="steering_group",
            )
            session.add(body)
            session.flush()
            for member in members:
                session.add(
                    GovernanceBodyMember(
                        organisation_id=organisation.id,
                        body_id=body.id,
                        user_id=member.id,
                        created_at=utcnow(),
                    )
                )
            session.commit()
            return body

    def project(
        self,
        organisation: Organisation,
        *,
        body: GovernanceBody | None = None,
        programme_body: GovernanceBody | None = None,
        lifecycle_id: uuid.UUID | None = None,
        **fields: Any,
    ) -> Project:
        """A project at the first stage of its lifecycle (the organisation's default)."""
        with Session(self.engine, expire_on_commit=False) as session:
            portfolio = Portfolio(organisation_id=organisation.id, name=f"Portfolio {uuid.uuid4().hex[:6]}")
            session.add(portfolio)
            session.flush()
            programme = Programme(
                organisation_id=organisation.id,
                portfolio_id=portfolio.id,
                name=f"Programme {uuid.uuid4().hex[:6]}",
                governance_body_id=programme_body.id if programme_body else None,
            )
            session.add(programme)
            session.flush()
            lifecycle = (
                gates.default_lifecycle(session, organisation.id)
                if lifecycle_id is None
                else session.get_one(Lifecycle, lifecycle_id)
            )
            project = Project(
                organisation_id=organisation.id,
                reference=next_reference(session, organisation.id, "P"),
                programme_id=programme.id,
                name="Replace the Leisure Management System",
                governance_body_id=body.id if body else None,
                lifecycle_id=lifecycle.id,
                stage=gates.first_stage(lifecycle),
                **fields,
            )
            session.add(project)
            session.commit()
            return project

    def stage_of(self, project: Project) -> str:
        with Session(self.engine) as session:
            return session.get_one(Project, project.id).stage

    def request(
        self, who: Person, project: Project, body: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        payload = (
            body
            if body is not None
            else {"summary": "Ready for the next stage.", "answers": DISCOVER_ANSWERS}
        )
        return self.client.post(
            f"{API}/projects/{project.id}/gate-reviews", json=payload, headers=who.headers, **kwargs
        )

    def decide(self, who: Person, review_id: str, decision: str = "approve", **fields: Any) -> Any:
        payload = {"decision": decision, "reason": "The criteria are met.", **fields}
        return self.client.post(
            f"{API}/gate-reviews/{review_id}/decisions", json=payload, headers=who.headers
        )


@pytest.fixture
def setup(engine: Engine, factory: Any, client: TestClient) -> Setup:
    return Setup(engine, factory, client)


@pytest.fixture
def chair(factory: Any, org: Organisation) -> Person:
    return factory.person(org, Role.viewer, email="chair@chesterfield.test")


@pytest.fixture
def deputy(factory: Any, org: Organisation) -> Person:
    return factory.person(org, Role.viewer, email="deputy@chesterfield.test")


@pytest.fixture
def steering_group(setup: Setup, org: Organisation, chair: Person, deputy: Person) -> GovernanceBody:
    return setup.body(org, chair, deputy, name="Organisational Development Steering Group")


@pytest.fixture
def project(setup: Setup, org: Organisation, steering_group: GovernanceBody) -> Project:
    return setup.project(org, programme_body=steering_group)
