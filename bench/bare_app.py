"""The yardstick: a bare Starlette app that answers with bytes held in memory.

It serves, at any path, the response the product gave for the page being measured (the same
body, and of its headers those the bench saves: the caching ones, `ETag`, `Cache-Control`,
`Vary`, and for a feed page `Last-Modified` and `Link`; not the product's request id,
security and rate-limit headers), and a 304 to a request whose `If-None-Match` is that
response's ETag: the fastest any application on this server stack could answer the request.

    BENCH_RESPONSE=/path/to/response.json uvicorn bench.bare_app:app
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_saved = json.loads(Path(os.environ["BENCH_RESPONSE"]).read_text())
BODY: bytes = _saved["body"].encode("utf-8")
HEADERS: dict[str, str] = _saved["headers"]
MEDIA_TYPE: str = _saved["media_type"]
ETAG: str | None = HEADERS.get("etag")  # None for an answer without one (/healthz)


async def page(request: Request) -> Response:
    if ETAG is not None and request.headers.get("if-none-match") == ETAG:
        return Response(status_code=304, headers=HEADERS)
    return Response(BODY, media_type=MEDIA_TYPE, headers=HEADERS)


app = Starlette(routes=[Route("/{path:path}", page)])
