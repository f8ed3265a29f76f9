"""The portfolio overview, and one person's share of the portfolio (the base of `/me/work`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.core.db import without
from pmo.core.periods import today
from pmo.core.permissions import Actor
from pmo.gates.models import GateDecision, GateReview
from pmo.portfolio.milestones_service import CLOSED_MILESTONE, milestone_views
from pmo.portfolio.models import PROJECT_LONG_TEXTS, Milestone, Programme, Project
from pmo.portfolio.overview_schemas import ActionDue, MyWork, PortfolioOverview, ProgrammeCounts
from pmo.portfolio.programmes_service import (
    DASHBOARD_DAYS,
    VIEW_LIMIT,
    pending_reviews,
    pending_reviews_query,
)
from pmo.raid.models import RISK_LONG_TEXTS, Risk, RiskAction

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


def my_work(session: Session, actor: Actor) -> MyWork:
    if actor.kind != "user":
        return MyWork(gate_reviews_to_decide=[], milestones_due=[], actions_due=[])
    decided = select(GateDecision.review_id).where(GateDecision.decider_id == actor.id)
    candidates = pending_reviews(
        session,
        pending_reviews_query(actor.organisation_id).where(
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
        milestones_due=milestone_views(session, actor, list(milestones)),
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
        .options(*without(Risk, RISK_LONG_TEXTS), *without(Project, PROJECT_LONG_TEXTS))
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
