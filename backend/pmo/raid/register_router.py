from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.pagination import PageDep
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.spreadsheet import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from pmo.raid import register_service as service
from pmo.raid.common import DueDatedFilters
from pmo.raid.register_schemas import RaidRegisterPage, RaidType
from pmo.raid.scoring import Band

router = ApiRouter(tags=["raid-register"])

Read = Annotated[Actor, require(Permission.raid_read)]
FILTERS = (
    "Filters: `type` (repeat for several logs), `rating` (a risk's RAG band on its residual score), "
    "`likelihood` and `impact` (a heat-map cell, residual), `owner_id`, `programme_id` (its own items "
    "and its projects'), `status`, `review_due` (open items whose review or due date is today or past), "
    "and the logs' shared filters. `rating`, `likelihood` and `impact` leave only risks."
)


def register_filters(
    common: DueDatedFilters,
    type: Annotated[list[RaidType] | None, Query(description="Only these logs.")] = None,
    rating: Annotated[Band | None, Query(description="Risks in this RAG band (residual).")] = None,
    review_due: Annotated[
        bool | None, Query(description="`true`: open, review or due date today or past.")
    ] = None,
    likelihood: Annotated[
        int | None, Query(ge=1, le=5, description="Risks of this residual likelihood.")
    ] = None,
    impact: Annotated[int | None, Query(ge=1, le=5, description="Risks of this residual impact.")] = None,
) -> service.RegisterFilters:
    return service.RegisterFilters(
        common=common,
        types=tuple(type or ()),
        rating=rating,
        review_due=review_due,
        likelihood=likelihood,
        impact=impact,
    )


Filters = Annotated[service.RegisterFilters, Depends(register_filters)]


def _download(body: Any, media_type: str, name: str) -> Response:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/raid-register",
    response_model=RaidRegisterPage,
    responses=declare(),
    summary="The RAID register",
    description="Every risk, issue, assumption and dependency of the organisation in one list, by log "
    "and reference. " + FILTERS,
)
def raid_register(session: SessionDep, actor: Read, page: PageDep, filters: Filters) -> RaidRegisterPage:
    return service.register(session, actor, filters, page)


@router.get(
    "/raid-register.csv",
    response_class=Response,
    responses={
        200: {"description": "The register as CSV.", "content": {"text/csv": {"schema": {"type": "string"}}}},
        **declare(),
    },
    summary="The RAID register as CSV",
    description="The register's rows with the same filters, every page, as CSV (text that a spreadsheet "
    "would run as a formula is written as text). " + FILTERS,
)
def raid_register_csv(session: SessionDep, actor: Read, filters: Filters) -> Response:
    items = service.all_items(session, actor, filters)
    return _download(service.as_csv(items), CSV_MEDIA_TYPE, "raid-register.csv")


@router.get(
    "/raid-register.xlsx",
    response_class=Response,
    responses={
        200: {
            "description": "The register as an XLSX workbook.",
            "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **declare(),
    },
    summary="The RAID register as XLSX",
    description="The register's rows with the same filters, every page, as an XLSX workbook. " + FILTERS,
)
def raid_register_xlsx(session: SessionDep, actor: Read, filters: Filters) -> Response:
    items = service.all_items(session, actor, filters)
    return _download(service.as_xlsx(items), XLSX_MEDIA_TYPE, "raid-register.xlsx")
