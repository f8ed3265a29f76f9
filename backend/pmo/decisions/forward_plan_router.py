"""`/forward-plan`: the key decisions forward plan, kept by democratic services."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.decisions import documents
from pmo.decisions import forward_plan_export as export
from pmo.decisions import forward_plan_service as service
from pmo.decisions.forward_plan_schemas import (
    DateQuery,
    ForwardPlanEntryCreate,
    ForwardPlanEntryPublic,
    ForwardPlanExceptionCreate,
    ForwardPlanPage,
)
from pmo.documents import DOCX, PDF, document_response, download_responses, to_docx, to_pdf
from pmo.organisations.models import Organisation

router = ApiRouter(tags=["forward-plan"])

Read = Annotated[Actor, require(Permission.finance_read)]
Keeper = Annotated[Actor, require(Permission.committee_decisions_record)]
Sort = Annotated[str, sort_query("meeting_date", "reference")]


def file_response(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def file_responses(media_type: str, binary: bool) -> dict[int | str, dict[str, Any]]:
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {200: {"description": "The forward plan as a file.", "content": {media_type: {"schema": schema}}}}


@router.get(
    "/forward-plan",
    summary="List the forward plan",
    response_model=ForwardPlanPage,
    responses=declare(),
)
def list_forward_plan(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    meeting_from: DateQuery = None,
    key_only: bool = False,
    sort: Sort = "meeting_date",
) -> ForwardPlanPage:
    """Decisions Cabinet is to take, with the meeting, the day the notice was published and
    the clear days between (neither day counted). `notice_warning` marks a key decision with
    less than 28 clear days' notice; `may_be_taken` says whether it may be taken as it stands."""
    return service.list_entries(session, actor, page, sort, meeting_from, key_only)


@router.post(
    "/forward-plan",
    summary="Put a Cabinet referral on the forward plan",
    status_code=201,
    response_model=ForwardPlanEntryPublic,
    responses=declare(404, 409),
)
def create_forward_plan_entry(
    request: Request,
    body: ForwardPlanEntryCreate,
    session: SessionDep,
    actor: Keeper,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Democratic services list a draw-down referred to Cabinet, with the meeting date and
    the day the notice was published. Whether it is a key decision is worked out from the
    organisation's thresholds (spending, saving, wards) and shown with the reason."""

    def create() -> tuple[ForwardPlanEntryPublic, str]:
        entry = service.create_entry(session, actor, body)
        return service.entry_public(session, actor, entry), f"/api/v1/forward-plan/{entry.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/forward-plan/export.csv",
    summary="The forward plan as CSV",
    response_class=Response,
    responses={**file_responses(export.CSV_MEDIA_TYPE, binary=False), **declare()},
)
def export_forward_plan_csv(session: SessionDep, actor: Read, meeting_from: DateQuery = None) -> Response:
    """Every entry (from `meeting_from`, if given) in meeting order: reference, decision,
    decision maker, meeting, publication, clear days, key decision, wards, exception."""
    entries = service.all_entries(session, actor.organisation_id, meeting_from)
    return file_response(export.to_csv(entries), export.CSV_MEDIA_TYPE, "forward-plan.csv")


@router.get(
    "/forward-plan/export.docx",
    summary="The forward plan as a Word document",
    response_class=Response,
    responses=download_responses(DOCX),
)
def export_forward_plan_docx(session: SessionDep, actor: Read, meeting_from: DateQuery = None) -> Response:
    """The same entries and columns as the CSV, as a DOCX democratic services edit in Word."""
    entries = service.all_entries(session, actor.organisation_id, meeting_from)
    organisation = session.get_one(Organisation, actor.organisation_id).name
    return document_response(to_docx(documents.forward_plan(organisation, entries)), DOCX, "forward plan")


@router.get(
    "/forward-plan/export.pdf",
    summary="The forward plan as PDF",
    response_class=Response,
    responses=download_responses(PDF),
)
def export_forward_plan_pdf(session: SessionDep, actor: Read, meeting_from: DateQuery = None) -> Response:
    """The same entries and columns as the CSV, as an accessible (tagged) PDF to publish."""
    entries = service.all_entries(session, actor.organisation_id, meeting_from)
    organisation = session.get_one(Organisation, actor.organisation_id).name
    return document_response(to_pdf(documents.forward_plan(organisation, entries)), PDF, "forward plan")


@router.get(
    "/forward-plan/{entry_id:uuid}",
    summary="One entry of the forward plan",
    response_model=ForwardPlanEntryPublic,
    responses=declare(304, 404),
)
def get_forward_plan_entry(
    entry_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The entry, its clear days' notice, and whether the decision may be taken."""
    entry = service.get_entry(session, actor, entry_id)
    return json_with_etag(service.entry_public(session, actor, entry), if_none_match)


@router.post(
    "/forward-plan/{entry_id:uuid}/exception",
    summary="Record the general exception or special urgency",
    response_model=ForwardPlanEntryPublic,
    responses=declare(404, 409),
)
def record_forward_plan_exception(
    entry_id: uuid.UUID, body: ForwardPlanExceptionCreate, session: SessionDep, actor: Keeper
) -> ForwardPlanEntryPublic:
    """For a key decision listed with less than 28 clear days' notice: the general exception
    (regulation 10: the scrutiny chair told in writing, and 5 clear days' public notice, which
    is checked when the decision is recorded) or special urgency (regulation 11: the scrutiny
    chair agreed the decision is urgent and cannot reasonably be deferred), with its reasons.
    Recorded again, it replaces the earlier one."""
    entry = service.record_exception(session, actor, service.get_entry(session, actor, entry_id), body)
    return service.entry_public(session, actor, entry)
