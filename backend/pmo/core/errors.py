"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the API returns is one of these. Services raise the subclasses below; the
handlers in `install_error_handlers` turn them, and the framework's own errors (routing,
validation, anything unexpected), into problem documents with no stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
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
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldValueError):
            location.append(cause.field)
            error = {**error, "loc": tuple(location)}
        problems.append(
            FieldProblem(location=location, message=plain_message(error), type=str(error.get("type")))
        )
    return problems


# Where a location starts: these say where in the request, not which field.
_PLACES = frozenset({"body", "query", "path", "header", "cookie"})


# Field names that do not read as words on their own.
FIELD_LABELS: dict[str, str] = {"meets_on": "meeting date", "published_on": "publication date"}


def field_label(location: Sequence[str | int]) -> str:
    """The field a location names, in words: ["body", "funding_source_id"] -> "funding source"."""
    names = [p for p in location if isinstance(p, str) and p not in _PLACES]
    if not names:
        return "the request"
    return FIELD_LABELS.get(names[-1], names[-1].removesuffix("_id").replace("_", " "))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pounds(value: object) -> str:
    """A limit as people write money: 9999999999999.99 -> "£9,999,999,999,999.99"."""
    return f"£{Decimal(str(value)):,.2f}" if value is not None else "the limit"


# Pydantic's error types as sentences in the GOV.UK style ("Enter the purpose", "Amount must be
# 200 characters or fewer"). `{label}` is the field in words, `{Label}` the same capitalised; the
# other names are the error's context. Our own types (money, dates, periods, references) are raised
# as `PydanticCustomError` by the shared input types and worded here too, so one table holds
# every message a person can read. Anything missing reads "... is not valid", never pydantic's words.
PLAIN_MESSAGES: dict[str, str] = {
    # Missing or empty
    "missing": "Enter the {label}",
    "string_too_short": "Enter the {label}",
    "too_short": "{Label} must have at least {min_length} items",
    "too_long": "{Label} must have {max_length} items or fewer",
    # Text
    "string_type": "{Label} must be text",
    "string_too_long": "{Label} must be {max_length} characters or fewer",
    "string_pattern_mismatch": "{Label} is not in the right format",
    "string_unicode": "{Label} must be text",
    # Numbers
    "int_type": "{Label} must be a whole number, like 3",
    "int_parsing": "{Label} must be a whole number, like 3",
    "int_from_float": "{Label} must be a whole number, like 3",
    "float_type": "{Label} must be a number, like 72.5",
    "float_parsing": "{Label} must be a number, like 72.5",
    "decimal_type": "{Label} must be a number, like 72.5",
    "decimal_parsing": "{Label} must be a number, like 72.5",
    "decimal_max_places": "{Label} must have {decimal_places} decimal places or fewer",
    "decimal_max_digits": "{Label} must have {max_digits} digits or fewer",
    "decimal_whole_digits": "{Label} must have {whole_digits} digits or fewer before the decimal point",
    "finite_number": "{Label} must be a number, like 72.5",
    "greater_than": "{Label} must be more than {gt}",
    "greater_than_equal": "{Label} must be {ge} or more",
    "less_than": "{Label} must be less than {lt}",
    "less_than_equal": "{Label} must be {le} or less",
    "multiple_of": "{Label} must be a multiple of {multiple_of}",
    # Choices, yes or no, ids
    "enum": "Select the {label}",
    "literal_error": "Select the {label}",
    "bool_type": "Select yes or no for {label}",
    "bool_parsing": "Select yes or no for {label}",
    "uuid_type": "Select the {label} from the list",
    "uuid_parsing": "Select the {label} from the list",
    "uuid_version": "Select the {label} from the list",
    # Dates and times
    "date_type": "{Label} must be a real date",
    "date_parsing": "{Label} must be a real date",
    "date_from_datetime_parsing": "{Label} must be a real date",
    "date_from_datetime_inexact": "{Label} must be a date without a time",
    "date_past": "{Label} must be in the past",
    "date_future": "{Label} must be in the future",
    "datetime_type": "{Label} must be a real date and time",
    "datetime_parsing": "{Label} must be a real date and time",
    "datetime_from_date_parsing": "{Label} must be a real date and time",
    "timezone_aware": "{Label} must give its time zone, like 2026-04-01T09:30:00Z",
    "timezone_naive": "{Label} must not give a time zone",
    # Shapes
    "list_type": "{Label} must be a list",
    "dict_type": "{Label} must be a set of named values (a JSON object)",
    "model_type": "{Label} must be a set of named values (a JSON object)",
    "model_attributes_type": "{Label} must be a set of named values (a JSON object)",
    "json_invalid": "The request is not valid JSON",
    "json_type": "The request is not valid JSON",
    "extra_forbidden": "Remove {label}: it is not part of this request",
    "url_type": "{Label} must be a web address, like https://www.council.gov.uk",
    "url_parsing": "{Label} must be a web address, like https://www.council.gov.uk",
    "url_scheme": "{Label} must be a web address starting https://",
    "url_too_long": "{Label} must be {max_length} characters or fewer",
    # Ours: money (pmo.core.money)
    "money": "Enter an amount in pounds and pence, like 49,999.99",
    "money_json_number": 'Send {label} as text in pounds and pence, like "49999.99", not a JSON number',
    "money_not_positive": "{Label} must be more than £0",
    "money_negative_zero": "Enter an amount in pounds and pence, like 49,999.99 (zero is 0.00)",
    "money_too_large": "{Label} must be {limit} or less",
    # Ours: dates (pmo.core.periods) and times (pmo.core.schemas)
    "iso_date": "{Label} must be a real date",
    "iso_date_empty": "Enter the {label}",
    "iso_instant": "{Label} must be a date and time with its time zone, like 2026-04-01T09:30:00Z",
    # Ours: periods (pmo.core.periods)
    "financial_year": "Enter a financial year, like 2026/27",
    "financial_quarter": "Enter a financial quarter, like 2026/27 Q2",
    # Ours: a cross-field rule that names its field (FieldValueError), and dates of decisions
    "date_not_future": "{Label} must be today or in the past",
}

# Codes people type, by field name: a wrong shape says what the right one looks like.
_PERIOD_CODE = "Enter a period code, like 2026-27-Q2 (a quarter), 2026-27 (a year) or 2026-04 (a month)"
FIELD_FORMATS: dict[str, str] = {
    "period_code": _PERIOD_CODE,
    "baseline_period": _PERIOD_CODE,
    "period_from": _PERIOD_CODE,
    "period_to": _PERIOD_CODE,
    "period": "Enter a month, like 2026-11",
    "cursor": "Use the cursor of the previous page's next link as it is",
    "gss_code": "Enter the council's GSS code: E0 and seven digits, like E07000034",
    "code": "Enter a code of letters and numbers, like CX-01",
}


# Lists people fill in, by field name: the verb and the item in words, one and several, so that
# too few reads "Enter at least one criterion" rather than a count of items.
LIST_ITEMS: dict[str, tuple[str, str, str]] = {
    "criteria": ("Enter", "criterion", "criteria"),
    "stages": ("Enter", "stage", "stages"),
    "deciders": ("Choose", "decider", "deciders"),
    "scopes": ("Select", "scope", "scopes"),
}
_COUNTS = {1: "one", 2: "two", 3: "three"}


class FieldValueError(ValueError):
    """A rule across fields, raised by a model validator, that is about one field: its message is
    shown next to that field (`["body", field]`) rather than against the whole request."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def plain_message(error: Mapping[str, Any]) -> str:
    """One of pydantic's errors as a sentence for people, naming the field it is about."""
    kind = str(error.get("type", ""))
    label = field_label(error.get("loc", ()))
    context = {k: (_pounds(v) if k == "limit" else v) for k, v in (error.get("ctx") or {}).items()}
    if kind in ("value_error", "assertion_error"):
        # Our validators' own sentences: pydantic puts "Value error, " in front.
        text = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return _capitalised(text)
    names = [p for p in error.get("loc", ()) if isinstance(p, str)]
    min_length = int(context.get("min_length", 1))
    shape_wrong = kind == "string_pattern_mismatch" or (kind == "string_too_short" and min_length > 1)
    if shape_wrong and names and names[-1] in FIELD_FORMATS:
        return FIELD_FORMATS[names[-1]]
    if kind == "too_short" and names and names[-1] in LIST_ITEMS:
        verb, one, several = LIST_ITEMS[names[-1]]
        return f"{verb} at least {_COUNTS.get(min_length, min_length)} {one if min_length == 1 else several}"
    if kind == "string_too_short" and min_length > 1:
        return f"{_capitalised(label)} must be {min_length} characters or more"
    template = PLAIN_MESSAGES.get(kind, "{Label} is not valid")
    try:
        return template.format(label=label, Label=_capitalised(label), **context)
    except (KeyError, IndexError, ValueError):
        return f"{_capitalised(label)} is not valid"


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
