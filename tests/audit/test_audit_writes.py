"""Every successful change leaves exactly one audit event; a failed one leaves none."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlmodel import Session

from pmo.audit.service import verify_chains
from pmo.core.permissions import Role

PASSWORD = "correct horse battery staple"  # the password tests/conftest.py gives everyone
SECRET_KEYS = {"password_hash", "secret_hash", "token_hash", "password", "client_secret"}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


class Trail:
    """Remembers where an organisation's chain ended, then checks what was appended since."""

    def __init__(self, events_of, organisation_id: uuid.UUID) -> None:
        self.events_of = events_of
        self.organisation_id = organisation_id
        self.mark()

    def mark(self) -> None:
        self.seq = len(self.events_of(self.organisation_id))

    def new(self) -> list[Any]:
        return [e for e in self.events_of(self.organisation_id) if e.seq > self.seq]

    def one(self, response, *, actor, action: str, record_type: str, record_id, before: bool, after: bool):
        events = self.new()
        assert len(events) == 1, [(e.action, e.record_type) for e in events]
        event = events[0]
        assert event.organisation_id == self.organisation_id
        assert event.actor_type == "user"
        assert event.actor_id == actor.id
        assert event.actor_label == actor.user.email
        assert event.action == action
        assert event.record_type == record_type
        assert str(event.record_id) == str(record_id)
        assert (event.before is not None) == before
        assert (event.after is not None) == after
        assert not (_keys(event.before) | _keys(event.after)) & SECRET_KEYS
        assert "$argon2" not in json.dumps([event.before, event.after])
        assert event.request_id == response.request.headers["x-request-id"]
        assert event.request_id == response.headers["x-request-id"]
        self.mark()
        return event


@pytest.fixture
def trail(events_of, admin):
    return Trail(events_of, admin.organisation.id)


def _h(person, request_id: str, **extra: str) -> dict[str, str]:
    return {**person.headers, "X-Request-ID": request_id, **extra}


def _etag(client, person, url: str) -> str:
    return client.get(url, headers=person.headers).headers["etag"]


def test_directorate_create_update_delete(client, admin, trail):
    created = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=_h(admin, "dir-1"))
    assert created.status_code == 201
    directorate_id = created.json()["id"]
    event = trail.one(
        created,
        actor=admin,
        action="create",
        record_type="directorate",
        record_id=directorate_id,
        before=False,
        after=True,
    )
    assert event.after["name"] == "Housing"

    url = f"/api/v1/directorates/{directorate_id}"
    updated = client.patch(
        url, json={"name": "Homes"}, headers=_h(admin, "dir-2", **{"If-Match": _etag(client, admin, url)})
    )
    assert updated.status_code == 200
    event = trail.one(
        updated,
        actor=admin,
        action="update",
        record_type="directorate",
        record_id=directorate_id,
        before=True,
        after=True,
    )
    assert (event.before["name"], event.after["name"]) == ("Housing", "Homes")

    deleted = client.delete(url, headers=_h(admin, "dir-3"))
    assert deleted.status_code == 204
    event = trail.one(
        deleted,
        actor=admin,
        action="delete",
        record_type="directorate",
        record_id=directorate_id,
        before=True,
        after=False,
    )
    assert event.before["name"] == "Homes"


def test_user_lifecycle(client, admin, trail):
    body = {"email": "new@council.test", "display_name": "New", "password": "a long enough password"}
    created = client.post("/api/v1/users", json=body, headers=_h(admin, "user-1"))
    assert created.status_code == 201
    user_id = created.json()["id"]
    event = trail.one(
        created, actor=admin, action="create", record_type="user", record_id=user_id, before=False, after=True
    )
    assert event.after["email"] == "new@council.test"

    url = f"/api/v1/users/{user_id}"
    updated = client.patch(
        url,
        json={"display_name": "Newer"},
        headers=_h(admin, "user-2", **{"If-Match": _etag(client, admin, url)}),
    )
    assert updated.status_code == 200
    event = trail.one(
        updated, actor=admin, action="update", record_type="user", record_id=user_id, before=True, after=True
    )
    assert event.after["display_name"] == "Newer"

    response = client.post(f"{url}/deactivate", headers=_h(admin, "user-3"))
    assert response.status_code == 200
    event = trail.one(
        response,
        actor=admin,
        action="deactivate",
        record_type="user",
        record_id=user_id,
        before=True,
        after=True,
    )
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)
    # Deactivating again changes nothing, so records nothing.
    assert client.post(f"{url}/deactivate", headers=admin.headers).status_code == 200
    assert trail.new() == []

    response = client.post(f"{url}/reactivate", headers=_h(admin, "user-4"))
    assert response.status_code == 200
    event = trail.one(
        response,
        actor=admin,
        action="reactivate",
        record_type="user",
        record_id=user_id,
        before=True,
        after=True,
    )
    assert event.after["is_active"] is True

    assigned = client.post(
        "/api/v1/role-assignments", json={"user_id": user_id, "role": "viewer"}, headers=_h(admin, "user-5")
    )
    assert assigned.status_code == 201
    trail.mark()

    response = client.delete(url, headers=_h(admin, "user-6"))
    assert response.status_code == 204
    event = trail.one(
        response,
        actor=admin,
        action="delete",
        record_type="user",
        record_id=user_id,
        before=True,
        after=False,
    )
    assert [r["role"] for r in event.before["roles"]] == ["viewer"]


def test_role_assign_and_remove(client, admin, factory, org, trail):
    person = factory.person(org)
    trail.mark()
    assigned = client.post(
        "/api/v1/role-assignments",
        json={"user_id": str(person.id), "role": "pmo"},
        headers=_h(admin, "role-1"),
    )
    assert assigned.status_code == 201
    assignment_id = assigned.json()["id"]
    event = trail.one(
        assigned,
        actor=admin,
        action="create",
        record_type="role_assignment",
        record_id=assignment_id,
        before=False,
        after=True,
    )
    assert event.after["role"] == "pmo"
    assert event.after["user_id"] == str(person.id)

    removed = client.delete(f"/api/v1/role-assignments/{assignment_id}", headers=_h(admin, "role-2"))
    assert removed.status_code == 204
    trail.one(
        removed,
        actor=admin,
        action="delete",
        record_type="role_assignment",
        record_id=assignment_id,
        before=True,
        after=False,
    )


def test_api_client_create_update_rotate_revoke(client, admin, trail):
    created = client.post(
        "/api/v1/api-clients", json={"name": "KPI feed", "scopes": ["kpis:read"]}, headers=_h(admin, "cl-1")
    )
    assert created.status_code == 201
    client_id = created.json()["id"]
    event = trail.one(
        created,
        actor=admin,
        action="create",
        record_type="api_client",
        record_id=client_id,
        before=False,
        after=True,
    )
    assert created.json()["client_secret"] not in json.dumps(event.after)

    url = f"/api/v1/api-clients/{client_id}"
    updated = client.patch(
        url, json={"name": "KPI feed 2"}, headers=_h(admin, "cl-2", **{"If-Match": _etag(client, admin, url)})
    )
    assert updated.status_code == 200
    event = trail.one(
        updated,
        actor=admin,
        action="update",
        record_type="api_client",
        record_id=client_id,
        before=True,
        after=True,
    )
    assert event.after["name"] == "KPI feed 2"

    rotated = client.post(f"{url}/rotate-secret", headers=_h(admin, "cl-3"))
    assert rotated.status_code == 200
    event = trail.one(
        rotated,
        actor=admin,
        action="rotate_secret",
        record_type="api_client",
        record_id=client_id,
        before=True,
        after=True,
    )
    assert rotated.json()["client_secret"] not in json.dumps([event.before, event.after])

    revoked = client.post(f"{url}/revoke", headers=_h(admin, "cl-4"))
    assert revoked.status_code == 200
    event = trail.one(
        revoked,
        actor=admin,
        action="revoke",
        record_type="api_client",
        record_id=client_id,
        before=True,
        after=True,
    )
    assert event.before["revoked_at"] is None
    assert event.after["revoked_at"] is not None
    assert client.post(f"{url}/revoke", headers=admin.headers).status_code == 200
    assert trail.new() == []  # revoking twice records once


def test_organisation_update(client, admin, trail):
    tag = _etag(client, admin, "/api/v1/organisation")
    response = client.patch(
        "/api/v1/organisation",
        json={"name": "Renamed Council"},
        headers=_h(admin, "org-1", **{"If-Match": tag}),
    )
    assert response.status_code == 200
    event = trail.one(
        response,
        actor=admin,
        action="update",
        record_type="organisation",
        record_id=admin.organisation.id,
        before=True,
        after=True,
    )
    assert event.after["name"] == "Renamed Council"


def test_password_change(client, admin, trail):
    response = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "another long password"},
        headers=_h(admin, "pw-1"),
    )
    assert response.status_code == 204
    trail.one(
        response,
        actor=admin,
        action="password_change",
        record_type="user",
        record_id=admin.id,
        before=True,
        after=True,
    )


def test_sign_out_everywhere(client, admin, trail):
    response = client.post("/api/v1/auth/logout-all", headers=_h(admin, "out-1"))
    assert response.status_code == 204
    event = trail.one(
        response,
        actor=admin,
        action="sign_out_everywhere",
        record_type="user",
        record_id=admin.id,
        before=True,
        after=True,
    )
    assert event.after["token_generation"] == event.before["token_generation"] + 1


def test_the_chain_is_intact_after_changes(client, admin, engine):
    for name in ("A", "B", "C"):
        client.post("/api/v1/directorates", json={"name": name}, headers=admin.headers)
    with Session(engine) as session:
        checked, breaks = verify_chains(session)
    assert breaks == []
    assert checked >= 3


def test_failed_writes_leave_no_event(client, admin, factory, org, trail, count_rows_audit):
    viewer = factory.person(org, Role.viewer)
    created = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers)
    directorate_url = created.headers["location"]
    user_url = f"/api/v1/users/{viewer.id}"
    stale = {**admin.headers, "If-Match": '"00000000000000000000000000000000"'}
    before = count_rows_audit()

    failures = [
        # 422: validation, unknown field
        (client.post("/api/v1/directorates", json={"name": ""}, headers=admin.headers), 422),
        (client.post("/api/v1/users", json={"email": "x@council.test"}, headers=admin.headers), 422),
        (
            client.post(
                "/api/v1/directorates", json={"name": "X", "id": str(uuid.uuid4())}, headers=admin.headers
            ),
            422,
        ),
        # 409: duplicate name, duplicate email, last admin
        (client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers), 409),
        (
            client.post(
                "/api/v1/users",
                json={"email": viewer.user.email, "display_name": "Dup", "password": "long enough password"},
                headers=admin.headers,
            ),
            409,
        ),
        # 403: no permission; acting on oneself
        (client.post("/api/v1/directorates", json={"name": "Other"}, headers=viewer.headers), 403),
        (client.post(f"/api/v1/users/{admin.id}/deactivate", headers=admin.headers), 403),
        (client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers), 403),
        # 404: unknown records
        (client.delete(f"/api/v1/directorates/{uuid.uuid4()}", headers=admin.headers), 404),
        (
            client.post(
                "/api/v1/role-assignments",
                json={"user_id": str(uuid.uuid4()), "role": "viewer"},
                headers=admin.headers,
            ),
            404,
        ),
        # 412 and 428: stale or missing If-Match
        (client.patch(directorate_url, json={"name": "New"}, headers=stale), 412),
        (client.patch(user_url, json={"display_name": "New"}, headers=stale), 412),
        (client.patch("/api/v1/organisation", json={"name": "New"}, headers=admin.headers), 428),
        # 401: wrong current password
        (
            client.post(
                "/api/v1/me/password",
                json={"current_password": "not my password", "new_password": "another long password"},
                headers=admin.headers,
            ),
            401,
        ),
    ]
    assert [r.status_code for r, _ in failures] == [status for _, status in failures]
    assert count_rows_audit() == before


def test_removing_admin_roles(client, admin, factory, org, count_rows_audit):
    """Another admin may remove your admin role (one event); your own admin role is not yours to remove."""
    assignment = client.get(f"/api/v1/role-assignments?user_id={admin.id}", headers=admin.headers).json()[
        "items"
    ][0]
    other = factory.person(org, Role.admin)
    before = count_rows_audit()
    assert (
        client.delete(f"/api/v1/role-assignments/{assignment['id']}", headers=other.headers).status_code
        == 204
    )
    assert count_rows_audit() == before + 1
    theirs = client.get(f"/api/v1/role-assignments?user_id={other.id}", headers=other.headers).json()[
        "items"
    ][0]
    assert client.delete(f"/api/v1/role-assignments/{theirs['id']}", headers=other.headers).status_code == 403
    assert count_rows_audit() == before + 1
