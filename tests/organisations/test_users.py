"""Users through HTTP: create, list, read, update with If-Match, (de)activate, delete."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from pmo.organisations.models import RoleAssignment, User
from support.api import API, problem
from support.database import audit_count

from .helpers import with_if_match

USERS = f"{API}/users"
NEW_PASSWORD = "a long enough password"


def _new_user(client, admin, email="jane.doe@chesterfield.test", name="Jane Doe"):  # type: ignore[no-untyped-def]
    response = client.post(
        USERS, json={"email": email, "display_name": name, "password": NEW_PASSWORD}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return response


# Create ----------------------------------------------------------------------------------


def test_create_user_is_201_with_location(client, admin, db, engine):
    events = audit_count(engine, admin.organisation.id)
    response = _new_user(client, admin, email="Jane.Doe@Chesterfield.TEST")
    body = response.json()
    assert response.headers["location"] == public_url_of(f"{USERS}/{body['id']}")
    assert body["email"] == "jane.doe@chesterfield.test"
    assert body["display_name"] == "Jane Doe"
    assert body["is_active"] is True
    assert body["roles"] == []
    assert "password" not in response.text
    assert "password_hash" not in body

    fetched = client.get(response.headers["location"], headers=admin.headers)
    assert fetched.status_code == 200
    assert fetched.json() == body

    user = db.get(User, uuid.UUID(body["id"]))
    assert user is not None
    assert user.organisation_id == admin.organisation.id
    assert user.email == "jane.doe@chesterfield.test"
    assert user.password_hash != NEW_PASSWORD
    assert audit_count(engine, admin.organisation.id) == events + 1


def test_new_user_can_sign_in(client, admin):
    _new_user(client, admin)
    response = client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": "JANE.DOE@chesterfield.test", "password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "email", ["admin@chesterfield.test", "ADMIN@Chesterfield.Test", "admin@dacorum.test"]
)
def test_duplicate_email_is_409(client, admin, other_admin, db, email):
    before = len(db.all(select(User)))
    response = client.post(
        USERS, json={"email": email, "display_name": "Copy", "password": NEW_PASSWORD}, headers=admin.headers
    )
    problem(response, 409)
    assert len(db.all(select(User))) == before


# List ------------------------------------------------------------------------------------


@pytest.fixture
def people(factory, org, admin):  # type: ignore[no-untyped-def]
    """Admin plus four more people of the organisation, and one of another organisation."""
    made = [
        factory.person(org, Role.pmo, email="carol@chesterfield.test"),
        factory.person(org, Role.sponsor, email="bob@chesterfield.test"),
        factory.person(org, Role.viewer, email="dave@chesterfield.test"),
        factory.person(org, email="erin@chesterfield.test"),
    ]
    factory.person(factory.organisation("Elsewhere Council"), Role.admin, email="zoe@elsewhere.test")
    return [admin, *made]


def test_list_is_a_page_of_own_organisation_sorted_by_email(client, admin, people):
    response = client.get(USERS, headers=admin.headers)
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert page["total"] == 5
    assert page["limit"] == 50
    assert page["offset"] == 0
    emails = [u["email"] for u in page["items"]]
    assert emails == sorted(p.user.email for p in people)
    assert "zoe@elsewhere.test" not in emails


def test_list_sorts_descending_and_by_other_fields(client, admin, people):
    response = client.get(USERS, params={"sort": "-email"}, headers=admin.headers)
    emails = [u["email"] for u in response.json()["items"]]
    assert emails == sorted((p.user.email for p in people), reverse=True)
    response = client.get(USERS, params={"sort": "-created_at"}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["items"][0]["email"] == "erin@chesterfield.test"


@pytest.mark.parametrize("sort", ["password_hash", "organisation_id", "email;drop", "--email", "+email"])
def test_list_refuses_unknown_sort(client, admin, sort):
    problem(client.get(USERS, params={"sort": sort}, headers=admin.headers), 422)


def test_list_pages(client, admin, people):
    first = client.get(USERS, params={"limit": 2, "offset": 0}, headers=admin.headers).json()
    second = client.get(USERS, params={"limit": 2, "offset": 2}, headers=admin.headers).json()
    third = client.get(USERS, params={"limit": 2, "offset": 4}, headers=admin.headers).json()
    assert (first["limit"], first["offset"], first["total"]) == (2, 0, 5)
    assert (second["limit"], second["offset"], second["total"]) == (2, 2, 5)
    assert [len(p["items"]) for p in (first, second, third)] == [2, 2, 1]
    seen = [u["email"] for p in (first, second, third) for u in p["items"]]
    assert seen == sorted(p.user.email for p in people)
    beyond = client.get(USERS, params={"offset": 50}, headers=admin.headers).json()
    assert beyond["items"] == []
    assert beyond["total"] == 5


@pytest.mark.parametrize(
    "params", [{"limit": 201}, {"limit": 10_000}, {"limit": 0}, {"limit": -1}, {"offset": -1}, {"limit": "x"}]
)
def test_list_refuses_bad_paging(client, admin, params):
    body = problem(client.get(USERS, params=params, headers=admin.headers), 422)
    assert any(loc[0] == "query" for loc in (tuple(e["location"]) for e in body["errors"]))


def test_list_accepts_the_largest_limit(client, admin):
    response = client.get(USERS, params={"limit": 200}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["limit"] == 200


def test_list_filters_by_text(client, admin, people):
    def emails(q):  # type: ignore[no-untyped-def]
        response = client.get(USERS, params={"q": q}, headers=admin.headers)
        assert response.status_code == 200
        return sorted(u["email"] for u in response.json()["items"])

    assert emails("CAROL") == ["carol@chesterfield.test"]
    assert emails("chesterfield") == sorted(p.user.email for p in people)
    assert emails("Test Person") == sorted(p.user.email for p in people)  # display name
    assert emails("elsewhere") == []
    # LIKE wildcards are searched for literally, not as patterns.
    assert emails("%") == []
    assert emails("_") == []


def test_list_filters_by_active(client, admin, people):
    dave = people[3]
    assert client.post(f"{USERS}/{dave.id}/deactivate", headers=admin.headers).status_code == 200
    inactive = client.get(USERS, params={"is_active": "false"}, headers=admin.headers).json()
    assert [u["email"] for u in inactive["items"]] == ["dave@chesterfield.test"]
    assert inactive["total"] == 1
    active = client.get(USERS, params={"is_active": "true"}, headers=admin.headers).json()
    assert active["total"] == 4
    assert "dave@chesterfield.test" not in [u["email"] for u in active["items"]]


def test_list_filters_by_role_and_directorate(client, admin, people, directorate):
    bob = people[2]
    response = client.post(
        f"{API}/role-assignments",
        json={"user_id": str(bob.id), "role": "project_manager", "directorate_id": str(directorate.id)},
        headers=admin.headers,
    )
    assert response.status_code == 201
    by_role = client.get(USERS, params={"role": "sponsor"}, headers=admin.headers).json()
    assert [u["email"] for u in by_role["items"]] == ["bob@chesterfield.test"]
    by_admin = client.get(USERS, params={"role": "admin"}, headers=admin.headers).json()
    assert [u["email"] for u in by_admin["items"]] == ["admin@chesterfield.test"]
    by_directorate = client.get(USERS, params={"directorate_id": str(directorate.id)}, headers=admin.headers)
    assert [u["email"] for u in by_directorate.json()["items"]] == ["bob@chesterfield.test"]
    both = client.get(
        USERS,
        params={"role": "project_manager", "directorate_id": str(directorate.id)},
        headers=admin.headers,
    ).json()
    assert both["total"] == 1
    neither = client.get(
        USERS, params={"role": "viewer", "directorate_id": str(directorate.id)}, headers=admin.headers
    ).json()
    assert neither["total"] == 0
    problem(client.get(USERS, params={"role": "superuser"}, headers=admin.headers), 422)
    problem(client.get(USERS, params={"directorate_id": "not-a-uuid"}, headers=admin.headers), 422)


# Read and update -------------------------------------------------------------------------


def test_get_unknown_user_is_404(client, admin):
    problem(client.get(f"{USERS}/{uuid.uuid4()}", headers=admin.headers), 404)
    problem(client.get(f"{USERS}/not-a-uuid", headers=admin.headers), 422)


def test_get_user_has_etag_and_honours_if_none_match(client, admin):
    response = client.get(f"{USERS}/{admin.id}", headers=admin.headers)
    assert response.status_code == 200
    tag = response.headers["etag"]
    assert tag.startswith('"')
    again = client.get(f"{USERS}/{admin.id}", headers={**admin.headers, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["etag"] == tag


def test_patch_needs_if_match(client, admin, factory, org, db, engine):
    person = factory.person(org, email="p@chesterfield.test")
    url = f"{USERS}/{person.id}"
    events = audit_count(engine, org.id)
    problem(client.patch(url, json={"display_name": "Changed"}, headers=admin.headers), 428)
    assert db.get(User, person.id).display_name == "Test Person"
    assert audit_count(engine, org.id) == events


def test_patch_with_stale_tag_is_412_and_changes_nothing(client, admin, factory, org, db):
    person = factory.person(org, email="p@chesterfield.test")
    url = f"{USERS}/{person.id}"
    tag = client.get(url, headers=admin.headers).headers["etag"]
    first = client.patch(url, json={"display_name": "First"}, headers=with_if_match(admin.headers, tag))
    assert first.status_code == 200
    stale = client.patch(url, json={"display_name": "Second"}, headers=with_if_match(admin.headers, tag))
    problem(stale, 412)
    assert db.get(User, person.id).display_name == "First"


def test_patch_with_current_tag_is_200_with_new_etag(client, admin, factory, org, db, engine):
    person = factory.person(org, email="p@chesterfield.test")
    url = f"{USERS}/{person.id}"
    tag = client.get(url, headers=admin.headers).headers["etag"]
    events = audit_count(engine, org.id)
    response = client.patch(
        url,
        json={"display_name": "Pat Smith", "email": "Pat.Smith@Chesterfield.test"},
        headers=with_if_match(admin.headers, tag),
    )
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Pat Smith"
    assert response.json()["email"] == "pat.smith@chesterfield.test"
    new_tag = response.headers["etag"]
    assert new_tag != tag
    assert client.get(url, headers=admin.headers).headers["etag"] == new_tag
    # The new tag is itself usable for the next change; the old one is not.
    again = client.patch(url, json={"display_name": "Pat"}, headers=with_if_match(admin.headers, new_tag))
    assert again.status_code == 200
    assert db.get(User, person.id).email == "pat.smith@chesterfield.test"
    assert audit_count(engine, org.id) == events + 2


def test_patch_to_a_taken_email_is_409(client, admin, factory, org, db):
    person = factory.person(org, email="p@chesterfield.test")
    url = f"{USERS}/{person.id}"
    response = client.patch(
        url, json={"email": "ADMIN@chesterfield.test"}, headers=with_if_match(admin.headers, "*")
    )
    problem(response, 409)
    assert db.get(User, person.id).email == "p@chesterfield.test"


def test_patch_keeping_own_email_is_fine(client, admin, factory, org):
    person = factory.person(org, email="p@chesterfield.test")
    response = client.patch(
        f"{USERS}/{person.id}",
        json={"email": "P@chesterfield.test"},
        headers=with_if_match(admin.headers, "*"),
    )
    assert response.status_code == 200


def test_patch_unknown_user_is_404(client, admin):
    response = client.patch(
        f"{USERS}/{uuid.uuid4()}", json={"display_name": "X"}, headers=with_if_match(admin.headers, "*")
    )
    problem(response, 404)


# Deactivate, reactivate, delete ----------------------------------------------------------


def test_deactivate_and_reactivate(client, admin, factory, org, db, engine):
    person = factory.person(org, Role.viewer, email="p@chesterfield.test")
    assert client.get(f"{API}/me", headers=person.headers).status_code == 200
    events = audit_count(engine, org.id)

    response = client.post(f"{USERS}/{person.id}/deactivate", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert db.get(User, person.id).is_active is False
    # Their token stops working at once.
    problem(client.get(f"{API}/me", headers=person.headers), 401)
    # Again: nothing more to do, nothing more audited.
    assert client.post(f"{USERS}/{person.id}/deactivate", headers=admin.headers).json()["is_active"] is False
    assert audit_count(engine, org.id) == events + 1

    response = client.post(f"{USERS}/{person.id}/reactivate", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert db.get(User, person.id).is_active is True
    assert audit_count(engine, org.id) == events + 2


def test_deactivated_user_cannot_sign_in(client, admin):
    user = _new_user(client, admin).json()
    assert client.post(f"{USERS}/{user['id']}/deactivate", headers=admin.headers).status_code == 200
    response = client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": user["email"], "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_delete_user_removes_them_and_their_roles(client, admin, factory, org, db, engine):
    person = factory.person(org, Role.pmo, Role.viewer, email="p@chesterfield.test")
    events = audit_count(engine, org.id)
    response = client.delete(f"{USERS}/{person.id}", headers=admin.headers)
    assert response.status_code == 204
    assert response.content == b""
    problem(client.get(f"{USERS}/{person.id}", headers=admin.headers), 404)
    problem(client.delete(f"{USERS}/{person.id}", headers=admin.headers), 404)
    assert db.get(User, person.id) is None
    assert db.all(select(RoleAssignment).where(RoleAssignment.user_id == person.id)) == []
    assert audit_count(engine, org.id) == events + 1


@pytest.mark.parametrize("action", ["deactivate", "delete"])
def test_admin_cannot_deactivate_or_delete_themselves(client, admin, factory, org, db, action):
    factory.person(org, Role.admin, email="second-admin@chesterfield.test")  # not the last admin
    if action == "delete":
        response = client.delete(f"{USERS}/{admin.id}", headers=admin.headers)
    else:
        response = client.post(f"{USERS}/{admin.id}/deactivate", headers=admin.headers)
    body = problem(response, 403)
    assert "own" in body["detail"]
    user = db.get(User, admin.id)
    assert user is not None
    assert user.is_active is True


def test_admin_cannot_remove_own_admin_role(client, admin, factory, org, db):
    factory.person(org, Role.admin, email="second-admin@chesterfield.test")
    assignment = db.one(
        select(RoleAssignment).where(RoleAssignment.user_id == admin.id, RoleAssignment.role == "admin")
    )
    problem(client.delete(f"{API}/role-assignments/{assignment.id}", headers=admin.headers), 403)
    assert db.get(RoleAssignment, assignment.id) is not None


def test_an_admin_can_deactivate_delete_and_demote_another_admin(client, admin, factory, org, db):
    second = factory.person(org, Role.admin, email="second-admin@chesterfield.test")
    third = factory.person(org, Role.admin, email="third-admin@chesterfield.test")
    assert client.post(f"{USERS}/{second.id}/deactivate", headers=admin.headers).status_code == 200
    assert client.delete(f"{USERS}/{second.id}", headers=admin.headers).status_code == 204
    assignment = db.one(
        select(RoleAssignment).where(RoleAssignment.user_id == third.id, RoleAssignment.role == "admin")
    )
    assert client.delete(f"{API}/role-assignments/{assignment.id}", headers=admin.headers).status_code == 204
    admins = client.get(USERS, params={"role": "admin"}, headers=admin.headers).json()
    assert [u["email"] for u in admins["items"]] == ["admin@chesterfield.test"]


def test_deactivation_ends_sessions_for_good(client, admin):
    user = _new_user(client, admin).json()
    signed_in = client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": user["email"], "password": NEW_PASSWORD},
    ).json()
    assert client.post(f"{USERS}/{user['id']}/deactivate", headers=admin.headers).status_code == 200
    assert client.post(f"{USERS}/{user['id']}/reactivate", headers=admin.headers).status_code == 200
    # The refresh token from before the deactivation stays revoked after reactivation.
    refreshed = client.post(
        f"{API}/auth/token", data={"grant_type": "refresh_token", "refresh_token": signed_in["refresh_token"]}
    )
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"


def test_a_user_who_has_signed_in_can_be_deleted(client, admin, db):
    user = _new_user(client, admin).json()
    signed_in = client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": user["email"], "password": NEW_PASSWORD},
    )
    assert signed_in.status_code == 200
    assert client.delete(f"{USERS}/{user['id']}", headers=admin.headers).status_code == 204
    assert db.get(User, uuid.UUID(user["id"])) is None
    refreshed = client.post(
        f"{API}/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": signed_in.json()["refresh_token"]},
    )
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"


def test_create_with_idempotency_key_replays_the_first_result(client, admin, other_admin, db):
    body = {"email": "once@chesterfield.test", "display_name": "Once", "password": NEW_PASSWORD}
    headers = {**admin.headers, "Idempotency-Key": "create-once-1"}
    first = client.post(USERS, json=body, headers=headers)
    again = client.post(USERS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(db.all(select(User).where(User.email == "once@chesterfield.test"))) == 1
    # The same key from someone else is their own request, never a replay of ours.
    theirs = client.post(
        USERS,
        json={**body, "email": "once@dacorum.test"},
        headers={**other_admin.headers, "Idempotency-Key": "create-once-1"},
    )
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in theirs.headers
    # The same key with a different body is refused.
    problem(client.post(USERS, json={**body, "display_name": "Twice"}, headers=headers), 422)
