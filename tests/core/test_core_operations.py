"""Health, readiness, metrics and the documentation routes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

import pmo.main
from pmo.main import create_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_readyz_503_when_the_database_is_unreachable(monkeypatch, tmp_path, assert_problem):
    broken = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    monkeypatch.setattr(pmo.main, "get_engine", lambda: broken)
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # alive, just not ready
    body = assert_problem(response, 503)
    assert "unable to open" not in response.text  # the driver's message stays in the log
    assert body["detail"]


def test_metrics(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "pmo_http_requests_total" in response.text
    assert 'route="/healthz"' in response.text
    assert "pmo_http_request_duration_seconds" in response.text


def test_openapi_and_docs(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    body = document.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/users" in body["paths"]
    assert "Problem" in body["components"]["schemas"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
