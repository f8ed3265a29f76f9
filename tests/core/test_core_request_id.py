"""X-Request-ID: echoed when sane, made up otherwise, and carried into problems and the audit trail."""

from __future__ import annotations

import re

import pytest

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def test_echoed_when_given(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123.DEF_4"})
    assert response.headers["x-request-id"] == "abc-123.DEF_4"


def test_generated_when_absent(client):
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]
    assert GENERATED.match(first)
    assert first != second


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "semi;colon", 'quote"', "<script>"])
def test_replaced_when_not_sane(client, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert GENERATED.match(response.headers["x-request-id"])


def test_in_problem_bodies(client, admin):
    response = client.get("/api/v1/users/not-a-uuid", headers={**admin.headers, "X-Request-ID": "req-422"})
    assert response.status_code == 422
    assert response.json()["request_id"] == "req-422"
    assert response.headers["x-request-id"] == "req-422"

    response = client.get("/api/v1/users")
    assert response.status_code == 401
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_in_the_audit_event_of_a_change(client, admin):
    created = client.post(
        "/api/v1/directorates",
        json={"name": "Housing"},
        headers={**admin.headers, "X-Request-ID": "req-audit-1"},
    )
    assert created.status_code == 201
    events = client.get("/api/v1/audit-events?request_id=req-audit-1", headers=admin.headers).json()["items"]
    assert len(events) == 1
    assert events[0]["record_id"] == created.json()["id"]
    assert events[0]["request_id"] == "req-audit-1"


def test_a_generated_id_reaches_the_audit_event(client, admin):
    created = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers)
    request_id = created.headers["x-request-id"]
    events = client.get(f"/api/v1/audit-events?request_id={request_id}", headers=admin.headers).json()[
        "items"
    ]
    assert [e["record_id"] for e in events] == [created.json()["id"]]


def test_generated_ids_differ_in_a_forked_worker():
    """A made-up id is a process's random half and its count: a worker forked from a loaded
    parent (gunicorn's preload) must not repeat the parent's ids."""
    import os

    from pmo.core import middleware

    parent = middleware._new_request_id()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.write(writer, middleware._new_request_id().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    forked = os.read(reader, 64).decode()
    os.close(reader)
    assert GENERATED.match(forked)
    assert GENERATED.match(parent)
    assert forked[:16] != parent[:16]
