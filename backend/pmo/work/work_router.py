"""`GET /api/v1/me/work`: the signed-in person's work list."""

from __future__ import annotations

from fastapi import Response

from pmo.auth.dependencies import Authenticated
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.routing import ApiRouter
from pmo.work import work_service as service
from pmo.work.work_schemas import MyWorkList

router = ApiRouter(tags=["me"])


@router.get(
    "/me/work",
    response_model=MyWorkList,
    responses=declare(304),
    summary="My work list",
)
def get_my_work(session: SessionDep, actor: Authenticated, if_none_match: IfNoneMatch = None) -> Response:
    """Everything waiting for you, each list with its count in `counts` and each item with its
    web page (`link`) and API URL (`api_url`): your projects and programmes; gate reviews you
    must decide; draw-downs to consult on, decide, or record the Cabinet outcome of; KPI values
    you must enter for the last period that ended; the PMO's verification queue; your
    milestones, risk actions and risk reviews overdue or due within 30 days; and, for the PMO,
    late highlight reports. Only what you may act on is listed."""
    return json_with_etag(service.my_work(session, actor), if_none_match)
