"""Deprecated operations send `Deprecation` and `Sunset` (and a successor `Link`) on every answer."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from fastapi.testclient import TestClient

from pmo.core.deprecation import deprecated
from pmo.main import create_app

SINCE = datetime(2027, 1, 1, tzinfo=UTC)
SUNSET = datetime(2027, 7, 1, tzinfo=UTC)


def test_a_deprecated_operation_says_since_when_and_until_when() -> None:
    app = create_app()
    router = APIRouter()

    @router.get(
        "/api/v1/old-things",
        deprecated=True,
        dependencies=[deprecated(since=SINCE, sunset=SUNSET, successor="/api/v1/things")],
    )
    def old_things() -> Response:
        # A route that answers with its own Response: the headers reach it too.
        return Response("[]", media_type="application/json")

    @router.get("/api/v1/current-things")
    def current_things() -> list[str]:
        return []

    app.router.routes[:0] = router.routes  # before the web app's catch-all
    client = TestClient(app)

    for method in ("GET", "HEAD"):
        response = client.request(method, "/api/v1/old-things")
        assert response.status_code == 200
        assert response.headers["deprecation"] == f"@{int(SINCE.timestamp())}" == "@1798761600"
        assert response.headers["sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
        assert response.headers["link"] == '</api/v1/things>; rel="successor-version"'
    current = client.get("/api/v1/current-things")
    assert current.status_code == 200
    assert "deprecation" not in current.headers
    assert "sunset" not in current.headers
    assert app.openapi()["paths"]["/api/v1/old-things"]["get"]["deprecated"] is True
