"""The application: middleware, error handlers, routers, operations endpoints."""

from __future__ import annotations

import logging.config
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from pmo import __version__
from pmo.api_docs import docs_router
from pmo.audit.router import router as audit_router
from pmo.auth.dependencies import PUBLIC
from pmo.auth.router import router as auth_router
from pmo.auth.session_router import router as auth_session_router
from pmo.core.config import get_settings
from pmo.core.db import get_engine, read_only
from pmo.core.errors import FieldProblem, Problem, declare, install_error_handlers, problem_response
from pmo.core.logging import logging_config
from pmo.core.middleware import (
    API_PREFIX,
    BodyLimitMiddleware,
    ControlCharacterMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from pmo.finance.benefits_router import router as benefits_router
from pmo.finance.costs_router import router as costs_router
from pmo.finance.drawdowns_router import router as drawdowns_router
from pmo.finance.funding_router import router as funding_router
from pmo.finance.rules_router import router as delegation_rules_router
from pmo.finance.summary_router import router as financial_summary_router
from pmo.gates.router import router as gates_router
from pmo.kpis.feed_router import router as kpi_feed_router
from pmo.kpis.import_router import IMPORT_PATH as KPI_IMPORT_PATH
from pmo.kpis.import_router import router as kpi_import_router
from pmo.kpis.router import router as kpis_router
from pmo.organisations.router import router as organisations_router
from pmo.portfolio.router import router as portfolio_router
from pmo.raid.csv_router import router as raid_csv_router
from pmo.raid.items_router import router as raid_items_router
from pmo.raid.risks_router import router as risks_router
from pmo.reports.highlights_router import router as highlight_reports_router
from pmo.web import web_router
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
"""


def operation_id(route: APIRoute) -> str:
    """Stable operation ids, `<tag>-<function name>`: clients are generated from them."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


# Every domain's router, mounted under /api/v1 (the tests walk these to check permissions).
DOMAIN_ROUTERS = (
    auth_router,
    auth_session_router,
    organisations_router,
    audit_router,
    portfolio_router,
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
    kpi_feed_router,
    kpi_import_router,
    kpis_router,
    highlight_reports_router,
    work_router,
    notifications_router,
)


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for domain_router in DOMAIN_ROUTERS:
        router.include_router(domain_router)
    return router


def _operations_router() -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(request: Request) -> Any:
        try:
            with read_only(get_engine()).connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure means not ready
            logging.getLogger("pmo").exception("database not reachable")
            return problem_response(request, 503, detail="The database is not reachable.")
        return {"status": "ready", "database": "reachable"}

    @router.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_app(frontend_dist: Path | None = None) -> FastAPI:
    """The application; `frontend_dist` is the built web app (default: the `frontend_dist` setting)."""
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
    )
    install_error_handlers(app)
    app.include_router(api_router())
    app.include_router(_operations_router())
    app.include_router(docs_router(app.title))
    # Last: its catch-all path serves the web app's pages.
    app.include_router(web_router(frontend_dist or settings.frontend_dist))
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # File uploads may be larger than JSON bodies.
        path_limits={API_PREFIX + KPI_IMPORT_PATH: settings.max_import_bytes},
    )
    app.add_middleware(ControlCharacterMiddleware)
    app.add_middleware(RequestContextMiddleware)
    # Outside Starlette's own error middleware too, so that a 500 carries the headers as well.
    build_stack = app.build_middleware_stack
    hsts = settings.environment == "production"
    app.build_middleware_stack = lambda: SecurityHeadersMiddleware(build_stack(), hsts=hsts)  # type: ignore[method-assign]
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=[
            {"name": "auth", "description": "Tokens for people and other council systems."},
            {"name": "me", "description": "The signed-in person or client."},
            {"name": "organisation", "description": "Your council and its settings."},
            {"name": "directorates", "description": "The council's directorates."},
            {"name": "users", "description": "People of your organisation."},
            {"name": "role-assignments", "description": "Who holds which role, and where."},
            {"name": "api-clients", "description": "Credentials for other council systems."},
            {"name": "audit", "description": "The append-only audit trail."},
            {"name": "portfolios", "description": "The organisation's change portfolios."},
            {"name": "programmes", "description": "Programmes of a portfolio, and their dashboards."},
            {"name": "projects", "description": "Projects (P-0042), their delivery confidence."},
            {"name": "milestones", "description": "Projects' milestones, by date or financial quarter."},
            {"name": "governance-bodies", "description": "Boards that oversee programmes and decide gates."},
            {"name": "lifecycles", "description": "Stages and the gates between them; immutable once made."},
            {"name": "gate-reviews", "description": "Requests to pass a gate, with evidence, and decisions."},
            {"name": "risks", "description": "The risk log (R-0012): scores, actions, escalation, heat map."},
            {"name": "issues", "description": "The issue log (I-0003): priority, severity, resolution."},
            {"name": "assumptions", "description": "Assumptions (A-0007); one found invalid raises a risk."},
            {"name": "dependencies", "description": "Dependencies (D-0021) between projects, on both sides."},
            {"name": "raid-csv", "description": "RAID logs as CSV: export, and import with a dry run."},
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
        ],
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    schemas.setdefault("FieldProblem", FieldProblem.model_json_schema())
    # A body that cannot be decoded (not UTF-8, say) is refused with 400 before the route runs.
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if "requestBody" in operation:
                operation["responses"].setdefault("400", declare(400)[400])
    app.openapi_schema = document
    return document
