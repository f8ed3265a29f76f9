"""Routes of the benefits register: `/api/v1/benefits`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page, SearchText
from pmo.finance import benefits_service as service
from pmo.finance.benefits_schemas import (
    BenefitClass,
    BenefitCreate,
    BenefitPublic,
    BenefitStatus,
    BenefitUpdate,
    Category,
    ProfileReplace,
)

router = ApiRouter(tags=["benefits"])

P = Permission
Read = Annotated[Actor, require(P.finance_read)]
Edit = Annotated[Actor, require(P.costs_benefits_edit)]
BenefitSort = Annotated[str, sort_query(*service.BENEFIT_SORTS)]


def _url(benefit_id: uuid.UUID) -> str:
    return f"/api/v1/benefits/{benefit_id}"


@router.get("/benefits", response_model=Page[BenefitPublic], responses=declare())
def list_benefits(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    programme_id: Annotated[
        uuid.UUID | None, Query(description="Benefits of this programme and of its projects.")
    ] = None,
    project_id: Annotated[uuid.UUID | None, Query(description="Benefits of this project.")] = None,
    category: Annotated[Category | None, Query(description="Benefits of this category.")] = None,
    benefit_class: Annotated[BenefitClass | None, Query(description="Benefits of this class.")] = None,
    status: Annotated[BenefitStatus | None, Query(description="Benefits with this status.")] = None,
    in_mtfp: Annotated[bool | None, Query(description="`true`: those already in the MTFP.")] = None,
    owner_id: Annotated[uuid.UUID | None, Query(description="Benefits owned by this person.")] = None,
    kpi_id: Annotated[uuid.UUID | None, Query(description="Benefits measured by this KPI.")] = None,
    q: Annotated[SearchText | None, Query(description="Text in the reference, title or description.")] = None,
    sort: BenefitSort = "reference",
) -> Page[Any]:
    """The benefits register, filtered, each benefit with its profile by financial year."""
    return service.list_benefits(
        session,
        actor,
        page,
        programme_id=programme_id,
        project_id=project_id,
        sort=sort,
        q=q,
        category=category.value if category else None,
        benefit_class=benefit_class.value if benefit_class else None,
        status=status.value if status else None,
        in_mtfp=in_mtfp,
        owner_id=owner_id,
        kpi_id=kpi_id,
    )


@router.post("/benefits", status_code=201, response_model=BenefitPublic, responses=declare(404))
def create_benefit(
    request: Request,
    body: BenefitCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a benefit (B-0001) to a programme or a project (give exactly one), with its
    profile. Values are decimal strings of pounds, zero or more; each may be `null`."""

    def create() -> tuple[BenefitPublic, str]:
        benefit = service.create_benefit(session, actor, body)
        return service.benefit_public(session, actor, benefit), _url(benefit.id)

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/benefits/{benefit_id:uuid}", response_model=BenefitPublic, responses=declare(304, 404))
def get_benefit(
    benefit_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One benefit of the register (B-0001), with its profile by financial year."""
    benefit = service.get_benefit(session, actor, benefit_id)
    return json_with_etag(service.benefit_public(session, actor, benefit), if_none_match)


@router.patch("/benefits/{benefit_id:uuid}", response_model=BenefitPublic, responses=declare(404, 412, 428))
def update_benefit(
    benefit_id: uuid.UUID, body: BenefitUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change a benefit (not its profile: `PUT /benefits/{benefit_id}/profile`)."""
    benefit = service.get_benefit(session, actor, benefit_id)
    check_if_match(if_match, service.benefit_public(session, actor, benefit))
    service.update_benefit(session, actor, benefit, body)
    return json_with_etag(service.benefit_public(session, actor, benefit), None)


@router.put(
    "/benefits/{benefit_id:uuid}/profile", response_model=BenefitPublic, responses=declare(404, 412, 428)
)
def replace_benefit_profile(
    benefit_id: uuid.UUID, body: ProfileReplace, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Replace the whole profile (send every year you keep). `If-Match` is the benefit's ETag."""
    benefit = service.get_benefit(session, actor, benefit_id)
    check_if_match(if_match, service.benefit_public(session, actor, benefit))
    service.replace_profile(session, actor, benefit, body.profile)
    return json_with_etag(service.benefit_public(session, actor, benefit), None)


@router.delete("/benefits/{benefit_id:uuid}", status_code=204, responses=declare(404))
def delete_benefit(benefit_id: uuid.UUID, session: SessionDep, actor: Edit) -> Response:
    """Remove a benefit from the register."""
    service.delete_benefit(session, actor, service.get_benefit(session, actor, benefit_id))
    return Response(status_code=204)
