"""The organisation itself, `/me` and `/me/password`."""

from __future__ import annotations

from sqlmodel import select

from conftest import PASSWORD
from pmo.core.permissions import ROLE_PERMISSIONS, Role
from pmo.organisations.models import Organisation, User
from support.api import API, problem
from support.database import audit_count, rows

from .helpers import with_if_match

ORGANISATION = f"{API}/organisation"
ME = f"{API}/me"
TOKEN = f"{API}/auth/token"


def test_get_organisation(client, admin, org, other_org):
    response = client.get(ORGANISATION, headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["id"] == str(org.id)
    assert response.json()["name"] == "Chesterfield Borough Council"
    tag = response.headers["etag"]
    assert client.get(ORGANISATION, headers={**admin.headers, "If-None-Match": tag}).status_code == 304


def test_every_staff_role_reads_the_organisation(client, factory, org):
    for role in Role:
        person = factory.person(org, role)
        assert client.get(ORGANISATION, headers=person.headers).status_code == 200, role


def test_patch_organisation_with_if_match(client, admin, org, db, engine):
    problem(client.patch(ORGANISATION, json={"name": "Chesterfield BC"}, headers=admin.headers), 428)
    tag = client.get(ORGANISATION, headers=admin.headers).headers["etag"]
    events = audit_count(engine, org.id)
    response = client.patch(
        ORGANISATION, json={"name": "Chesterfield BC"}, headers=with_if_match(admin.headers, tag)
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Chesterfield BC"
    assert response.headers["etag"] != tag
    assert audit_count(engine, org.id) == events + 1
    stale = client.patch(ORGANISATION, json={"name": "Other"}, headers=with_if_match(admin.headers, tag))
    problem(stale, 412)
    assert db.get(Organisation, org.id).name == "Chesterfield BC"


def test_organisation_name_taken_is_409(client, admin, org, other_org, db):
    response = client.patch(
        ORGANISATION, json={"name": "Dacorum Borough Council"}, headers=with_if_match(admin.headers, "*")
    )
    problem(response, 409)
    assert db.get(Organisation, org.id).name == "Chesterfield Borough Council"


def test_only_admins_change_the_organisation(client, factory, org, db):
    for role in set(Role) - {Role.admin}:
        person = factory.person(org, role)
        response = client.patch(
            ORGANISATION, json={"name": "Taken over"}, headers=with_if_match(person.headers, "*")
        )
        assert "admin" in problem(response, 403)["detail"]
    assert db.get(Organisation, org.id).name == "Chesterfield Borough Council"


# Me --------------------------------------------------------------------------------------


def test_me_for_an_admin(client, admin, org):
    response = client.get(ME, headers=admin.headers)
    assert response.status_code == 200
    me = response.json()
    assert me["kind"] == "user"
    assert me["id"] == str(admin.id)
    assert me["email"] == "admin@chesterfield.test"
    assert me["organisation"] == {"id": str(org.id), "name": "Chesterfield Borough Council"}
    assert me["roles"] == [
        {
            "role": "admin",
            "directorate_id": None,
            "programme_id": None,
            "project_id": None,
            "scope": "the whole organisation",
        }
    ]
    assert me["permissions"] == sorted(p.value for p in ROLE_PERMISSIONS[Role.admin])
    assert (
        client.get(ME, headers={**admin.headers, "If-None-Match": response.headers["etag"]}).status_code
        == 304
    )


def test_me_without_any_role(client, factory, org):
    nobody = factory.person(org, email="nobody@chesterfield.test")
    response = client.get(ME, headers=nobody.headers)
    assert response.status_code == 200
    me = response.json()
    assert me["email"] == "nobody@chesterfield.test"
    assert me["roles"] == []
    assert me["permissions"] == []
    # ...but nothing else.
    problem(client.get(f"{API}/users", headers=nobody.headers), 403)
    problem(client.get(ORGANISATION, headers=nobody.headers), 403)


def test_me_for_an_api_client(client, admin, org):
    created = client.post(
        f"{API}/api-clients",
        json={"name": "Performance system", "scopes": ["kpis:read"]},
        headers=admin.headers,
    ).json()
    token = client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    ).json()["access_token"]
    me = client.get(ME, headers={"Authorization": f"Bearer {token}"}).json()
    assert me["kind"] == "client"
    assert me["email"] is None
    assert me["scopes"] == ["kpis:read"]
    assert me["organisation"]["id"] == str(org.id)
    # Clients have no password to change.
    response = client.post(
        f"{ME}/password",
        json={"current_password": "anything at all", "new_password": "a brand new passphrase"},
        headers={"Authorization": f"Bearer {token}"},
    )
    problem(response, 403)


def test_me_needs_a_token(client):
    problem(client.get(ME), 401)


# Password --------------------------------------------------------------------------------


def _sign_in(client, email, password):  # type: ignore[no-untyped-def]
    return client.post(TOKEN, data={"grant_type": "password", "username": email, "password": password})


def test_change_own_password(client, factory, org, db, engine):
    person = factory.person(org, Role.viewer, email="p@chesterfield.test")
    events = audit_count(engine, org.id)
    response = client.post(
        f"{ME}/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=person.headers,
    )
    assert response.status_code == 204
    assert _sign_in(client, "p@chesterfield.test", PASSWORD).status_code == 400  # invalid_grant
    assert _sign_in(client, "p@chesterfield.test", "a brand new passphrase").status_code == 200
    assert audit_count(engine, org.id) == events + 1
    # The audit trail never holds the hash.
    user = db.one(select(User).where(User.email == "p@chesterfield.test"))
    trail = repr(rows(engine, "audit_events"))
    assert user.password_hash not in trail
    assert "password_hash" not in trail


def test_wrong_current_password_is_refused(client, factory, org, db):
    person = factory.person(org, email="p@chesterfield.test")
    before = db.get(User, person.id).password_hash
    response = client.post(
        f"{ME}/password",
        json={"current_password": "not my password", "new_password": "a brand new passphrase"},
        headers=person.headers,
    )
    problem(response, 401)
    assert db.get(User, person.id).password_hash == before


def test_new_password_rules(client, factory, org):
    person = factory.person(org, email="p@chesterfield.test")
    for new in ["short", "x" * 11, "x" * 257, "has a \x00 nul in it"]:
        response = client.post(
            f"{ME}/password", json={"current_password": PASSWORD, "new_password": new}, headers=person.headers
        )
        problem(response, 422)
    problem(
        client.post(
            f"{ME}/password", json={"new_password": "a brand new passphrase"}, headers=person.headers
        ),
        422,
    )
    assert _sign_in(client, "p@chesterfield.test", PASSWORD).status_code == 200


def test_password_change_needs_a_token(client):
    response = client.post(
        f"{ME}/password", json={"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    )
    problem(response, 401)
