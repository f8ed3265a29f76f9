from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.roadmap import service
from pmo.roadmap.schemas import ProgrammeRoadmap

router = ApiRouter()


@router.get(
    "/programmes/{programme_id}/roadmap",
    tags=["programmes"],
    response_model=ProgrammeRoadmap,
    responses=declare(304, 404),
    summary="A programme's roadmap",
    description=(
        "The milestones of the programme's projects by financial quarter, as a committee "
        "report's appendix shows them: one row per project, one column per quarter from the "
        "earliest milestone to the latest. Each milestone sits in the quarter it now falls in "
        "(completed, else forecast, else baseline) and carries its baseline date and quarter, "
        "so a slip shows as `slip_quarters`."
    ),
)
def programme_roadmap(
    programme_id: uuid.UUID,
    session: SessionDep,
    actor: Annotated[Actor, require(Permission.portfolio_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    return json_with_etag(service.roadmap(session, actor, programme_id), if_none_match)
