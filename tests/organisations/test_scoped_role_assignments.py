"""Role assignments for one programme or one project: who may hold them, that the programme
or project is the organisation's, how they read, and that they reach only their scope."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import Session, select

from pmo.core.permissions import SCOPABLE_ROLES, Role
from pmo.demo import DEMO_PASSWORD
from pmo.gates import service as gates_service
from pmo.organisations.models import RoleAssignment
from pmo.portfolio.models import Project
from support.api import API, Api, problem, sign_in

ASSIGNMENTS = f"{API}/role-assignments"


def _assign(client: Any, admin: Any, **body: Any) -> Any:
    return client.post(
        ASSIGNMENTS,
        json={k: str(v) if isinstance(v, uuid.UUID) else v for k, v in body.items()},
        headers=admin.headers,
    )


def _held(db: Any, user_id: uuid.UUID) -> list[RoleAssignment]:
    return list(db.all(select(RoleAssignment).where(RoleAssignment.user_id == user_id)))


@pytest.mark.parametrize("role", sorted(SCOPABLE_ROLES))
def test_a_role_held_for_a_programme_or_a_project(client, admin, factory, org, programme, project, role):
    person = factory.person(org)
    for field, record, words in (
        ("programme_id", programme, f"programme {programme['name']}"),
        ("project_id", project, f"project {project['reference']} {project['name']}"),
    ):
        response = _assign(client, admin, user_id=person.id, role=role, **{field: record["id"]})
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body[field], body["scope"]) == (record["id"], words)
        assert client.get(response.headers["location"], headers=admin.headers).json() == body
        listed = client.get(ASSIGNMENTS, params={field: record["id"]}, headers=admin.headers).json()
        assert [a["id"] for a in listed["items"]] == [body["id"]]
    me = client.get(f"{API}/me", headers=person.headers).json()
    assert sorted(r["scope"] for r in me["roles"]) == sorted(
        [f"programme {programme['name']}", f"project {project['reference']} {project['name']}"]
    )
    # The same role for the same programme twice is a conflict.
    problem(_assign(client, admin, user_id=person.id, role=role, programme_id=programme["id"]), 409)


@pytest.mark.parametrize("role", sorted(set(Role) - SCOPABLE_ROLES))
def test_other_roles_are_organisation_wide_only(client, admin, factory, org, programme, project, db, role):
    person = factory.person(org)
    for field, record in (("programme_id", programme), ("project_id", project)):
        body = problem(_assign(client, admin, user_id=person.id, role=role, **{field: record["id"]}), 422)
        assert body["errors"][0]["location"] == ["body", field]
        assert "is held for the whole organisation" in body["errors"][0]["message"]
    assert _held(db, person.id) == []


def test_one_scope_at_a_time(client, admin, factory, org, directorate, programme, project, db):
    person = factory.person(org)
    body = problem(
        _assign(
            client,
            admin,
            user_id=person.id,
            role="sponsor",
            programme_id=programme["id"],
            project_id=project["id"],
        ),
        422,
    )
    assert body["errors"][0]["location"] == ["body", "project_id"]
    assert "Choose one scope" in body["errors"][0]["message"]
    problem(
        _assign(
            client,
            admin,
            user_id=person.id,
            role="sponsor",
            directorate_id=directorate.id,
            programme_id=programme["id"],
        ),
        422,
    )
    assert _held(db, person.id) == []


def test_another_organisations_programme_or_project_is_404(client, admin, factory, org, other_org, db):
    other_pmo = factory.person(other_org, Role.pmo)
    api = Api(client)
    theirs = api.programme(other_pmo)
    their_project = api.project(other_pmo, theirs)
    person = factory.person(org)
    for field, record in (("programme_id", theirs), ("project_id", their_project)):
        body = problem(
            _assign(client, admin, user_id=person.id, role="sponsor", **{field: record["id"]}), 404
        )
        assert field in body["detail"]
    problem(_assign(client, admin, user_id=person.id, role="sponsor", programme_id=uuid.uuid4()), 404)
    assert _held(db, person.id) == []


def test_only_an_admin_assigns(client, pmo, factory, org, programme, db):
    person = factory.person(org)
    problem(_assign(client, pmo, user_id=person.id, role="sponsor", programme_id=programme["id"]), 403)
    assert _held(db, person.id) == []


def test_a_programme_with_roles_held_for_it_is_not_deleted(client, admin, pmo, factory, org, programme):
    person = factory.person(org)
    assert (
        _assign(client, admin, user_id=person.id, role="sponsor", programme_id=programme["id"]).status_code
        == 201
    )
    problem(client.delete(f"{API}/programmes/{programme['id']}", headers=pmo.headers), 409)


def test_the_demo_scoped_project_manager(client, demo):
    """pm-ict@demo.test: project manager for programme ICT Improvement only. They read the whole
    portfolio, change a risk of an ICT project, are refused (with the reason) on a risk of a
    Customer Experience project, and see ICT projects on their work list."""
    headers = sign_in(client, "pm-ict@demo.test", DEMO_PASSWORD)
    me = client.get(f"{API}/me", headers=headers).json()
    assert [(r["role"], r["scope"]) for r in me["roles"]] == [
        ("project_manager", "programme ICT Improvement")
    ]
    programmes = {
        p["name"]: p["id"] for p in client.get(f"{API}/programmes", headers=headers).json()["items"]
    }
    assert {"ICT Improvement", "Customer Experience"} <= set(programmes)

    def a_risk(programme: str) -> dict[str, Any]:
        projects = client.get(
            f"{API}/projects", params={"programme_id": programmes[programme], "limit": 200}, headers=headers
        )
        for project in projects.json()["items"]:
            risks = client.get(f"{API}/risks", params={"project_id": project["id"]}, headers=headers).json()
            if risks["items"]:
                return dict(risks["items"][0])
        # No risk yet on that programme's projects: the PMO's demo user adds one.
        pmo = sign_in(client, "pmo@demo.test", DEMO_PASSWORD)
        body = {
            "project_id": projects.json()["items"][0]["id"],
            "title": "Supplier capacity",
            "category": "operational",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        }
        created = client.post(f"{API}/risks", json=body, headers=pmo)
        assert created.status_code == 201, created.text
        return dict(created.json())

    def change(risk: dict[str, Any]) -> Any:
        path = f"{API}/risks/{risk['id']}"
        tag = client.get(path, headers=headers).headers["ETag"]
        return client.patch(
            path, json={"cause": "Checked by the ICT project manager."}, headers={**headers, "If-Match": tag}
        )

    assert change(a_risk("ICT Improvement")).status_code == 200
    refused = problem(change(a_risk("Customer Experience")), 403)
    assert "You are project manager for programme ICT Improvement only" in refused["detail"]
    assert "in programme Customer Experience" in refused["detail"]
    work = client.get(f"{API}/me/work", headers=headers).json()
    assert work["counts"]["my_projects"] > 0
    assert all("programme ICT Improvement" in p["detail"] for p in work["my_projects"])


def test_gate_deciders_named_by_role_are_the_holders_whose_scope_covers_the_project(
    client, pmo, factory, org, engine
):
    api = Api(client)
    ours, theirs = api.programme(pmo), api.programme(pmo)
    project = api.project(pmo, ours)
    in_scope = factory.scoped(org, Role.sponsor, programme_id=ours["id"])
    for_the_project = factory.scoped(org, Role.sponsor, project_id=project["id"])
    factory.scoped(org, Role.sponsor, programme_id=theirs["id"])
    everywhere = factory.person(org, Role.sponsor)
    with Session(engine) as session:
        record = session.get_one(Project, uuid.UUID(project["id"]))
        deciders = gates_service._active_role_holders(session, record, Role.sponsor, any_directorate=False)
    assert deciders == {in_scope.id, for_the_project.id, everywhere.id}
