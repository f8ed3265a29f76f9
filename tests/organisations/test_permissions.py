"""Who may do what: 403 naming the role needed, 401 without a token."""

from __future__ import annotations

import pytest

from pmo.core.permissions import ROLE_PERMISSIONS, Permission, Role
from support.api import API, problem
from support.database import audit_count, snapshot

from .helpers import ORG_TABLES

NON_ADMIN = [r for r in Role if r is not Role.admin]

# (path, body, permission needed); bodies are valid, so only the permission stops them.
ADMIN_ONLY_CREATES = [
    (
        "/users",
        {"email": "new@chesterfield.test", "display_name": "New", "password": "a long enough password"},
        Permission.users_manage,
    ),
    ("/role-assignments", {"user_id": "{self}", "role": "admin"}, Permission.roles_manage),
    ("/directorates", {"name": "Housing"}, Permission.directorates_manage),
    ("/api-clients", {"name": "KPI sync", "scopes": ["kpis:read"]}, Permission.api_clients_manage),
]


def test_only_admin_holds_the_managing_permissions():
    for _, _, permission in ADMIN_ONLY_CREATES:
        assert [r for r in Role if permission in ROLE_PERMISSIONS[r]] == [Role.admin]


@pytest.mark.parametrize(
    ("path", "body", "permission"), ADMIN_ONLY_CREATES, ids=[c[0] for c in ADMIN_ONLY_CREATES]
)
def test_non_admin_roles_cannot_create(client, engine, factory, org, admin, path, body, permission):
    for role in NON_ADMIN:
        person = factory.person(org, role)
        valid = {k: (v.format(self=person.id) if isinstance(v, str) else v) for k, v in body.items()}
        before = snapshot(engine, *ORG_TABLES)
        events = audit_count(engine)

        detail = problem(client.post(API + path, json=valid, headers=person.headers), 403)["detail"]
        assert permission.value in detail, role
        assert "admin" in detail, role
        assert snapshot(engine, *ORG_TABLES) == before, role
        assert audit_count(engine) == events, role

    # An admin may, with the same body: the role alone made the difference.
    admin_body = {k: (v.format(self=person.id) if isinstance(v, str) else v) for k, v in body.items()}
    assert client.post(API + path, json=admin_body, headers=admin.headers).status_code == 201


@pytest.mark.parametrize("role", NON_ADMIN, ids=[r.value for r in NON_ADMIN])
def test_non_admin_roles_cannot_change_or_remove_people(client, factory, org, admin, role):
    person = factory.person(org, role)
    target = f"{API}/users/{admin.id}"
    headers = {**person.headers, "If-Match": "*"}
    problem(client.patch(target, json={"display_name": "X"}, headers=headers), 403)
    problem(client.post(f"{target}/deactivate", headers=person.headers), 403)
    problem(client.post(f"{target}/reactivate", headers=person.headers), 403)
    problem(client.delete(target, headers=person.headers), 403)
    assert client.get(target, headers=admin.headers).json()["is_active"] is True


def test_no_role_can_still_see_themselves(client, factory, org):
    nobody = factory.person(org)
    assert client.get(f"{API}/me", headers=nobody.headers).status_code == 200
    for path in ("/users", "/directorates", "/organisation", "/role-assignments", "/api-clients"):
        problem(client.get(API + path, headers=nobody.headers), 403)


USERS_READERS = [r for r in Role if Permission.users_read in ROLE_PERMISSIONS[r]]


def test_every_role_reads_users():
    assert set(USERS_READERS) == set(Role)


@pytest.mark.parametrize("role", USERS_READERS, ids=[r.value for r in USERS_READERS])
def test_users_read_roles_list_users_and_directorates(client, factory, org, admin, role):
    person = factory.person(org, role)
    users = client.get(f"{API}/users", headers=person.headers)
    assert users.status_code == 200
    assert {u["id"] for u in users.json()["items"]} == {str(admin.id), str(person.id)}
    assert client.get(f"{API}/users/{admin.id}", headers=person.headers).status_code == 200
    assert client.get(f"{API}/directorates", headers=person.headers).status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_role_assignments_are_read_by_admin_and_pmo_only(client, factory, org, role):
    person = factory.person(org, role)
    response = client.get(f"{API}/role-assignments", headers=person.headers)
    if role in (Role.admin, Role.pmo):
        assert response.status_code == 200
    else:
        assert "roles:read" in problem(response, 403)["detail"]


def test_a_scoped_role_still_needs_the_permission(client, factory, org, directorate, admin):
    # A sponsor for one directorate is not an admin anywhere.
    person = factory.person(org)
    client.post(
        f"{API}/role-assignments",
        json={"user_id": str(person.id), "role": "sponsor", "directorate_id": str(directorate.id)},
        headers=admin.headers,
    )
    problem(client.post(f"{API}/directorates", json={"name": "Mine"}, headers=person.headers), 403)
    assert client.get(f"{API}/directorates/{directorate.id}", headers=person.headers).status_code == 200


def test_an_api_client_cannot_manage(client, admin):
    created = client.post(
        f"{API}/api-clients",
        json={"name": "Everything", "scopes": ["kpis:read", "portfolio:read"]},
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
    for path, body, _ in ADMIN_ONLY_CREATES:
        valid = {k: (v.format(self=admin.id) if isinstance(v, str) else v) for k, v in body.items()}
        problem(client.post(API + path, json=valid, headers=headers), 403)
    problem(client.get(f"{API}/users", headers=headers), 403)


UNAUTHENTICATED = [
    ("GET", "/me"),
    ("POST", "/me/password"),
    ("GET", "/organisation"),
    ("PATCH", "/organisation"),
    ("GET", "/users"),
    ("POST", "/users"),
    ("GET", "/users/00000000-0000-0000-0000-000000000000"),
    ("PATCH", "/users/00000000-0000-0000-0000-000000000000"),
    ("DELETE", "/users/00000000-0000-0000-0000-000000000000"),
    ("POST", "/users/00000000-0000-0000-0000-000000000000/deactivate"),
    ("POST", "/users/00000000-0000-0000-0000-000000000000/reactivate"),
    ("GET", "/directorates"),
    ("POST", "/directorates"),
    ("GET", "/role-assignments"),
    ("POST", "/role-assignments"),
    ("DELETE", "/role-assignments/00000000-0000-0000-0000-000000000000"),
    ("GET", "/api-clients"),
    ("POST", "/api-clients"),
]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_401_without_a_valid_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in UNAUTHENTICATED:
        response = client.request(method, API + path, json={}, headers=headers)
        problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer"), (method, path)


def test_401_for_a_deleted_users_token(client, factory, org, admin):
    person = factory.person(org, Role.admin)
    assert client.delete(f"{API}/users/{person.id}", headers=admin.headers).status_code == 204
    problem(client.get(f"{API}/users", headers=person.headers), 401)
