"""Routes of highlight reports: `/api/v1/highlight-reports` and the programme board's pack
at `/api/v1/programmes/{id}/highlight-pack`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.documents import DOCX, PDF, DocumentKind, document_response, download_responses, to_docx, to_pdf
from pmo.reports import highlights_service as service
from pmo.reports.highlights_document import pack_document
from pmo.reports.highlights_schemas import (
    HighlightPack,
    HighlightReportAction,
    HighlightReportCreate,
    HighlightReportPublic,
    HighlightReportUpdate,
    HighlightReview,
    LateHighlightReports,
    MonthCode,
    ReportStatus,
)

router = ApiRouter(tags=["highlight-reports"])

P = Permission
Read = Annotated[Actor, require(P.highlight_reports_read)]
Write = Annotated[Actor, require(P.highlight_reports_write)]
# The routes acting on a report take their permission from its action table.
Edit = Annotated[Actor, require(service.ACTIONS.permission(HighlightReportAction.edit))]
Submit = Annotated[Actor, require(service.ACTIONS.permission(HighlightReportAction.submit))]
Review = Annotated[Actor, require(service.ACTIONS.permission(HighlightReportAction.review))]
Oversee = Annotated[Actor, require(P.highlight_reports_oversee)]
ReportSort = Annotated[str, sort_query(*service.REPORT_SORTS)]
PeriodQ = Annotated[MonthCode, Query(description="The month, `YYYY-MM`: `2026-11` is November 2026.")]


def report_filters(
    project_id: Annotated[uuid.UUID | None, Query(description="Reports of this project.")] = None,
    programme_id: Annotated[
        uuid.UUID | None, Query(description="Reports of this programme's projects.")
    ] = None,
    period: Annotated[MonthCode | None, Query(description="Reports of this month, `2026-11`.")] = None,
    status: Annotated[ReportStatus | None, Query(description="Reports in this state.")] = None,
) -> service.ReportFilters:
    return service.ReportFilters(
        project_id=project_id,
        programme_id=programme_id,
        period=period,
        status=status.value if status else None,
    )


Filters = Annotated[service.ReportFilters, Depends(report_filters)]


def _url(report_id: uuid.UUID) -> str:
    return f"/api/v1/highlight-reports/{report_id}"


@router.get(
    "/highlight-reports",
    response_model=Page[HighlightReportPublic],
    responses=declare(),
    summary="List highlight reports",
)
def list_highlight_reports(
    session: SessionDep, actor: Read, page: PageDep, filters: Filters, sort: ReportSort = "-period"
) -> Page[Any]:
    """Monthly highlight reports, filtered. You see submitted and accepted reports; drafts and
    returned reports only if you manage or sponsor the project, or are the PMO or an admin."""
    return service.list_reports(session, actor, page, filters, sort=sort)


@router.get(
    "/highlight-reports/late",
    response_model=LateHighlightReports,
    responses=declare(304),
    summary="List late highlight reports",
)
def late_highlight_reports(
    session: SessionDep,
    actor: Oversee,
    period: Annotated[
        MonthCode | None,
        Query(description="The month; by default the latest month whose reports are already due."),
    ] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Active projects whose report for the month was not submitted by the organisation's
    due day of the next month (`highlight_report_due_day`, default 5): none started, a draft,
    or returned and not yet resubmitted. For the PMO and admins."""
    return json_with_etag(service.late_reports(session, actor, period), if_none_match)


@router.post(
    "/highlight-reports",
    status_code=201,
    response_model=HighlightReportPublic,
    responses=declare(404, 409),
    summary="Start a highlight report",
)
def create_highlight_report(
    request: Request,
    body: HighlightReportCreate,
    session: SessionDep,
    actor: Write,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Start the project's report for a month (the project manager): a draft pre-filled from
    the project's milestones (completed, due and overdue), its open red and escalated risks,
    open high, critical and escalated issues, and its KPIs' latest published values. One
    report per project per month (409); a month not yet begun is 422."""

    def create() -> tuple[HighlightReportPublic, str]:
        report = service.create_report(session, actor, body)
        return service.report_public(session, actor, report), _url(report.id)

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/highlight-reports/{report_id:uuid}",
    response_model=HighlightReportPublic,
    responses=declare(304, 404),
    summary="Get a highlight report",
)
def get_highlight_report(
    report_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One report with its escalated risks and issues and the facts it was pre-filled from.
    A draft you may not read is 404."""
    report, _ = service.get_report(session, actor, report_id)
    return json_with_etag(service.report_public(session, actor, report), if_none_match)


@router.patch(
    "/highlight-reports/{report_id:uuid}",
    response_model=HighlightReportPublic,
    responses=declare(404, 409, 412, 428),
    summary="Edit a highlight report",
)
def update_highlight_report(
    report_id: uuid.UUID,
    body: HighlightReportUpdate,
    session: SessionDep,
    actor: Edit,
    if_match: IfMatch = None,
) -> Response:
    """Change a draft or returned report (its project manager). `escalations` replaces the
    list: each a risk or issue of the report's project, once."""
    report, project = service.get_report(session, actor, report_id)
    check_if_match(if_match, service.report_public(session, actor, report))
    service.update_report(session, actor, report, project, body)
    return json_with_etag(service.report_public(session, actor, report), None)


@router.post(
    "/highlight-reports/{report_id:uuid}/submit",
    response_model=HighlightReportPublic,
    responses=declare(404, 409, 412, 428),
    summary="Submit a highlight report",
)
def submit_highlight_report(
    report_id: uuid.UUID, session: SessionDep, actor: Submit, if_match: IfMatch = None
) -> Response:
    """Submit the report as last read (`If-Match`) for the sponsor's review. It needs a
    summary and a RAG with a sentence for time, cost, scope and benefits (422 names what is
    missing)."""
    report, project = service.get_report(session, actor, report_id)
    check_if_match(if_match, service.report_public(session, actor, report))
    service.submit_report(session, actor, report, project)
    return json_with_etag(service.report_public(session, actor, report), None)


@router.post(
    "/highlight-reports/{report_id:uuid}/review",
    response_model=HighlightReportPublic,
    responses=declare(404, 409, 412, 428),
    summary="Review a highlight report",
)
def review_highlight_report(
    report_id: uuid.UUID,
    body: HighlightReview,
    session: SessionDep,
    actor: Review,
    if_match: IfMatch = None,
) -> Response:
    """The sponsor accepts the submitted report as last read (`If-Match`), or returns it
    to the project manager with comments (required)."""
    report, project = service.get_report(session, actor, report_id)
    check_if_match(if_match, service.report_public(session, actor, report))
    service.review_report(session, actor, report, project, body)
    return json_with_etag(service.report_public(session, actor, report), None)


@router.get(
    "/programmes/{programme_id:uuid}/highlight-pack",
    response_model=HighlightPack,
    responses=declare(304, 404),
    summary="Get a programme board's highlight pack",
)
def highlight_pack(
    programme_id: uuid.UUID,
    period: PeriodQ,
    session: SessionDep,
    actor: Read,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The month's submitted and accepted reports of the programme's projects, and the
    active projects with none, as the programme board reads them."""
    return json_with_etag(service.pack(session, actor, programme_id, period), if_none_match)


def _pack_download(
    session: SessionDep, actor: Actor, programme_id: uuid.UUID, period: str, kind: DocumentKind
) -> Response:
    pack = service.pack(session, actor, programme_id, period)
    document = pack_document(pack)
    content = to_docx(document) if kind is DOCX else to_pdf(document)
    return document_response(content, kind, f"{pack.programme_name} highlight reports {pack.period}")


@router.get(
    "/programmes/{programme_id:uuid}/highlight-pack.docx",
    response_class=Response,
    responses=download_responses(DOCX, 404),
    summary="Download a programme board's highlight pack (Word)",
)
def highlight_pack_docx(
    programme_id: uuid.UUID, period: PeriodQ, session: SessionDep, actor: Read
) -> Response:
    """The pack as a Word document to edit for the board's agenda: a RAG table of every
    project, then each report (summary, RAG with comments, achievements, next period,
    escalated risks and issues, decisions needed). The same figures as the JSON pack."""
    return _pack_download(session, actor, programme_id, period, DOCX)


@router.get(
    "/programmes/{programme_id:uuid}/highlight-pack.pdf",
    response_class=Response,
    responses=download_responses(PDF, 404),
    summary="Download a programme board's highlight pack (PDF)",
)
def highlight_pack_pdf(
    programme_id: uuid.UUID, period: PeriodQ, session: SessionDep, actor: Read
) -> Response:
    """The pack as an accessible tagged PDF (PDF/UA-1, English) to publish: the same content
    as the Word document."""
    return _pack_download(session, actor, programme_id, period, PDF)
