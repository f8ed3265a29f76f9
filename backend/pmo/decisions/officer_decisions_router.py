"""`/officer-decisions`: the record of officer decisions, as staff see it (exempt part included)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.decisions import documents
from pmo.decisions import officer_decisions_service as service
from pmo.decisions.forward_plan_schemas import DateQuery
from pmo.decisions.officer_decisions_schemas import OfficerDecisionRecord, OfficerDecisionRecordPage
from pmo.documents import PDF, document_response, download_responses, to_pdf
from pmo.organisations.models import Organisation

router = ApiRouter(tags=["officer-decisions"])

Read = Annotated[Actor, require(Permission.finance_read)]
Sort = Annotated[str, sort_query("decided_on", "reference")]


@router.get(
    "/officer-decisions",
    summary="List the records of officer decisions",
    response_model=OfficerDecisionRecordPage,
    responses=declare(),
)
def list_officer_decisions(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    decided_from: DateQuery = None,
    decided_to: DateQuery = None,
    sort: Sort = "-decided_on",
) -> OfficerDecisionRecordPage:
    """Every delegated draw-down decision's record (regulation 13(4) of the 2012 Regulations):
    the decision and its date, reasons, alternatives considered and rejected, the consultees'
    views with any conflict of interest and dispensation, and exempt information (staff see it;
    the public version withholds it)."""
    return service.list_records(session, actor.organisation_id, page, sort, decided_from, decided_to)


@router.get(
    "/officer-decisions/{record_id}",
    summary="One record of an officer decision",
    response_model=OfficerDecisionRecord,
    responses=declare(304, 404),
)
def get_officer_decision(
    record_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The record as written with the decision; `withheld_notice` says what its public
    version shows in place of the exempt information."""
    record = service.get_record(session, actor.organisation_id, record_id)
    return json_with_etag(service.record_full(record), if_none_match)


@router.get(
    "/officer-decisions/{record_id}/document.pdf",
    summary="A record of an officer decision as PDF",
    response_class=Response,
    responses=download_responses(PDF, 404),
)
def officer_decision_pdf(record_id: uuid.UUID, session: SessionDep, actor: Read) -> Response:
    """The record as an accessible PDF, as staff see it: exempt information included and
    marked not for publication (the public version is at `/public/...`)."""
    record = service.get_record(session, actor.organisation_id, record_id)
    organisation = session.get_one(Organisation, actor.organisation_id).name
    content = to_pdf(documents.officer_decision(organisation, record, public=False))
    return document_response(content, PDF, f"{record.reference} officer decision")
