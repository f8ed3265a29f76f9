"""Security headers: nosniff everywhere, a CSP on every response (the API's forbids framing),
HSTS in production only, and the API docs from the product's own files under a strict CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pmo.core.config import get_settings
from pmo.main import create_app

INDEX = '<!doctype html><html lang="en"><script type="module" src="/assets/app-abc123.js"></script></html>'


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    (dist / "assets").mkdir()
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-abc123.js").write_text("console.log('app')")
    return dist


def _client(dist: Path) -> Iterator[TestClient]:
    app = create_app(frontend_dist=dist)

    @app.get("/api/v1/test-crash", include_in_schema=False)
    def crash() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


# One application for each environment (building one takes a second or two); the headers
# are decided when it is built.
@pytest.fixture(scope="module")
def development(dist: Path, engine) -> Iterator[TestClient]:
    yield from _client(dist)


@pytest.fixture(scope="module")
def production(dist: Path, engine) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PMO_ENVIRONMENT", "production")
        get_settings.cache_clear()
        try:
            app = _client(dist)
            client = next(app)
        finally:
            env.undo()
            get_settings.cache_clear()
        yield client
        next(app, None)


# Each kind of response: JSON, problems (401, 404, 405, 413, 500), operations, the web app.
REQUESTS = [
    ("GET", "/readyz", 200),
    ("GET", "/api/v1/me", 401),
    ("GET", "/api/v1/no-such-route", 404),
    ("DELETE", "/api/v1/docs", 405),
    ("GET", "/api/v1/test-crash", 500),
    ("GET", "/healthz", 200),
    ("GET", "/", 200),
    ("GET", "/projects/p-0001", 200),
    ("GET", "/assets/app-abc123.js", 200),
    ("GET", "/api/v1/docs", 200),
]


def _send(client: TestClient, method: str, path: str):  # type: ignore[no-untyped-def]
    return client.request(method, path)


@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
def test_every_response_says_nosniff_and_no_hsts_in_development(development, method, path, status):
    response = _send(development, method, path)

    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
def test_production_adds_hsts_to_every_response(production, method, path, status):
    response = _send(production, method, path)

    assert response.status_code == status
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/api/v1/openapi.json", "/api/v1/me", "/api/v1/test-crash", "/healthz", "/metrics"]
)
def test_api_responses_may_load_and_run_nothing(development, path):
    policy = development.get(path).headers["content-security-policy"]
    assert policy == "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def test_a_refused_large_body_carries_the_headers_too(development):
    response = development.post("/api/v1/auth/token", content=b"x" * 2_000_000)

    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_web_app_keeps_its_own_policy(development):
    policy = development.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert policy.count("content-security-policy") == 0
    assert "'unsafe-inline'" not in policy


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_the_api_docs_load_swagger_ui_from_this_service_under_a_strict_policy(development):
    page = development.get("/api/v1/docs")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["default-src"] == "default-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe" not in page.headers["content-security-policy"]
    # No inline script (the policy would stop it): every script is a file.
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts
    assert all('src="' in attributes for attributes in scripts)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert {url.rsplit("/", 1)[1] for url in urls} == {
        "favicon.png",
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "init.js",
    }
    for url in urls:
        assert url.startswith("/api/v1/docs/assets/"), url  # this service, no CDN
        asset = development.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["x-content-type-options"] == "nosniff"
        assert asset.content
    assert "SwaggerUIBundle" in development.get("/api/v1/docs/assets/swagger-ui-bundle.js").text
    init = development.get("/api/v1/docs/assets/init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert '"/api/v1/openapi.json"' in init.text


def test_an_unknown_docs_file_is_a_404_problem(development):
    response = development.get("/api/v1/docs/assets/..%2F..%2Fcore%2Fconfig.py")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
