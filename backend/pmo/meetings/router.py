"""Routes of meetings of governance bodies: `/api/v1/meetings`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.periods import IsoDate
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.meetings import service
from pmo.meetings.schemas import MeetingCreate, MeetingPublic, MeetingUpdate

router = ApiRouter(tags=["meetings"])

Read = Annotated[Actor, require(Permission.portfolio_read)]
Manage = Annotated[Actor, require(Permission.meetings_manage)]
MeetingSort = Annotated[str, sort_query("meets_on", "title", "created_at")]


@router.get("/meetings", response_model=Page[MeetingPublic], responses=declare(), summary="List meetings")
def list_meetings(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    body_id: Annotated[uuid.UUID | None, Query(description="Only this governance body's.")] = None,
    on_or_after: Annotated[IsoDate | None, Query(description="Meeting on or after this date.")] = None,
    on_or_before: Annotated[IsoDate | None, Query(description="Meeting on or before this date.")] = None,
    sort: MeetingSort = "meets_on",
) -> Page[MeetingPublic]:
    """Meetings of the organisation's governance bodies, by date unless sorted otherwise."""
    return service.list_meetings(
        session, actor, page, body_id=body_id, on_or_after=on_or_after, on_or_before=on_or_before, sort=sort
    )


@router.post(
    "/meetings",
    status_code=201,
    response_model=MeetingPublic,
    responses=declare(),
    summary="Add a meeting",
)
def create_meeting(
    request: Request,
    body: MeetingCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A meeting of one of the organisation's governance bodies (the PMO and administrators)."""

    def create() -> tuple[MeetingPublic, str]:
        meeting = service.create_meeting(session, actor, body)
        return service.public(session, actor, meeting), f"/api/v1/meetings/{meeting.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/meetings/{meeting_id}", response_model=MeetingPublic, responses=declare(304, 404), summary="A meeting"
)
def get_meeting(
    meeting_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The meeting, with the date of its body's previous meeting."""
    meeting = service.get_meeting(session, actor, meeting_id)
    return json_with_etag(service.public(session, actor, meeting), if_none_match)


@router.patch(
    "/meetings/{meeting_id}",
    response_model=MeetingPublic,
    responses=declare(404, 412, 428),
    summary="Change a meeting",
)
def update_meeting(
    meeting_id: uuid.UUID, body: MeetingUpdate, session: SessionDep, actor: Manage, if_match: IfMatch = None
) -> Response:
    """Its date, title or location (the PMO and administrators), under `If-Match`."""
    meeting = service.get_meeting(session, actor, meeting_id)
    check_if_match(if_match, service.public(session, actor, meeting))
    service.update_meeting(session, actor, meeting, body)
    return json_with_etag(service.public(session, actor, meeting), None)


@router.delete("/meetings/{meeting_id}", status_code=204, responses=declare(404), summary="Delete a meeting")
def delete_meeting(meeting_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete a meeting no report pack was made for (409 otherwise; the PMO and administrators)."""
    service.delete_meeting(session, actor, service.get_meeting(session, actor, meeting_id))
    return Response(status_code=204)
