"""ASGI middleware: request ids, request logs and metrics, control characters in the path and
query, and the request body limit."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pmo.core.context import request_id_var
from pmo.core.errors import PROBLEM_MEDIA_TYPE, FieldProblem, problem_response
from pmo.core.problem_types import problem_type_uri

logger = logging.getLogger("pmo.requests")
API_PREFIX = "/api/v1"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

REQUESTS = Counter("pmo_http_requests_total", "HTTP requests handled", ["method", "route", "status"])
LATENCY = Histogram("pmo_http_request_duration_seconds", "Time to handle a request", ["method", "route"])


# The key, in the ASGI scope's state, of headers every answer to the request carries: set by
# dependencies and helpers that cannot reach the response (paging links, deprecation).
RESPONSE_HEADERS = "response_headers"


def response_headers(scope: Scope) -> dict[str, str]:
    """The headers `RequestContextMiddleware` adds to this request's answer; add to them."""
    headers: dict[str, str] = scope.setdefault("state", {}).setdefault(RESPONSE_HEADERS, {})
    return headers


# A made-up request id: this process's random half, then its count of requests; 32 hex digits
# as a UUID's. Unique across processes without a system call per request (`uuid4` reads the
# kernel's random source: a tenth of a `/healthz`). Ids only correlate; they guard nothing.
_process_id = secrets.token_hex(8)
_request_count = itertools.count(1)


def _new_process_id() -> None:
    global _process_id  # once a process: in a forked worker
    _process_id = secrets.token_hex(8)


# A worker forked from a loaded parent (gunicorn's preload) takes a random half of its own.
os.register_at_fork(after_in_child=_new_process_id)


def _new_request_id() -> str:
    return f"{_process_id}{next(_request_count):016x}"


class RequestContextMiddleware:
    """Give each request an id (the caller's `X-Request-ID` if it is sane), echo it, log
    one JSON line per request and count it in the Prometheus metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
                # Headers a route's helpers asked for (paging links, deprecation).
                for name, value in scope["state"].get(RESPONSE_HEADERS, {}).items():
                    message["headers"].append((name.lower().encode(), value.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_label(scope)
            count, latency = _metrics_of(scope["method"], route, status)
            count.inc()
            latency.observe(elapsed)
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client": (scope.get("client") or ("", 0))[0],
                    },
                )
            request_id_var.reset(token)


@lru_cache(maxsize=4096)  # method, route template, status: a few hundred in all
def _metrics_of(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The request's counter and histogram, looked up once per label set: `labels()` checks and
    joins its values on every call, three times the cost of the count itself."""
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


def _route_label(scope: Scope) -> str:
    """The route's template (`/api/v1/users/{user_id}`), so metrics do not grow per record."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    template: str = getattr(route, "path", "unmatched")
    # Routes included under the API prefix keep their own path; put the prefix back.
    if scope["path"].startswith(API_PREFIX + "/") and not template.startswith(API_PREFIX):
        template = API_PREFIX + template
    return template


# C0 control characters and DEL: never part of a path, a filter or a search. PostgreSQL
# refuses NUL in text (a 500 once it reached a query) and the file system in a path.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_MESSAGE = "must not contain control characters (U+0000 to U+001F, U+007F), tab and newline included"


class HeadMiddleware:
    """`HEAD` on every `GET` (RFC 9110 9.3.2): the `GET` is run and its body left out, so the
    status and headers (`ETag`, `Content-Length`, `Link`) are the `GET`'s own. FastAPI's
    routes answer only the methods they name, so without this a `HEAD` would be a 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest follows; only the last (empty) message is sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        as_get = {**scope, "method": "GET"}
        await self.app(as_get, receive, without_body)
        if "route" in as_get:  # for the request log's route label
            scope["route"] = as_get["route"]


class ControlCharacterMiddleware:
    """Refuse a control character in the path (400) or in a query parameter's name or value
    (422 naming the parameter), for every route, before routing and before any handler."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _CONTROL.search(scope["path"]):
            response = problem_response(Request(scope), 400, detail=f"The path {CONTROL_MESSAGE}.")
            await response(scope, receive, send)
            return
        raw_query = scope.get("query_string", b"").decode("latin-1")
        # Most queries have no escape and no control character: nothing to decode (every request).
        if "%" not in raw_query and not _CONTROL.search(raw_query):
            await self.app(scope, receive, send)
            return
        # Decoded as Starlette decodes them for the handlers (UTF-8, bad bytes replaced).
        query = parse_qsl(raw_query, keep_blank_values=True)
        bad = sorted({name for name, value in query if _CONTROL.search(name + value)})
        if bad:
            problems = [
                FieldProblem(location=["query", name], message=CONTROL_MESSAGE, type="value_error")
                for name in bad
            ]
            where = ", ".join(f"query.{name!r}" if _CONTROL.search(name) else f"query.{name}" for name in bad)
            response = problem_response(
                Request(scope),
                422,
                slug="validation-error",
                title="The request is not valid",
                detail=f"Check these parts of the request: {where}.",
                errors=problems,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with a 413 before any handler runs.

    `path_limits` gives paths (exact) that take larger bodies, such as file uploads.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.path_limits.get(scope["path"].rstrip("/"), self.max_bytes)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > max_bytes:
                await self._refuse(scope, send, max_bytes)
                return
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read the body here, up to the limit, then replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                await self._refuse(scope, send, max_bytes)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, max_bytes: int) -> None:
        problem: dict[str, Any] = {
            "type": problem_type_uri("payload-too-large"),
            "title": "Request body too large",
            "status": 413,
            "detail": f"The request body may be at most {max_bytes} bytes.",
            "instance": scope["path"],
            "request_id": scope.get("state", {}).get("request_id"),
        }
        body = json.dumps(problem).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# Responses of the API are data, never pages: nothing may run, load or frame them. Pages (the
# web app, the API docs) set a policy of their own, which this leaves alone.
API_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# A year, subdomains included: a council serves the product over HTTPS only.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """On every response: `X-Content-Type-Options: nosniff`, a Content-Security-Policy (the
    API's, unless the response has its own) and, in production, Strict-Transport-Security."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", API_CONTENT_SECURITY_POLICY.encode()),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in self.headers if name not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)
