"""The portfolio overview: the portfolio dashboard's data in one request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfNoneMatch, json_with_etag
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.portfolio import overview_service as service
from pmo.portfolio.overview_schemas import PortfolioOverview

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]


@router.get(
    "/portfolio/overview",
    tags=["portfolios"],
    response_model=PortfolioOverview,
    responses=declare(304),
    summary="The portfolio dashboard's data in one request",
    description=(
        "Every programme of your organisation with its projects by stage and by delivery "
        "confidence, the milestones due in the next 90 days and overdue (counts, and the first "
        "200 of each), and the gate reviews waiting for a decision: what the web app's portfolio "
        "page shows, in one answer instead of a dashboard per programme. A grouped query per "
        "widget, so its cost hardly grows with the number of programmes. Answers 304 to an "
        "`If-None-Match` with its current ETag."
    ),
    openapi_extra={
        "responses": {
            "200": {
                "content": {
                    "application/json": {
                        "example": {
                            "programmes": [
                                {
                                    "programme_id": "5a3c1f6e-2b9d-4c1a-9e3f-1d2c3b4a5f60",
                                    "name": "ICT Improvement",
                                    "projects": 14,
                                    "projects_by_stage": {"delivery": 9, "design_develop": 5},
                                    "projects_by_confidence": {"amber": 3, "green": 8, "not_assessed": 3},
                                }
                            ],
                            "milestones_due_count": 4,
                            "milestones_overdue_count": 2,
                            "milestones_due": [],
                            "milestones_overdue": [],
                            "gate_reviews_pending": [],
                        }
                    }
                }
            }
        }
    },
)
def get_portfolio_overview(session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None) -> Response:
    return json_with_etag(service.portfolio_overview(session, actor), if_none_match)
