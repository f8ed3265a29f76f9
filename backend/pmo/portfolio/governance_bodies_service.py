"""Governance bodies and their members (see `portfolios_service` for the rules every service
of the register keeps)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, NotFound
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.meetings.models import Meeting
from pmo.organisations.models import User
from pmo.portfolio.governance_bodies_schemas import (
    GovernanceBodyAction,
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


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class BodyContext:
    body: GovernanceBody
    members: list[GovernanceBodyMemberPublic]
    # What names the body: programmes, projects and meetings, by kind.
    uses: dict[str, int]


def _unused(_actor: Actor, c: BodyContext) -> Verdict:
    for what in ("programme", "project"):
        if c.uses.get(what):
            return Blocked(f"{c.uses[what]} {what}(s) are overseen by this body; give them another first.")
    if c.uses.get("meeting"):
        return Blocked(f"This body has {c.uses['meeting']} meeting(s); delete them first.")
    return True


def _has_members(_actor: Actor, c: BodyContext) -> Verdict:
    if not c.members:
        return Blocked(f"{c.body.name} has no members.")
    return True


_MANAGE = Permission.portfolio_manage
ACTIONS = ActionTable(
    GovernanceBodyAction,
    {
        GovernanceBodyAction.edit: Rule(_MANAGE, lambda _actor, _c: True),
        GovernanceBodyAction.delete: Rule(_MANAGE, _unused),
        GovernanceBodyAction.add_member: Rule(_MANAGE, lambda _actor, _c: True),
        GovernanceBodyAction.remove_member: Rule(_MANAGE, _has_members),
    },
)


def action_contexts(session: Session, bodies: Sequence[GovernanceBody]) -> list[BodyContext]:
    """The contexts of `bodies` in four queries (members, and what names them), however many."""
    ids = [b.id for b in bodies]
    members = _members_of(session, ids)
    uses: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    if ids:
        for model, column, what in (
            (Programme, Programme.governance_body_id, "programme"),
            (Project, Project.governance_body_id, "project"),
            (Meeting, Meeting.body_id, "meeting"),
        ):
            for body_id, count in session.execute(
                select(column, func.count())
                .select_from(model)
                .where(col(column).in_(ids))
                .group_by(col(column))
            ).all():
                uses[body_id][what] = count
    return [BodyContext(b, members[b.id], uses[b.id]) for b in bodies]


def _body_public(actor: Actor, context: BodyContext) -> GovernanceBodyPublic:
    body = context.body
    return GovernanceBodyPublic(
        id=body.id,
        name=body.name,
        kind=GovernanceBodyKind(body.kind),
        directorate_id=body.directorate_id,
        description=body.description,
        members=context.members,
        created_at=body.created_at,
        updated_at=body.updated_at,
        allowed_actions=ACTIONS.allowed(actor, context),
    )


def body_view(session: Session, actor: Actor, body: GovernanceBody) -> GovernanceBodyPublic:
    return _body_public(actor, action_contexts(session, [body])[0])


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
    return Page[GovernanceBodyPublic](
        items=[_body_public(actor, c) for c in action_contexts(session, result.items)],
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
    ACTIONS.guard(actor, GovernanceBodyAction.edit, action_contexts(session, [body])[0])
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    check_references(session, actor, changes)
    if "name" in changes and changes["name"].lower() != body.name.lower():
        name_taken(session, GovernanceBody, body.organisation_id, changes["name"], "governance body")
    if "kind" in changes:
        changes["kind"] = changes["kind"].value
    audit.changed(session, actor, body, "governance_body", changes)
    return body


def delete_governance_body(session: Session, actor: Actor, body: GovernanceBody) -> None:
    context = action_contexts(session, [body])[0]
    ACTIONS.guard(actor, GovernanceBodyAction.delete, context)
    before = audit.jsonable(_body_public(actor, context).model_dump(mode="json", exclude={"allowed_actions"}))
    session.execute(
        GovernanceBodyMember.__table__.delete().where(GovernanceBodyMember.body_id == body.id)  # type: ignore[attr-defined]
    )
    audit.deleted(session, actor, body, "governance_body", before=before)


def add_member(
    session: Session, actor: Actor, body: GovernanceBody, data: GovernanceBodyMemberCreate
) -> GovernanceBodyMemberPublic:
    ACTIONS.guard(actor, GovernanceBodyAction.add_member, action_contexts(session, [body])[0])
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
    ACTIONS.guard(actor, GovernanceBodyAction.remove_member, action_contexts(session, [body])[0])
    member = session.execute(
        select(GovernanceBodyMember).where(
            GovernanceBodyMember.body_id == body.id, GovernanceBodyMember.user_id == user_id
        )
    ).scalar_one_or_none()
    if member is None:
        raise NotFound("That person is not a member of this body.")
    audit.deleted(session, actor, member, "governance_body_member")
