"""Request bodies over the limit are refused with a 413 before any handler runs."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from pmo.core.config import get_settings
from pmo.main import create_app
from pmo.organisations.models import Directorate

SMALL_LIMIT = 2048


@pytest.fixture
def small_app(monkeypatch, engine):
    """An app built while the limit is small: the middleware reads it at create_app()."""
    monkeypatch.setattr(get_settings(), "max_body_bytes", SMALL_LIMIT)
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _body(size: int) -> bytes:
    payload = json.dumps({"name": "Big", "description": ""}).encode()
    padding = size - len(payload)
    return json.dumps({"name": "Big", "description": "x" * padding}).encode()


def test_over_the_default_limit(client, admin, count_rows, assert_problem):
    body = _body(get_settings().max_body_bytes + 1)
    response = client.post(
        "/api/v1/directorates", content=body, headers={**admin.headers, "Content-Type": "application/json"}
    )
    problem = assert_problem(response, 413)
    assert str(get_settings().max_body_bytes) in problem["detail"]
    assert count_rows(Directorate) == 0


def test_the_configured_limit_applies(small_app, admin, count_rows, assert_problem):
    headers = {**admin.headers, "Content-Type": "application/json"}
    assert (
        small_app.post("/api/v1/directorates", content=_body(SMALL_LIMIT), headers=headers).status_code == 201
    )
    response = small_app.post("/api/v1/directorates", content=_body(SMALL_LIMIT + 1), headers=headers)
    assert_problem(response, 413)
    assert count_rows(Directorate) == 1


def test_chunked_bodies_are_counted_too(small_app, admin, count_rows, assert_problem):
    headers = {**admin.headers, "Content-Type": "application/json"}
    body = _body(SMALL_LIMIT * 3)

    def chunks():
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    response = small_app.post("/api/v1/directorates", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413)
    assert count_rows(Directorate) == 0


def test_chunked_bodies_under_the_limit_get_through(small_app, admin, count_rows):
    headers = {**admin.headers, "Content-Type": "application/json"}
    body = json.dumps({"name": "Chunked"}).encode()
    response = small_app.post("/api/v1/directorates", content=iter([body[:5], body[5:]]), headers=headers)
    assert response.status_code == 201, response.text
    assert count_rows(Directorate) == 1


def test_refused_before_the_handler_runs(monkeypatch, engine, admin):
    """Driven at the ASGI level, chunk by chunk: reading stops at the limit and no route runs."""
    monkeypatch.setattr(get_settings(), "max_body_bytes", SMALL_LIMIT)
    app = create_app()
    handled: list[bool] = []

    @app.post("/api/v1/echo")
    async def echo() -> None:
        handled.append(True)

    import anyio

    received = 0
    sent: list[dict] = []

    async def receive():
        nonlocal received
        received += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": received < 100}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/echo",
        "raw_path": b"/api/v1/echo",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert received <= 3  # stopped reading once past the limit
    assert handled == []
