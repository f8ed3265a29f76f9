from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response
from sqlmodel import select

from pmo.audit import service
from pmo.audit.models import AuditEvent
from pmo.audit.schemas import AuditEventPublic
from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.pagination import PageDep, order_by, paginate, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Instant, Page, RequestIdText, Slug

router = ApiRouter()

ReadAudit = Annotated[Actor, require(Permission.audit_read)]
AuditSort = Annotated[str, sort_query("seq", "occurred_at")]


@router.get("/audit-events", tags=["audit"], response_model=Page[AuditEventPublic], responses=declare())
def list_audit_events(
    session: SessionDep,
    actor: ReadAudit,
    page: PageDep,
    record_type: Slug | None = None,
    record_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: Slug | None = None,
    request_id: RequestIdText | None = None,
    occurred_from: Annotated[Instant | None, Query(description="From this time (inclusive).")] = None,
    occurred_to: Annotated[Instant | None, Query(description="Before this time (exclusive).")] = None,
    sort: AuditSort = "-seq",
) -> Page[AuditEventPublic]:
    """The audit trail of your organisation: every change, who made it, before and after."""
    statement = select(AuditEvent).where(AuditEvent.organisation_id == actor.organisation_id)
    filters = {
        AuditEvent.record_type: record_type,
        AuditEvent.record_id: record_id,
        AuditEvent.actor_id: actor_id,
        AuditEvent.action: action,
        AuditEvent.request_id: request_id,
    }
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(column == value)
    statement = statement.where(*service.occurred_between(occurred_from, occurred_to))
    statement = statement.order_by(
        *order_by(sort, {"seq": AuditEvent.seq, "occurred_at": AuditEvent.occurred_at}, AuditEvent.id)
    )
    return paginate(session, statement, page, AuditEventPublic.model_validate)


@router.get(
    "/audit-events/{event_id}", tags=["audit"], response_model=AuditEventPublic, responses=declare(304, 404)
)
def get_audit_event(
    event_id: uuid.UUID, session: SessionDep, actor: ReadAudit, if_none_match: IfNoneMatch = None
) -> Response:
    """One event of the append-only audit trail, with what changed."""
    return json_with_etag(
        AuditEventPublic.model_validate(service.get_event(session, actor, event_id)), if_none_match
    )
