"""The interactive API documentation (Swagger UI) from files the product serves itself.

The Swagger UI files come with the pinned `fastapi-offline` package (no CDN). The page runs
no inline script, so its Content-Security-Policy allows scripts from this origin only.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from pmo.auth.dependencies import PUBLIC
from pmo.core.errors import problem_response
from pmo.core.middleware import API_PREFIX

DOCS_PATH = f"{API_PREFIX}/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
SWAGGER_UI_FILES = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
# Swagger UI draws its icons as data: images and sets some styles from script (CSSOM, which
# a policy does not restrict); it fetches the OpenAPI document and tokens from this origin.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# The files change only when the package's pin does: a day's cache is safe.
ASSET_CACHE = "public, max-age=86400"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}: API documentation</title>
<link rel="icon" type="image/png" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/init.js"></script>
</body>
</html>
"""

INIT_SCRIPT = f"""window.ui = SwaggerUIBundle({{
  url: "{API_PREFIX}/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  persistAuthorization: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
"""


def docs_router(title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
    page = PAGE.format(title=title, assets=ASSETS_PATH)

    @router.get(DOCS_PATH)
    def api_docs() -> Response:
        return HTMLResponse(
            page,
            headers={"Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"},
        )

    @router.get(f"{ASSETS_PATH}/init.js")
    def api_docs_init() -> Response:
        return Response(INIT_SCRIPT, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @router.get(ASSETS_PATH + "/{name}")
    def api_docs_asset(name: str, request: Request) -> Response:
        if name not in ASSETS:
            return problem_response(request, 404, detail=f"No documentation file '{name}'.")
        return FileResponse(
            SWAGGER_UI_FILES / name, media_type=ASSETS[name], headers={"Cache-Control": ASSET_CACHE}
        )

    return router
