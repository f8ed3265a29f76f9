"""The web app: the built single-page app (frontend/dist) served at `/` and every non-API path."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from pmo.auth.dependencies import PUBLIC
from pmo.core.errors import problem_response
from pmo.core.middleware import API_PREFIX

# The app's own script and styles only; no inline script, no framing by other sites.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Vite names every file under assets/ by a hash of its content: it never changes.
IMMUTABLE = "public, max-age=31536000, immutable"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The web app is not built</title></head>
<body><h1>The web app is not built</h1>
<p>The API is running (documentation at <a href="/api/v1/docs">/api/v1/docs</a>), but there is
no built web app in <code>{dist}</code>.</p>
<p>Build it with <code>scripts/run.sh</code>, or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p></body></html>
"""


class _PageRoute(APIRoute):
    """Never matches an API path: an unknown API route stays a 404 problem (or 405), not a page."""

    def matches(self, scope: Scope) -> tuple[Match, MutableMapping[str, Any]]:
        path: str = scope.get("path", "")
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return Match.NONE, {}
        return super().matches(scope)


def web_router(dist: Path) -> APIRouter:
    """Routes for the built app in `dist`; include it last, after the API and operations routes."""
    router = APIRouter(include_in_schema=False, dependencies=[PUBLIC], route_class=_PageRoute)
    root = dist.resolve()

    def index() -> Response:
        page = root / "index.html"
        if not page.is_file():
            return HTMLResponse(
                NOT_BUILT.format(dist=root), status_code=503, headers={"Cache-Control": "no-store"}
            )
        # Always revalidated: it names the current hashed assets.
        return FileResponse(
            page,
            media_type="text/html",
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )

    @router.get("/")
    def app_home() -> Response:
        return index()

    @router.get("/{path:path}")
    def app_page(path: str, request: Request) -> Response:
        file = (root / path).resolve()
        if file.is_file() and file.is_relative_to(root) and file.name != "index.html":
            cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
            return FileResponse(file, headers={"Cache-Control": cache})
        if path.startswith("assets/"):
            # A missing script or style must not be answered with the HTML page.
            return problem_response(request, 404, detail="No such file in the web app.")
        # Any other path is a page of the app: it routes in the browser.
        return index()

    return router
