from __future__ import annotations

import uuid

from fastapi import Response

from pmo.auth.dependencies import Authenticated
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.routing import ApiRouter
from pmo.history import service
from pmo.history.kinds import HistoryKind
from pmo.history.schemas import RecordHistory

router = ApiRouter()


@router.get(
    "/history/{kind}/{record_id}",
    tags=["history"],
    response_model=RecordHistory,
    responses=declare(304, 403, 404),
    summary="A record's change history",
    description=(
        "Who changed the record, when, and what: field by field with its label, before and "
        "after, as a person reads them (names for people, pounds, dates in words, `Not set`), "
        "oldest first, read from the hash-chained audit trail. Includes the changes of the "
        "record's parts: a risk's response actions, a draw-down's consultations, a gate "
        "review's decisions with the decider, a KPI's targets, a KPI value's earlier versions. "
        "Needs the permission that reading the record needs; another organisation's record, or "
        "a KPI value you may not see yet, is not found."
    ),
)
def record_history(
    kind: HistoryKind,
    record_id: uuid.UUID,
    session: SessionDep,
    actor: Authenticated,
    if_none_match: IfNoneMatch = None,
) -> Response:
    return json_with_etag(service.history(session, actor, kind, record_id), if_none_match)
