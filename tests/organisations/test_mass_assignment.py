"""Unknown or privileged fields in a body are a 422 naming the field, never silently applied
or ignored, and nothing changes."""

from __future__ import annotations

import uuid

import pytest

from support.api import API, problem
from support.database import audit_count, snapshot

from .helpers import ORG_TABLES, error_locations

PASSWORD = "a long enough password"

# The fields a client must never set, with values that would do harm if they were applied.
PRIVILEGED = {
    "roles": ["admin"],
    "organisation_id": None,  # filled in with the other organisation's id
    "is_active": False,
    "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$forged",
    "id": "00000000-0000-0000-0000-000000000001",
    "version": 99,
    "colour": "red",  # merely unknown
}

# (name, method, path, valid body, needs If-Match)
ENDPOINTS = [
    (
        "create user",
        "POST",
        "/users",
        {"email": "new@chesterfield.test", "display_name": "New", "password": PASSWORD},
        False,
    ),
    ("update user", "PATCH", "/users/{user}", {"display_name": "Changed"}, True),
    ("create directorate", "POST", "/directorates", {"name": "Housing"}, False),
    ("update organisation", "PATCH", "/organisation", {"name": "Renamed Council"}, True),
    ("create api client", "POST", "/api-clients", {"name": "KPI sync", "scopes": ["kpis:read"]}, False),
    ("update directorate", "PATCH", "/directorates/{directorate}", {"name": "Homes"}, True),
    ("assign role", "POST", "/role-assignments", {"user_id": "{user}", "role": "viewer"}, False),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "if_match"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_privileged_or_unknown_field_is_422(
    client, engine, factory, org, other_org, admin, directorate, name, method, path, body, if_match
):
    person = factory.person(org, email="person@chesterfield.test")
    ids = {"user": str(person.id), "directorate": str(directorate.id)}
    url = API + path.format(**ids)
    valid = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in body.items()}
    headers = {**admin.headers, **({"If-Match": "*"} if if_match else {})}

    before = snapshot(engine, *ORG_TABLES)
    events = audit_count(engine)
    for field, value in PRIVILEGED.items():
        value = str(other_org.id) if field == "organisation_id" else value
        response = client.request(method, url, json={**valid, field: value}, headers=headers)
        problem_body = problem(response, 422)
        assert ("body", field) in error_locations(problem_body), problem_body
        assert field in problem_body["detail"]
    assert snapshot(engine, *ORG_TABLES) == before
    assert audit_count(engine) == events

    # The same body without the fields is accepted: the fields alone made it a 422.
    response = client.request(method, url, json=valid, headers=headers)
    assert response.status_code in (200, 201), response.text


def test_a_user_cannot_be_created_as_admin_of_another_organisation(client, engine, admin, other_org):
    body = {
        "email": "sneaky@chesterfield.test",
        "display_name": "Sneaky",
        "password": PASSWORD,
        "organisation_id": str(other_org.id),
        "roles": [{"role": "admin", "directorate_id": None}],
        "is_active": True,
    }
    response = client.post(f"{API}/users", json=body, headers=admin.headers)
    locations = error_locations(problem(response, 422))
    assert {("body", "organisation_id"), ("body", "roles"), ("body", "is_active")} <= locations
    users = client.get(f"{API}/users", params={"q": "sneaky"}, headers=admin.headers).json()
    assert users["total"] == 0


def test_patch_cannot_change_the_id(client, admin, factory, org):
    person = factory.person(org)
    new_id = str(uuid.uuid4())
    response = client.patch(
        f"{API}/users/{person.id}", json={"id": new_id}, headers={**admin.headers, "If-Match": "*"}
    )
    problem(response, 422)
    assert client.get(f"{API}/users/{person.id}", headers=admin.headers).status_code == 200
    problem(client.get(f"{API}/users/{new_id}", headers=admin.headers), 404)
