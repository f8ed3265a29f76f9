"""Governance bodies and their members (see `portfolios_service` for the rules every service
of the register keeps)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, NotFound
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.permissions import Actor
from pmo.core.schemas import Page
from pmo.meetings.models import Meeting
from pmo.organisations.models import User
from pmo.portfolio.governance_bodies_schemas import (
    GovernanceBodyCreate,
    GovernanceBodyKind,
    GovernanceBodyMemberCreate,
    GovernanceBodyMemberPublic,
    GovernanceBodyPublic,
    GovernanceBodyUpdate,
    MemberRole,
)
from pmo.portfolio.models import GovernanceBody, GovernanceBodyMember, Programme, Project
from pmo.portfolio.portfolios_service import check_references, name_taken, own

BODY_SORTS = {
    "name": GovernanceBody.name,
    "kind": GovernanceBody.kind,
    "created_at": GovernanceBody.created_at,
}


def _members_of(
    session: Session, body_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[GovernanceBodyMemberPublic]]:
    members: dict[uuid.UUID, list[GovernanceBodyMemberPublic]] = defaultdict(list)
    if not body_ids:
        return members
    rows = session.execute(
        select(GovernanceBodyMember, User.display_name)
        .join(User, User.id == GovernanceBodyMember.user_id)  # type: ignore[arg-type]
        .where(col(GovernanceBodyMember.body_id).in_(body_ids))
        .order_by(col(GovernanceBodyMember.role), col(User.display_name), col(GovernanceBodyMember.user_id))
    ).all()
    for member, display_name in rows:
        members[member.body_id].append(
            GovernanceBodyMemberPublic(
                user_id=member.user_id,
                display_name=display_name,
                role=MemberRole(member.role),
                created_at=member.created_at,
            )
        )
    return members


def _body_public(body: GovernanceBody, members: list[GovernanceBodyMemberPublic]) -> GovernanceBodyPublic:
    return GovernanceBodyPublic(
        id=body.id,
        name=body.name,
        kind=GovernanceBodyKind(body.kind),
        directorate_id=body.directorate_id,
        description=body.description,
        members=members,
        created_at=body.created_at,
        updated_at=body.updated_at,
    )


def body_view(session: Session, body: GovernanceBody) -> GovernanceBodyPublic:
    return _body_public(body, _members_of(session, [body.id])[body.id])


def list_governance_bodies(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    q: str | None,
    kind: GovernanceBodyKind | None,
    directorate_id: uuid.UUID | None,
    sort: str,
) -> Page[GovernanceBodyPublic]:
    statement = select(GovernanceBody).where(GovernanceBody.organisation_id == actor.organisation_id)
    if q:
        statement = statement.where(text_search(q, GovernanceBody.name, GovernanceBody.description))
    if kind is not None:
        statement = statement.where(GovernanceBody.kind == kind.value)
    if directorate_id is not None:
        statement = statement.where(GovernanceBody.directorate_id == directorate_id)
    statement = statement.order_by(*order_by(sort, BODY_SORTS, GovernanceBody.id))
    result = paginate(session, statement, page)
    members = _members_of(session, [b.id for b in result.items])
    return Page[GovernanceBodyPublic](
        items=[_body_public(b, members[b.id]) for b in result.items],
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


def get_governance_body(session: Session, actor: Actor, body_id: uuid.UUID) -> GovernanceBody:
    body: GovernanceBody = own(session, actor, GovernanceBody, body_id, "governance body")
    return body


def create_governance_body(session: Session, actor: Actor, data: GovernanceBodyCreate) -> GovernanceBody:
    check_references(session, actor, data.model_dump())
    name_taken(session, GovernanceBody, actor.organisation_id, data.name, "governance body")
    body = GovernanceBody(
        organisation_id=actor.organisation_id, **data.model_dump(exclude={"kind"}), kind=data.kind.value
    )
    audit.created(session, actor, body, "governance_body")
    return body


def update_governance_body(
    session: Session, actor: Actor, body: GovernanceBody, data: GovernanceBodyUpdate
) -> GovernanceBody:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    check_references(session, actor, changes)
    if "name" in changes and changes["name"].lower() != body.name.lower():
        name_taken(session, GovernanceBody, body.organisation_id, changes["name"], "governance body")
    if "kind" in changes:
        changes["kind"] = changes["kind"].value
    audit.changed(session, actor, body, "governance_body", changes)
    return body


def delete_governance_body(session: Session, actor: Actor, body: GovernanceBody) -> None:
    for model, what in ((Programme, "programme"), (Project, "project")):
        using = session.execute(
            select(func.count()).select_from(model).where(model.governance_body_id == body.id)
        ).scalar_one()
        if using:
            raise Conflict(f"{using} {what}(s) are overseen by this body; give them another first.")
    meetings = session.execute(
        select(func.count()).select_from(Meeting).where(Meeting.body_id == body.id)
    ).scalar_one()
    if meetings:
        raise Conflict(f"This body has {meetings} meeting(s); delete them first.")
    before = audit.jsonable(body_view(session, body).model_dump(mode="json"))
    session.execute(
        GovernanceBodyMember.__table__.delete().where(GovernanceBodyMember.body_id == body.id)  # type: ignore[attr-defined]
    )
    audit.deleted(session, actor, body, "governance_body", before=before)


def add_member(
    session: Session, actor: Actor, body: GovernanceBody, data: GovernanceBodyMemberCreate
) -> GovernanceBodyMemberPublic:
    user: User = own(session, actor, User, data.user_id, "user")
    exists = session.execute(
        select(GovernanceBodyMember.id).where(
            GovernanceBodyMember.body_id == body.id, GovernanceBodyMember.user_id == user.id
        )
    ).first()
    if exists:
        raise Conflict("That person is already a member of this body.")
    member = GovernanceBodyMember(
        organisation_id=body.organisation_id,
        body_id=body.id,
        user_id=user.id,
        role=data.role.value,
        created_at=utcnow(),
    )
    audit.created(session, actor, member, "governance_body_member")
    return GovernanceBodyMemberPublic(
        user_id=user.id, display_name=user.display_name, role=data.role, created_at=member.created_at
    )


def remove_member(session: Session, actor: Actor, body: GovernanceBody, user_id: uuid.UUID) -> None:
    member = session.execute(
        select(GovernanceBodyMember).where(
            GovernanceBodyMember.body_id == body.id, GovernanceBodyMember.user_id == user_id
        )
    ).scalar_one_or_none()
    if member is None:
        raise NotFound("That person is not a member of this body.")
    audit.deleted(session, actor, member, "governance_body_member")
