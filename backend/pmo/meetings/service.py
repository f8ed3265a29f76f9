"""Meetings of governance bodies: the PMO and administrators keep them; everyone reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict
from pmo.core.errors import FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.meetings.models import Meeting
from pmo.meetings.schemas import MeetingAction, MeetingCreate, MeetingPublic, MeetingUpdate
from pmo.portfolio.models import GovernanceBody
from pmo.reports.models import ReportPack

SORTS = {"meets_on": Meeting.meets_on, "title": Meeting.title, "created_at": Meeting.created_at}


def _body(session: Session, actor: Actor, body_id: uuid.UUID) -> GovernanceBody:
    body = session.get(GovernanceBody, body_id)
    if body is None or body.organisation_id != actor.organisation_id:
        raise Unprocessable(
            "No governance body with that id in your organisation.",
            errors=[
                FieldProblem(
                    location=["body", "body_id"],
                    message="Choose a governance body of your organisation",
                    type="not_found",
                )
            ],
        )
    return body


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The same body's latest meeting before this one."""
    return session.exec(
        select(Meeting)
        .where(
            Meeting.organisation_id == meeting.organisation_id,
            Meeting.body_id == meeting.body_id,
            col(Meeting.meets_on) < meeting.meets_on,
        )
        .order_by(col(Meeting.meets_on).desc(), col(Meeting.id))
    ).first()


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class MeetingContext:
    meeting: Meeting
    packs: int  # report packs made for it


def _any(_actor: Actor, _c: MeetingContext) -> Verdict:
    return True


def _no_packs(_actor: Actor, c: MeetingContext) -> Verdict:
    if c.packs:
        return Blocked(f"{c.packs} report pack(s) were made for this meeting; it stays on the record.")
    return True


ACTIONS = ActionTable(
    MeetingAction,
    {
        MeetingAction.edit: Rule(Permission.meetings_manage, _any),
        MeetingAction.delete: Rule(Permission.meetings_manage, _no_packs),
    },
)


def action_contexts(session: Session, meetings: Sequence[Meeting]) -> list[MeetingContext]:
    """The contexts of `meetings` in one query, however many there are."""
    if not meetings:
        return []
    packs: dict[uuid.UUID, int] = {
        row[0]: int(row[1])
        for row in session.execute(
            select(ReportPack.meeting_id, func.count())
            .where(col(ReportPack.meeting_id).in_([m.id for m in meetings]))
            .group_by(col(ReportPack.meeting_id))
        ).all()
    }
    return [MeetingContext(m, packs.get(m.id, 0)) for m in meetings]


def public(
    session: Session, actor: Actor, meeting: Meeting, context: MeetingContext | None = None
) -> MeetingPublic:
    """The meeting as `actor` sees it (`context`: its actions' context, when a page has them)."""
    context = context or action_contexts(session, [meeting])[0]
    body = session.get(GovernanceBody, meeting.body_id)
    previous = previous_meeting(session, meeting)
    return MeetingPublic(
        id=meeting.id,
        body_id=meeting.body_id,
        body_name=body.name if body else "",
        meets_on=meeting.meets_on,
        title=meeting.title,
        location=meeting.location,
        previous_meets_on=previous.meets_on if previous else None,
        created_at=meeting.created_at,
        updated_at=meeting.updated_at,
        allowed_actions=ACTIONS.allowed(actor, context),
    )


def list_meetings(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    body_id: uuid.UUID | None,
    on_or_after: date | None,
    on_or_before: date | None,
    sort: str,
) -> Page[MeetingPublic]:
    statement = select(Meeting).where(Meeting.organisation_id == actor.organisation_id)
    if body_id is not None:
        statement = statement.where(Meeting.body_id == body_id)
    if on_or_after is not None:
        statement = statement.where(col(Meeting.meets_on) >= on_or_after)
    if on_or_before is not None:
        statement = statement.where(col(Meeting.meets_on) <= on_or_before)
    statement = statement.order_by(*order_by(sort, SORTS, Meeting.id))
    result = paginate(session, statement, page)
    meetings = list(result.items)
    contexts = action_contexts(session, meetings)
    result.items = [public(session, actor, m, c) for m, c in zip(meetings, contexts, strict=True)]
    return result


def get_meeting(session: Session, actor: Actor, meeting_id: uuid.UUID) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.organisation_id != actor.organisation_id:
        raise NotFound("No meeting with that id in your organisation.")
    return meeting


def create_meeting(session: Session, actor: Actor, data: MeetingCreate) -> Meeting:
    _body(session, actor, data.body_id)
    meeting = Meeting(
        organisation_id=actor.organisation_id,
        body_id=data.body_id,
        meets_on=data.meets_on,
        title=data.title,
        location=data.location,
    )
    audit.created(session, actor, meeting, "meeting")
    return meeting


def update_meeting(session: Session, actor: Actor, meeting: Meeting, data: MeetingUpdate) -> Meeting:
    ACTIONS.guard(actor, MeetingAction.edit, action_contexts(session, [meeting])[0])
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    audit.changed(session, actor, meeting, "meeting", changes)
    return meeting


def delete_meeting(session: Session, actor: Actor, meeting: Meeting) -> None:
    ACTIONS.guard(actor, MeetingAction.delete, action_contexts(session, [meeting])[0])
    audit.deleted(session, actor, meeting, "meeting")
