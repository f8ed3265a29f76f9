"""The cost every request pays before the domain code (issue 16): how the app is routed.

FastAPI tries routes in order, at a cost per route, and walks each included router twice (to
match, then to handle); a router included in another router is walked again at each level.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match

from pmo.core.middleware import API_PREFIX
from pmo.core.routing import ApiRouter
from pmo.main import DOMAIN_ROUTERS


def _scope(path: str, method: str = "GET") -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
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


def _requests_to_every_route() -> list[tuple[str, str]]:
    """(method, path) for each method of each domain route, its parameters filled in; with
    the same paths ending in `/` (a redirect's second try), and paths no route serves."""
    requests = []
    for router in DOMAIN_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = API_PREFIX + re.sub(r"{[^}]+}", "0b3a4c1e-3f0e-4d2a-9c55-1f6a0e2b7d41", route.path)
            requests += [(method, p) for method in sorted(route.methods) for p in (path, path + "/")]
    requests += [("GET", p) for p in (API_PREFIX, API_PREFIX + "/", API_PREFIX + "/nothing-here", "/me", "/")]
    return requests


def _matches(app: FastAPI, method: str, path: str) -> list[Match]:
    return [route.matches(_scope(path, method))[0] for route in app.router.routes]


def test_every_domain_router_turns_away_paths_by_their_first_segment():
    for router in DOMAIN_ROUTERS:
        assert isinstance(router, ApiRouter)
        assert router._first_segments(), router.routes  # none falls back to trying every route


def test_turning_paths_away_early_changes_no_match(app, monkeypatch):
    """What each of the app's routes says of every request is the same with the first-segment
    check as with FastAPI's own matching alone."""
    requests = _requests_to_every_route()
    assert len(requests) > 400
    with_check = [_matches(app, *request) for request in requests]
    monkeypatch.setattr(ApiRouter, "_first_segments", lambda _self: None)
    assert [_matches(app, *request) for request in requests] == with_check
    # And each route's own request is fully matched by a route of the app.
    assert all(Match.FULL in matches for matches in with_check[: len(requests) - 5 : 2])


def test_a_path_is_turned_away_without_trying_the_routers_routes(app, monkeypatch):
    tried: list[str] = []
    original = APIRoute.matches

    def counted(route: APIRoute, scope: Any) -> tuple[Match, Any]:
        tried.append(route.path)
        return original(route, scope)

    monkeypatch.setattr(APIRoute, "matches", counted)
    for route in app.router.routes:
        if route.matches(_scope(API_PREFIX + "/me"))[0] == Match.FULL:
            break
    # The routers before the one with `/me` (the sign-in routes: 20 of them) were not tried.
    assert tried == ["/me"]


def test_a_route_added_later_is_matched():
    router = ApiRouter()
    router.add_api_route("/first", lambda: None)
    app = FastAPI()
    app.include_router(router, prefix=API_PREFIX)
    assert _matches(app, "GET", API_PREFIX + "/second") == [Match.NONE] * len(app.router.routes)
    router.add_api_route("/second", lambda: None)
    assert Match.FULL in _matches(app, "GET", API_PREFIX + "/second")


@pytest.mark.parametrize("root_path", ["", "/pmo"])
def test_a_path_behind_a_root_path_is_matched(app, root_path):
    scope = _scope(root_path + API_PREFIX + "/me") | {"root_path": root_path}
    assert Match.FULL in [route.matches(scope)[0] for route in app.router.routes]


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
