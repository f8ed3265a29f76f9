"""The work list as it was built before issue 16 read rows for it: ORM objects the policies
read, item by item. Kept as the oracle `test_same_answer_as_before` compares the service with
(byte for byte, for every person of the demo and of a small scale council).

Copied from `pmo.work.work_service` and `pmo.portfolio.overview_service.my_work` at 5b0d0ad.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from pmo.core.db import without
from pmo.core.periods import FREQUENCIES, period_containing, today
from pmo.core.permissions import ROLE_WORDS, Actor, Grant, Permission, Role
from pmo.finance.drawdowns_schemas import DrawdownStatus
from pmo.finance.drawdowns_service import _awaiting as drawdowns_awaiting
from pmo.finance.models import Drawdown
from pmo.gates.models import GateDecision, GateReview, Lifecycle
from pmo.gates.service import stage_names
from pmo.kpis.models import Kpi, KpiValue
from pmo.kpis.policies import submit_scope
from pmo.kpis.schemas import KpiStatus, ValueStatus
from pmo.portfolio import overview_service, scope
from pmo.portfolio.milestones_service import CLOSED_MILESTONE, milestone_views
from pmo.portfolio.models import PROJECT_LONG_TEXTS, Milestone, Programme, Project
from pmo.portfolio.overview_schemas import ActionDue, MyWork
from pmo.portfolio.overview_service import MY_WORK_DAYS, OPEN_ACTION
from pmo.portfolio.policies import can_edit_project
from pmo.portfolio.programmes_service import VIEW_LIMIT, pending_reviews, pending_reviews_query
from pmo.raid.common import can_edit_item
from pmo.raid.models import RISK_LONG_TEXTS, Risk, RiskAction
from pmo.reports import highlights_policies
from pmo.reports.highlights_models import HighlightReport
from pmo.reports.highlights_schemas import ReportStatus
from pmo.reports.highlights_service import CLOSED_STAGE, late_reports, month_of
from pmo.work.work_schemas import MyWorkList, WorkCounts, WorkItem

API = "/api/v1"
LIMIT = VIEW_LIMIT
DUE_WITHIN = timedelta(days=overview_service.MY_WORK_DAYS)
EDITOR_ROLES = (Role.project_manager, Role.sponsor, Role.finance)
DRAWDOWN_ACTIONS = {
    DrawdownStatus.consultation.value: ("consult", "Give your view as a consultee"),
    DrawdownStatus.awaiting_decision.value: ("decide", "Decide within delegation"),
    DrawdownStatus.referred.value: ("record_decision", "Record the Cabinet or Council decision"),
}


def _count(session: Session, statement: Any) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(session.execute(counted).scalar_one())


def _is_user(actor: Actor) -> bool:
    return actor.kind == "user"


def _narrow_grants(actor: Actor) -> list[Grant]:
    """Roles held for one programme or one project: their records are the person's own work
    (a role for the whole organisation or a directorate is not a work list)."""
    return [g for g in actor.grants if g.role in EDITOR_ROLES and (g.programme_id or g.project_id)]


def _projects(session: Session, actor: Actor) -> tuple[list[WorkItem], int]:
    mine: list[Any] = [col(Project.sro_id) == actor.id, col(Project.project_manager_id) == actor.id]
    if narrow := _narrow_grants(actor):
        mine.append(scope.covered(narrow, col(Project.id)))
    statement = select(Project).where(
        Project.organisation_id == actor.organisation_id,
        Project.stage != CLOSED_STAGE,
        or_(*mine),
    )
    rows = list(session.execute(statement.order_by(col(Project.reference)).limit(LIMIT)).scalars())
    # Stages in words ("Design and develop"), from the lifecycles of the projects listed.
    names: dict[uuid.UUID, dict[str, str]] = {}
    if rows:
        lifecycles = select(Lifecycle).where(col(Lifecycle.id).in_({p.lifecycle_id for p in rows}))
        names = {lifecycle.id: stage_names(lifecycle) for lifecycle in session.execute(lifecycles).scalars()}
    items = [
        WorkItem(
            kind="project",
            id=p.id,
            reference=p.reference,
            title=p.name,
            action="sponsor" if p.sro_id == actor.id else "manage",
            detail=f"{_why_mine(actor, p)}; stage {names.get(p.lifecycle_id, {}).get(p.stage, p.stage)}.",
            due_on=p.planned_end,
            overdue=False,
            link=f"/projects/{p.id}",
            api_url=f"{API}/projects/{p.id}",
        )
        for p in rows
    ]
    return items, _count(session, statement)


def _why_mine(actor: Actor, project: Project) -> str:
    if project.sro_id == actor.id:
        return "You are its SRO"
    if project.project_manager_id == actor.id:
        return "You are its project manager"
    place = scope.project_place(project)
    grant = next(g for g in _narrow_grants(actor) if g.covers(place))
    return f"You are {ROLE_WORDS[grant.role]} for {grant.scope_words()}"


def _programmes(session: Session, actor: Actor) -> tuple[list[WorkItem], int]:
    mine: list[Any] = [col(Programme.sro_id) == actor.id]
    scoped = [g.programme_id for g in _narrow_grants(actor) if g.programme_id]
    if scoped:
        mine.append(col(Programme.id).in_(scoped))
    statement = select(Programme).where(Programme.organisation_id == actor.organisation_id, or_(*mine))
    rows = session.execute(statement.order_by(col(Programme.name), col(Programme.id)).limit(LIMIT)).scalars()
    items = [
        WorkItem(
            kind="programme",
            id=p.id,
            reference=None,
            title=p.name,
            action="sponsor" if p.sro_id == actor.id else "manage",
            detail="You are its senior responsible owner."
            if p.sro_id == actor.id
            else "Your role is held for this programme.",
            due_on=p.planned_end,
            overdue=False,
            link=f"/programmes/{p.id}",
            api_url=f"{API}/programmes/{p.id}",
        )
        for p in rows
    ]
    return items, _count(session, statement)


def _drawdowns(session: Session, actor: Actor) -> tuple[list[WorkItem], int]:
    # The same rule the draw-down list's `awaiting_me=true` applies (consult, decide, record).
    ids = drawdowns_awaiting(session, actor)
    if not ids:  # an empty IN () would read the organisation's every draw-down to find none
        return [], 0
    rows = session.execute(
        select(Drawdown, Project)
        .join(Project, col(Project.id) == col(Drawdown.project_id))
        .where(Drawdown.organisation_id == actor.organisation_id, col(Drawdown.id).in_(ids))
        .order_by(col(Drawdown.submitted_at), col(Drawdown.id))
        .limit(LIMIT)
    ).all()
    items = []
    for drawdown, project in rows:
        action, what = DRAWDOWN_ACTIONS[drawdown.status]
        items.append(
            WorkItem(
                kind="drawdown",
                id=drawdown.id,
                reference=drawdown.reference,
                title=f"£{drawdown.amount_pence / 100:,.2f} for {project.reference} {project.name}",
                action=action,
                detail=f"{what}.",
                due_on=None,
                overdue=False,
                link=f"/drawdowns/{drawdown.id}",
                api_url=f"{API}/drawdowns/{drawdown.id}",
            )
        )
    return items, len(ids)


def _kpi_values_due(session: Session, actor: Actor, now: date) -> tuple[list[WorkItem], int]:
    """KPIs the person answers for (owner, or manager of its project) and may submit for, whose
    last ended period has no value submitted yet (a draft still counts as not done)."""
    if not _is_user(actor) or Permission.kpi_values_submit not in actor.permissions():
        return [], 0
    periods = {f: period_containing(f, now).previous for f in FREQUENCIES}
    mine: list[Any] = [col(Kpi.owner_id) == actor.id]
    if Role.project_manager in actor.roles:
        managed = select(Project.id).where(col(Project.project_manager_id) == actor.id)
        mine.append(col(Kpi.project_id).in_(managed))
    if narrow := _narrow_grants(actor):  # the KPIs of the programme or project a role is held for
        mine.append(scope.covered(narrow, col(Kpi.project_id), col(Kpi.programme_id)))
    missing = or_(
        *(
            and_(
                col(Kpi.frequency) == frequency,
                ~exists().where(
                    col(KpiValue.kpi_id) == col(Kpi.id),
                    col(KpiValue.period_code) == period.code,
                    col(KpiValue.status) != ValueStatus.draft.value,
                ),
            )
            for frequency, period in periods.items()
        )
    )
    statement = select(Kpi).where(
        Kpi.organisation_id == actor.organisation_id,
        Kpi.status == KpiStatus.active.value,
        submit_scope(actor),
        or_(*mine),
        missing,
    )
    rows = session.execute(statement.order_by(col(Kpi.code)).limit(LIMIT)).scalars()
    items = [
        WorkItem(
            kind="kpi",
            id=kpi.id,
            reference=kpi.code,
            title=kpi.name,
            action="enter_value",
            detail=f"No value submitted for {periods[kpi.frequency].label}.",
            due_on=None,
            overdue=False,
            link=f"/kpis/{kpi.id}",
            api_url=f"{API}/kpis/{kpi.id}",
        )
        for kpi in rows
    ]
    return items, _count(session, statement)


def _kpi_values_to_verify(session: Session, actor: Actor) -> tuple[list[WorkItem], int]:
    if not actor.has(Permission.kpi_values_verify):
        return [], 0
    statement = (
        select(KpiValue, Kpi)
        .join(Kpi, col(Kpi.id) == col(KpiValue.kpi_id))
        .where(
            KpiValue.organisation_id == actor.organisation_id,
            col(KpiValue.status).in_([ValueStatus.submitted.value, ValueStatus.verified.value]),
        )
    )
    rows = session.execute(
        statement.order_by(col(KpiValue.submitted_at), col(KpiValue.id)).limit(LIMIT)
    ).all()
    items = [
        WorkItem(
            kind="kpi_value",
            id=value.id,
            reference=kpi.code,
            title=f"{kpi.name}, {value.period_code}",
            action="verify" if value.status == ValueStatus.submitted.value else "publish",
            detail=f"A {value.status} value of {value.actual}.",
            due_on=None,
            overdue=False,
            link="/kpi-values",
            api_url=f"{API}/kpi-values/{value.id}",
        )
        for value, kpi in rows
    ]
    return items, _count(session, statement)


def _risk_reviews_due(session: Session, actor: Actor, now: date) -> list[WorkItem]:
    rows = session.execute(
        select(Risk, Project, Programme)
        .outerjoin(Project, col(Project.id) == col(Risk.project_id))
        .outerjoin(Programme, col(Programme.id) == col(Risk.programme_id))
        .where(
            Risk.organisation_id == actor.organisation_id,
            col(Risk.owner_id) == actor.id,
            Risk.status == "open",
            col(Risk.review_date).is_not(None),
            col(Risk.review_date) <= now + DUE_WITHIN,
        )
        .order_by(col(Risk.review_date), col(Risk.reference))
        .limit(LIMIT)
        .options(*without(Risk, RISK_LONG_TEXTS), *without(Project, PROJECT_LONG_TEXTS))
    ).all()
    return [
        WorkItem(
            kind="risk",
            id=risk.id,
            reference=risk.reference,
            title=risk.title,
            action="review",
            detail="Review the risk: its scores, response and actions.",
            due_on=risk.review_date,
            overdue=risk.review_date is not None and risk.review_date < now,
            link=f"/risks/{risk.id}/edit",
            api_url=f"{API}/risks/{risk.id}",
        )
        for risk, project, programme in rows
        if can_edit_item(actor, risk, project, programme) is True
    ]


def _late_reports(session: Session, actor: Actor) -> list[WorkItem]:
    if not actor.has(Permission.highlight_reports_oversee):
        return []
    late = late_reports(session, actor, None)
    items = []
    for item in late.items[:LIMIT]:
        path = f"/highlight-reports/{item.report_id}" if item.report_id else f"/projects/{item.project_id}"
        items.append(
            WorkItem(
                kind="highlight_report",
                id=item.project_id,
                reference=item.project_reference,
                title=f"{item.project_name}: {item.period_label} highlight report",
                action="chase_report",
                detail=f"{item.days_late} days late ({item.status}).",
                due_on=item.due_on,
                overdue=True,
                link=path,
                api_url=f"{API}{path}",
            )
        )
    return items


def _reports_to_review(session: Session, actor: Actor) -> list[WorkItem]:
    """Submitted highlight reports the person may review now (`can_review`: a sponsor covering
    the project, not its submitter). Only sponsors review, so nobody else pays the query."""
    if Role.sponsor not in actor.roles:
        return []
    rows = session.execute(
        select(HighlightReport, Project)
        .join(Project, col(Project.id) == col(HighlightReport.project_id))
        .where(
            HighlightReport.organisation_id == actor.organisation_id,
            HighlightReport.status == ReportStatus.submitted.value,
        )
        .order_by(col(HighlightReport.submitted_at), col(HighlightReport.id))
    ).all()
    items = []
    for report, project in rows:
        if highlights_policies.can_review(actor, project, report) is not True:
            continue
        when = f" on {report.submitted_at.day} {report.submitted_at:%B %Y}" if report.submitted_at else ""
        items.append(
            WorkItem(
                kind="highlight_report",
                id=report.id,
                reference=project.reference,
                title=f"{project.name}: {month_of(report.period).label} highlight report",
                action="review_report",
                detail=f"Submitted{when}: accept it, or return it with comments.",
                due_on=None,
                overdue=False,
                link=f"/highlight-reports/{report.id}",
                api_url=f"{API}/highlight-reports/{report.id}",
            )
        )
    return items[:LIMIT]


def _editable_projects(session: Session, actor: Actor, project_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    projects = session.execute(
        select(Project).where(col(Project.id).in_(project_ids)).options(*without(Project, PROJECT_LONG_TEXTS))
    ).scalars()
    return {p.id for p in projects if can_edit_project(actor, p) is True}


def my_work(session: Session, actor: Actor) -> MyWorkList:
    now = today()
    # Held for the request: the scope rule reads each project's programme, and the session's
    # identity map keeps an object only while something refers to it (else a query an item).
    _held_programmes = (
        session.execute(select(Programme).where(Programme.organisation_id == actor.organisation_id))
        .scalars()
        .all()
    )
    base = _overview_my_work(session, actor)
    # A milestone or risk action is on the list only if its owner may change it (its project's
    # or programme's rules), as the routes that update them check.
    editable = _editable_projects(session, actor, {m.project_id for m in base.milestones_due})
    milestones = [m for m in base.milestones_due if m.project_id in editable]
    risks = session.execute(
        select(Risk, Project, Programme)
        .outerjoin(Project, col(Project.id) == col(Risk.project_id))
        .outerjoin(Programme, col(Programme.id) == col(Risk.programme_id))
        .where(col(Risk.id).in_({a.risk_id for a in base.actions_due}))
        .options(*without(Risk, RISK_LONG_TEXTS), *without(Project, PROJECT_LONG_TEXTS))
    ).all()
    actionable = {r.id for r, project, programme in risks if can_edit_item(actor, r, project, programme)}
    actions = [a for a in base.actions_due if a.risk_id in actionable]
    # An API client owns and manages nothing and holds no role: these find nothing for it.
    projects, projects_count = _projects(session, actor)
    programmes, programmes_count = _programmes(session, actor)
    drawdowns, drawdowns_count = _drawdowns(session, actor)
    reviews = _risk_reviews_due(session, actor, now)
    kpis_due, kpis_due_count = _kpi_values_due(session, actor, now)
    to_verify, to_verify_count = _kpi_values_to_verify(session, actor)
    late = _late_reports(session, actor)
    to_review = _reports_to_review(session, actor)
    return MyWorkList(
        as_of=now,
        counts=WorkCounts(
            gate_reviews_to_decide=len(base.gate_reviews_to_decide),
            milestones_due=len(milestones),
            actions_due=len(actions),
            my_projects=projects_count,
            my_programmes=programmes_count,
            drawdowns_awaiting_me=drawdowns_count,
            kpi_values_due=kpis_due_count,
            kpi_values_to_verify=to_verify_count,
            risk_reviews_due=len(reviews),
            late_highlight_reports=len(late),
            highlight_reports_to_review=len(to_review),
        ),
        gate_reviews_to_decide=base.gate_reviews_to_decide,
        milestones_due=milestones,
        actions_due=actions,
        my_projects=projects,
        my_programmes=programmes,
        drawdowns_awaiting_me=drawdowns,
        kpi_values_due=kpis_due,
        kpi_values_to_verify=to_verify,
        risk_reviews_due=reviews,
        late_highlight_reports=late,
        highlight_reports_to_review=to_review,
    )


def _overview_my_work(session: Session, actor: Actor) -> MyWork:
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
