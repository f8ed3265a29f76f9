"""The cost every request pays before the domain code (issue 16): how the app is routed.

FastAPI tries routes in order, at a cost per route, and walks each included router twice (to
match, then to handle); a router included in another router is walked again at each level.
"""

from __future__ import annotations

import os
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
        # The OpenAPI document's own route comes first; then the three probes.
        assert tried <= 4, probe
        # Plain Starlette routes: no dependencies to solve, no response model.
        assert type(route).__name__ == "_OperationsRoute", probe


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


def test_a_started_process_keeps_its_loaded_heap_out_of_the_cyclic_collector(tmp_path):
    """The app's startup freezes what is loaded (models, schemas, routes) and widens the young
    generation: full collections no longer walk the whole heap in the middle of a request. In a
    fresh process, as a worker starts: this test process has started apps already."""
    import subprocess
    import sys

    script = (
        "import gc\n"
        "from fastapi.testclient import TestClient\n"
        "from pmo.main import create_app\n"
        "assert gc.get_freeze_count() == 0\n"
        "with TestClient(create_app()):\n"
        "    print(gc.get_freeze_count(), gc.get_threshold()[0])\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PMO_DATABASE_URL": f"sqlite:///{tmp_path / 'gc.db'}"},
    )
    frozen, young = map(int, done.stdout.split())
    assert frozen > 100_000, done.stdout
    assert young == 20_000
