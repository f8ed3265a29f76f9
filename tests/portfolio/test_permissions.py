"""Who may do what: pmo anywhere, sponsor within their directorate (or as SRO), project manager
only the projects they manage, everyone else reads; API clients read with `portfolio:read`."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.core.permissions import Role
from support.api import API, problem
from support.database import audit_count


@pytest.fixture
def setting(register, factory, pmo, org) -> dict[str, Any]:
    housing = factory.directorate(org, "Housing")
    digital = factory.directorate(org, "Digital")
    programme = register.programme(pmo)
    manager = register.factory.person(org, Role.project_manager)
    housing_project = register.project(
        pmo, programme, lead_directorate_id=str(housing.id), project_manager_id=str(manager.id)
    )
    digital_project = register.project(pmo, programme, lead_directorate_id=str(digital.id))
    return {
        "housing": housing,
        "digital": digital,
        "programme": programme,
        "manager": manager,
        "housing_project": housing_project,
        "digital_project": digital_project,
    }


def test_sponsor_creates_only_in_their_directorate(register, factory, org, client, setting) -> None:
    sponsor = factory.scoped(org, Role.sponsor, setting["housing"])
    ok = client.post(
        f"{API}/projects",
        json={
            "programme_id": setting["programme"]["id"],
            "name": "Ours",
            "lead_directorate_id": str(setting["housing"].id),
        },
        headers=sponsor.headers,
    )
    assert ok.status_code == 201, ok.text
    for lead in (str(setting["digital"].id), None):
        body = {"programme_id": setting["programme"]["id"], "name": "Theirs", "lead_directorate_id": lead}
        problem(client.post(f"{API}/projects", json=body, headers=sponsor.headers), 403)


def test_sponsor_edits_only_in_their_directorate_or_as_sro(register, factory, org, client, setting) -> None:
    sponsor = factory.scoped(org, Role.sponsor, setting["housing"])
    housing_path = f"/projects/{setting['housing_project']['id']}"
    digital_path = f"/projects/{setting['digital_project']['id']}"
    assert register.patch(sponsor, housing_path, {"name": "Housing, edited"}).status_code == 200
    problem(register.patch(sponsor, digital_path, {"name": "Not mine"}), 403)
    # Handing their project to another directorate is not theirs to do.
    problem(register.patch(sponsor, housing_path, {"lead_directorate_id": str(setting["digital"].id)}), 403)
    # Named SRO of the digital project, they may edit it.
    pmo_person = register.factory.person(org, Role.pmo)
    assert register.patch(pmo_person, digital_path, {"sro_id": str(sponsor.id)}).status_code == 200
    assert register.patch(sponsor, digital_path, {"name": "Now mine as SRO"}).status_code == 200


def test_organisation_wide_sponsor_covers_every_directorate(register, org, setting) -> None:
    sponsor = register.factory.person(org, Role.sponsor)
    assert (
        register.patch(sponsor, f"/projects/{setting['digital_project']['id']}", {"name": "x"}).status_code
        == 200
    )


def test_project_manager_edits_only_their_projects(register, factory, org, client, setting) -> None:
    manager = setting["manager"]
    mine = f"/projects/{setting['housing_project']['id']}"
    assert register.patch(manager, mine, {"description": "Updated by the PM"}).status_code == 200
    problem(register.patch(manager, f"/projects/{setting['digital_project']['id']}", {"name": "x"}), 403)
    problem(register.patch(manager, mine, {"lead_directorate_id": str(setting["digital"].id)}), 403)
    problem(
        client.post(
            f"{API}/projects",
            json={"programme_id": setting["programme"]["id"], "name": "x"},
            headers=manager.headers,
        ),
        403,
    )
    # Milestones and confidence follow the same rule.
    ok = client.post(
        f"{API}{mine}/milestones",
        json={"title": "Go live", "planned_date": "2030-01-01"},
        headers=manager.headers,
    )
    assert ok.status_code == 201
    other = f"{API}/projects/{setting['digital_project']['id']}"
    problem(
        client.post(
            f"{other}/milestones", json={"title": "x", "planned_date": "2030-01-01"}, headers=manager.headers
        ),
        403,
    )
    problem(
        client.post(
            f"{other}/confidence", json={"rating": "red", "commentary": "x"}, headers=manager.headers
        ),
        403,
    )
    # A project manager role held for a directorate covers that directorate's projects, not
    # another's (README "Scoped roles"): Housing's may change the housing project, Digital's not.
    milestone = ok.json()
    digital_pm = factory.scoped(org, Role.project_manager, setting["digital"])
    refused = problem(register.patch(digital_pm, mine, {"name": "x"}), 403)
    assert "You are project manager for the Digital directorate only" in refused["detail"]
    problem(register.patch(digital_pm, f"/milestones/{milestone['id']}", {"status": "done"}), 403)
    problem(client.delete(f"{API}/milestones/{milestone['id']}", headers=digital_pm.headers), 403)
    housing_pm = factory.scoped(org, Role.project_manager, setting["housing"])
    assert register.patch(housing_pm, mine, {"name": "Housing's"}).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.member, Role.viewer, Role.finance, Role.democratic_services, Role.admin]
)
def test_readers_read_but_do_not_change(register, factory, org, client, setting, engine, role) -> None:
    reader = factory.person(org, role)
    project = setting["housing_project"]
    assert client.get(f"{API}/projects", headers=reader.headers).json()["total"] == 2
    body, _ = register.get(reader, f"/projects/{project['id']}")
    assert body["id"] == project["id"]
    assert register.get(reader, f"/programmes/{setting['programme']['id']}/dashboard")[0]["projects"] == 2
    assert client.get(f"{API}/projects/{project['id']}/milestones", headers=reader.headers).status_code == 200
    assert client.get(f"{API}/projects/{project['id']}/confidence", headers=reader.headers).status_code == 200
    assert client.get(f"{API}/portfolios", headers=reader.headers).status_code == 200
    assert client.get(f"{API}/governance-bodies", headers=reader.headers).status_code == 200
    before = audit_count(engine)
    problem(register.patch(reader, f"/projects/{project['id']}", {"name": "x"}), 403)
    problem(
        client.post(
            f"{API}/projects",
            json={"programme_id": setting["programme"]["id"], "name": "x"},
            headers=reader.headers,
        ),
        403,
    )
    problem(
        client.post(
            f"{API}/projects/{project['id']}/confidence",
            json={"rating": "red", "commentary": "x"},
            headers=reader.headers,
        ),
        403,
    )
    problem(register.patch(reader, f"/programmes/{setting['programme']['id']}", {"name": "x"}), 403)
    assert audit_count(engine) == before


def _client_headers(client, admin, scopes: list[str]) -> dict[str, str]:
    created = client.post(
        f"{API}/api-clients",
        json={"name": f"Ledger {'-'.join(scopes)}", "scopes": scopes},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    data = {
        "grant_type": "client_credentials",
        "client_id": created.json()["client_id"],
        "client_secret": created.json()["client_secret"],
    }
    token = client.post(f"{API}/auth/token", data=data)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_api_clients_read_with_portfolio_read_only(engine, org, client, setting, admin) -> None:
    readers = _client_headers(client, admin, ["portfolio:read"])
    project = setting["housing_project"]
    assert client.get(f"{API}/projects", headers=readers).json()["total"] == 2
    assert client.get(f"{API}/projects/{project['id']}", headers=readers).status_code == 200
    assert (
        client.get(f"{API}/programmes/{setting['programme']['id']}/dashboard", headers=readers).status_code
        == 200
    )
    problem(
        client.patch(
            f"{API}/projects/{project['id']}", json={"name": "x"}, headers={**readers, "If-Match": "*"}
        ),
        403,
    )
    work = client.get(f"{API}/me/work", headers=readers).json()
    assert set(work["counts"].values()) == {0}  # an API client has no work list
    assert all(work[section] == [] for section in work["counts"])
    kpis_only = _client_headers(client, admin, ["kpis:read"])
    problem(client.get(f"{API}/projects", headers=kpis_only), 403)
    problem(client.get(f"{API}/projects/{project['id']}", headers=kpis_only), 403)
    problem(client.get(f"{API}/portfolios", headers=kpis_only), 403)


def test_signed_out_is_401(client, setting) -> None:
    problem(client.get(f"{API}/projects"), 401)
    problem(client.get(f"{API}/me/work"), 401)
