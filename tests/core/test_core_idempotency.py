"""Idempotency-Key on creating POSTs: a retry gets the first response and creates nothing."""

from __future__ import annotations

import pytest

from pmo.audit.models import AuditEvent
from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from pmo.organisations.models import Directorate, User

CASES = {
    "directorates": (
        Directorate,
        "directorate",
        {"name": "Housing", "description": "Homes"},
        {"name": "Finance"},
        "name",
    ),
    "users": (
        User,
        "user",
        {
            "email": "new.person@council.test",
            "display_name": "New Person",
            "password": "long enough password",
        },
        {"email": "other.person@council.test", "display_name": "Other", "password": "long enough password"},
        "email",
    ),
}


@pytest.mark.parametrize("collection", CASES)
def test_retry_replays_the_first_response(client, admin, collection, count_rows):
    model, record_type, body, _, _ = CASES[collection]
    url = f"/api/v1/{collection}"
    records_before = count_rows(model)
    headers = {**admin.headers, "Idempotency-Key": "key-0001"}

    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = client.post(url, json=body, headers=headers)
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert (
        second.headers["location"]
        == first.headers["location"]
        == public_url_of(f"{url}/{first.json()['id']}")
    )
    assert "password" not in second.text

    assert count_rows(model) == records_before + 1
    assert count_rows(AuditEvent, AuditEvent.record_type == record_type, AuditEvent.actor_id == admin.id) == 1


@pytest.mark.parametrize("collection", CASES)
def test_same_key_other_body_is_422_and_creates_nothing(
    client, admin, collection, count_rows, assert_problem
):
    model, _record_type, body, other_body, unique_field = CASES[collection]
    url = f"/api/v1/{collection}"
    headers = {**admin.headers, "Idempotency-Key": "key-0002"}
    assert client.post(url, json=body, headers=headers).status_code == 201
    records, events = count_rows(model), count_rows(AuditEvent)

    response = client.post(url, json=other_body, headers=headers)
    assert_problem(response, 422)
    assert count_rows(model) == records
    assert count_rows(AuditEvent) == events
    column = getattr(model, unique_field)
    assert count_rows(model, column == other_body[unique_field]) == 0


@pytest.mark.parametrize("collection", CASES)
def test_same_key_for_another_user_is_independent(client, admin, factory, org, collection, count_rows):
    model, _, body, other_body, _ = CASES[collection]
    second_admin = factory.person(org, Role.admin)
    url = f"/api/v1/{collection}"
    records = count_rows(model)

    first = client.post(url, json=body, headers={**admin.headers, "Idempotency-Key": "shared"})
    other = client.post(url, json=other_body, headers={**second_admin.headers, "Idempotency-Key": "shared"})
    assert first.status_code == other.status_code == 201
    assert "idempotent-replayed" not in other.headers
    assert other.json()["id"] != first.json()["id"]
    assert count_rows(model) == records + 2


def test_without_a_key_each_post_creates(client, admin, count_rows):
    for name in ("A", "B"):
        assert (
            client.post("/api/v1/directorates", json={"name": name}, headers=admin.headers).status_code == 201
        )
    assert count_rows(Directorate) == 2


def test_a_failed_request_does_not_use_up_the_key(client, admin, count_rows):
    headers = {**admin.headers, "Idempotency-Key": "key-0003"}
    assert (
        client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers).status_code
        == 201
    )
    assert client.post("/api/v1/directorates", json={"name": "Housing"}, headers=headers).status_code == 409
    response = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=headers)
    assert response.status_code == 409
    assert "idempotent-replayed" not in response.headers
    assert count_rows(Directorate) == 1


def test_bad_keys_are_refused(client, admin, assert_problem):
    for key in ("", "has space", "x" * 256):
        response = client.post(
            "/api/v1/directorates", json={"name": "A"}, headers={**admin.headers, "Idempotency-Key": key}
        )
        assert_problem(response, 422)
