"""Routes of KPIs: definitions, targets, values and their workflow, scorecards.

`/api/v1/kpis`, `/api/v1/kpi-targets`, `/api/v1/kpi-values` and the scorecards of the
organisation, a programme and a portfolio. The pull API for other council systems lives in
its own router (`/api/v1/kpi-feed/...`).
"""

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
from pmo.core.periods import PERIOD_CODE_PATTERN
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page, SearchText
from pmo.kpis import scorecards
from pmo.kpis import service as kpis
from pmo.kpis import values_service as values
from pmo.kpis.schemas import (
    Frequency,
    KpiCreate,
    KpiPublic,
    KpiStatus,
    KpiUpdate,
    ReturnToDraft,
    RevisionList,
    Scorecard,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
    ValueCreate,
    ValuePublic,
    ValueStatus,
    ValueUpdate,
)

router = ApiRouter(tags=["kpis"])

P = Permission
Read = Annotated[Actor, require(P.kpis_read)]
Manage = Annotated[Actor, require(P.kpis_manage)]
Submit = Annotated[Actor, require(P.kpi_values_submit)]
Verify = Annotated[Actor, require(P.kpi_values_verify)]

KpiSort = Annotated[str, sort_query("code", "name", "frequency", "updated_at")]
ValueSort = Annotated[str, sort_query("period_start", "updated_at", "created_at", "status")]
ValueStatusQ = Annotated[
    ValueStatus | None,
    Query(description="Values with this status: `submitted` is the PMO's verification queue."),
]
PeriodFromQ = Annotated[
    str | None,
    Query(
        max_length=12,
        pattern=PERIOD_CODE_PATTERN,
        description="Values of periods starting on or after this period's start, e.g. 2022-23-Q1.",
    ),
]
PeriodToQ = Annotated[
    str | None,
    Query(
        max_length=12,
        pattern=PERIOD_CODE_PATTERN,
        description="Values of periods ending on or before this period's end, e.g. 2023-24-Q4.",
    ),
]
IncludeUnpublishedQ = Annotated[
    bool,
    Query(description="`true`: latest values whatever their status (PMO and administrators only, else 403)."),
]


def _kpi_url(kpi_id: uuid.UUID) -> str:
    return f"/api/v1/kpis/{kpi_id}"


# Definitions -----------------------------------------------------------------------------


@router.get("/kpis", response_model=Page[KpiPublic], responses=declare())
def list_kpis(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    code: Annotated[str | None, Query(max_length=40, description="The KPI with this code.")] = None,
    programme_id: Annotated[uuid.UUID | None, Query(description="KPIs linked to this programme.")] = None,
    project_id: Annotated[uuid.UUID | None, Query(description="KPIs linked to this project.")] = None,
    owner_id: Annotated[uuid.UUID | None, Query(description="KPIs owned by this person.")] = None,
    status: Annotated[KpiStatus | None, Query(description="`active` or `retired`.")] = None,
    frequency: Annotated[Frequency | None, Query(description="KPIs reported at this frequency.")] = None,
    q: Annotated[
        SearchText | None, Query(description="Text in the code, name, description or source.")
    ] = None,
    sort: KpiSort = "code",
) -> Page[Any]:
    """The organisation's KPI definitions, filtered and paged."""
    return kpis.list_kpis(
        session,
        actor,
        page,
        sort=sort,
        code=code,
        programme_id=programme_id,
        project_id=project_id,
        owner_id=owner_id,
        status=status.value if status else None,
        frequency=frequency.value if frequency else None,
        q=q,
    )


@router.post("/kpis", status_code=201, response_model=KpiPublic, responses=declare(404, 409))
def create_kpi(
    request: Request,
    body: KpiCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Define a KPI (PMO). A code already used in the organisation is 409; an owner, programme
    or project not of the organisation is 404."""

    def create() -> tuple[KpiPublic, str]:
        kpi = kpis.create_kpi(session, actor, body)
        return kpis.kpi_public(session, actor, kpi), _kpi_url(kpi.id)

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/kpis/{kpi_id}", response_model=KpiPublic, responses=declare(304, 404))
def get_kpi(
    kpi_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One KPI definition: unit, polarity, tolerance, frequency and owner."""
    return json_with_etag(
        kpis.kpi_public(session, actor, kpis.get_kpi(session, actor, kpi_id)), if_none_match
    )


@router.patch("/kpis/{kpi_id}", response_model=KpiPublic, responses=declare(404, 409, 412, 428))
def update_kpi(
    kpi_id: uuid.UUID, body: KpiUpdate, session: SessionDep, actor: Manage, if_match: IfMatch = None
) -> Response:
    """Change a definition (PMO). Frequency and unit are fixed once the KPI has values or targets,
    and decimal places cannot go down then (409)."""
    kpi = kpis.get_kpi(session, actor, kpi_id)
    check_if_match(if_match, kpis.kpi_public(session, actor, kpi))
    kpis.update_kpi(session, actor, kpi, body)
    return json_with_etag(kpis.kpi_public(session, actor, kpi), None)


@router.post("/kpis/{kpi_id}/retire", response_model=KpiPublic, responses=declare(404, 409))
def retire_kpi(kpi_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Retire a KPI: it keeps its history, leaves the scorecards and takes no new values."""
    kpi = kpis.set_status(session, actor, kpis.get_kpi(session, actor, kpi_id), KpiStatus.retired)
    return json_with_etag(kpis.kpi_public(session, actor, kpi), None)


@router.post("/kpis/{kpi_id}/reinstate", response_model=KpiPublic, responses=declare(404, 409))
def reinstate_kpi(kpi_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Bring a retired KPI back into collection."""
    kpi = kpis.set_status(session, actor, kpis.get_kpi(session, actor, kpi_id), KpiStatus.active)
    return json_with_etag(kpis.kpi_public(session, actor, kpi), None)


# Targets ---------------------------------------------------------------------------------


@router.get("/kpis/{kpi_id}/targets", response_model=Page[TargetPublic], responses=declare(404))
def list_targets(kpi_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep) -> Page[Any]:
    """The KPI's targets, by period."""
    return kpis.list_targets(session, actor, kpis.get_kpi(session, actor, kpi_id), page)


@router.post(
    "/kpis/{kpi_id}/targets", status_code=201, response_model=TargetPublic, responses=declare(404, 409)
)
def create_target(
    request: Request,
    kpi_id: uuid.UUID,
    body: TargetCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Set the target of one period (PMO). A period of another frequency is 422; a second target
    for the same period 409."""
    kpi = kpis.get_kpi(session, actor, kpi_id)

    def create() -> tuple[TargetPublic, str]:
        target = kpis.create_target(session, actor, kpi, body)
        return kpis.target_public(actor, kpi, target), f"/api/v1/kpi-targets/{target.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/kpi-targets/{target_id}", response_model=TargetPublic, responses=declare(304, 404))
def get_target(
    target_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One KPI target for one period."""
    kpi, target = kpis.get_target(session, actor, target_id)
    return json_with_etag(kpis.target_public(actor, kpi, target), if_none_match)


@router.patch("/kpi-targets/{target_id}", response_model=TargetPublic, responses=declare(404, 412, 428))
def update_target(
    target_id: uuid.UUID, body: TargetUpdate, session: SessionDep, actor: Manage, if_match: IfMatch = None
) -> Response:
    """Change a KPI target; RAG is worked out again. `If-Match` required."""
    kpi, target = kpis.get_target(session, actor, target_id)
    check_if_match(if_match, kpis.target_public(actor, kpi, target))
    kpis.update_target(session, actor, kpi, target, body)
    return json_with_etag(kpis.target_public(actor, kpi, target), None)


@router.delete("/kpi-targets/{target_id}", status_code=204, responses=declare(404))
def delete_target(target_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Remove a KPI target for a period."""
    _, target = kpis.get_target(session, actor, target_id)
    kpis.delete_target(session, actor, target)
    return Response(status_code=204)


# Values ----------------------------------------------------------------------------------


@router.get("/kpis/{kpi_id}/values", response_model=Page[ValuePublic], responses=declare(404))
def list_kpi_values(
    kpi_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: ValueStatusQ = None,
    period_from: PeriodFromQ = None,
    period_to: PeriodToQ = None,
    sort: ValueSort = "period_start",
) -> Page[Any]:
    """The KPI's values you may see (published ones, and unpublished ones of KPIs you submit for
    or, for the PMO and administrators, all), each with the server's assessment."""
    kpi = kpis.get_kpi(session, actor, kpi_id)
    result: Page[Any] = values.list_values(
        session,
        actor,
        page,
        sort=sort,
        kpi_id=kpi.id,
        status=status.value if status else None,
        period_from=period_from,
        period_to=period_to,
    )
    return result


@router.post(
    "/kpis/{kpi_id}/values", status_code=201, response_model=ValuePublic, responses=declare(404, 409)
)
def create_value(
    request: Request,
    kpi_id: uuid.UUID,
    body: ValueCreate,
    session: SessionDep,
    actor: Submit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Enter the value of one period, as a draft (the KPI's owner, the project manager or sponsor
    of its project or programme, or the PMO). A period of another frequency, a number the unit
    does not allow (a percentage above 100) or with more decimal places than the KPI's is 422;
    a second value for the period, or a retired KPI, 409."""
    kpi = kpis.get_kpi(session, actor, kpi_id)

    def create() -> tuple[ValuePublic, str]:
        value = values.create_value(session, actor, kpi, body)
        return values.value_public(session, actor, value), f"/api/v1/kpi-values/{value.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/kpi-values", response_model=Page[ValuePublic], responses=declare())
def list_values(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: ValueStatusQ = None,
    kpi_id: Annotated[uuid.UUID | None, Query(description="Values of this KPI.")] = None,
    programme_id: Annotated[
        uuid.UUID | None, Query(description="Values of KPIs linked to this programme or its projects.")
    ] = None,
    project_id: Annotated[
        uuid.UUID | None, Query(description="Values of KPIs linked to this project.")
    ] = None,
    owner_id: Annotated[uuid.UUID | None, Query(description="Values of KPIs owned by this person.")] = None,
    period_from: PeriodFromQ = None,
    period_to: PeriodToQ = None,
    sort: ValueSort = "period_start",
) -> Page[Any]:
    """Values across the organisation that you may see; `?status=submitted` is the PMO's queue."""
    result: Page[Any] = values.list_values(
        session,
        actor,
        page,
        sort=sort,
        kpi_id=kpi_id,
        status=status.value if status else None,
        programme_id=programme_id,
        project_id=project_id,
        owner_id=owner_id,
        period_from=period_from,
        period_to=period_to,
    )
    return result


@router.get("/kpi-values/{value_id}", response_model=ValuePublic, responses=declare(304, 404))
def get_value(
    value_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One value with its assessment. A value you may not see (a draft, to a reader) is 404."""
    _, value = values.get_value(session, actor, value_id)
    return json_with_etag(values.value_public(session, actor, value), if_none_match)


@router.patch("/kpi-values/{value_id}", response_model=ValuePublic, responses=declare(404, 409, 412, 428))
def update_value(
    value_id: uuid.UUID, body: ValueUpdate, session: SessionDep, actor: Submit, if_match: IfMatch = None
) -> Response:
    """Change the actual or commentary. A draft: whoever may submit for the KPI. Submitted or
    verified: the PMO. Published: the PMO only, with a `reason`; the earlier version is kept
    (`/revisions`) and the value stays published."""
    kpi, value = values.get_value(session, actor, value_id)
    check_if_match(if_match, values.value_public(session, actor, value))
    values.update_value(session, actor, kpi, value, body)
    return json_with_etag(values.value_public(session, actor, value), None)


@router.delete("/kpi-values/{value_id}", status_code=204, responses=declare(404, 409))
def delete_value(value_id: uuid.UUID, session: SessionDep, actor: Submit) -> Response:
    """Delete a value not yet published (published values are records: 409)."""
    kpi, value = values.get_value(session, actor, value_id)
    values.delete_value(session, actor, kpi, value)
    return Response(status_code=204)


@router.post("/kpi-values/{value_id}/submit", response_model=ValuePublic, responses=declare(404, 409))
def submit_value(value_id: uuid.UUID, session: SessionDep, actor: Submit) -> Response:
    """draft -> submitted, for the PMO to verify."""
    kpi, value = values.get_value(session, actor, value_id)
    values.submit(session, actor, kpi, value)
    return json_with_etag(values.value_public(session, actor, value), None)


@router.post("/kpi-values/{value_id}/verify", response_model=ValuePublic, responses=declare(404, 409))
def verify_value(value_id: uuid.UUID, session: SessionDep, actor: Verify) -> Response:
    """submitted -> verified (PMO)."""
    kpi, value = values.get_value(session, actor, value_id)
    values.verify(session, actor, kpi, value)
    return json_with_etag(values.value_public(session, actor, value), None)


@router.post("/kpi-values/{value_id}/publish", response_model=ValuePublic, responses=declare(404, 409))
def publish_value(value_id: uuid.UUID, session: SessionDep, actor: Verify) -> Response:
    """verified -> published (PMO): readers and other council systems now see it."""
    kpi, value = values.get_value(session, actor, value_id)
    values.publish(session, actor, kpi, value)
    return json_with_etag(values.value_public(session, actor, value), None)


@router.post("/kpi-values/{value_id}/return", response_model=ValuePublic, responses=declare(404, 409))
def return_value(value_id: uuid.UUID, body: ReturnToDraft, session: SessionDep, actor: Verify) -> Response:
    """submitted or verified -> draft (PMO), with the reason, for the submitter to correct."""
    kpi, value = values.get_value(session, actor, value_id)
    values.return_to_draft(session, actor, kpi, value, body)
    return json_with_etag(values.value_public(session, actor, value), None)


@router.get("/kpi-values/{value_id}/revisions", response_model=RevisionList, responses=declare(304, 404))
def value_revisions(
    value_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """Earlier versions of a value changed after it was published, oldest first, with why."""
    _, value = values.get_value(session, actor, value_id)
    return json_with_etag(values.revisions(session, value), if_none_match)


# Scorecards ------------------------------------------------------------------------------


def _scorecard(
    session: Any, actor: Actor, scope: str, scope_id: uuid.UUID | None, include: bool, tag: str | None
) -> Response:
    result = scorecards.scorecard(session, actor, scope, scope_id, include_unpublished=include)
    return json_with_etag(result, tag)


@router.get("/kpi-scorecard", response_model=Scorecard, responses=declare(304))
def organisation_scorecard(
    session: SessionDep,
    actor: Read,
    include_unpublished: IncludeUnpublishedQ = False,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Every active KPI of the organisation: latest value, RAG, direction, counts by RAG, and
    the KPIs with missing data (no value for the last period that has ended)."""
    return _scorecard(session, actor, "organisation", None, include_unpublished, if_none_match)


@router.get("/programmes/{programme_id}/kpi-scorecard", response_model=Scorecard, responses=declare(304, 404))
def programme_scorecard(
    programme_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    include_unpublished: IncludeUnpublishedQ = False,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The scorecard of the KPIs linked to the programme or to its projects."""
    return _scorecard(session, actor, "programme", programme_id, include_unpublished, if_none_match)


@router.get("/portfolios/{portfolio_id}/kpi-scorecard", response_model=Scorecard, responses=declare(304, 404))
def portfolio_scorecard(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    include_unpublished: IncludeUnpublishedQ = False,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The scorecard of the KPIs of the portfolio's programmes and their projects."""
    return _scorecard(session, actor, "portfolio", portfolio_id, include_unpublished, if_none_match)
