"""Issues, assumptions and dependencies: thin routes over `items_service`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.portfolio import projects_service
from pmo.raid import items_service as service
from pmo.raid.common import DueDatedFilters
from pmo.raid.items_schemas import (
    AssumptionCreate,
    AssumptionPublic,
    AssumptionUpdate,
    Deescalate,
    DependencyCreate,
    DependencyDirection,
    DependencyPublic,
    DependencyStatus,
    DependencyUpdate,
    Escalate,
    Invalidate,
    InvalidationResult,
    IssueCreate,
    IssuePublic,
    IssueType,
    IssueUpdate,
    ItemHistory,
    ProjectDependency,
    Rating,
)

router = ApiRouter()

P = Permission
Read = Annotated[Actor, require(P.raid_read)]
Edit = Annotated[Actor, require(P.raid_edit)]


# Issues ----------------------------------------------------------------------------------

IssueSort = Annotated[
    str,
    sort_query("reference", "title", "status", "priority", "severity", "due_date", "raised_on", "updated_at"),
]


@router.get("/issues", tags=["issues"], response_model=Page[IssuePublic], responses=declare())
def list_issues(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    filters: DueDatedFilters,
    overdue: Annotated[
        bool | None, Query(description="`true`: due before today and neither resolved nor closed.")
    ] = None,
    issue_type: IssueType | None = None,
    priority: Rating | None = None,
    severity: Rating | None = None,
    raised_by_id: uuid.UUID | None = None,
    risk_id: Annotated[uuid.UUID | None, Query(description="The issue a risk became.")] = None,
    sort: IssueSort = "reference",
) -> Page[IssuePublic]:
    """The issue log. `due_from`/`due_to` are on the due date; `programme_id` takes in the
    programme's projects, `portfolio_id` its programmes and their projects."""
    return service.list_issues(
        session,
        actor,
        page,
        filters,
        overdue=overdue,
        issue_type=issue_type.value if issue_type else None,
        priority=priority.value if priority else None,
        severity=severity.value if severity else None,
        raised_by_id=raised_by_id,
        risk_id=risk_id,
        sort=sort,
    )


@router.post("/issues", tags=["issues"], status_code=201, response_model=IssuePublic, responses=declare(404))
def create_issue(
    request: Request,
    body: IssueCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Raise an issue on a project, programme or portfolio (exactly one). It gets the next
    reference (`I-0003`); `raised_by_id` is you unless given. A resolved or closed issue needs
    a `resolution` (422)."""

    def create() -> tuple[IssuePublic, str]:
        issue = service.create_issue(session, actor, body)
        return service.issue_public(session, actor, issue), f"/api/v1/issues/{issue.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get("/issues/{issue_id}", tags=["issues"], response_model=IssuePublic, responses=declare(304, 404))
def get_issue(
    issue_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One issue of the log (I-0003): priority, severity, owner, resolution."""
    return json_with_etag(
        service.issue_public(session, actor, service.get_issue(session, actor, issue_id)), if_none_match
    )


@router.patch(
    "/issues/{issue_id}", tags=["issues"], response_model=IssuePublic, responses=declare(404, 409, 412, 428)
)
def update_issue(
    issue_id: uuid.UUID, body: IssueUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change fields and status; `resolved` or `closed` needs a resolution (422 without)."""
    issue = service.get_issue(session, actor, issue_id)
    check_if_match(if_match, service.issue_public(session, actor, issue))
    service.update_issue(session, actor, issue, body)
    return json_with_etag(service.issue_public(session, actor, issue), None)


@router.post(
    "/issues/{issue_id}/escalate", tags=["issues"], response_model=IssuePublic, responses=declare(404, 409)
)
def escalate_issue(issue_id: uuid.UUID, body: Escalate, session: SessionDep, actor: Edit) -> Response:
    """Escalate to the programme or the steering group, with a reason (409 unless above the
    current level)."""
    issue = service.escalate_issue(session, actor, service.get_issue(session, actor, issue_id), body)
    return json_with_etag(service.issue_public(session, actor, issue), None)


@router.post(
    "/issues/{issue_id}/de-escalate", tags=["issues"], response_model=IssuePublic, responses=declare(404, 409)
)
def deescalate_issue(issue_id: uuid.UUID, body: Deescalate, session: SessionDep, actor: Edit) -> Response:
    """Bring it back down (to project level unless `level` says otherwise; 409 unless below)."""
    issue = service.deescalate_issue(session, actor, service.get_issue(session, actor, issue_id), body)
    return json_with_etag(service.issue_public(session, actor, issue), None)


@router.get(
    "/issues/{issue_id}/history", tags=["issues"], response_model=ItemHistory, responses=declare(304, 404)
)
def issue_history(
    issue_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The issue's audit events, oldest first."""
    issue = service.get_issue(session, actor, issue_id)
    return json_with_etag(service.history(session, actor, issue), if_none_match)


# Assumptions -----------------------------------------------------------------------------

AssumptionSort = Annotated[str, sort_query("reference", "status", "validate_by", "raised_on", "updated_at")]


@router.get("/assumptions", tags=["assumptions"], response_model=Page[AssumptionPublic], responses=declare())
def list_assumptions(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    filters: DueDatedFilters,
    validation_due: Annotated[
        bool | None, Query(description="`true`: unvalidated with a validate-by date today or past.")
    ] = None,
    sort: AssumptionSort = "reference",
) -> Page[AssumptionPublic]:
    """The assumption log. `due_from`/`due_to` are on the validate-by date."""
    return service.list_assumptions(session, actor, page, filters, validation_due=validation_due, sort=sort)


@router.post(
    "/assumptions",
    tags=["assumptions"],
    status_code=201,
    response_model=AssumptionPublic,
    responses=declare(404),
)
def create_assumption(
    request: Request,
    body: AssumptionCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record an assumption on a project, programme or portfolio (exactly one): `A-0007`."""

    def create() -> tuple[AssumptionPublic, str]:
        assumption = service.create_assumption(session, actor, body)
        return service.assumption_public(session, actor, assumption), f"/api/v1/assumptions/{assumption.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/assumptions/{assumption_id}",
    tags=["assumptions"],
    response_model=AssumptionPublic,
    responses=declare(304, 404),
)
def get_assumption(
    assumption_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One assumption (A-0007) and whether it still holds."""
    assumption = service.get_assumption(session, actor, assumption_id)
    return json_with_etag(service.assumption_public(session, actor, assumption), if_none_match)


@router.patch(
    "/assumptions/{assumption_id}",
    tags=["assumptions"],
    response_model=AssumptionPublic,
    responses=declare(404, 412, 428),
)
def update_assumption(
    assumption_id: uuid.UUID,
    body: AssumptionUpdate,
    session: SessionDep,
    actor: Edit,
    if_match: IfMatch = None,
) -> Response:
    """Change fields and status. Setting `invalid` here raises nothing: use `.../invalidate`
    to raise a risk or issue in the same step."""
    assumption = service.get_assumption(session, actor, assumption_id)
    check_if_match(if_match, service.assumption_public(session, actor, assumption))
    service.update_assumption(session, actor, assumption, body)
    return json_with_etag(service.assumption_public(session, actor, assumption), None)


@router.post(
    "/assumptions/{assumption_id}/invalidate",
    tags=["assumptions"],
    status_code=201,
    response_model=InvalidationResult,
    responses=declare(404, 409),
)
def invalidate_assumption(
    request: Request,
    assumption_id: uuid.UUID,
    body: Invalidate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Found invalid: mark the assumption `invalid` and raise a risk (`"raise": "risk"`, with
    `risk`) or an issue (`"raise": "issue"`, with `issue`) where the assumption belongs, linked
    to it, in one step. Nothing is written if the new item is not valid (422). 409 if the
    assumption has already raised one."""

    def create() -> tuple[InvalidationResult, str]:
        assumption = service.get_assumption(session, actor, assumption_id)
        result = service.invalidate_assumption(session, actor, assumption, body)
        kind = "risks" if result.raised == "risk" else "issues"
        return result, f"/api/v1/{kind}/{result.raised_id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/assumptions/{assumption_id}/history",
    tags=["assumptions"],
    response_model=ItemHistory,
    responses=declare(304, 404),
)
def assumption_history(
    assumption_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The assumption's audit events, oldest first."""
    assumption = service.get_assumption(session, actor, assumption_id)
    return json_with_etag(service.history(session, actor, assumption), if_none_match)


# Dependencies ----------------------------------------------------------------------------

DependencySort = Annotated[
    str, sort_query("reference", "title", "status", "needed_by", "raised_on", "updated_at")
]


@router.get(
    "/dependencies", tags=["dependencies"], response_model=Page[DependencyPublic], responses=declare()
)
def list_dependencies(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    filters: DueDatedFilters,
    direction: Annotated[
        DependencyDirection | None, Query(description="As recorded, from `project_id`'s side.")
    ] = None,
    other_project_id: uuid.UUID | None = None,
    external: Annotated[
        bool | None, Query(description="`true`: the other end is outside the portfolio.")
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="`true`: needed before today and neither met nor closed.")
    ] = None,
    sort: DependencySort = "reference",
) -> Page[DependencyPublic]:
    """The dependency log. Here `project_id` matches **either end** of a dependency (the
    project it is recorded on or the other project), and `programme_id` / `portfolio_id`
    match a dependency when either end's project is in them, so a dependency across
    programmes shows under both. `due_from`/`due_to` are on the needed-by date."""
    return service.list_dependencies(
        session,
        actor,
        page,
        filters,
        direction=direction.value if direction else None,
        other_project_id=other_project_id,
        external=external,
        overdue=overdue,
        sort=sort,
    )


@router.post(
    "/dependencies",
    tags=["dependencies"],
    status_code=201,
    response_model=DependencyPublic,
    responses=declare(404, 409),
)
def create_dependency(
    request: Request,
    body: DependencyCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record what a project needs (`outbound`) from, or gives (`inbound`) to, another project
    of your organisation (any programme) or an external party: exactly one (422). A project
    cannot depend on itself (422); an open dependency between the same projects in the same
    direction (or the same one recorded from the other side) is a 409."""

    def create() -> tuple[DependencyPublic, str]:
        dependency = service.create_dependency(session, actor, body)
        return service.dependency_public(session, actor, dependency), f"/api/v1/dependencies/{dependency.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/dependencies/{dependency_id}",
    tags=["dependencies"],
    response_model=DependencyPublic,
    responses=declare(304, 404),
)
def get_dependency(
    dependency_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One dependency (D-0021) between projects, as recorded from its project's side."""
    dependency = service.get_dependency(session, actor, dependency_id)
    return json_with_etag(service.dependency_public(session, actor, dependency), if_none_match)


@router.patch(
    "/dependencies/{dependency_id}",
    tags=["dependencies"],
    response_model=DependencyPublic,
    responses=declare(404, 409, 412, 428),
)
def update_dependency(
    dependency_id: uuid.UUID,
    body: DependencyUpdate,
    session: SessionDep,
    actor: Edit,
    if_match: IfMatch = None,
) -> Response:
    """Change it; those who may change either project may. A new `other_project_id` replaces
    an external party and the reverse."""
    dependency = service.get_dependency(session, actor, dependency_id)
    check_if_match(if_match, service.dependency_public(session, actor, dependency))
    service.update_dependency(session, actor, dependency, body)
    return json_with_etag(service.dependency_public(session, actor, dependency), None)


@router.post(
    "/dependencies/{dependency_id}/escalate",
    tags=["dependencies"],
    response_model=DependencyPublic,
    responses=declare(404, 409),
)
def escalate_dependency(
    dependency_id: uuid.UUID, body: Escalate, session: SessionDep, actor: Edit
) -> Response:
    """Escalate a dependency to the programme board; the change is audited."""
    dependency = service.get_dependency(session, actor, dependency_id)
    service.escalate_dependency(session, actor, dependency, body)
    return json_with_etag(service.dependency_public(session, actor, dependency), None)


@router.post(
    "/dependencies/{dependency_id}/de-escalate",
    tags=["dependencies"],
    response_model=DependencyPublic,
    responses=declare(404, 409),
)
def deescalate_dependency(
    dependency_id: uuid.UUID, body: Deescalate, session: SessionDep, actor: Edit
) -> Response:
    """Take a dependency off the programme board's agenda again."""
    dependency = service.get_dependency(session, actor, dependency_id)
    service.deescalate_dependency(session, actor, dependency, body)
    return json_with_etag(service.dependency_public(session, actor, dependency), None)


@router.get(
    "/dependencies/{dependency_id}/history",
    tags=["dependencies"],
    response_model=ItemHistory,
    responses=declare(304, 404),
)
def dependency_history(
    dependency_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """The dependency's audit events, oldest first."""
    dependency = service.get_dependency(session, actor, dependency_id)
    return json_with_etag(service.history(session, actor, dependency), if_none_match)


@router.get(
    "/projects/{project_id}/dependencies",
    tags=["dependencies"],
    response_model=Page[ProjectDependency],
    responses=declare(404),
)
def list_project_dependencies(
    project_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    page: PageDep,
    direction: Annotated[
        DependencyDirection | None, Query(description="As seen from this project: outbound where it needs.")
    ] = None,
    status: DependencyStatus | None = None,
    sort: DependencySort = "reference",
) -> Page[ProjectDependency]:
    """Every dependency where the project is either end, across programmes, each with the
    direction seen from this project (what another project records as outbound to this one
    shows here as inbound)."""
    project = projects_service.get_project(session, actor, project_id)
    return service.project_dependencies(
        session,
        actor,
        project,
        page,
        direction=direction.value if direction else None,
        status=status.value if status else None,
        sort=sort,
    )
