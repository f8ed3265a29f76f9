"""Data for the contract tests: an organisation with an admin (who is also its PMO officer, so
that the register's writes are reached too), a directorate, a project manager, an API client,
and a portfolio with a programme, a project, a milestone and a gate review waiting for the
admin's decision, so that generated requests reach real records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from conftest import PASSWORD
from pmo.core.config import get_settings
from pmo.core.permissions import Role
from pmo.core.security import create_access_token
from pmo.organisations import service as org_service
from pmo.organisations.models import Organisation, RoleAssignment, User
from pmo.organisations.schemas import RoleAssignmentCreate
from support.database import copy_rows, put_back_rows

ADMIN_EMAIL = "contract.admin@chesterfield.test"
ACTOR_ROLES = (Role.admin, Role.pmo, Role.finance)  # finance: funding sources too


@dataclass
class Seeded:
    """The records the generated requests work on (ids as strings, as the API shows them)."""

    factory: Any  # tests/conftest.py's Factory
    organisation: Organisation
    admin_id: uuid.UUID
    directorate_id: str
    member_id: str
    role_assignment_id: str
    api_client_id: str
    audit_event_id: str
    portfolio_id: str
    body_id: str
    programme_id: str
    project_id: str
    milestone_id: str
    lifecycle_id: str
    review_id: str
    kpi_id: str = ""
    kpi_target_id: str = ""
    kpi_value_id: str = ""
    cost_line_id: str = ""
    benefit_id: str = ""
    funding_source_id: str = ""
    rule_id: str = ""
    drawdown_id: str = ""

    def admin_token(self) -> str:
        """A fresh token for the admin, who is put back the way the seed made them if a generated
        request removed them (deleted, deactivated, demoted, signed out everywhere)."""
        generation = self._admin_generation_if_intact()
        if generation is None:
            generation = self._put_back_admin()
        token, _ = create_access_token(
            get_settings(),
            subject=self.admin_id,
            subject_type="user",
            organisation_id=self.organisation.id,
            roles=[role.value for role in ACTOR_ROLES],
            scopes=[],
            generation=generation,  # moved on by a generated sign-out everywhere
        )
        return token

    def _admin_generation_if_intact(self) -> int | None:
        """The admin's token generation, or None if a request removed, deactivated or demoted
        them: one query, as this runs before every generated request."""
        with Session(self.factory.engine) as session:
            rows = session.execute(
                select(User.is_active, User.token_generation, RoleAssignment.role)
                .outerjoin(
                    RoleAssignment,
                    (RoleAssignment.user_id == User.id) & RoleAssignment.directorate_id.is_(None),  # type: ignore[union-attr]
                )
                .where(User.id == self.admin_id)
            ).all()
        held = {r.role for r in rows}
        if not rows or not rows[0].is_active or not held >= {r.value for r in ACTOR_ROLES}:
            return None
        return int(rows[0].token_generation)

    def _put_back_admin(self) -> int:
        with Session(self.factory.engine, expire_on_commit=False) as session:
            user = session.get(User, self.admin_id)
            if user is None:
                user = self.factory.person(self.organisation, *ACTOR_ROLES).user
                self.admin_id = user.id
            elif not user.is_active:
                user.is_active = True
                session.add(user)
            for role in ACTOR_ROLES:
                holds = session.execute(
                    select(RoleAssignment.id).where(
                        RoleAssignment.user_id == user.id,
                        RoleAssignment.role == role.value,
                        RoleAssignment.directorate_id.is_(None),  # type: ignore[union-attr]
                    )
                ).first()
                if not holds:
                    org_service.assign_role(
                        session, None, user.organisation_id, RoleAssignmentCreate(user_id=user.id, role=role)
                    )
            session.commit()
            return user.token_generation


def seed(factory: Any, client: TestClient) -> Seeded:
    organisation = factory.organisation("Chesterfield Borough Council")
    factory.organisation("Dacorum Borough Council")  # another tenant, whose records stay invisible
    admin = factory.person(organisation, *ACTOR_ROLES, email=ADMIN_EMAIL)
    headers = admin.headers

    def post(path: str, body: dict[str, object]) -> dict[str, str]:
        response = client.post(f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    directorate = post("/directorates", {"name": "Adult Social Care", "description": "Care and support."})
    member = post(
        "/users", {"email": "pm@chesterfield.test", "display_name": "Pat Manager", "password": PASSWORD}
    )
    assignment = post(
        "/role-assignments",
        {"user_id": member["id"], "role": Role.project_manager.value, "directorate_id": directorate["id"]},
    )
    api_client = post("/api-clients", {"name": "Finance ledger", "scopes": ["kpis:read"]})
    portfolio = post("/portfolios", {"name": "Organisational Development 2022-2025"})
    body = post("/governance-bodies", {"name": "OD Steering Group", "kind": "steering_group"})
    post(f"/governance-bodies/{body['id']}/members", {"user_id": str(admin.user.id), "role": "chair"})
    programme = post(
        "/programmes",
        {"portfolio_id": portfolio["id"], "name": "ICT Improvement", "governance_body_id": body["id"]},
    )
    project = post(
        "/projects",
        {
            "programme_id": programme["id"],
            "name": "Cloud hosting",
            "lead_directorate_id": directorate["id"],
            "project_manager_id": member["id"],
        },
    )
    milestone = post(
        f"/projects/{project['id']}/milestones",
        {"title": "Move to the cloud", "planned_quarter": "2022/23 Q3"},
    )
    pm_token, _ = create_access_token(
        get_settings(),
        subject=uuid.UUID(member["id"]),
        subject_type="user",
        organisation_id=organisation.id,
        roles=[Role.project_manager.value],
        scopes=[],
    )
    review = client.post(
        f"/api/v1/projects/{project['id']}/gate-reviews",
        json={
            "summary": "Discovery report",
            "answers": [{"criterion": "council_priorities", "answer": "Yes."}],
        },
        headers={"Authorization": f"Bearer {pm_token}"},
    )
    assert review.status_code == 201, review.text
    kpi = post(
        "/kpis",
        {
            "code": "ICT-02",
            "name": "Share of applications in cloud hosting",
            "unit": "percentage",
            "polarity": "higher_is_better",
            "frequency": "quarterly",
            "project_id": project["id"],
        },
    )
    kpi_target = post(f"/kpis/{kpi['id']}/targets", {"period_code": "2023-24-Q1", "target": "90"})
    kpi_value = post(f"/kpis/{kpi['id']}/values", {"period_code": "2023-24-Q1", "actual": "85"})
    cost_line = post(
        "/cost-lines",
        {
            "project_id": project["id"],
            "kind": "resourcing",
            "description": "Business Analyst",
            "grade": "Grade 12",
            "amount": "39574.00",
            "financial_year": "2022/23",
        },
    )
    benefit = post(
        "/benefits",
        {
            "project_id": project["id"],
            "title": "Lower hosting costs",
            "category": "financial",
            "benefit_class": "cashable",
            "kpi_id": kpi["id"],
            "profile": [{"financial_year": "2023/24", "planned": "12000.00"}],
        },
    )
    funding_source = post(
        "/funding-sources",
        {"name": "Service Redesign Reserve", "kind": "reserve", "opening_balance": "555000.00"},
    )
    drawdown = client.post(
        "/api/v1/drawdowns",
        json={
            "project_id": project["id"],
            "funding_source_id": funding_source["id"],
            "amount": "30000.00",
            "financial_year": "2022/23",
            "purpose": "Pump priming",
            "business_case_reference": "BC-01",
        },
        headers={"Authorization": f"Bearer {pm_token}"},
    )
    assert drawdown.status_code == 201, drawdown.text
    rule = client.get("/api/v1/delegation-rules", headers=headers).json()["items"][0]
    events = client.get("/api/v1/audit-events", params={"limit": 1}, headers=headers).json()["items"]
    return Seeded(
        factory=factory,
        organisation=organisation,
        admin_id=admin.user.id,
        directorate_id=directorate["id"],
        member_id=member["id"],
        role_assignment_id=assignment["id"],
        api_client_id=api_client["id"],
        audit_event_id=events[0]["id"],
        portfolio_id=portfolio["id"],
        body_id=body["id"],
        programme_id=programme["id"],
        project_id=project["id"],
        milestone_id=milestone["id"],
        lifecycle_id=project["lifecycle_id"],
        review_id=review.json()["id"],
        kpi_id=kpi["id"],
        kpi_target_id=kpi_target["id"],
        kpi_value_id=kpi_value["id"],
        cost_line_id=cost_line["id"],
        benefit_id=benefit["id"],
        funding_source_id=funding_source["id"],
        rule_id=rule["id"],
        drawdown_id=drawdown.json()["id"],
    )


# What `seed` made in this process, and the rows it wrote.
_FIRST_SEED: dict[str, Any] = {}


def seed_once(factory: Any, client: TestClient) -> Seeded:
    """`seed`'s records, in the empty database: seeded through the API by the first test of the
    process, and copied back for the others (the same rows, ids included, far faster: seeding
    makes people, whose passwords are hashed at full cost)."""
    if not _FIRST_SEED:
        seeded = seed(factory, client)
        _FIRST_SEED.update(seeded=seeded, rows=copy_rows(factory.engine))
        return replace(seeded)
    put_back_rows(factory.engine, _FIRST_SEED["rows"])
    return replace(_FIRST_SEED["seeded"], factory=factory)
