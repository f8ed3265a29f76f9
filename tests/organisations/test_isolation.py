"""Nothing of one organisation is visible to, or changeable by, another: always 404.

The other organisation's users, directorates, role assignments and API clients are tried
with every read and write the API has; afterwards their rows are byte-for-byte as before
and neither organisation's audit trail has a new event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from pmo.core.permissions import Role
from pmo.organisations import service as org_service
from pmo.organisations.schemas import DirectorateCreate, RoleAssignmentCreate
from support.api import API, problem
from support.database import audit_count, snapshot

from .helpers import ORG_TABLES


@dataclass
class Theirs:
    user: str
    inactive_user: str
    directorate: str
    assignment: str
    api_client: str


@pytest.fixture
def theirs(client: TestClient, engine, factory, other_org, other_admin) -> Theirs:  # type: ignore[no-untyped-def]
    """Records of the other organisation, made by its admin."""
    sponsor = factory.person(other_org, email="sponsor@dacorum.test")
    gone = factory.person(other_org, Role.viewer, email="gone@dacorum.test")
    with Session(engine, expire_on_commit=False) as session:
        directorate = org_service.create_directorate(
            session, None, other_org.id, DirectorateCreate(name="Dacorum Housing")
        )
        assignment = org_service.assign_role(
            session,
            None,
            other_org.id,
            RoleAssignmentCreate(user_id=sponsor.id, role=Role.sponsor, directorate_id=directorate.id),
        )
        session.commit()
    response = client.post(f"{API}/users/{gone.id}/deactivate", headers=other_admin.headers)
    assert response.status_code == 200
    response = client.post(
        f"{API}/api-clients",
        json={"name": "Dacorum KPIs", "scopes": ["kpis:read"]},
        headers=other_admin.headers,
    )
    assert response.status_code == 201, response.text
    return Theirs(
        user=str(sponsor.id),
        inactive_user=str(gone.id),
        directorate=str(directorate.id),
        assignment=str(assignment.id),
        api_client=response.json()["id"],
    )


ANY = {"If-Match": "*"}


def _attempts(t: Theirs, own_user: str) -> list[tuple[str, str, dict | None, dict]]:  # type: ignore[type-arg]
    """(method, path, json body, extra headers) of every read and write naming their records."""
    users, dirs = f"{API}/users", f"{API}/directorates"
    assignments, clients = f"{API}/role-assignments", f"{API}/api-clients"
    return [
        ("GET", f"{users}/{t.user}", None, {}),
        ("GET", f"{users}/{t.user}", None, {"If-None-Match": "*"}),
        ("PATCH", f"{users}/{t.user}", {"display_name": "Hijacked"}, ANY),
        ("PATCH", f"{users}/{t.user}", {"email": "mine@chesterfield.test"}, ANY),
        ("DELETE", f"{users}/{t.user}", None, {}),
        ("POST", f"{users}/{t.user}/deactivate", None, {}),
        ("POST", f"{users}/{t.inactive_user}/reactivate", None, {}),
        ("DELETE", f"{users}/{t.inactive_user}", None, {}),
        ("GET", f"{dirs}/{t.directorate}", None, {}),
        ("PATCH", f"{dirs}/{t.directorate}", {"name": "Hijacked"}, ANY),
        ("DELETE", f"{dirs}/{t.directorate}", None, {}),
        ("GET", f"{assignments}/{t.assignment}", None, {}),
        ("DELETE", f"{assignments}/{t.assignment}", None, {}),
        ("POST", assignments, {"user_id": t.user, "role": "viewer"}, {}),
        ("POST", assignments, {"user_id": t.user, "role": "sponsor", "directorate_id": t.directorate}, {}),
        ("POST", assignments, {"user_id": own_user, "role": "sponsor", "directorate_id": t.directorate}, {}),
        ("GET", f"{clients}/{t.api_client}", None, {}),
        ("PATCH", f"{clients}/{t.api_client}", {"name": "Hijacked"}, ANY),
        ("PATCH", f"{clients}/{t.api_client}", {"scopes": ["kpis:read", "portfolio:read"]}, ANY),
        ("POST", f"{clients}/{t.api_client}/revoke", None, {}),
        ("POST", f"{clients}/{t.api_client}/rotate-secret", None, {}),
        ("POST", f"{clients}/{t.api_client}/secrets", None, {}),
        ("POST", f"{clients}/{t.api_client}/secrets/{uuid.uuid4()}/retire", None, {}),
    ]


def test_every_read_and_write_of_another_organisations_records_is_404(
    client, engine, factory, org, other_org, admin, theirs
):
    own = factory.person(org, email="own@chesterfield.test")
    before = snapshot(engine, *ORG_TABLES)
    events = (audit_count(engine, org.id), audit_count(engine, other_org.id))

    for method, path, body, extra in _attempts(theirs, str(own.id)):
        response = client.request(method, path, json=body, headers={**admin.headers, **extra})
        detail = problem(response, 404)["detail"]
        assert "your organisation" in detail, (method, path)
        assert "Dacorum" not in response.text, (method, path)

    assert snapshot(engine, *ORG_TABLES) == before
    assert (audit_count(engine, org.id), audit_count(engine, other_org.id)) == events


def test_their_records_do_not_appear_in_lists(client, admin, other_admin, theirs):
    def ids(path: str, **params: str) -> set[str]:
        response = client.get(f"{API}/{path}", params={"limit": 200, **params}, headers=admin.headers)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert ids("users") == {str(admin.id)}
    assert ids("users", q="dacorum") == set()
    assert ids("users", directorate_id=theirs.directorate) == set()
    assert ids("users", role="sponsor") == set()
    assert ids("directorates") == set()
    assert theirs.assignment not in ids("role-assignments")
    assert ids("role-assignments", user_id=theirs.user) == set()
    assert ids("role-assignments", directorate_id=theirs.directorate) == set()
    assert ids("api-clients") == set()

    # ...while their own admin sees them all.
    def their_ids(path: str) -> set[str]:
        response = client.get(f"{API}/{path}", headers=other_admin.headers)
        return {item["id"] for item in response.json()["items"]}

    assert theirs.user in their_ids("users")
    assert theirs.directorate in their_ids("directorates")
    assert theirs.assignment in their_ids("role-assignments")
    assert theirs.api_client in their_ids("api-clients")


def test_isolation_holds_both_ways(client, engine, factory, org, other_org, admin, other_admin):
    mine = factory.directorate(org, "Chesterfield Housing")
    before = snapshot(engine, *ORG_TABLES)
    problem(client.get(f"{API}/directorates/{mine.id}", headers=other_admin.headers), 404)
    problem(client.get(f"{API}/users/{admin.id}", headers=other_admin.headers), 404)
    problem(client.post(f"{API}/users/{admin.id}/deactivate", headers=other_admin.headers), 404)
    problem(client.delete(f"{API}/users/{admin.id}", headers=other_admin.headers), 404)
    problem(
        client.post(
            f"{API}/role-assignments",
            json={"user_id": str(other_admin.id), "role": "sponsor", "directorate_id": str(mine.id)},
            headers=other_admin.headers,
        ),
        404,
    )
    assert snapshot(engine, *ORG_TABLES) == before


def test_organisation_and_me_are_always_ones_own(client, org, other_org, admin, other_admin):
    mine = client.get(f"{API}/organisation", headers=admin.headers).json()
    their = client.get(f"{API}/organisation", headers=other_admin.headers).json()
    assert mine["id"] == str(org.id)
    assert their["id"] == str(other_org.id)
    response = client.patch(f"{API}/organisation", json={"name": "Renamed"}, headers={**admin.headers, **ANY})
    assert response.status_code == 200
    their = client.get(f"{API}/organisation", headers=other_admin.headers).json()
    assert their["name"] == "Dacorum Borough Council"


def test_an_api_client_cannot_read_another_organisations_directorate(client, admin, theirs):
    created = client.post(
        f"{API}/api-clients",
        json={"name": "Portfolio sync", "scopes": ["portfolio:read"]},
        headers=admin.headers,
    ).json()
    token = client.post(
        f"{API}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/directorates", headers=headers).json()["total"] == 0
    problem(client.get(f"{API}/directorates/{theirs.directorate}", headers=headers), 404)
