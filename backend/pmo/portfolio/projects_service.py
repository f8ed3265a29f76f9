"""Projects (see `portfolios_service` for the rules every service of the register keeps)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.errors import Conflict
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.permissions import Actor, enforce
from pmo.core.references import next_reference
from pmo.core.schemas import Page
from pmo.gates import service as gates
from pmo.portfolio import policies
from pmo.portfolio.models import Programme, Project
from pmo.portfolio.policies import ACTIONS, ProjectContext, action_contexts
from pmo.portfolio.portfolios_service import check_date_order, check_references, own
from pmo.portfolio.programmes_service import open_programme, patch_changes
from pmo.portfolio.projects_schemas import ProjectAction, ProjectCreate, ProjectPublic, ProjectUpdate

PROJECT_PREFIX = "P"


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
    found = paginate(session, statement, page)
    found.items = [_public(actor, c) for c in action_contexts(session, found.items)]
    return found


def project_public(session: Session, actor: Actor, project: Project) -> ProjectPublic:
    return _public(actor, action_contexts(session, [project])[0])


def _public(actor: Actor, context: ProjectContext) -> ProjectPublic:
    return ProjectPublic.model_validate(
        {**context.project.model_dump(), "allowed_actions": ACTIONS.allowed(actor, context)}
    )


def get_project(session: Session, actor: Actor, project_id: uuid.UUID) -> Project:
    project: Project = own(session, actor, Project, project_id, "project")
    return project


def create_project(session: Session, actor: Actor, data: ProjectCreate) -> Project:
    check_references(session, actor, data.model_dump())  # another organisation's: 404, before the policy
    programme = session.get_one(Programme, data.programme_id)
    enforce(policies.can_create_project(actor, data.lead_directorate_id, programme))
    open_programme(session, data.programme_id)
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
    ACTIONS.guard(actor, ProjectAction.edit, action_contexts(session, [project])[0])
    changes = patch_changes(data)
    stage = changes.pop("stage", None)
    if stage is not None and stage != project.stage:
        raise Conflict(
            f"A project changes stage only through a gate review: request one with "
            f"POST /api/v1/projects/{project.id}/gate-reviews.",
            extra={"gate_reviews": f"/api/v1/projects/{project.id}/gate-reviews"},
        )
    check_references(session, actor, changes)
    if changes.get("programme_id", project.programme_id) != project.programme_id:
        open_programme(session, changes["programme_id"])
    if "lead_directorate_id" in changes:
        enforce(policies.can_lead_from(actor, project, changes["lead_directorate_id"]))
    if "programme_id" in changes:
        enforce(policies.can_move_to_programme(actor, project, changes["programme_id"]))
    check_date_order(
        changes.get("planned_start", project.planned_start),
        changes.get("planned_end", project.planned_end),
        "planned_start",
        "planned_end",
    )
    audit.changed(session, actor, project, "project", changes)
    return project
