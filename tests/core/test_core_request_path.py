"""The cost every request pays before the domain code (issue 16): how the app is routed.

FastAPI tries routes in order, at a cost per route, and walks each included router twice (to
match, then to handle); a router included in another router is walked again at each level.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Match


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }


def test_the_health_probes_are_tried_before_any_domain_route(app):
    for probe in ("/healthz", "/readyz", "/metrics"):
        tried = 0
        for route in app.router.routes:
            tried += 1
            if route.matches(_scope(probe))[0] == Match.FULL:
                break
        # The OpenAPI document's own route comes first; then the probes' router.
        assert tried <= 2, probe


def test_no_domain_router_is_nested_in_another(app):
    included = [route for route in app.router.routes if hasattr(route, "original_router")]
    assert len(included) > 30  # each domain router, under /api/v1, at the top level
    for route in included:
        assert not [r for r in route.original_router.routes if hasattr(r, "original_router")]


def test_the_api_still_answers_under_its_prefix_and_the_probes_answer(client, admin):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/api/v1/me", headers=admin.headers).json()["kind"] == "user"


def test_fastapis_own_telemetry_layer_is_off(app):
    # It asked on every request whether an OpenTelemetry provider was set; the metrics are Prometheus's.
    assert not app._native_telemetry.enabled()
