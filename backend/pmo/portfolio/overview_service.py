"""The portfolio overview (`/me/work`, which shares its constants, is `pmo.work.work_service`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.core.periods import today
from pmo.core.permissions import Actor
from pmo.portfolio.milestones_service import CLOSED_MILESTONE, milestone_views
from pmo.portfolio.models import Milestone, Programme, Project
from pmo.portfolio.overview_schemas import PortfolioOverview, ProgrammeCounts
from pmo.portfolio.programmes_service import (
    DASHBOARD_DAYS,
    VIEW_LIMIT,
    pending_reviews,
    pending_reviews_query,
)

MY_WORK_DAYS = 30
# Risk actions still to be done (the others are done or cancelled).
OPEN_ACTION = ("open", "in_progress")


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

    def first(statement: Any) -> list[Milestone]:
        rows = session.execute(
            statement.order_by(col(Milestone.due_date), col(Milestone.id)).limit(VIEW_LIMIT)
        ).scalars()
        return list(rows)

    def count(statement: Any) -> int:
        return int(session.execute(select(func.count()).select_from(statement.subquery())).scalar_one())

    # Both lists' views at once: their projects read in one query.
    due_first, overdue_first = first(due), first(overdue)
    views = milestone_views(session, actor, due_first + overdue_first)
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
        milestones_due=views[: len(due_first)],
        milestones_overdue=views[len(due_first) :],
        gate_reviews_pending=pending_reviews(session, pending_reviews_query(org))[:VIEW_LIMIT],
    )
