"""Routes of committee report packs: `/api/v1/programmes/{id}/report-packs`,
`/api/v1/portfolios/{id}/report-packs` and `/api/v1/report-packs/{id}` with its downloads."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.documents import DOCX, PDF, document_response, download_responses
from pmo.reports import service
from pmo.reports.schemas import ReportPackPublic, ReportPackRequest

router = ApiRouter(tags=["report-packs"])

# Whoever reads the portfolio register reads (and may ask for) its packs; the figures in a
# pack are those its requester may see.
Read = Annotated[Actor, require(Permission.portfolio_read, Permission.finance_read)]

REQUEST_DESCRIPTION = (
    "A committee report pack for the meeting: front sheet, numbered sections (purpose, "
    "recommendations, background, financial, risk, performance), the draw-downs decided since the "
    "body's previous meeting, the risk table with ratings before and after mitigation, the KPI "
    "scorecard, appendix A (milestones by quarter, baseline and forecast) and appendix B (benefits "
    "by financial year, Chesterfield's layout, with totals), as DOCX and tagged PDF. A scope of at "
    f"most {service.INLINE_PROJECTS} projects is made at once (`status` ready); a larger one is "
    "queued for the background worker: poll the pack until `status` is ready."
)


def _request(
    request: Request,
    scope: str,
    scope_id: uuid.UUID,
    body: ReportPackRequest,
    session: SessionDep,
    actor: Actor,
    idempotency_key: str | None,
) -> Response:
    def create() -> tuple[ReportPackPublic, str]:
        pack = service.request_pack(session, actor, scope, scope_id, body)
        return service.public(session, pack), f"/api/v1/report-packs/{pack.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.post(
    "/programmes/{programme_id}/report-packs",
    status_code=201,
    response_model=ReportPackPublic,
    responses=declare(404),
    summary="Ask for a programme's committee report pack",
    description=REQUEST_DESCRIPTION,
)
def request_programme_pack(
    request: Request,
    programme_id: uuid.UUID,
    body: ReportPackRequest,
    session: SessionDep,
    actor: Read,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return _request(request, "programme", programme_id, body, session, actor, idempotency_key)


@router.post(
    "/portfolios/{portfolio_id}/report-packs",
    status_code=201,
    response_model=ReportPackPublic,
    responses=declare(404),
    summary="Ask for a portfolio's committee report pack",
    description=REQUEST_DESCRIPTION,
)
def request_portfolio_pack(
    request: Request,
    portfolio_id: uuid.UUID,
    body: ReportPackRequest,
    session: SessionDep,
    actor: Read,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return _request(request, "portfolio", portfolio_id, body, session, actor, idempotency_key)


@router.get(
    "/programmes/{programme_id}/report-packs",
    response_model=Page[ReportPackPublic],
    responses=declare(404),
    summary="A programme's report packs",
)
def list_programme_packs(
    programme_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[ReportPackPublic]:
    """The packs asked for for the programme, the latest first."""
    return service.list_packs(session, actor, page, "programme", programme_id)


@router.get(
    "/portfolios/{portfolio_id}/report-packs",
    response_model=Page[ReportPackPublic],
    responses=declare(404),
    summary="A portfolio's report packs",
)
def list_portfolio_packs(
    portfolio_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[ReportPackPublic]:
    """The packs asked for for the portfolio, the latest first."""
    return service.list_packs(session, actor, page, "portfolio", portfolio_id)


@router.get(
    "/report-packs/{pack_id}",
    response_model=ReportPackPublic,
    responses=declare(304, 404),
    summary="A report pack and its status",
)
def get_pack(
    pack_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """Queued, ready (with `docx_url` and `pdf_url`) or failed (with `error`)."""
    return json_with_etag(service.public(session, service.get_pack(session, actor, pack_id)), if_none_match)


@router.get(
    "/report-packs/{pack_id}/docx",
    response_class=Response,
    responses=download_responses(DOCX, 404, 409),
    summary="Download a report pack as DOCX",
)
def download_docx(pack_id: uuid.UUID, session: SessionDep, actor: Read) -> Response:
    """The pack as a Word document for the committee officer to edit (409 until it is ready)."""
    pack = service.get_pack(session, actor, pack_id)
    return document_response(service.document(pack, "docx"), DOCX, pack.title)


@router.get(
    "/report-packs/{pack_id}/pdf",
    response_class=Response,
    responses=download_responses(PDF, 404, 409),
    summary="Download a report pack as PDF",
)
def download_pdf(pack_id: uuid.UUID, session: SessionDep, actor: Read) -> Response:
    """The pack as an accessible PDF to publish: tagged (PDF/UA-1), with its language (409 until
    it is ready)."""
    pack = service.get_pack(session, actor, pack_id)
    return document_response(service.document(pack, "pdf"), PDF, pack.title)
