"""Directorates through HTTP."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from pmo.organisations.models import Directorate
from support.api import API, problem
from support.database import audit_count

from .helpers import with_if_match

DIRECTORATES = f"{API}/directorates"


def _create(client, person, name, description=""):  # type: ignore[no-untyped-def]
    return client.post(DIRECTORATES, json={"name": name, "description": description}, headers=person.headers)


def test_create_is_201_with_location(client, admin, db, engine):
    events = audit_count(engine, admin.organisation.id)
    response = _create(client, admin, "Digital, HR and Customer Services", "Led by the Service Director")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == public_url_of(f"{DIRECTORATES}/{body['id']}")
    assert body["name"] == "Digital, HR and Customer Services"
    assert body["description"] == "Led by the Service Director"
    fetched = client.get(response.headers["location"], headers=admin.headers)
    assert fetched.status_code == 200
    assert fetched.json() == body
    row = db.get(Directorate, uuid.UUID(body["id"]))
    assert row.organisation_id == admin.organisation.id
    assert audit_count(engine, admin.organisation.id) == events + 1


def test_description_is_optional(client, admin):
    response = client.post(DIRECTORATES, json={"name": "Housing"}, headers=admin.headers)
    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_duplicate_name_in_the_organisation_is_409(client, admin, other_admin, db):
    assert _create(client, admin, "Housing").status_code == 201
    problem(_create(client, admin, "Housing"), 409)
    assert len(db.all(select(Directorate).where(Directorate.name == "Housing"))) == 1
    # Another organisation may use the same name.
    assert _create(client, other_admin, "Housing").status_code == 201


def test_list_page_filter_sort(client, admin, other_admin):
    for name in ["Housing", "Economy and Growth", "Digital, HR and Customer Services", "Finance"]:
        assert _create(client, admin, name).status_code == 201
    assert _create(client, other_admin, "Leisure").status_code == 201

    page = client.get(DIRECTORATES, headers=admin.headers).json()
    assert set(page) == {"items", "total", "limit", "offset"}
    names = [d["name"] for d in page["items"]]
    assert names == ["Digital, HR and Customer Services", "Economy and Growth", "Finance", "Housing"]
    assert page["total"] == 4

    desc = client.get(DIRECTORATES, params={"sort": "-name"}, headers=admin.headers).json()
    assert [d["name"] for d in desc["items"]] == list(reversed(names))

    paged = client.get(DIRECTORATES, params={"limit": 1, "offset": 1}, headers=admin.headers).json()
    assert [d["name"] for d in paged["items"]] == ["Economy and Growth"]
    assert (paged["total"], paged["limit"], paged["offset"]) == (4, 1, 1)

    found = client.get(DIRECTORATES, params={"q": "HOUS"}, headers=admin.headers).json()
    assert [d["name"] for d in found["items"]] == ["Housing"]
    assert client.get(DIRECTORATES, params={"q": "Leisure"}, headers=admin.headers).json()["total"] == 0
    assert client.get(DIRECTORATES, params={"q": "%"}, headers=admin.headers).json()["total"] == 0

    problem(client.get(DIRECTORATES, params={"limit": 201}, headers=admin.headers), 422)
    problem(client.get(DIRECTORATES, params={"sort": "description"}, headers=admin.headers), 422)


def test_patch_needs_current_if_match(client, admin, db):
    created = _create(client, admin, "Housing").json()
    url = f"{DIRECTORATES}/{created['id']}"
    problem(client.patch(url, json={"name": "Homes"}, headers=admin.headers), 428)

    tag = client.get(url, headers=admin.headers).headers["etag"]
    response = client.patch(url, json={"name": "Homes"}, headers=with_if_match(admin.headers, tag))
    assert response.status_code == 200
    assert response.json()["name"] == "Homes"
    assert response.headers["etag"] != tag
    assert response.headers["etag"] == client.get(url, headers=admin.headers).headers["etag"]

    problem(client.patch(url, json={"name": "Houses"}, headers=with_if_match(admin.headers, tag)), 412)
    assert db.get(Directorate, uuid.UUID(created["id"])).name == "Homes"


def test_patch_to_a_taken_name_is_409(client, admin, db):
    _create(client, admin, "Housing")
    finance = _create(client, admin, "Finance").json()
    url = f"{DIRECTORATES}/{finance['id']}"
    problem(client.patch(url, json={"name": "Housing"}, headers=with_if_match(admin.headers, "*")), 409)
    assert db.get(Directorate, uuid.UUID(finance["id"])).name == "Finance"
    # Its own name again is no conflict.
    response = client.patch(url, json={"name": "Finance"}, headers=with_if_match(admin.headers, "*"))
    assert response.status_code == 200


def test_delete(client, admin, db):
    created = _create(client, admin, "Housing").json()
    url = f"{DIRECTORATES}/{created['id']}"
    assert client.delete(url, headers=admin.headers).status_code == 204
    problem(client.get(url, headers=admin.headers), 404)
    problem(client.delete(url, headers=admin.headers), 404)
    assert db.get(Directorate, uuid.UUID(created["id"])) is None


def test_delete_with_scoped_roles_is_409(client, admin, factory, org, db):
    created = _create(client, admin, "Housing").json()
    sponsor = factory.person(org)
    response = client.post(
        f"{API}/role-assignments",
        json={"user_id": str(sponsor.id), "role": Role.sponsor.value, "directorate_id": created["id"]},
        headers=admin.headers,
    )
    assert response.status_code == 201
    body = problem(client.delete(f"{DIRECTORATES}/{created['id']}", headers=admin.headers), 409)
    assert body["detail"] == (
        "'Housing' cannot be deleted while records name it: 1 role assignment. "
        "Give them another directorate first (remove roles held for it), or keep it."
    )
    assert db.get(Directorate, uuid.UUID(created["id"])) is not None


def test_delete_while_records_name_it_says_which(client, admin, factory, org, db):
    """Not only roles: a programme or project it leads keeps it too, and the refusal counts them."""
    created = _create(client, admin, "Housing").json()
    pmo = factory.person(org, Role.pmo)
    portfolio = client.post(f"{API}/portfolios", json={"name": "Change"}, headers=pmo.headers).json()
    body = {"portfolio_id": portfolio["id"], "name": "Homes", "lead_directorate_id": created["id"]}
    programme = client.post(f"{API}/programmes", json=body, headers=pmo.headers).json()
    for name in ("Repairs", "Lettings"):
        body = {"programme_id": programme["id"], "name": name, "lead_directorate_id": created["id"]}
        assert client.post(f"{API}/projects", json=body, headers=pmo.headers).status_code == 201
    refused = problem(client.delete(f"{DIRECTORATES}/{created['id']}", headers=admin.headers), 409)
    assert "records name it: 1 programme and 2 projects." in refused["detail"]
    assert db.get(Directorate, uuid.UUID(created["id"])) is not None


@pytest.mark.parametrize("path", ["", "/00000000-0000-0000-0000-000000000000"])
def test_unknown_directorate_is_404(client, admin, path):
    if path:
        problem(client.get(f"{DIRECTORATES}{path}", headers=admin.headers), 404)
        problem(client.delete(f"{DIRECTORATES}{path}", headers=admin.headers), 404)
        problem(
            client.patch(
                f"{DIRECTORATES}{path}", json={"name": "X"}, headers=with_if_match(admin.headers, "*")
            ),
            404,
        )
    else:
        assert client.get(DIRECTORATES, headers=admin.headers).json()["total"] == 0
