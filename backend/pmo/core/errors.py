"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the API returns is one of these. Services raise the subclasses below; the
handlers in `install_error_handlers` turn them, and the framework's own errors (routing,
validation, anything unexpected), into problem documents with no stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from pmo.core.problem_types import problem_type_uri

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("pmo.errors")


class FieldProblem(BaseModel):
    """One thing wrong with one part of the request."""

    location: list[str | int] = Field(description="Where: e.g. ['body', 'email'] or ['query', 'limit'].")
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="The request path.")
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


class ProblemError(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = headers or {}
        self.extra = extra or {}


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Not signed in"

    def __init__(self, detail: str | None = None, *, invalid_token: bool = False) -> None:
        # RFC 6750 section 3.1: a token that was sent but cannot be used is `invalid_token`;
        # a request that sent none gets the bare challenge.
        challenge = 'Bearer realm="pmo"' + (', error="invalid_token"' if invalid_token else "")
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class NotAcceptable(ProblemError):
    status, slug, title = 406, "not-acceptable", "None of the accepted media types is offered"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The record has changed"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class Unprocessable(ProblemError):
    status, slug, title = 422, "validation-error", "The request is not valid"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match header required"


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, rate_limit: dict[str, str]) -> None:
        # `rate_limit`: the `RateLimit` fields of the limit reached (`ratelimit.Policy.headers`).
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after)), **rate_limit})


class DatabaseBusy(ProblemError):
    status, slug, title = 503, "database-busy", "The database is busy"

    # Long enough for the transaction holding the lock to finish, short enough to matter.
    RETRY_AFTER_SECONDS = 2

    def __init__(self) -> None:
        super().__init__(
            "The database is busy with other changes. Nothing was changed; try again shortly.",
            headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)},
        )


# SQLite's primary result codes for a lock not granted in time (the extended codes, such as
# SQLITE_BUSY_SNAPSHOT, keep them in their low byte).
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# PostgreSQL: serialization failure, deadlock detected, lock not available (lock_timeout).
_POSTGRES_BUSY_STATES = frozenset({"40001", "40P01", "55P03"})


def is_database_busy(exc: DBAPIError) -> bool:
    """Whether the database refused because of other transactions: worth retrying later."""
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return getattr(exc.orig, "sqlstate", None) in _POSTGRES_BUSY_STATES


def problem_response(
    request: Request,
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": problem_type_uri(slug or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    if errors:
        body["errors"] = [e.model_dump() for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(
        jsonable_encoder(body), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def field_problems_from_validation(exc: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors():
        location = [str(p) if not isinstance(p, int) else p for p in error.get("loc", ())]
        problems.append(
            FieldProblem(location=location, message=str(error.get("msg")), type=str(error.get("type")))
        )
    return problems


def install_error_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        exc = cast(ProblemError, exc)
        return problem_response(
            request,
            exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            extra=exc.extra,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        exc = cast(RequestValidationError, exc)
        problems = field_problems_from_validation(exc)
        where = ", ".join(".".join(str(p) for p in f.location) for f in problems[:5])
        return problem_response(
            request,
            422,
            slug="validation-error",
            title="The request is not valid",
            detail=f"Check these parts of the request: {where}." if where else None,
            errors=problems,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        exc = cast(StarletteHTTPException, exc)
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # The router names only the first route on the path; list what the path supports.
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return problem_response(request, exc.status_code, detail=detail, headers=headers)

    async def on_conflicting_write(request: Request, exc: Exception) -> JSONResponse:
        # A unique constraint caught what the service's own checks could not see: a
        # concurrent request created the same thing first.
        logger.info("integrity error: %s", exc)
        return problem_response(
            request, 409, slug="conflict", detail="This conflicts with a record just written; read and retry."
        )

    async def on_stale_write(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        # The row's version changed between our read and our write: a concurrent edit won.
        return problem_response(
            request,
            412,
            slug="precondition-failed",
            title="The record has changed",
            detail="Someone changed this record at the same time. Read it again and reapply your change.",
        )

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        if not is_database_busy(cast(DBAPIError, exc)):
            return await on_unexpected(request, exc)
        logger.warning("database busy: %s", exc)
        return await on_problem(request, DatabaseBusy())

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        logger.exception("unhandled error", extra={"path": request.url.path})
        request_id = getattr(request.state, "request_id", None)
        return problem_response(
            request,
            500,
            slug="internal-error",
            detail="Something went wrong on our side; it has been logged.",
            # This handler runs outside the request-id middleware, so it sets the header itself.
            headers={"X-Request-ID": request_id} if request_id else None,
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_conflicting_write)
    app.add_exception_handler(StaleDataError, on_stale_write)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)


def _allowed_methods(request: Request) -> str:
    """The methods some route serves at the request's path, as the `Allow` header of a 405."""
    routes = request.app.router.routes

    def served(method: str) -> bool:
        return any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)

    methods = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if served(m)]
    if "GET" in methods:
        methods.insert(1, "HEAD")  # core.middleware.HeadMiddleware answers HEAD on every GET
    return ", ".join(methods)


_DESCRIPTIONS = {
    304: "Not modified: the `If-None-Match` tag is current.",
    400: "Bad request (a control character in the path, or a body that cannot be read).",
    401: "Not signed in, or the token is not valid.",
    403: "Signed in, but not allowed to do this.",
    404: "No such record in your organisation.",
    406: "`Accept` allows none of the media types this operation offers.",
    409: "Conflicts with the current state of the records.",
    412: "The `If-Match` tag is stale: read the record again.",
    413: "The request body is too large.",
    422: "The request is not valid; `errors` says where.",
    428: "`If-Match` is required for this change.",
    429: "Too many requests; wait for `Retry-After` seconds.",
    500: "Unexpected error on the server.",
    502: "The identity provider could not be reached or gave no usable answer.",
    503: "The database is busy; nothing was changed. Retry after `Retry-After` seconds.",
}


def problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def declare(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: the problem statuses it can return, plus those every route can."""
    # 400: any path with a control character is refused before routing (core.middleware).
    common = (400, 401, 403, 413, 422, 429, 500, 503)
    result: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, *common}):
        if status == 304:
            result[status] = {"description": _DESCRIPTIONS[304]}
        else:
            result[status] = {"description": _DESCRIPTIONS[status], "content": problem_content()}
    return result


def declare_public(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Like `declare`, for routes that need no token (no 401 or 403 unless asked for)."""
    result = declare(*statuses)
    for status in (401, 403):
        if status not in statuses:
            result.pop(status)
    return result
