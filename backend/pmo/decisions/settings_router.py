"""`/decision-settings`: key-decision thresholds and publication of the public record."""

from __future__ import annotations

from typing import Annotated

from fastapi import Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.decisions import settings_service as service
from pmo.decisions.settings_schemas import DecisionSettingsPublic, DecisionSettingsUpdate

router = ApiRouter(tags=["decision-settings"])


@router.get(
    "/decision-settings",
    summary="Key-decision thresholds and publication settings",
    response_model=DecisionSettingsPublic,
    responses=declare(304),
)
def get_decision_settings(
    session: SessionDep,
    actor: Annotated[Actor, require(Permission.organisation_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Your organisation's key-decision thresholds (spending or saving above an amount, or
    significant effects in a number of wards) and whether the record of officer decisions and
    the forward plan are readable without signing in. The defaults until an admin sets them:
    £500,000.00 either way, two wards, nothing published."""
    settings = service.settings_of(session, actor.organisation_id)
    return json_with_etag(service.settings_public(settings), if_none_match)


@router.patch(
    "/decision-settings",
    summary="Change the key-decision thresholds or publication",
    response_model=DecisionSettingsPublic,
    responses=declare(412, 428),
)
def update_decision_settings(
    body: DecisionSettingsUpdate,
    session: SessionDep,
    actor: Annotated[Actor, require(Permission.organisation_manage)],
    if_match: IfMatch = None,
) -> Response:
    """Admins set the thresholds and turn publication on or off. Thresholds apply to entries
    put on the forward plan from now on; entries listed keep the judgement made then. Send
    `If-Match` with the tag of your last read."""
    check_if_match(if_match, service.settings_public(service.settings_of(session, actor.organisation_id)))
    settings = service.update_settings(session, actor, body)
    return json_with_etag(service.settings_public(settings), None)
