from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.idempotency import IdempotencyKey, create_once
from pmo.core.pagination import PageDep, sort_query
from pmo.core.periods import today
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page, SearchText
from pmo.portfolio import service
from pmo.portfolio.schemas import (
    ConfidenceCreate,
    ConfidencePublic,
    ConfidenceRating,
    GovernanceBodyCreate,
    GovernanceBodyKind,
    GovernanceBodyMemberCreate,
    GovernanceBodyMemberPublic,
    GovernanceBodyPublic,
    GovernanceBodyUpdate,
    MilestoneBaselinePublic,
    MilestoneCreate,
    MilestonePublic,
    MilestoneRebaseline,
    MilestoneStatus,
    MilestoneUpdate,
    PortfolioCreate,
    PortfolioOverview,
    PortfolioPublic,
    PortfolioUpdate,
    ProgrammeCreate,
    ProgrammeDashboard,
    ProgrammePublic,
    ProgrammeUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    RecordStatus,
    StageKey,
    milestone_public,
)

router = APIRouter()

P = Permission
Read = Annotated[Actor, require(P.portfolio_read)]
Manage = Annotated[Actor, require(P.portfolio_manage)]
Edit = Annotated[Actor, require(P.projects_edit)]
Search = Annotated[SearchText | None, Query(description="Text to look for in names and descriptions.")]


# Portfolios ------------------------------------------------------------------------------

PortfolioSort = Annotated[str, sort_query("name", "created_at")]


@router.get("/portfolios", tags=["portfolios"], response_model=Page[PortfolioPublic], responses=declare())
def list_portfolios(
    session: SessionDep, actor: Read, page: PageDep, q: Search = None, sort: PortfolioSort = "name"
) -> Page[PortfolioPublic]:
    """The organisation's change portfolios."""
    return service.list_portfolios(session, actor, page, q, sort)


@router.post(
    "/portfolios",
    tags=["portfolios"],
    status_code=201,
    response_model=PortfolioPublic,
    responses=declare(409),
)
def create_portfolio(
    request: Request,
    body: PortfolioCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a portfolio to group programmes."""

    def create() -> tuple[PortfolioPublic, str]:
        portfolio = service.create_portfolio(session, actor, body)
        return PortfolioPublic.model_validate(portfolio), f"/api/v1/portfolios/{portfolio.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/portfolios/{portfolio_id}",
    tags=["portfolios"],
    response_model=PortfolioPublic,
    responses=declare(304, 404),
)
def get_portfolio(
    portfolio_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One portfolio of your organisation."""
    portfolio = service.get_portfolio(session, actor, portfolio_id)
    return json_with_etag(PortfolioPublic.model_validate(portfolio), if_none_match)


@router.patch(
    "/portfolios/{portfolio_id}",
    tags=["portfolios"],
    response_model=PortfolioPublic,
    responses=declare(404, 409, 412, 428),
)
def update_portfolio(
    portfolio_id: uuid.UUID,
    body: PortfolioUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Rename or describe a portfolio, or close it (`status`: `closed`, once its programmes
    are all closed; a closed portfolio takes no new programmes) or open it again. `If-Match`
    required."""
    portfolio = service.get_portfolio(session, actor, portfolio_id)
    check_if_match(if_match, PortfolioPublic.model_validate(portfolio))
    service.update_portfolio(session, actor, portfolio, body)
    return json_with_etag(PortfolioPublic.model_validate(portfolio), None)


@router.delete(
    "/portfolios/{portfolio_id}", tags=["portfolios"], status_code=204, responses=declare(404, 409)
)
def delete_portfolio(portfolio_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete an empty portfolio; one with programmes is a 409."""
    service.delete_portfolio(session, actor, service.get_portfolio(session, actor, portfolio_id))
    return Response(status_code=204)


# Governance bodies -----------------------------------------------------------------------

BodySort = Annotated[str, sort_query("name", "kind", "created_at")]


@router.get(
    "/governance-bodies",
    tags=["governance-bodies"],
    response_model=Page[GovernanceBodyPublic],
    responses=declare(),
)
def list_governance_bodies(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    q: Search = None,
    kind: GovernanceBodyKind | None = None,
    directorate_id: uuid.UUID | None = None,
    sort: BodySort = "name",
) -> Page[GovernanceBodyPublic]:
    """Boards that oversee programmes and decide gates, with their members."""
    return service.list_governance_bodies(
        session, actor, page, q=q, kind=kind, directorate_id=directorate_id, sort=sort
    )


@router.post(
    "/governance-bodies",
    tags=["governance-bodies"],
    status_code=201,
    response_model=GovernanceBodyPublic,
    responses=declare(404, 409),
)
def create_governance_body(
    request: Request,
    body: GovernanceBodyCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A Steering Group, a directorate programme board, Cabinet, Council... Add members next."""

    def create() -> tuple[GovernanceBodyPublic, str]:
        created = service.create_governance_body(session, actor, body)
        return service.body_view(session, created), f"/api/v1/governance-bodies/{created.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/governance-bodies/{body_id}",
    tags=["governance-bodies"],
    response_model=GovernanceBodyPublic,
    responses=declare(304, 404),
)
def get_governance_body(
    body_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One governance body and its members."""
    found = service.get_governance_body(session, actor, body_id)
    return json_with_etag(service.body_view(session, found), if_none_match)


@router.patch(
    "/governance-bodies/{body_id}",
    tags=["governance-bodies"],
    response_model=GovernanceBodyPublic,
    responses=declare(404, 409, 412, 428),
)
def update_governance_body(
    body_id: uuid.UUID,
    body: GovernanceBodyUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Change a governance body's name, kind, directorate or description. `If-Match` required."""
    found = service.get_governance_body(session, actor, body_id)
    check_if_match(if_match, service.body_view(session, found))
    service.update_governance_body(session, actor, found, body)
    return json_with_etag(service.body_view(session, found), None)


@router.delete(
    "/governance-bodies/{body_id}", tags=["governance-bodies"], status_code=204, responses=declare(404, 409)
)
def delete_governance_body(body_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete a body no programme or project names (409 otherwise), with its members."""
    service.delete_governance_body(session, actor, service.get_governance_body(session, actor, body_id))
    return Response(status_code=204)


@router.post(
    "/governance-bodies/{body_id}/members",
    tags=["governance-bodies"],
    status_code=201,
    response_model=GovernanceBodyMemberPublic,
    responses=declare(404, 409),
)
def add_governance_body_member(
    request: Request,
    body_id: uuid.UUID,
    body: GovernanceBodyMemberCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a person of your organisation to the body, as chair or member."""

    def create() -> tuple[GovernanceBodyMemberPublic, str]:
        found = service.get_governance_body(session, actor, body_id)
        return service.add_member(session, actor, found, body), f"/api/v1/governance-bodies/{found.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.delete(
    "/governance-bodies/{body_id}/members/{user_id}",
    tags=["governance-bodies"],
    status_code=204,
    responses=declare(404),
)
def remove_governance_body_member(
    body_id: uuid.UUID, user_id: uuid.UUID, session: SessionDep, actor: Manage
) -> Response:
    """Take a person off a governance body; decisions they made stay recorded."""
    service.remove_member(session, actor, service.get_governance_body(session, actor, body_id), user_id)
    return Response(status_code=204)


# Programmes ------------------------------------------------------------------------------

ProgrammeSort = Annotated[str, sort_query("name", "created_at", "planned_end")]


@router.get("/programmes", tags=["programmes"], response_model=Page[ProgrammePublic], responses=declare())
def list_programmes(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    portfolio_id: uuid.UUID | None = None,
    lead_directorate_id: uuid.UUID | None = None,
    sro_id: uuid.UUID | None = None,
    governance_body_id: uuid.UUID | None = None,
    status: Annotated[RecordStatus | None, Query(description="Active or closed programmes only.")] = None,
    q: Search = None,
    sort: ProgrammeSort = "name",
) -> Page[ProgrammePublic]:
    """Programmes you can see, filtered by portfolio, directorate or status."""
    return service.list_programmes(
        session,
        actor,
        page,
        portfolio_id=portfolio_id,
        lead_directorate_id=lead_directorate_id,
        sro_id=sro_id,
        governance_body_id=governance_body_id,
        q=q,
        sort=sort,
        status=status,
    )


@router.post(
    "/programmes",
    tags=["programmes"],
    status_code=201,
    response_model=ProgrammePublic,
    responses=declare(404, 409),
)
def create_programme(
    request: Request,
    body: ProgrammeCreate,
    session: SessionDep,
    actor: Manage,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A programme in one of your portfolios. Ids of another organisation's records are 404."""

    def create() -> tuple[ProgrammePublic, str]:
        programme = service.create_programme(session, actor, body)
        return ProgrammePublic.model_validate(programme), f"/api/v1/programmes/{programme.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/programmes/{programme_id}",
    tags=["programmes"],
    response_model=ProgrammePublic,
    responses=declare(304, 404),
)
def get_programme(
    programme_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One programme: owner, sponsor, dates, status."""
    programme = service.get_programme(session, actor, programme_id)
    return json_with_etag(ProgrammePublic.model_validate(programme), if_none_match)


@router.patch(
    "/programmes/{programme_id}",
    tags=["programmes"],
    response_model=ProgrammePublic,
    responses=declare(404, 409, 412, 428),
)
def update_programme(
    programme_id: uuid.UUID,
    body: ProgrammeUpdate,
    session: SessionDep,
    actor: Manage,
    if_match: IfMatch = None,
) -> Response:
    """Change a programme's details, or close it (`status`: `closed`, once every project is in
    its lifecycle's last stage; a closed programme takes no new projects) or open it again.
    `If-Match` required."""
    programme = service.get_programme(session, actor, programme_id)
    check_if_match(if_match, ProgrammePublic.model_validate(programme))
    service.update_programme(session, actor, programme, body)
    return json_with_etag(ProgrammePublic.model_validate(programme), None)


@router.delete(
    "/programmes/{programme_id}", tags=["programmes"], status_code=204, responses=declare(404, 409)
)
def delete_programme(programme_id: uuid.UUID, session: SessionDep, actor: Manage) -> Response:
    """Delete a programme with no projects (409 otherwise: close it instead)."""
    service.delete_programme(session, actor, service.get_programme(session, actor, programme_id))
    return Response(status_code=204)


@router.get(
    "/programmes/{programme_id}/dashboard",
    tags=["programmes"],
    response_model=ProgrammeDashboard,
    responses=declare(304, 404),
)
def get_programme_dashboard(
    programme_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """Projects by stage and by confidence, milestones due in the next 90 days and overdue,
    gate reviews waiting for a decision."""
    programme = service.get_programme(session, actor, programme_id)
    return json_with_etag(service.programme_dashboard(session, actor, programme), if_none_match)


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


# Projects --------------------------------------------------------------------------------

ProjectSort = Annotated[str, sort_query("reference", "name", "stage", "planned_end", "updated_at")]


@router.get("/projects", tags=["projects"], response_model=Page[ProjectPublic], responses=declare())
def list_projects(
    session: SessionDep,
    actor: Read,
    page: PageDep,
    programme_id: uuid.UUID | None = None,
    portfolio_id: uuid.UUID | None = None,
    directorate_id: Annotated[uuid.UUID | None, Query(description="The lead directorate.")] = None,
    stage: StageKey | None = None,
    confidence: ConfidenceRating | None = None,
    sro_id: uuid.UUID | None = None,
    project_manager_id: uuid.UUID | None = None,
    q: Annotated[SearchText | None, Query(description="Text in the name, reference or description.")] = None,
    sort: ProjectSort = "reference",
) -> Page[ProjectPublic]:
    """Projects you can see (P-0042), filtered by programme, stage or status."""
    return service.list_projects(
        session,
        actor,
        page,
        programme_id=programme_id,
        portfolio_id=portfolio_id,
        directorate_id=directorate_id,
        stage=stage,
        confidence=confidence.value if confidence else None,
        sro_id=sro_id,
        project_manager_id=project_manager_id,
        q=q,
        sort=sort,
    )


@router.post(
    "/projects", tags=["projects"], status_code=201, response_model=ProjectPublic, responses=declare(404, 409)
)
def create_project(
    request: Request,
    body: ProjectCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Add a project (PMO anywhere; a sponsor within their directorate). It gets the next
    reference (`P-0042`) and starts in the first stage of its lifecycle. Projects are never
    deleted: they close through a gate review, and their history stays."""

    def create() -> tuple[ProjectPublic, str]:
        project = service.create_project(session, actor, body)
        return ProjectPublic.model_validate(project), f"/api/v1/projects/{project.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/projects/{project_id}", tags=["projects"], response_model=ProjectPublic, responses=declare(304, 404)
)
def get_project(
    project_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One project: its stage, manager, sponsor, dates and delivery confidence."""
    project = service.get_project(session, actor, project_id)
    return json_with_etag(ProjectPublic.model_validate(project), if_none_match)


@router.patch(
    "/projects/{project_id}",
    tags=["projects"],
    response_model=ProjectPublic,
    responses=declare(404, 409, 412, 428),
)
def update_project(
    project_id: uuid.UUID, body: ProjectUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Change descriptive fields, people and dates. A different `stage` is a 409: the stage
    changes only through `POST /api/v1/projects/{id}/gate-reviews`."""
    project = service.get_project(session, actor, project_id)
    check_if_match(if_match, ProjectPublic.model_validate(project))
    service.update_project(session, actor, project, body)
    return json_with_etag(ProjectPublic.model_validate(project), None)


@router.get(
    "/projects/{project_id}/confidence",
    tags=["projects"],
    response_model=Page[ConfidencePublic],
    responses=declare(404),
)
def list_confidence(
    project_id: uuid.UUID, session: SessionDep, actor: Read, page: PageDep
) -> Page[ConfidencePublic]:
    """The project's delivery confidence history, newest first."""
    project = service.get_project(session, actor, project_id)
    return service.confidence_history(session, actor, project, page)


@router.post(
    "/projects/{project_id}/confidence",
    tags=["projects"],
    status_code=201,
    response_model=ConfidencePublic,
    responses=declare(404, 412),
)
def assess_confidence(
    request: Request,
    project_id: uuid.UUID,
    body: ConfidenceCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Set the delivery confidence with a commentary, on the organisation's scale (a rating off
    the scale is 422). The project's `confidence` becomes this rating; the history is kept."""

    def create() -> tuple[ConfidencePublic, str]:
        project = service.get_project(session, actor, project_id)
        assessment = service.assess_confidence(session, actor, project, body)
        return ConfidencePublic.model_validate(assessment), f"/api/v1/projects/{project.id}/confidence"

    return create_once(request, session, actor, idempotency_key, body, create)


# Milestones ------------------------------------------------------------------------------

MilestoneSort = Annotated[str, sort_query("due_date", "title", "created_at")]


@router.get(
    "/projects/{project_id}/milestones",
    tags=["milestones"],
    response_model=Page[MilestonePublic],
    responses=declare(404),
)
def list_milestones(
    project_id: uuid.UUID,
    session: SessionDep,
    actor: Read,
    page: PageDep,
    status: MilestoneStatus | None = None,
    sort: MilestoneSort = "due_date",
) -> Page[MilestonePublic]:
    """A project's milestones, by date or financial quarter."""
    project = service.get_project(session, actor, project_id)
    return service.list_milestones(session, actor, project, page, status=status, sort=sort)


@router.post(
    "/projects/{project_id}/milestones",
    tags=["milestones"],
    status_code=201,
    response_model=MilestonePublic,
    responses=declare(404),
)
def create_milestone(
    request: Request,
    project_id: uuid.UUID,
    body: MilestoneCreate,
    session: SessionDep,
    actor: Edit,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Planned by date or by financial quarter (exactly one); a quarter is due on its last day."""

    def create() -> tuple[MilestonePublic, str]:
        project = service.get_project(session, actor, project_id)
        milestone = service.create_milestone(session, actor, project, body)
        return milestone_public(milestone, today()), f"/api/v1/milestones/{milestone.id}"

    return create_once(request, session, actor, idempotency_key, body, create)


@router.get(
    "/milestones/{milestone_id}",
    tags=["milestones"],
    response_model=MilestonePublic,
    responses=declare(304, 404),
)
def get_milestone(
    milestone_id: uuid.UUID, session: SessionDep, actor: Read, if_none_match: IfNoneMatch = None
) -> Response:
    """One milestone: due date or quarter, status."""
    milestone = service.get_milestone(session, actor, milestone_id)
    return json_with_etag(milestone_public(milestone, today()), if_none_match)


@router.patch(
    "/milestones/{milestone_id}",
    tags=["milestones"],
    response_model=MilestonePublic,
    responses=declare(404, 412, 428),
)
def update_milestone(
    milestone_id: uuid.UUID, body: MilestoneUpdate, session: SessionDep, actor: Edit, if_match: IfMatch = None
) -> Response:
    """Move, rename or complete a milestone. `If-Match` required."""
    milestone = service.get_milestone(session, actor, milestone_id)
    check_if_match(if_match, milestone_public(milestone, today()))
    project = service.get_project(session, actor, milestone.project_id)
    service.update_milestone(session, actor, milestone, project, body)
    return json_with_etag(milestone_public(milestone, today()), None)


@router.post(
    "/milestones/{milestone_id}/rebaseline",
    tags=["milestones"],
    response_model=MilestonePublic,
    responses=declare(404, 412, 428),
    summary="Re-baseline a milestone",
)
def rebaseline_milestone(
    milestone_id: uuid.UUID,
    body: MilestoneRebaseline,
    session: SessionDep,
    actor: Edit,
    if_match: IfMatch = None,
) -> Response:
    """Move the milestone's baseline to a new date or financial quarter, saying why (e.g. the
    board decision that agreed it). The baseline it replaces stays in the history
    (`GET /milestones/{id}/baselines`); a forecast equal to the new baseline is cleared."""
    milestone = service.get_milestone(session, actor, milestone_id)
    check_if_match(if_match, milestone_public(milestone, today()))
    project = service.get_project(session, actor, milestone.project_id)
    service.rebaseline_milestone(session, actor, milestone, project, body)
    return json_with_etag(milestone_public(milestone, today()), None)


@router.get(
    "/milestones/{milestone_id}/baselines",
    tags=["milestones"],
    response_model=list[MilestoneBaselinePublic],
    responses=declare(404),
    summary="A milestone's baselines",
)
def list_milestone_baselines(
    milestone_id: uuid.UUID, session: SessionDep, actor: Read
) -> list[MilestoneBaselinePublic]:
    """Every baseline the milestone has had, the first first, each with who set it, when and
    why; the last is the current one (its date is the milestone's `due_date`)."""
    milestone = service.get_milestone(session, actor, milestone_id)
    return service.milestone_baselines(session, actor, milestone)


@router.delete("/milestones/{milestone_id}", tags=["milestones"], status_code=204, responses=declare(404))
def delete_milestone(milestone_id: uuid.UUID, session: SessionDep, actor: Edit) -> Response:
    """Remove a milestone from its project."""
    milestone = service.get_milestone(session, actor, milestone_id)
    project = service.get_project(session, actor, milestone.project_id)
    service.delete_milestone(session, actor, milestone, project)
    return Response(status_code=204)
