"""Portfolios, programmes, projects, milestones, governance bodies and delivery confidence.

Takes a session and the actor; never commits. Every record is looked up within the actor's
organisation first: another organisation's record, or a reference to one (a programme, a
person, a directorate, a board), is "not found" (404), never 403 and never a 422, so nobody
learns what another council holds.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.periods import parse_quarter, today
from pmo.core.permissions import Actor, enforce
from pmo.core.references import next_reference
from pmo.core.schemas import Page
from pmo.gates import service as gates
from pmo.gates.models import GateDecision, GateReview, Lifecycle
from pmo.meetings.models import Meeting
from pmo.organisations.models import Directorate, Organisation, RoleAssignment, User
from pmo.portfolio import policies
from pmo.portfolio.models import (
    ConfidenceAssessment,
    GovernanceBody,
    GovernanceBodyMember,
    Milestone,
    MilestoneBaseline,
    Portfolio,
    Programme,
    Project,
)
from pmo.portfolio.schemas import (
    CONFIDENCE_SCALES,
    ActionDue,
    ConfidenceCreate,
    ConfidencePublic,
    GovernanceBodyCreate,
    GovernanceBodyKind,
    GovernanceBodyMemberCreate,
    GovernanceBodyMemberPublic,
    GovernanceBodyPublic,
    GovernanceBodyUpdate,
    MemberRole,
    MilestoneBaselinePublic,
    MilestoneCreate,
    MilestonePublic,
    MilestoneRebaseline,
    MilestoneStatus,
    MilestoneUpdate,
    MyWork,
    PendingGateReview,
    PortfolioCreate,
    PortfolioOverview,
    PortfolioPublic,
    PortfolioUpdate,
    ProgrammeCounts,
    ProgrammeCreate,
    ProgrammeDashboard,
    ProgrammePublic,
    ProgrammeUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    RecordStatus,
    milestone_public,
)
from pmo.raid.models import Risk, RiskAction
from pmo.webhooks import emitters

PROJECT_PREFIX = "P"
DASHBOARD_DAYS = 90
MY_WORK_DAYS = 30
VIEW_LIMIT = 200
# Risk actions still to be done (the others are done or cancelled).
OPEN_ACTION = ("open", "in_progress")
CLOSED_MILESTONE = (MilestoneStatus.done.value, MilestoneStatus.missed.value)


def _dates_in_order(start: date | None, end: date | None, start_name: str, end_name: str) -> None:
    if start is not None and end is not None and end < start:
        raise Unprocessable(
            f"{end_name} must not be before {start_name}.",
            errors=[
                FieldProblem(location=["body", end_name], message="before the start", type="value_error")
            ],
        )


def _name_taken(session: Session, model: Any, organisation_id: uuid.UUID, name: str, what: str) -> None:
    taken = session.execute(
        select(model.id).where(
            model.organisation_id == organisation_id, func.lower(model.name) == name.lower()
        )
    ).first()
    if taken:
        raise Conflict(f"There is already a {what} called '{name}'.")


# References to other records: all within the actor's organisation, or 404. ------------


def _own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def _check_references(session: Session, actor: Actor, changes: dict[str, Any]) -> None:
    """Every id a body names (people, directorate, board, portfolio, programme) is ours."""
    kinds = {
        "sro_id": (User, "user (sro_id)"),
        "project_manager_id": (User, "user (project_manager_id)"),
        "owner_id": (User, "user (owner_id)"),
        "user_id": (User, "user"),
        "lead_directorate_id": (Directorate, "directorate (lead_directorate_id)"),
        "directorate_id": (Directorate, "directorate"),
        "governance_body_id": (GovernanceBody, "governance body"),
        "portfolio_id": (Portfolio, "portfolio"),
        "programme_id": (Programme, "programme"),
    }
    for name, (model, what) in kinds.items():
        value = changes.get(name)
        if value is not None:
            _own(session, actor, model, value, what)


# Closing -------------------------------------------------------------------------------


def _closing(current: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The status as stored text, and the day it closed: set on closing, cleared on reopening."""
    wanted = changes.get("status")
    if wanted is None or wanted == current:
        return {}
    return {"status": str(wanted), "closed_on": today() if wanted == RecordStatus.closed else None}


def _open_portfolio(session: Session, portfolio_id: uuid.UUID) -> None:
    portfolio = session.get_one(Portfolio, portfolio_id)
    if portfolio.status == RecordStatus.closed:
        raise Conflict(f"The portfolio '{portfolio.name}' is closed: it takes no programmes.")


def _open_programme(session: Session, programme_id: uuid.UUID) -> None:
    programme = session.get_one(Programme, programme_id)
    if programme.status == RecordStatus.closed:
        raise Conflict(f"The programme '{programme.name}' is closed: it takes no projects.")


def _projects_still_open(session: Session, programme: Programme) -> list[str]:
    """References of the programme's projects not yet in their lifecycle's last stage."""
    projects = session.execute(select(Project).where(Project.programme_id == programme.id)).scalars().all()
    open_ones = []
    for project in projects:
        lifecycle = session.get_one(Lifecycle, project.lifecycle_id)
        if project.stage != lifecycle.stages[-1]["key"]:
            open_ones.append(project.reference)
    return sorted(open_ones)


# Portfolios ----------------------------------------------------------------------------

PORTFOLIO_SORTS = {"name": Portfolio.name, "created_at": Portfolio.created_at}


def list_portfolios(session: Session, actor: Actor, page: PageParams, q: str | None, sort: str) -> Page[Any]:
    statement = select(Portfolio).where(Portfolio.organisation_id == actor.organisation_id)
    if q:
        statement = statement.where(text_search(q, Portfolio.name, Portfolio.description))
    statement = statement.order_by(*order_by(sort, PORTFOLIO_SORTS, Portfolio.id))
    return paginate(session, statement, page, PortfolioPublic.model_validate)


def get_portfolio(session: Session, actor: Actor, portfolio_id: uuid.UUID) -> Portfolio:
    portfolio: Portfolio = _own(session, actor, Portfolio, portfolio_id, "portfolio")
    return portfolio


def create_portfolio(session: Session, actor: Actor, data: PortfolioCreate) -> Portfolio:
    _name_taken(session, Portfolio, actor.organisation_id, data.name, "portfolio")
    portfolio = Portfolio(organisation_id=actor.organisation_id, **data.model_dump())
    audit.created(session, actor, portfolio, "portfolio")
    return portfolio


def update_portfolio(
    session: Session, actor: Actor, portfolio: Portfolio, data: PortfolioUpdate
) -> Portfolio:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes and changes["name"].lower() != portfolio.name.lower():
        _name_taken(session, Portfolio, portfolio.organisation_id, changes["name"], "portfolio")
    if changes.get("status") == RecordStatus.closed and portfolio.status != RecordStatus.closed:
        still_active = session.execute(
            select(func.count())
            .select_from(Programme)
            .where(Programme.portfolio_id == portfolio.id, Programme.status == RecordStatus.active.value)
        ).scalar_one()
        if still_active:
            raise Conflict(f"The portfolio has {still_active} active programme(s): close them first.")
    changes.update(_closing(portfolio.status, changes))
    _dates_in_order(
        changes.get("start_date", portfolio.start_date),
        changes.get("end_date", portfolio.end_date),
        "start_date",
        "end_date",
    )
    audit.changed(session, actor, portfolio, "portfolio", changes)
    return portfolio


def delete_portfolio(session: Session, actor: Actor, portfolio: Portfolio) -> None:
    programmes = session.execute(
        select(func.count()).select_from(Programme).where(Programme.portfolio_id == portfolio.id)
    ).scalar_one()
    if programmes:
        raise Conflict(f"The portfolio has {programmes} programme(s); move or delete them first.")
    audit.deleted(session, actor, portfolio, "portfolio")


# Governance bodies ---------------------------------------------------------------------

BODY_SORTS = {
    "name": GovernanceBody.name,
    "kind": GovernanceBody.kind,
    "created_at": GovernanceBody.created_at,
}


def _members_of(
    session: Session, body_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[GovernanceBodyMemberPublic]]:
    members: dict[uuid.UUID, list[GovernanceBodyMemberPublic]] = defaultdict(list)
    if not body_ids:
        return members
    rows = session.execute(
        select(GovernanceBodyMember, User.display_name)
        .join(User, User.id == GovernanceBodyMember.user_id)  # type: ignore[arg-type]
        .where(col(GovernanceBodyMember.body_id).in_(body_ids))
        .order_by(col(GovernanceBodyMember.role), col(User.display_name), col(GovernanceBodyMember.user_id))
    ).all()
    for member, display_name in rows:
        members[member.body_id].append(
            GovernanceBodyMemberPublic(
                user_id=member.user_id,
                display_name=display_name,
                role=MemberRole(member.role),
                created_at=member.created_at,
            )
        )
    return members


def _body_public(body: GovernanceBody, members: list[GovernanceBodyMemberPublic]) -> GovernanceBodyPublic:
    return GovernanceBodyPublic(
        id=body.id,
        name=body.name,
        kind=GovernanceBodyKind(body.kind),
        directorate_id=body.directorate_id,
        description=body.description,
        members=members,
        created_at=body.created_at,
        updated_at=body.updated_at,
    )


def body_view(session: Session, body: GovernanceBody) -> GovernanceBodyPublic:
    return _body_public(body, _members_of(session, [body.id])[body.id])


def list_governance_bodies(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    q: str | None,
    kind: GovernanceBodyKind | None,
    directorate_id: uuid.UUID | None,
    sort: str,
) -> Page[GovernanceBodyPublic]:
    statement = select(GovernanceBody).where(GovernanceBody.organisation_id == actor.organisation_id)
    if q:
        statement = statement.where(text_search(q, GovernanceBody.name, GovernanceBody.description))
    if kind is not None:
        statement = statement.where(GovernanceBody.kind == kind.value)
    if directorate_id is not None:
        statement = statement.where(GovernanceBody.directorate_id == directorate_id)
    statement = statement.order_by(*order_by(sort, BODY_SORTS, GovernanceBody.id))
    result = paginate(session, statement, page)
    members = _members_of(session, [b.id for b in result.items])
    return Page[GovernanceBodyPublic](
        items=[_body_public(b, members[b.id]) for b in result.items],
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


def get_governance_body(session: Session, actor: Actor, body_id: uuid.UUID) -> GovernanceBody:
    body: GovernanceBody = _own(session, actor, GovernanceBody, body_id, "governance body")
    return body


def create_governance_body(session: Session, actor: Actor, data: GovernanceBodyCreate) -> GovernanceBody:
    _check_references(session, actor, data.model_dump())
    _name_taken(session, GovernanceBody, actor.organisation_id, data.name, "governance body")
    body = GovernanceBody(
        organisation_id=actor.organisation_id, **data.model_dump(exclude={"kind"}), kind=data.kind.value
    )
    audit.created(session, actor, body, "governance_body")
    return body


def update_governance_body(
    session: Session, actor: Actor, body: GovernanceBody, data: GovernanceBodyUpdate
) -> GovernanceBody:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    _check_references(session, actor, changes)
    if "name" in changes and changes["name"].lower() != body.name.lower():
        _name_taken(session, GovernanceBody, body.organisation_id, changes["name"], "governance body")
    if "kind" in changes:
        changes["kind"] = changes["kind"].value
    audit.changed(session, actor, body, "governance_body", changes)
    return body


def delete_governance_body(session: Session, actor: Actor, body: GovernanceBody) -> None:
    for model, what in ((Programme, "programme"), (Project, "project")):
        using = session.execute(
            select(func.count()).select_from(model).where(model.governance_body_id == body.id)
        ).scalar_one()
        if using:
            raise Conflict(f"{using} {what}(s) are overseen by this body; give them another first.")
    meetings = session.execute(
        select(func.count()).select_from(Meeting).where(Meeting.body_id == body.id)
    ).scalar_one()
    if meetings:
        raise Conflict(f"This body has {meetings} meeting(s); delete them first.")
    before = audit.jsonable(body_view(session, body).model_dump(mode="json"))
    session.execute(
        GovernanceBodyMember.__table__.delete().where(GovernanceBodyMember.body_id == body.id)  # type: ignore[attr-defined]
    )
    audit.deleted(session, actor, body, "governance_body", before=before)


def add_member(
    session: Session, actor: Actor, body: GovernanceBody, data: GovernanceBodyMemberCreate
) -> GovernanceBodyMemberPublic:
    user: User = _own(session, actor, User, data.user_id, "user")
    exists = session.execute(
        select(GovernanceBodyMember.id).where(
            GovernanceBodyMember.body_id == body.id, GovernanceBodyMember.user_id == user.id
        )
    ).first()
    if exists:
        raise Conflict("That person is already a member of this body.")
    member = GovernanceBodyMember(
        organisation_id=body.organisation_id,
        body_id=body.id,
        user_id=user.id,
        role=data.role.value,
        created_at=utcnow(),
    )
    audit.created(session, actor, member, "governance_body_member")
    return GovernanceBodyMemberPublic(
        user_id=user.id, display_name=user.display_name, role=data.role, created_at=member.created_at
    )


def remove_member(session: Session, actor: Actor, body: GovernanceBody, user_id: uuid.UUID) -> None:
    member = session.execute(
        select(GovernanceBodyMember).where(
            GovernanceBodyMember.body_id == body.id, GovernanceBodyMember.user_id == user_id
        )
    ).scalar_one_or_none()
    if member is None:
        raise NotFound("That person is not a member of this body.")
    audit.deleted(session, actor, member, "governance_body_member")


# Programmes ----------------------------------------------------------------------------

PROGRAMME_SORTS = {
    "name": Programme.name,
    "created_at": Programme.created_at,
    "planned_end": func.coalesce(Programme.planned_end, date.max),
}


def list_programmes(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    portfolio_id: uuid.UUID | None,
    lead_directorate_id: uuid.UUID | None,
    sro_id: uuid.UUID | None,
    governance_body_id: uuid.UUID | None,
    q: str | None,
    sort: str,
    status: RecordStatus | None = None,
) -> Page[Any]:
    statement = select(Programme).where(Programme.organisation_id == actor.organisation_id)
    for column, value in (
        (Programme.status, status.value if status else None),
        (Programme.portfolio_id, portfolio_id),
        (Programme.lead_directorate_id, lead_directorate_id),
        (Programme.sro_id, sro_id),
        (Programme.governance_body_id, governance_body_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if q:
        statement = statement.where(text_search(q, Programme.name, Programme.ambition))
    statement = statement.order_by(*order_by(sort, PROGRAMME_SORTS, Programme.id))
    return paginate(session, statement, page, ProgrammePublic.model_validate)


def get_programme(session: Session, actor: Actor, programme_id: uuid.UUID) -> Programme:
    programme: Programme = _own(session, actor, Programme, programme_id, "programme")
    return programme


def create_programme(session: Session, actor: Actor, data: ProgrammeCreate) -> Programme:
    _check_references(session, actor, data.model_dump())
    _open_portfolio(session, data.portfolio_id)
    _name_taken(session, Programme, actor.organisation_id, data.name, "programme")
    programme = Programme(organisation_id=actor.organisation_id, **data.model_dump())
    audit.created(session, actor, programme, "programme")
    return programme


# Fields a null in a PATCH clears (a person, a board, a date); a null elsewhere changes nothing.
CLEARABLE = {
    "sro_id",
    "project_manager_id",
    "governance_body_id",
    "lead_directorate_id",
    "planned_start",
    "planned_end",
}


def _patch_changes(data: ProgrammeUpdate | ProjectUpdate) -> dict[str, Any]:
    given = data.model_dump(exclude_unset=True)
    return {k: v for k, v in given.items() if v is not None or k in CLEARABLE}


def update_programme(
    session: Session, actor: Actor, programme: Programme, data: ProgrammeUpdate
) -> Programme:
    changes = _patch_changes(data)
    _check_references(session, actor, changes)
    if "name" in changes and changes["name"].lower() != programme.name.lower():
        _name_taken(session, Programme, programme.organisation_id, changes["name"], "programme")
    if changes.get("portfolio_id", programme.portfolio_id) != programme.portfolio_id or (
        changes.get("status") == RecordStatus.active and programme.status == RecordStatus.closed
    ):
        _open_portfolio(session, changes.get("portfolio_id", programme.portfolio_id))
    if changes.get("status") == RecordStatus.closed and programme.status != RecordStatus.closed:
        still_open = _projects_still_open(session, programme)
        if still_open:
            raise Conflict(
                f"Projects {', '.join(still_open)} have not reached their last stage: close them "
                "through their gate reviews first."
            )
    changes.update(_closing(programme.status, changes))
    _dates_in_order(
        changes.get("planned_start", programme.planned_start),
        changes.get("planned_end", programme.planned_end),
        "planned_start",
        "planned_end",
    )
    audit.changed(session, actor, programme, "programme", changes)
    return programme


def delete_programme(session: Session, actor: Actor, programme: Programme) -> None:
    projects = session.execute(
        select(func.count()).select_from(Project).where(Project.programme_id == programme.id)
    ).scalar_one()
    if projects:
        raise Conflict(f"The programme has {projects} project(s); move them to another programme first.")
    roles = session.execute(
        select(func.count()).select_from(RoleAssignment).where(RoleAssignment.programme_id == programme.id)
    ).scalar_one()
    if roles:
        raise Conflict(f"{roles} role assignment(s) are held for this programme; remove them first.")
    audit.deleted(session, actor, programme, "programme")


# Projects ------------------------------------------------------------------------------

PROJECT_SORTS = {
    "reference": Project.reference,
    "name": Project.name,
    "stage": Project.stage,
    "planned_end": func.coalesce(Project.planned_end, date.max),  # undated last, on every database
    "updated_at": Project.updated_at,
}


def list_projects(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    portfolio_id: uuid.UUID | None = None,
    directorate_id: uuid.UUID | None = None,
    stage: str | None = None,
    confidence: str | None = None,
    sro_id: uuid.UUID | None = None,
    project_manager_id: uuid.UUID | None = None,
    q: str | None = None,
    sort: str = "reference",
) -> Page[Any]:
    statement = select(Project).where(Project.organisation_id == actor.organisation_id)
    for column, value in (
        (Project.programme_id, programme_id),
        (Project.lead_directorate_id, directorate_id),
        (Project.stage, stage),
        (Project.confidence, confidence),
        (Project.sro_id, sro_id),
        (Project.project_manager_id, project_manager_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if portfolio_id is not None:
        statement = statement.where(
            col(Project.programme_id).in_(select(Programme.id).where(Programme.portfolio_id == portfolio_id))
        )
    if q:
        statement = statement.where(text_search(q, Project.name, Project.reference, Project.description))
    statement = statement.order_by(*order_by(sort, PROJECT_SORTS, Project.id))
    return paginate(session, statement, page, ProjectPublic.model_validate)


def get_project(session: Session, actor: Actor, project_id: uuid.UUID) -> Project:
    project: Project = _own(session, actor, Project, project_id, "project")
    return project


def create_project(session: Session, actor: Actor, data: ProjectCreate) -> Project:
    _check_references(session, actor, data.model_dump())  # another organisation's: 404, before the policy
    programme = session.get_one(Programme, data.programme_id)
    enforce(policies.can_create_project(actor, data.lead_directorate_id, programme))
    _open_programme(session, data.programme_id)
    lifecycle = (
        gates.get_lifecycle(session, actor, data.lifecycle_id)
        if data.lifecycle_id is not None
        else gates.default_lifecycle(session, actor.organisation_id)
    )
    project = Project(
        organisation_id=actor.organisation_id,
        reference=next_reference(session, actor.organisation_id, PROJECT_PREFIX),
        **data.model_dump(exclude={"lifecycle_id"}),
        lifecycle_id=lifecycle.id,
        stage=gates.first_stage(lifecycle),
    )
    audit.created(session, actor, project, "project")
    return project


def update_project(session: Session, actor: Actor, project: Project, data: ProjectUpdate) -> Project:
    enforce(policies.can_edit_project(actor, project))
    changes = _patch_changes(data)
    stage = changes.pop("stage", None)
    if stage is not None and stage != project.stage:
        raise Conflict(
            f"A project changes stage only through a gate review: request one with "
            f"POST /api/v1/projects/{project.id}/gate-reviews.",
            extra={"gate_reviews": f"/api/v1/projects/{project.id}/gate-reviews"},
        )
    _check_references(session, actor, changes)
    if changes.get("programme_id", project.programme_id) != project.programme_id:
        _open_programme(session, changes["programme_id"])
    if "lead_directorate_id" in changes:
        enforce(policies.can_lead_from(actor, project, changes["lead_directorate_id"]))
    if "programme_id" in changes:
        enforce(policies.can_move_to_programme(actor, project, changes["programme_id"]))
    _dates_in_order(
        changes.get("planned_start", project.planned_start),
        changes.get("planned_end", project.planned_end),
        "planned_start",
        "planned_end",
    )
    audit.changed(session, actor, project, "project", changes)
    return project


# Delivery confidence -------------------------------------------------------------------


def assess_confidence(
    session: Session, actor: Actor, project: Project, data: ConfidenceCreate
) -> ConfidenceAssessment:
    enforce(policies.can_edit_project(actor, project))
    scale = session.get_one(Organisation, project.organisation_id).confidence_scale
    allowed = CONFIDENCE_SCALES.get(scale, CONFIDENCE_SCALES["ipa5"])
    if data.rating not in allowed:
        raise Unprocessable(
            f"'{data.rating}' is not on your organisation's {scale} scale: "
            + ", ".join(r.value for r in allowed)
            + ".",
            errors=[FieldProblem(location=["body", "rating"], message="not on the scale", type="enum")],
        )
    assessment = ConfidenceAssessment(
        organisation_id=project.organisation_id,
        project_id=project.id,
        scale=scale,
        rating=data.rating.value,
        commentary=data.commentary,
        assessed_by_id=actor.id if actor.kind == "user" else None,
        assessed_at=utcnow(),
    )
    session.add(assessment)
    before = audit.snapshot(project)
    project.confidence = data.rating.value
    project.updated_at = utcnow()
    session.add(project)
    session.flush()
    # One event for the one change: the project's new confidence, with the assessment behind it.
    audit.record(
        session,
        actor,
        organisation_id=project.organisation_id,
        action="assess_confidence",
        record_type="project",
        record_id=project.id,
        before=before,
        after={**audit.snapshot(project), "assessment": audit.snapshot(assessment)},
    )
    return assessment


def confidence_history(session: Session, actor: Actor, project: Project, page: PageParams) -> Page[Any]:
    statement = (
        select(ConfidenceAssessment)
        .where(
            ConfidenceAssessment.organisation_id == actor.organisation_id,
            ConfidenceAssessment.project_id == project.id,
        )
        .order_by(col(ConfidenceAssessment.assessed_at).desc(), col(ConfidenceAssessment.id).desc())
    )
    return paginate(session, statement, page, ConfidencePublic.model_validate)


# Milestones ----------------------------------------------------------------------------

MILESTONE_SORTS = {
    "due_date": Milestone.due_date,
    "title": Milestone.title,
    "created_at": Milestone.created_at,
}


def list_milestones(
    session: Session,
    actor: Actor,
    project: Project,
    page: PageParams,
    *,
    status: MilestoneStatus | None,
    sort: str,
) -> Page[MilestonePublic]:
    statement = select(Milestone).where(
        Milestone.organisation_id == actor.organisation_id, Milestone.project_id == project.id
    )
    if status is not None:
        statement = statement.where(Milestone.status == status.value)
    statement = statement.order_by(*order_by(sort, MILESTONE_SORTS, Milestone.id))
    now = today()
    return paginate(session, statement, page, lambda m: milestone_public(m, now))


def get_milestone(session: Session, actor: Actor, milestone_id: uuid.UUID) -> Milestone:
    milestone: Milestone = _own(session, actor, Milestone, milestone_id, "milestone")
    return milestone


def _plan(planned_date: date | None, planned_quarter: str | None) -> dict[str, Any]:
    if planned_quarter is not None:
        return {"planned_quarter": planned_quarter, "due_date": parse_quarter(planned_quarter).end}
    return {"planned_quarter": None, "due_date": planned_date}


def _baseline(session: Session, actor: Actor, milestone: Milestone, reason: str) -> None:
    """Record the milestone's current plan as its baseline number `baseline_number`."""
    session.add(
        MilestoneBaseline(
            organisation_id=milestone.organisation_id,
            milestone_id=milestone.id,
            number=milestone.baseline_number,
            planned_quarter=milestone.planned_quarter,
            due_date=milestone.due_date,
            reason=reason,
            set_by_id=actor.id if actor.kind == "user" else None,
            set_at=utcnow(),
        )
    )


def create_milestone(session: Session, actor: Actor, project: Project, data: MilestoneCreate) -> Milestone:
    enforce(policies.can_edit_project(actor, project))
    _check_references(session, actor, {"owner_id": data.owner_id})
    completed_on = data.completed_on or (today() if data.status == MilestoneStatus.done else None)
    milestone = Milestone(
        organisation_id=project.organisation_id,
        project_id=project.id,
        title=data.title,
        description=data.description,
        owner_id=data.owner_id,
        status=data.status.value,
        completed_on=completed_on,
        **_plan(data.planned_date, data.planned_quarter),
    )
    audit.created(session, actor, milestone, "milestone")
    _baseline(session, actor, milestone, reason="")
    if milestone.status == MilestoneStatus.missed.value:
        emitters.milestone_missed(session, milestone)
    return milestone


def update_milestone(
    session: Session, actor: Actor, milestone: Milestone, project: Project, data: MilestoneUpdate
) -> Milestone:
    enforce(policies.can_edit_project(actor, project))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    _check_references(session, actor, changes)
    if "forecast_date" in data.model_fields_set and data.forecast_date is None:
        changes["forecast_date"] = None  # back on its baseline
    if "status" in changes:
        changes["status"] = changes["status"].value
    status = changes.get("status", milestone.status)
    if status == MilestoneStatus.done.value:
        if milestone.completed_on is None and "completed_on" not in changes:
            changes["completed_on"] = today()
    elif "completed_on" in changes:
        raise Unprocessable(
            "completed_on is only for a milestone that is done.",
            errors=[FieldProblem(location=["body", "completed_on"], message="not done", type="value_error")],
        )
    else:
        changes["completed_on"] = None  # reopened: no longer completed
    newly_missed = status == MilestoneStatus.missed.value and milestone.status != status
    audit.changed(session, actor, milestone, "milestone", changes)
    if newly_missed:
        emitters.milestone_missed(session, milestone)
    return milestone


def rebaseline_milestone(
    session: Session, actor: Actor, milestone: Milestone, project: Project, data: MilestoneRebaseline
) -> Milestone:
    """A new baseline with its reason; the old one stays in the history. A forecast that the
    new baseline meets is no longer a forecast: it is cleared."""
    enforce(policies.can_edit_project(actor, project))
    changes = _plan(data.planned_date, data.planned_quarter) | {
        "baseline_number": milestone.baseline_number + 1
    }
    if milestone.forecast_date is not None and milestone.forecast_date == changes["due_date"]:
        changes["forecast_date"] = None
    audit.changed(session, actor, milestone, "milestone", changes, action="rebaseline")
    _baseline(session, actor, milestone, reason=data.reason)
    return milestone


def milestone_baselines(
    session: Session, actor: Actor, milestone: Milestone
) -> list[MilestoneBaselinePublic]:
    """Every baseline of the milestone, the first first; the last is the current one."""
    rows = session.exec(
        select(MilestoneBaseline)
        .where(
            MilestoneBaseline.organisation_id == actor.organisation_id,
            MilestoneBaseline.milestone_id == milestone.id,
        )
        .order_by(col(MilestoneBaseline.number))
    ).all()
    return [
        MilestoneBaselinePublic(
            number=row.number,
            planned_date=None if row.planned_quarter else row.due_date,
            planned_quarter=row.planned_quarter,
            due_date=row.due_date,
            reason=row.reason,
            set_by_id=row.set_by_id,
            set_at=row.set_at,
            current=row.number == milestone.baseline_number,
        )
        for row in rows
    ]


def delete_milestone(session: Session, actor: Actor, milestone: Milestone, project: Project) -> None:
    enforce(policies.can_edit_project(actor, project))
    for baseline in session.exec(
        select(MilestoneBaseline).where(MilestoneBaseline.milestone_id == milestone.id)
    ).all():
        session.delete(baseline)
    session.flush()
    audit.deleted(session, actor, milestone, "milestone")


# Views ---------------------------------------------------------------------------------


def _pending_reviews(session: Session, statement: Any) -> list[PendingGateReview]:
    rows = session.execute(statement).all()
    return [
        PendingGateReview(
            id=review.id,
            project_id=review.project_id,
            project_reference=reference,
            project_name=name,
            gate_key=review.gate_key,
            from_stage=review.from_stage,
            to_stage=review.to_stage,
            requested_by_id=review.requested_by_id,
            requested_at=review.requested_at,
        )
        for review, reference, name in rows
    ]


def _pending_reviews_query(organisation_id: uuid.UUID) -> Any:
    return (
        select(GateReview, Project.reference, Project.name)
        .join(Project, Project.id == GateReview.project_id)  # type: ignore[arg-type]
        .where(GateReview.organisation_id == organisation_id, GateReview.status == "pending")
        .order_by(col(GateReview.requested_at), col(GateReview.id))
    )


def programme_dashboard(session: Session, actor: Actor, programme: Programme) -> ProgrammeDashboard:
    in_programme = select(Project.id).where(
        Project.organisation_id == actor.organisation_id, Project.programme_id == programme.id
    )
    by_stage = dict(
        session.execute(
            select(Project.stage, func.count())
            .where(Project.organisation_id == actor.organisation_id, Project.programme_id == programme.id)
            .group_by(Project.stage)
            .order_by(Project.stage)
        ).all()
    )
    by_confidence = {
        (rating or "not_assessed"): count
        for rating, count in session.execute(
            select(Project.confidence, func.count())
            .where(Project.organisation_id == actor.organisation_id, Project.programme_id == programme.id)
            .group_by(Project.confidence)
        ).all()
    }
    now = today()
    open_milestones = (
        select(Milestone)
        .where(
            Milestone.organisation_id == actor.organisation_id,
            col(Milestone.project_id).in_(in_programme),
            col(Milestone.status).not_in(CLOSED_MILESTONE),
        )
        .order_by(col(Milestone.due_date), col(Milestone.id))
        .limit(VIEW_LIMIT)
    )
    due = session.execute(
        open_milestones.where(
            Milestone.due_date >= now, Milestone.due_date <= now + timedelta(days=DASHBOARD_DAYS)
        )
    ).scalars()
    overdue = session.execute(open_milestones.where(Milestone.due_date < now)).scalars()
    reviews = _pending_reviews(
        session, _pending_reviews_query(actor.organisation_id).where(Project.programme_id == programme.id)
    )
    return ProgrammeDashboard(
        programme_id=programme.id,
        projects=sum(by_stage.values()),
        projects_by_stage=dict(sorted(by_stage.items())),
        projects_by_confidence=dict(sorted(by_confidence.items())),
        milestones_due=[milestone_public(m, now) for m in due],
        milestones_overdue=[milestone_public(m, now) for m in overdue],
        gate_reviews_pending=reviews[:VIEW_LIMIT],
    )


def portfolio_overview(session: Session, actor: Actor) -> PortfolioOverview:
    """Every programme's dashboard counts in one answer: a grouped query per widget over the
    organisation, not a dashboard per programme (the web app's portfolio page)."""
    org = actor.organisation_id
    programmes = session.execute(
        select(Programme.id, Programme.name)
        .where(Programme.organisation_id == org)
        .order_by(col(Programme.name), col(Programme.id))
    ).all()
    by_stage: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for programme_id, stage, projects in session.execute(
        select(Project.programme_id, Project.stage, func.count())
        .where(Project.organisation_id == org)
        .group_by(col(Project.programme_id), col(Project.stage))
    ).all():
        by_stage[programme_id][stage] = projects
    by_confidence: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for programme_id, rating, projects in session.execute(
        select(Project.programme_id, Project.confidence, func.count())
        .where(Project.organisation_id == org)
        .group_by(col(Project.programme_id), col(Project.confidence))
    ).all():
        by_confidence[programme_id][rating or "not_assessed"] = projects
    now = today()
    open_milestones = select(Milestone).where(
        Milestone.organisation_id == org, col(Milestone.status).not_in(CLOSED_MILESTONE)
    )
    due = open_milestones.where(
        Milestone.due_date >= now, Milestone.due_date <= now + timedelta(days=DASHBOARD_DAYS)
    )
    overdue = open_milestones.where(Milestone.due_date < now)

    def first(statement: Any) -> list[MilestonePublic]:
        rows = session.execute(
            statement.order_by(col(Milestone.due_date), col(Milestone.id)).limit(VIEW_LIMIT)
        ).scalars()
        return [milestone_public(m, now) for m in rows]

    def count(statement: Any) -> int:
        return int(session.execute(select(func.count()).select_from(statement.subquery())).scalar_one())

    return PortfolioOverview(
        programmes=[
            ProgrammeCounts(
                programme_id=programme_id,
                name=name,
                projects=sum(by_stage[programme_id].values()),
                projects_by_stage=dict(sorted(by_stage[programme_id].items())),
                projects_by_confidence=dict(sorted(by_confidence[programme_id].items())),
            )
            for programme_id, name in programmes
        ],
        milestones_due_count=count(due),
        milestones_overdue_count=count(overdue),
        milestones_due=first(due),
        milestones_overdue=first(overdue),
        gate_reviews_pending=_pending_reviews(session, _pending_reviews_query(org))[:VIEW_LIMIT],
    )


def my_work(session: Session, actor: Actor) -> MyWork:
    if actor.kind != "user":
        return MyWork(gate_reviews_to_decide=[], milestones_due=[], actions_due=[])
    decided = select(GateDecision.review_id).where(GateDecision.decider_id == actor.id)
    candidates = _pending_reviews(
        session,
        _pending_reviews_query(actor.organisation_id).where(
            col(GateReview.id).not_in(decided), GateReview.requested_by_id != actor.id
        ),
    )
    # decider_ids is a JSON list; read it in Python so the query is the same on every database.
    mine = {
        review.id
        for review in session.execute(
            select(GateReview).where(
                GateReview.organisation_id == actor.organisation_id,
                col(GateReview.id).in_([c.id for c in candidates]),
            )
        ).scalars()
        if actor.id in {_as_uuid(d) for d in review.decider_ids}
    }
    now = today()
    milestones = session.execute(
        select(Milestone)
        .where(
            Milestone.organisation_id == actor.organisation_id,
            Milestone.owner_id == actor.id,
            col(Milestone.status).not_in(CLOSED_MILESTONE),
            Milestone.due_date <= now + timedelta(days=MY_WORK_DAYS),
        )
        .order_by(col(Milestone.due_date), col(Milestone.id))
        .limit(VIEW_LIMIT)
    ).scalars()
    return MyWork(
        gate_reviews_to_decide=[c for c in candidates if c.id in mine][:VIEW_LIMIT],
        milestones_due=[milestone_public(m, now) for m in milestones],
        actions_due=_my_actions_due(session, actor, now),
    )


def _my_actions_due(session: Session, actor: Actor, now: date) -> list[ActionDue]:
    """Risk actions waiting for the actor: still to do, on a risk still open, due within 30 days."""
    rows = session.execute(
        select(RiskAction, Risk, Project)
        .join(Risk, col(Risk.id) == RiskAction.risk_id)
        .outerjoin(Project, col(Project.id) == Risk.project_id)
        .where(
            RiskAction.organisation_id == actor.organisation_id,
            Risk.organisation_id == actor.organisation_id,
            RiskAction.actionee_id == actor.id,
            col(RiskAction.status).in_(OPEN_ACTION),
            Risk.status == "open",
            col(RiskAction.due_date).is_not(None),
            col(RiskAction.due_date) <= now + timedelta(days=MY_WORK_DAYS),
        )
        .order_by(col(RiskAction.due_date), col(Risk.reference), col(RiskAction.id))
        .limit(VIEW_LIMIT)
    ).all()
    return [
        ActionDue(
            id=action.id,
            description=action.description,
            due_date=action.due_date,
            status=action.status,
            overdue=action.due_date < now,
            risk_id=risk.id,
            risk_reference=risk.reference,
            risk_title=risk.title,
            project_id=risk.project_id,
            project_reference=project.reference if project else None,
            project_name=project.name if project else None,
            programme_id=risk.programme_id,
            portfolio_id=risk.portfolio_id,
        )
        for action, risk, project in rows
    ]


def _as_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
