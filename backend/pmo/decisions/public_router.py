"""`/public/organisations/{organisation_id}/...`: the record of officer decisions and the
forward plan, readable without signing in where the organisation publishes them.

Nothing else is reachable here: an organisation that has not turned publication on, or does
not exist, is a 404 alike. Each request counts against its address (`PMO_PUBLIC_REQUESTS_PER_MINUTE`),
like the sign-in routes' limits, so the only routes open to anyone cannot be used to load the
database without limit.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from pmo.auth.dependencies import PUBLIC
from pmo.core import ratelimit
from pmo.core.config import get_settings
from pmo.core.db import WRITES_ON_READ, SessionDep
from pmo.core.errors import NotFound, TooManyRequests, declare_public
from pmo.core.pagination import PageDep, sort_query
from pmo.core.routing import ApiRouter
from pmo.decisions import documents
from pmo.decisions import forward_plan_export as export
from pmo.decisions import forward_plan_service as forward_plan
from pmo.decisions import officer_decisions_service as officer_decisions
from pmo.decisions.forward_plan_router import file_response, file_responses
from pmo.decisions.forward_plan_schemas import DateQuery, ForwardPlanPublished
from pmo.decisions.officer_decisions_schemas import OfficerDecisionPublished, OfficerDecisionPublishedPage
from pmo.decisions.settings_service import settings_of
from pmo.documents import PDF, document_response, to_pdf
from pmo.organisations.models import Organisation

WINDOW_SECONDS = 60


def count_public_request(request: Request, session: SessionDep) -> None:
    """Admit one anonymous request from the caller's address, or 429 with `Retry-After`."""
    address = request.client.host if request.client else "unknown"
    limit = get_settings().public_requests_per_minute
    window = ratelimit.hit(session, f"public-address:{address}", WINDOW_SECONDS)
    session.commit()  # counted whatever the answer (a 404 too), so guessing costs the same
    fields = ratelimit.Policy("public", limit, WINDOW_SECONDS).headers(window.hits, window.retry_after)
    if window.hits > limit:
        raise TooManyRequests(
            f"At most {limit} requests a minute may be made to the public record. Try again later.",
            retry_after=window.retry_after,
            rate_limit=fields,
        )
    ratelimit.announce(request.scope, fields)


router = ApiRouter(
    prefix="/public/organisations/{organisation_id}",
    tags=["public-record"],
    dependencies=[PUBLIC, WRITES_ON_READ, Depends(count_public_request)],
)

Sort = Annotated[str, sort_query("decided_on", "reference")]
NOT_PUBLISHED = "Nothing is published at this address."


def _organisation(session: SessionDep, organisation_id: uuid.UUID, *, forward_plan: bool) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    settings = settings_of(session, organisation_id) if organisation else None
    published = settings is not None and (
        settings.publish_forward_plan if forward_plan else settings.publish_officer_decisions
    )
    if organisation is None or not published:
        raise NotFound(NOT_PUBLISHED)
    return organisation


@router.get(
    "/officer-decisions",
    summary="The published record of officer decisions",
    response_model=OfficerDecisionPublishedPage,
    responses=declare_public(404),
)
def list_published_officer_decisions(
    organisation_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    decided_from: DateQuery = None,
    decided_to: DateQuery = None,
    sort: Sort = "-decided_on",
) -> OfficerDecisionPublishedPage:
    """No sign-in needed, where the organisation publishes it: each officer decision's record
    with exempt information withheld and the reason given. 404 where it is not published."""
    _organisation(session, organisation_id, forward_plan=False)
    return officer_decisions.list_published(session, organisation_id, page, sort, decided_from, decided_to)


@router.get(
    "/officer-decisions/{record_id}",
    summary="One published record of an officer decision",
    response_model=OfficerDecisionPublished,
    responses=declare_public(404),
)
def get_published_officer_decision(
    organisation_id: uuid.UUID, record_id: uuid.UUID, session: SessionDep
) -> OfficerDecisionPublished:
    """The public version of one record: exempt information withheld, saying why."""
    _organisation(session, organisation_id, forward_plan=False)
    return officer_decisions.record_published(
        officer_decisions.get_record(session, organisation_id, record_id)
    )


@router.get(
    "/forward-plan",
    summary="The published forward plan",
    response_model=ForwardPlanPublished,
    responses=declare_public(404),
)
def get_published_forward_plan(
    organisation_id: uuid.UUID, session: SessionDep, meeting_from: DateQuery = None
) -> ForwardPlanPublished:
    """No sign-in needed, where the organisation publishes it: the decisions Cabinet is to
    take, in meeting order, with the clear days' notice given and any exception's reasons."""
    organisation = _organisation(session, organisation_id, forward_plan=True)
    entries = forward_plan.all_entries(session, organisation_id, meeting_from)
    return ForwardPlanPublished(
        organisation=organisation.name, items=[forward_plan.entry_published(e) for e in entries]
    )


@router.get(
    "/forward-plan/export.csv",
    summary="The published forward plan as CSV",
    response_class=Response,
    responses={**file_responses(export.CSV_MEDIA_TYPE, binary=False), **declare_public(404)},
)
def export_published_forward_plan_csv(
    organisation_id: uuid.UUID, session: SessionDep, meeting_from: DateQuery = None
) -> Response:
    """The published forward plan as CSV, the same columns as the staff export."""
    _organisation(session, organisation_id, forward_plan=True)
    entries = forward_plan.all_entries(session, organisation_id, meeting_from)
    return file_response(export.to_csv(entries), export.CSV_MEDIA_TYPE, "forward-plan.csv")


def _pdf_responses() -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": PDF.description,
            "content": {PDF.media_type: {"schema": {"type": "string", "format": "binary"}}},
        },
        **declare_public(404),
    }


@router.get(
    "/officer-decisions/{record_id}/document.pdf",
    summary="One published record of an officer decision as PDF",
    response_class=Response,
    responses=_pdf_responses(),
)
def published_officer_decision_pdf(
    organisation_id: uuid.UUID, record_id: uuid.UUID, session: SessionDep
) -> Response:
    """The public version of the record as an accessible PDF: exempt information withheld, saying why."""
    organisation = _organisation(session, organisation_id, forward_plan=False)
    record = officer_decisions.get_record(session, organisation_id, record_id)
    content = to_pdf(documents.officer_decision(organisation.name, record, public=True))
    return document_response(content, PDF, f"{record.reference} officer decision")


@router.get(
    "/forward-plan/export.pdf",
    summary="The published forward plan as PDF",
    response_class=Response,
    responses=_pdf_responses(),
)
def export_published_forward_plan_pdf(
    organisation_id: uuid.UUID, session: SessionDep, meeting_from: DateQuery = None
) -> Response:
    """The published forward plan as an accessible PDF, the same as the staff export."""
    organisation = _organisation(session, organisation_id, forward_plan=True)
    entries = forward_plan.all_entries(session, organisation_id, meeting_from)
    return document_response(to_pdf(documents.forward_plan(organisation.name, entries)), PDF, "forward plan")
