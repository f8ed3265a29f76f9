from __future__ import annotations

from typing import Annotated

from fastapi import Query

from pmo.auth.dependencies import Authenticated
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.pagination import PageDep
from pmo.core.routing import ApiRouter
from pmo.search import service
from pmo.search.schemas import SearchKind, SearchResultPage

router = ApiRouter()


@router.get(
    "/search",
    tags=["search"],
    response_model=SearchResultPage,
    responses=declare(),
    summary="Search the registers",
    description=(
        "Projects, programmes, risks, issues, risk actions, KPIs and draw-downs of your "
        "organisation, by reference (`R-0003`, `DD-0012`, `ICT-01`: exact matches only) or by "
        "words (every word must match; stemmed, so `resourcing` finds `resource`), best match "
        "first. Only the registers you may read are searched: draw-downs need `finance:read`, "
        "KPIs `kpis:read`, RAID items `raid:read`, projects and programmes `portfolio:read`."
    ),
)
def search(
    session: SessionDep,
    actor: Authenticated,
    page: PageDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="A reference or some words.")],
    kind: Annotated[SearchKind | None, Query(description="Only this register.")] = None,
) -> SearchResultPage:
    return service.search(session, actor, q, page, kind)
