"""The application: middleware, error handlers, routers, operations endpoints."""

from __future__ import annotations

import functools
import gc
import logging.config
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Route
from starlette.types import Scope

from pmo import __version__
from pmo.api_docs import docs_router
from pmo.audit.router import router as audit_router
from pmo.auth.dependencies import needs_token, security_requirement, security_schemes
from pmo.auth.oauth import OAuthTokenError, TokenError, metadata_router, token_error_response
from pmo.auth.router import router as auth_router
from pmo.auth.session_router import router as auth_session_router
from pmo.core.config import get_settings
from pmo.core.db import get_engine, get_session, read_only, request_session
from pmo.core.errors import FieldProblem, Problem, declare, install_error_handlers, problem_response
from pmo.core.etag import IF_MATCH_REQUIRED
from pmo.core.logging import logging_config
from pmo.core.middleware import (
    API_PREFIX,
    BodyLimitMiddleware,
    ControlCharacterMiddleware,
    HeadMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from pmo.decisions.forward_plan_router import router as forward_plan_router
from pmo.decisions.officer_decisions_router import router as officer_decisions_router
from pmo.decisions.public_router import router as public_record_router
from pmo.decisions.settings_router import router as decision_settings_router
from pmo.finance.benefits_router import router as benefits_router
from pmo.finance.costs_router import router as costs_router
from pmo.finance.drawdowns_router import router as drawdowns_router
from pmo.finance.funding_router import router as funding_router
from pmo.finance.rules_router import router as delegation_rules_router
from pmo.finance.summary_router import router as financial_summary_router
from pmo.gates.router import router as gates_router
from pmo.history.router import router as history_router
from pmo.identity.providers_router import router as identity_provider_router
from pmo.identity.sign_in_router import router as directory_sign_in_router
from pmo.invitations.invitations_router import router as invitations_router
from pmo.kpis import feed_ratelimit
from pmo.kpis.feed_revalidation import FeedRevalidationMiddleware
from pmo.kpis.feed_router import router as kpi_feed_router
from pmo.kpis.import_router import IMPORT_PATH as KPI_IMPORT_PATH
from pmo.kpis.import_router import router as kpi_import_router
from pmo.kpis.router import router as kpis_router
from pmo.meetings.router import router as meetings_router
from pmo.openapi_examples import add_examples
from pmo.organisations.router import router as organisations_router
from pmo.portfolio.confidence_router import router as confidence_router
from pmo.portfolio.governance_bodies_router import router as governance_bodies_router
from pmo.portfolio.milestones_router import router as milestones_router
from pmo.portfolio.overview_router import router as portfolio_overview_router
from pmo.portfolio.portfolios_router import router as portfolios_router
from pmo.portfolio.programmes_router import router as programmes_router
from pmo.portfolio.projects_router import router as projects_router
from pmo.problem_pages import problems_router
from pmo.raid.csv_router import IMPORT_PATHS as RAID_IMPORT_PATHS
from pmo.raid.csv_router import router as raid_csv_router
from pmo.raid.items_router import router as raid_items_router
from pmo.raid.register_router import router as raid_register_router
from pmo.raid.risks_router import router as risks_router
from pmo.reports.highlights_router import router as highlight_reports_router
from pmo.reports.router import router as report_packs_router
from pmo.roadmap.router import router as roadmap_router
from pmo.search.router import router as search_router
from pmo.web import web_router
from pmo.webhooks.openapi import webhooks_router
from pmo.webhooks.subscriptions_router import router as webhook_subscriptions_router
from pmo.work.notifications_router import router as notifications_router
from pmo.work.work_router import router as work_router

DESCRIPTION = """\
Change portfolio management for English councils: programmes and projects, RAID logs,
KPIs, stage-gate approvals, delegated spend limits and benefits.

* Sign in at `POST /api/v1/auth/token` (OAuth2 password grant for people, client
  credentials for other council systems) and send `Authorization: Bearer <token>`.
* Every error is `application/problem+json` (RFC 9457).
* Reads return an `ETag`; send it back as `If-None-Match` (304) or, to change the record,
  as `If-Match` on `PATCH` (required: 428 without it, 412 when stale).
* Creating `POST`s accept an `Idempotency-Key` header: a retry returns the first response.
* Money is a decimal string in pounds (`"50000.00"`), dates are ISO 8601, ids are UUIDs.
* Timestamps are ISO 8601 in UTC ending in `Z` (`2026-04-01T09:30:00Z`), in JSON, CSV and XLSX.
* One notation per kind of period, in every format and query string, each declared as the
  `pattern` of its parameters and fields: financial years `2025/26`, quarters `2025/26 Q2`,
  KPI periods `2025-26`, `2025-26-Q2` or `2025-04`, months `2026-11`
  ([README: Periods and their notations](README.md#periods-and-their-notations)).
* `HEAD` works on every `GET`: the same status and headers, no body.
"""


def operation_id(route: APIRoute) -> str:
    """Stable operation ids, `<tag>-<function name>`: clients are generated from them."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


# Every domain's router, mounted under /api/v1 (the tests walk these to check permissions).
DOMAIN_ROUTERS = (
    auth_router,
    auth_session_router,
    directory_sign_in_router,
    organisations_router,
    invitations_router,
    identity_provider_router,
    audit_router,
    portfolios_router,
    governance_bodies_router,
    programmes_router,
    portfolio_overview_router,
    projects_router,
    confidence_router,
    milestones_router,
    gates_router,
    risks_router,
    raid_csv_router,
    raid_items_router,
    costs_router,
    benefits_router,
    financial_summary_router,
    funding_router,
    delegation_rules_router,
    drawdowns_router,
    decision_settings_router,
    officer_decisions_router,
    forward_plan_router,
    public_record_router,
    kpi_feed_router,
    kpi_import_router,
    kpis_router,
    highlight_reports_router,
    meetings_router,
    report_packs_router,
    webhook_subscriptions_router,
    search_router,
    history_router,
    roadmap_router,
    raid_register_router,
    work_router,
    notifications_router,
)


HEALTHY = b'{"status":"ok"}'
READY = b'{"status":"ready","database":"reachable"}'


class _OperationsRoute(Route):
    """A Starlette route that names itself in the scope, as FastAPI's routes do: the request
    log and the metrics label requests by their route."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match != Match.NONE:
            child_scope["route"] = self
        return match, child_scope


def _operations_routes() -> list[Route]:
    """The probes and metrics: plain Starlette routes, outside the API and its document. They
    take no token, body or parameter, so FastAPI's dependency solving and response handling
    (a third of a `/healthz`) have nothing to do for them."""

    # `async` and a ready answer: the liveness probe costs no thread and no serialisation.
    async def healthz(_request: Request) -> Response:
        return Response(HEALTHY, media_type="application/json")

    def readyz(request: Request) -> Response:
        try:
            with read_only(get_engine()).connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure means not ready
            logging.getLogger("pmo").exception("database not reachable")
            return problem_response(request, 503, detail="The database is not reachable.")
        return Response(READY, media_type="application/json")

    def metrics(_request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [
        _OperationsRoute("/healthz", healthz, methods=["GET"]),
        _OperationsRoute("/readyz", readyz, methods=["GET"]),
        _OperationsRoute("/metrics", metrics, methods=["GET"]),
    ]


@functools.cache  # not `gc.get_freeze_count()`, which walks the whole frozen heap each call
def _freeze_the_heap() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Once a process, before its first request: what is loaded by then (the models, schemas
    and routes: most of the heap) lives as long as the process, so it is frozen out of the
    cyclic collector. Else each full collection, which a dashboard's thousands of objects set
    off, walked all of it: 100 to 300 ms pauses, the p95s of the pages at scale. A young
    generation of 20,000 objects (not 700) spares a 2,000-row answer hundreds of collections
    of objects that are all still in use (the portfolio overview at scale: p95 289 to 80 ms)."""
    _freeze_the_heap()
    yield
    # A share of the KPI feed's limit being taken ahead is written before the engine goes.
    await run_in_threadpool(feed_ratelimit.wait_for_shares_taken_ahead)


def create_app(frontend_dist: Path | None = None, engine: Engine | None = None) -> FastAPI:
    """The application; `frontend_dist` is the built web app (default: the `frontend_dist` setting);
    `engine` the database's (default: `get_engine()`; a test's second worker has its own)."""
    settings = get_settings()
    logging.config.dictConfig(logging_config(settings.log_level))
    app = FastAPI(
        title="PMO: council change portfolio API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # Served by pmo.api_docs from the product's own files, under a Content-Security-Policy.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        generate_unique_id_function=operation_id,
        # FastAPI's own OpenTelemetry layer asked on every request whether a provider was set
        # (a tenth of a `/healthz`); the product's metrics are Prometheus's (`/metrics`).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        lifespan=_lifespan,
    )
    install_error_handlers(app)
    app.webhooks.include_router(webhooks_router())
    app.add_exception_handler(TokenError, token_error_response)
    # Routing tries routes in order, at a cost per route (FastAPI 0.163 walks each included
    # router twice: to match, then to handle): the health probes, polled most, come first, and
    # each domain router is included once, under the prefix, rather than nested in another.
    app.router.routes.extend(_operations_routes())
    for domain_router in DOMAIN_ROUTERS:
        app.include_router(domain_router, prefix=API_PREFIX)
    app.include_router(metadata_router)
    app.include_router(docs_router(app.title))
    app.include_router(problems_router())
    # Last: its catch-all path serves the web app's pages.
    app.include_router(web_router(frontend_dist or settings.frontend_dist))
    if engine is not None:

        async def session_of_this_engine(request: Request) -> AsyncIterator[Session]:
            async for session in request_session(engine, request):
                yield session

        app.dependency_overrides[get_session] = session_of_this_engine
    # Innermost: a KPI poll this process can answer 304 from memory is answered before routing
    # (after authentication, counted against the client's limit; `pmo.kpis.feed_revalidation`).
    app.add_middleware(
        FeedRevalidationMiddleware, engine=(lambda: engine) if engine is not None else get_engine
    )
    # Routing, the read-only transaction and the handler see a GET; the request log (outside
    # it) records the HEAD.
    app.add_middleware(HeadMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # File uploads may be larger than JSON bodies.
        path_limits={
            API_PREFIX + KPI_IMPORT_PATH: settings.max_import_bytes,
            **{API_PREFIX + path: settings.max_import_bytes for path in RAID_IMPORT_PATHS},
        },
    )
    app.add_middleware(ControlCharacterMiddleware)
    app.add_middleware(RequestContextMiddleware)
    # Outside Starlette's own error middleware too, so that a 500 carries the headers as well.
    build_stack = app.build_middleware_stack
    hsts = settings.environment == "production"
    app.build_middleware_stack = lambda: SecurityHeadersMiddleware(build_stack(), hsts=hsts)  # type: ignore[method-assign]
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def _set_security(operation: dict[str, Any], security: list[dict[str, list[str]]]) -> None:
    """An operation's `security`, after its `operationId` (where FastAPI writes it)."""
    entries = [(key, value) for key, value in operation.items() if key != "security"]
    at = next(i + 1 for i, (key, _) in enumerate(entries) if key == "operationId")
    entries.insert(at, ("security", security))
    operation.clear()
    operation.update(entries)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        webhooks=app.webhooks.routes,
        tags=[
            {"name": "auth", "description": "Tokens for people and other council systems."},
            {"name": "me", "description": "The signed-in person or client."},
            {"name": "organisation", "description": "Your council and its settings."},
            {
                "name": "identity-provider",
                "description": "The council's OpenID Connect provider (Entra ID or another) for sign-in.",
            },
            {
                "name": "directory-sign-in",
                "description": "Signing in with the council account: the browser's round trip to the "
                "identity provider, back-channel logout and sign-out.",
            },
            {"name": "directorates", "description": "The council's directorates."},
            {"name": "users", "description": "People of your organisation."},
            {
                "name": "invitations",
                "description": "Inviting people: a one-time link to set a first password.",
            },
            {"name": "role-assignments", "description": "Who holds which role, and where."},
            {"name": "api-clients", "description": "Credentials for other council systems."},
            {"name": "audit", "description": "The append-only audit trail."},
            {"name": "portfolios", "description": "The organisation's change portfolios."},
            {"name": "programmes", "description": "Programmes of a portfolio, and their dashboards."},
            {"name": "projects", "description": "Projects (P-0042), their delivery confidence."},
            {"name": "milestones", "description": "Projects' milestones, by date or financial quarter."},
            {"name": "governance-bodies", "description": "Boards that oversee programmes and decide gates."},
            {"name": "meetings", "description": "Meetings of governance bodies: date, title, location."},
            {
                "name": "report-packs",
                "description": "Committee report packs for a meeting: DOCX to edit, tagged PDF to publish.",
            },
            {"name": "lifecycles", "description": "Stages and the gates between them; immutable once made."},
            {"name": "gate-reviews", "description": "Requests to pass a gate, with evidence, and decisions."},
            {"name": "risks", "description": "The risk log (R-0012): scores, actions, escalation, heat map."},
            {"name": "issues", "description": "The issue log (I-0003): priority, severity, resolution."},
            {"name": "assumptions", "description": "Assumptions (A-0007); one found invalid raises a risk."},
            {"name": "dependencies", "description": "Dependencies (D-0021) between projects, on both sides."},
            {"name": "raid-csv", "description": "RAID logs as CSV: export, and import with a dry run."},
            {
                "name": "raid-register",
                "description": "Every RAID item in one filtered list, as JSON, CSV or XLSX.",
            },
            {"name": "search", "description": "One search box across the registers: by reference or words."},
            {"name": "history", "description": "A record's changes, field by field, from the audit trail."},
            {"name": "cost-lines", "description": "One-off investment and resourcing lines, with totals."},
            {"name": "benefits", "description": "The benefits register (B-0001), by financial year."},
            {
                "name": "financial-summary",
                "description": "Appendix B of a programme or portfolio: JSON, CSV or XLSX.",
            },
            {"name": "funding-sources", "description": "Reserves and budgets: opening, committed, left."},
            {"name": "delegation-rules", "description": "Who approves draw-downs, to what limit; versioned."},
            {
                "name": "drawdowns",
                "description": "Draw-down requests (DD-0001): routing, consultation, delegated and "
                "Cabinet or Council decisions.",
            },
            {
                "name": "decision-settings",
                "description": "Key-decision thresholds, and whether the public record is published.",
            },
            {
                "name": "officer-decisions",
                "description": "The record of officer decisions (OD-0001): each delegated draw-down "
                "decision with its reasons, alternatives, conflicts of interest and dispensations.",
            },
            {
                "name": "forward-plan",
                "description": "The key decisions forward plan (FP-0001): clear days' notice, the general "
                "exception and special urgency; CSV, DOCX and PDF.",
            },
            {
                "name": "public-record",
                "description": "Read without signing in, where the organisation publishes them: the record "
                "of officer decisions and the forward plan. Rate limited per address.",
            },
            {
                "name": "kpis",
                "description": "KPI definitions, targets per period, values (draft, submitted, verified, "
                "published) with RAG and direction worked out, and scorecards.",
            },
            {
                "name": "kpi-feed",
                "description": "Definitions and published KPI values for other council systems: "
                "JSON or CSV, cursor pages, incremental sync, ETag/304, rate limited per client.",
            },
            {
                "name": "highlight-reports",
                "description": "Monthly highlight reports of projects: pre-filled drafts, the sponsor's "
                "review, the late list and the programme board's pack.",
            },
            {
                "name": "kpi-imports",
                "description": "Bulk import of KPI definitions, targets and values from CSV or XLSX, "
                "with a dry run and all-or-nothing commit.",
            },
            {
                "name": "webhooks",
                "description": "Signed webhooks (Standard Webhooks) for other council systems: "
                "subscriptions, secret rotation, the delivery log, replay and ping; the messages "
                "sent are in the document's `webhooks` section.",
            },
        ],
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    schemas.setdefault("FieldProblem", FieldProblem.model_json_schema())
    schemas["OAuthTokenError"] = OAuthTokenError.model_json_schema()
    # Each operation that reads a token names the scopes an API client needs for it.
    document["components"]["securitySchemes"] = security_schemes()
    for domain_router in DOMAIN_ROUTERS:
        for route in domain_router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema and needs_token(route.dependant):
                for method in route.methods or ():
                    operation = document["paths"].get(API_PREFIX + route.path_format, {}).get(method.lower())
                    if operation:
                        _set_security(operation, security_requirement(route.dependant))
    # A body that cannot be decoded (not UTF-8, say) is refused with 400 before the route runs.
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if "requestBody" in operation:
                operation["responses"].setdefault("400", declare(400)[400])
    _declare_headers(document)
    _name_schemas_by_title(document)
    add_examples(document)
    app.openapi_schema = document
    return document


def _name_schemas_by_title(document: dict[str, Any]) -> None:
    """Key each schema by its title where they differ (`Page_UserPublic_` -> `UserPage`).

    Pydantic keys a generic model's schema by its type arguments; its title is the
    `model_parametrized_name` we chose. Generated clients name classes after the key, so a
    key that leaks the code's generics or operation ids would name their classes."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    for key, schema in schemas.items():
        if key.startswith("Body_"):
            # FastAPI names a form body after its operation id, `<tag>-<function>`
            # (`Body_auth-issue_token`); tags may hold hyphens, functions do not.
            function = key.removeprefix("Body_").rsplit("-", 1)[-1]
            schema["title"] = "".join(part.capitalize() for part in function.split("_")) + "Form"
    renames = {
        key: schema["title"]
        for key, schema in schemas.items()
        if schema.get("title", key) != key
        and schema["title"] not in schemas
        and schema["title"].isidentifier()
    }
    if not renames:
        return
    document["components"]["schemas"] = {renames.get(key, key): schema for key, schema in schemas.items()}
    refs = {f"#/components/schemas/{old}": f"#/components/schemas/{new}" for old, new in renames.items()}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: refs.get(v, v) if k == "$ref" else rewrite(v) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    document["paths"] = rewrite(document["paths"])
    document["components"] = rewrite(document["components"])


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


RESPONSE_HEADERS = {
    "ETag": _header("The tag of this representation: send it as `If-None-Match` (304) or `If-Match`."),
    "Link": _header('RFC 8288 links to other pages, absolute: `<https://...>; rel="next"`.'),
    "Location": _header(
        "The created record's absolute URL, on the service's public base URL (`PMO_PUBLIC_URL`)."
    ),
    "Retry-After": _header("Seconds to wait before trying again."),
    "RateLimit-Policy": _header(
        "The limit this request counts against (IETF draft-ietf-httpapi-ratelimit-headers, structured "
        'field): `"kpi-feed";q=600;w=60` is 600 requests in a window of 60 seconds.'
    ),
    "RateLimit": _header(
        'What is left of that limit: `"kpi-feed";r=599;t=42` is 599 requests left, for 42 more seconds.'
    ),
}
# Operations whose every admitted answer counts against a limit and says so; elsewhere only
# the 429 of a limit reached (sign-in failures, password changes) carries the fields.
RATE_LIMITED_PATHS = (f"{API_PREFIX}/kpi-feed/", f"{API_PREFIX}/public/")


def _declare_headers(document: dict[str, Any]) -> None:
    """Declare the headers each response carries; the rules are those the code follows:
    a read that takes `If-None-Match` answers `ETag`; a list answers `Link`; a creating
    `POST` (it takes `Idempotency-Key`) answers `Location`; 429 and 503 carry `Retry-After`;
    rate-limited answers carry `RateLimit` and `RateLimit-Policy`.
    `If-Match` is required where it is always needed (`pmo.core.etag.IfMatch`): else 428."""
    for path, path_item in document.get("paths", {}).items():
        for operation in path_item.values():
            parameters = operation.get("parameters", [])
            names = {p["name"] for p in parameters if p.get("in") == "header"}
            for parameter in parameters:
                if parameter.get("in") == "header" and parameter.get("description") == IF_MATCH_REQUIRED:
                    parameter["required"] = True
            for status, response in operation.get("responses", {}).items():
                headers: dict[str, Any] = {}
                content = response.get("content", {})
                schema_ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                if status in ("200", "304") and "If-None-Match" in names:
                    headers["ETag"] = RESPONSE_HEADERS["ETag"]
                if status == "200" and (
                    schema_ref.endswith("Page") or path.startswith(f"{API_PREFIX}/kpi-feed/")
                ):
                    headers["Link"] = RESPONSE_HEADERS["Link"]
                if status == "201" and "Idempotency-Key" in names:
                    headers["Location"] = RESPONSE_HEADERS["Location"]
                if status in ("429", "503"):
                    headers["Retry-After"] = RESPONSE_HEADERS["Retry-After"]
                counted = status.startswith("2") or status == "304"
                if status == "429" or (counted and path.startswith(RATE_LIMITED_PATHS)):
                    headers["RateLimit-Policy"] = RESPONSE_HEADERS["RateLimit-Policy"]
                    headers["RateLimit"] = RESPONSE_HEADERS["RateLimit"]
                if headers:
                    response["headers"] = {**headers, **response.get("headers", {})}
