"""Role assignments through HTTP: organisation-wide and directorate-scoped roles."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from pmo.core.pagination import public_url_of
from pmo.core.permissions import ORGANISATION_WIDE_ROLES, SCOPABLE_ROLES, Role
from pmo.organisations.models import RoleAssignment
from support.api import API, problem
from support.database import audit_count

from .helpers import error_locations, with_if_match

ASSIGNMENTS = f"{API}/role-assignments"
SCOPABLE = sorted(SCOPABLE_ROLES)
UNSCOPABLE = sorted(set(Role) - SCOPABLE_ROLES)


def _assign(client, admin, user_id, role, directorate_id=None):  # type: ignore[no-untyped-def]
    body = {"user_id": str(user_id), "role": role}
    if directorate_id is not None:
        body["directorate_id"] = str(directorate_id)
    return client.post(ASSIGNMENTS, json=body, headers=admin.headers)


def _count(db, user_id):  # type: ignore[no-untyped-def]
    return len(db.all(select(RoleAssignment).where(RoleAssignment.user_id == user_id)))


def test_assign_organisation_wide_role(client, admin, factory, org, engine):
    person = factory.person(org)
    events = audit_count(engine, org.id)
    response = _assign(client, admin, person.id, "pmo")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == public_url_of(f"{ASSIGNMENTS}/{body['id']}")
    assert body["user_id"] == str(person.id)
    assert body["role"] == "pmo"
    assert body["directorate_id"] is None
    assert client.get(response.headers["location"], headers=admin.headers).json() == body
    assert audit_count(engine, org.id) == events + 1
    # The role works at once: the person's permissions follow the database.
    me = client.get(f"{API}/me", headers=person.headers).json()
    assert me["roles"] == [
        {
            "role": "pmo",
            "directorate_id": None,
            "programme_id": None,
            "project_id": None,
            "scope": "the whole organisation",
        }
    ]
    assert "roles:read" in me["permissions"]


@pytest.mark.parametrize("role", SCOPABLE)
def test_assign_role_scoped_to_a_directorate(client, admin, factory, org, directorate, role):
    person = factory.person(org)
    response = _assign(client, admin, person.id, role, directorate.id)
    assert response.status_code == 201, response.text
    assert response.json()["directorate_id"] == str(directorate.id)
    user = client.get(f"{API}/users/{person.id}", headers=admin.headers).json()
    held = {
        "role": role,
        "directorate_id": str(directorate.id),
        "programme_id": None,
        "project_id": None,
        "scope": f"the {directorate.name} directorate",
    }
    assert user["roles"] == [held]
    me = client.get(f"{API}/me", headers=person.headers).json()
    assert me["roles"] == [held]


@pytest.mark.parametrize("role", UNSCOPABLE)
def test_organisation_wide_roles_cannot_be_scoped(client, admin, factory, org, directorate, db, role):
    person = factory.person(org)
    body = problem(_assign(client, admin, person.id, role, directorate.id), 422)
    assert body["errors"][0]["location"] == ["body", "directorate_id"]
    assert "is held for the whole organisation" in body["errors"][0]["message"]
    assert _count(db, person.id) == 0


def test_the_three_organisation_wide_roles(client):
    assert {r.value for r in ORGANISATION_WIDE_ROLES} == {"admin", "pmo", "democratic_services"}


def test_same_role_and_scope_twice_is_409(client, admin, factory, org, directorate, db):
    person = factory.person(org)
    assert _assign(client, admin, person.id, "sponsor").status_code == 201
    problem(_assign(client, admin, person.id, "sponsor"), 409)
    assert _assign(client, admin, person.id, "sponsor", directorate.id).status_code == 201
    problem(_assign(client, admin, person.id, "sponsor", directorate.id), 409)
    assert _count(db, person.id) == 2


def test_same_role_in_two_directorates(client, admin, factory, org):
    person = factory.person(org)
    first, second = factory.directorate(org, "Housing"), factory.directorate(org, "Finance")
    assert _assign(client, admin, person.id, "project_manager", first.id).status_code == 201
    assert _assign(client, admin, person.id, "project_manager", second.id).status_code == 201


def test_unknown_role_user_or_directorate(client, admin, factory, org, db):
    person = factory.person(org)
    body = problem(_assign(client, admin, person.id, "superuser"), 422)
    assert ("body", "role") in error_locations(body)
    problem(_assign(client, admin, uuid.uuid4(), "viewer"), 404)
    problem(_assign(client, admin, person.id, "sponsor", uuid.uuid4()), 404)
    problem(client.post(ASSIGNMENTS, json={"role": "viewer"}, headers=admin.headers), 422)
    assert _count(db, person.id) == 0


def test_list_and_filter(client, admin, factory, org, directorate):
    alice = factory.person(org, email="alice@chesterfield.test")
    bob = factory.person(org, email="bob@chesterfield.test")
    _assign(client, admin, alice.id, "viewer")
    assert _assign(client, admin, alice.id, "sponsor", directorate.id).status_code == 201
    _assign(client, admin, bob.id, "finance")

    page = client.get(ASSIGNMENTS, headers=admin.headers).json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert page["total"] == 4  # with the admin's own
    assert [a["role"] for a in page["items"]] == ["admin", "finance", "sponsor", "viewer"]
    desc = client.get(ASSIGNMENTS, params={"sort": "-role"}, headers=admin.headers).json()
    assert [a["role"] for a in desc["items"]] == ["viewer", "sponsor", "finance", "admin"]

    def roles(**params):  # type: ignore[no-untyped-def]
        response = client.get(ASSIGNMENTS, params=params, headers=admin.headers)
        assert response.status_code == 200
        return sorted(a["role"] for a in response.json()["items"])

    assert roles(user_id=str(alice.id)) == ["sponsor", "viewer"]
    assert roles(role="finance") == ["finance"]
    assert roles(directorate_id=str(directorate.id)) == ["sponsor"]
    assert roles(user_id=str(bob.id), role="viewer") == []
    paged = client.get(ASSIGNMENTS, params={"limit": 1, "offset": 3}, headers=admin.headers).json()
    assert [a["role"] for a in paged["items"]] == ["viewer"]
    problem(client.get(ASSIGNMENTS, params={"limit": 500}, headers=admin.headers), 422)


def test_remove_role(client, admin, factory, org, db, engine):
    person = factory.person(org)
    created = _assign(client, admin, person.id, "finance").json()
    url = f"{ASSIGNMENTS}/{created['id']}"
    events = audit_count(engine, org.id)
    assert client.delete(url, headers=admin.headers).status_code == 204
    problem(client.get(url, headers=admin.headers), 404)
    problem(client.delete(url, headers=admin.headers), 404)
    assert _count(db, person.id) == 0
    assert audit_count(engine, org.id) == events + 1
    assert client.get(f"{API}/me", headers=person.headers).json()["roles"] == []


def test_a_new_role_makes_the_users_etag_stale(client, admin, factory, org):
    person = factory.person(org)
    url = f"{API}/users/{person.id}"
    tag = client.get(url, headers=admin.headers).headers["etag"]
    _assign(client, admin, person.id, "viewer")
    assert client.get(url, headers=admin.headers).headers["etag"] != tag
    problem(client.patch(url, json={"display_name": "X"}, headers=with_if_match(admin.headers, tag)), 412)
