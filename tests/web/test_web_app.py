"""The built web app served at `/`: SPA fallback, cache headers, never for API paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pmo.main import create_app

INDEX = '<!doctype html><html lang="en"><script type="module" src="/assets/app-abc123.js"></script></html>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path.parent / "secret.txt").write_text("outside the app")
    return tmp_path


@pytest.fixture
def web(dist: Path, engine):  # type: ignore[no-untyped-def]
    with TestClient(create_app(frontend_dist=dist), raise_server_exceptions=False) as test_client:
        yield test_client


def test_home_serves_the_app_and_is_always_revalidated(web):
    response = web.get("/")

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/projects/2b1c", "/programmes/x?stage=delivery", "/admin/users"])
def test_any_page_path_falls_back_to_the_app(web, path):
    response = web.get(path)

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(web):
    response = web.get("/assets/app-abc123.js")

    assert response.status_code == 200
    assert response.text == "console.log('app')"
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_other_files_are_served_but_revalidated(web):
    response = web.get("/favicon.svg")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


def test_a_missing_asset_is_404_not_the_page(web):
    response = web.get("/assets/gone-999.js")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", ["/api/v1/no-such-route", "/api/v1", "/api/v1/projects/not-a-uuid/nothing"])
def test_api_paths_never_get_the_page(web, path):
    response = web.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_api_route_with_another_method_is_still_404(web):
    response = web.post("/api/v1/no-such-route", json={})

    assert response.status_code == 404


def test_api_docs_and_operations_are_not_shadowed(web):
    assert web.get("/api/v1/docs").status_code == 200
    assert web.get("/healthz").json() == {"status": "ok"}
    assert web.get("/api/v1/openapi.json").json()["openapi"]


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"])
def test_no_file_outside_the_app_is_served(web, path):
    response = web.get(path)

    assert "outside the app" not in response.text


def test_without_a_build_home_says_how_to_build(tmp_path, engine):
    with TestClient(create_app(frontend_dist=tmp_path / "missing"), raise_server_exceptions=False) as client:
        response = client.get("/")
        page = client.get("/projects")

    assert response.status_code == 503
    assert "npm run build" in response.text
    assert "scripts/run.sh" in response.text
    assert page.status_code == 503
    assert client.get("/healthz").status_code == 200
