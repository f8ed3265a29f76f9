"""Delivery confidence assessments of a project."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.db import utcnow
from pmo.core.errors import FieldProblem, Unprocessable
from pmo.core.pagination import PageParams, paginate
from pmo.core.permissions import Actor
from pmo.core.schemas import Page
from pmo.organisations.models import Organisation
from pmo.portfolio import policies
from pmo.portfolio.confidence_schemas import CONFIDENCE_SCALES, ConfidenceCreate, ConfidencePublic
from pmo.portfolio.models import ConfidenceAssessment, Project
from pmo.portfolio.projects_schemas import ProjectAction


def assess_confidence(
    session: Session, actor: Actor, project: Project, data: ConfidenceCreate
) -> ConfidenceAssessment:
    policies.ACTIONS.guard(actor, ProjectAction.assess_confidence, policies.action_context(session, project))
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
