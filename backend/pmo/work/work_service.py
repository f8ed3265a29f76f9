"""The work list: a fixed number of queries whatever the size of the portfolio.

Each section lists only what the person may act on under the policy functions that guard the
routes (`can_edit_project`, `can_edit_item`, `submit_scope`, the draw-down rules, the
permission map), so a button the list leads to is never refused.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, and_, case, exists, func, literal, or_
from sqlalchemy import select as sa_select  # typed for any number of columns
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

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
from pmo.portfolio import milestones_service, overview_service, scope
from pmo.portfolio.milestones_schemas import MilestonePublic, milestone_public
from pmo.portfolio.models import Milestone, Programme, Project
from pmo.portfolio.overview_schemas import ActionDue
from pmo.portfolio.overview_service import OPEN_ACTION
from pmo.portfolio.policies import can_edit_project
from pmo.portfolio.programmes_service import VIEW_LIMIT, pending_reviews, pending_reviews_query
from pmo.raid.common import can_edit_item
from pmo.raid.models import Risk, RiskAction
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


def _count(session: Session, statement: Any, shown: int) -> int:
    """How many rows `statement` finds in all, `shown` of them listed (at most LIMIT): a list
    shorter than the limit is all of them, and the count is not asked again."""
    if shown < LIMIT:
        return shown
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(session.execute(counted).scalar_one())


def _is_user(actor: Actor) -> bool:
    return actor.kind == "user"


def _narrow_grants(actor: Actor) -> list[Grant]:
    """Roles held for one programme or one project: their records are the person's own work
    (a role for the whole organisation or a directorate is not a work list)."""
    return [g for g in actor.grants if g.role in EDITOR_ROLES and (g.programme_id or g.project_id)]


def _projects(
    session: Session, actor: Actor, projects: dict[uuid.UUID, Project]
) -> tuple[list[WorkItem], int]:
    mine: list[Any] = [col(Project.sro_id) == actor.id, col(Project.project_manager_id) == actor.id]
    if narrow := _narrow_grants(actor):
        mine.append(scope.covered(narrow, col(Project.id)))
    where = (
        col(Project.organisation_id) == actor.organisation_id,
        col(Project.stage) != CLOSED_STAGE,
        or_(*mine),
    )
    rows = session.execute(
        sa_select(
            col(Project.id),
            col(Project.reference),
            col(Project.name),
            col(Project.sro_id),
            col(Project.project_manager_id),
            col(Project.lifecycle_id),
            col(Project.stage),
            col(Project.planned_end),
        )
        .where(*where)
        .order_by(col(Project.reference))
        .limit(LIMIT)
    ).all()
    # Stages in words ("Design and develop"), from the lifecycles of the projects listed.
    names: dict[uuid.UUID, dict[str, str]] = {}
    if rows:
        lifecycles = select(Lifecycle).where(col(Lifecycle.id).in_({p.lifecycle_id for p in rows}))
        names = {lifecycle.id: stage_names(lifecycle) for lifecycle in session.execute(lifecycles).scalars()}
    # Why a project is on the list needs the scope rule only where the person is not named on it.
    _load_projects(
        session, projects, {p.id for p in rows if actor.id not in (p.sro_id, p.project_manager_id)}
    )
    items = [
        WorkItem(
            kind="project",
            id=p.id,
            reference=p.reference,
            title=p.name,
            action="sponsor" if p.sro_id == actor.id else "manage",
            detail=f"{_why_mine(actor, p, projects)}; stage {_stage(names, p)}.",
            due_on=p.planned_end,
            overdue=False,
            link=f"/projects/{p.id}",
            api_url=f"{API}/projects/{p.id}",
        )
        for p in rows
    ]
    return items, _count(session, select(Project.id).where(*where), len(items))


def _stage(names: dict[uuid.UUID, dict[str, str]], row: Row[Any]) -> str:
    stage: str = names.get(row.lifecycle_id, {}).get(row.stage, row.stage)
    return stage


def _why_mine(actor: Actor, row: Row[Any], projects: dict[uuid.UUID, Project]) -> str:
    if row.sro_id == actor.id:
        return "You are its SRO"
    if row.project_manager_id == actor.id:
        return "You are its project manager"
    place = scope.project_place(projects[row.id])
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
    return items, _count(session, statement, len(items))


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
    # One NOT EXISTS with the period worked out from the frequency, not one per frequency
    # under an OR: PostgreSQL plans this as an anti-join probing (kpi_id, period_code) for the
    # candidate KPIs, where the OR made it hash every value of the period (120,000 at scale).
    # The codes and the status are written into the statement, not bound: a prepared
    # statement's generic plan (psycopg prepares after five runs) took `status != $1` for one
    # row and scanned every value for each KPI (2.5 s at scale; 5 ms as written).
    last_period = case(
        {f: literal(p.code, literal_execute=True) for f, p in periods.items()}, value=col(Kpi.frequency)
    )
    missing = and_(
        col(Kpi.frequency).in_(list(periods)),
        ~exists().where(
            col(KpiValue.kpi_id) == col(Kpi.id),
            col(KpiValue.period_code) == last_period,
            col(KpiValue.status) != literal(ValueStatus.draft.value, literal_execute=True),
        ),
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
    return items, _count(session, statement, len(items))


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
    return items, _count(session, statement, len(items))


def _risk_reviews_due(
    session: Session,
    actor: Actor,
    now: date,
    projects: dict[uuid.UUID, Project],
    programmes: dict[uuid.UUID, Programme],
) -> list[WorkItem]:
    rows = session.execute(
        sa_select(
            col(Risk.id),
            col(Risk.reference),
            col(Risk.title),
            col(Risk.review_date),
            col(Risk.project_id),
            col(Risk.programme_id),
        )
        .where(
            col(Risk.organisation_id) == actor.organisation_id,
            col(Risk.owner_id) == actor.id,
            col(Risk.status) == "open",
            col(Risk.review_date).is_not(None),
            col(Risk.review_date) <= now + DUE_WITHIN,
        )
        .order_by(col(Risk.review_date), col(Risk.reference))
        .limit(LIMIT)
    ).all()
    _load_projects(session, projects, {r.project_id for r in rows if r.project_id})
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
        for risk in rows
        if _may_edit_risk(actor, risk, projects, programmes)
    ]


def _may_edit_risk(
    actor: Actor, risk: Row[Any], projects: dict[uuid.UUID, Project], programmes: dict[uuid.UUID, Programme]
) -> bool:
    """`can_edit_item` on a row of the risk's columns, with its project or programme."""
    project = projects[risk.project_id] if risk.project_id else None
    programme = programmes[risk.programme_id] if risk.programme_id else None
    return can_edit_item(actor, risk, project, programme) is True


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


# What the policies read of a project: its place (`scope.project_place`) and people (`named_on`).
POLICY_COLUMNS = (
    "id",
    "organisation_id",
    "reference",
    "name",
    "programme_id",
    "lead_directorate_id",
    "sro_id",
    "project_manager_id",
)


def _load_projects(session: Session, projects: dict[uuid.UUID, Project], ids: set[uuid.UUID]) -> None:
    """Add to `projects` those of `ids` not there yet, with the columns the policies read, in one query."""
    wanted = ids - projects.keys()
    if not wanted:
        return
    found = session.execute(
        select(Project)
        .where(col(Project.id).in_(wanted))
        .options(load_only(*(getattr(Project, name) for name in POLICY_COLUMNS)))
    ).scalars()
    projects.update((p.id, p) for p in found)


def _gate_reviews_to_decide(session: Session, actor: Actor) -> list[Any]:
    decided = select(GateDecision.review_id).where(GateDecision.decider_id == actor.id)
    candidates = pending_reviews(
        session,
        pending_reviews_query(actor.organisation_id).where(
            col(GateReview.id).not_in(decided), GateReview.requested_by_id != actor.id
        ),
    )
    if not candidates:
        return []
    # decider_ids is a JSON list; read it in Python so the query is the same on every database.
    mine = {
        review.id
        for review in session.execute(
            select(GateReview.id, GateReview.decider_ids).where(
                GateReview.organisation_id == actor.organisation_id,
                col(GateReview.id).in_([c.id for c in candidates]),
            )
        )
        if actor.id in {_as_uuid(d) for d in review.decider_ids}
    }
    return [c for c in candidates if c.id in mine][:LIMIT]


def _as_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _milestones_due(
    session: Session, actor: Actor, now: date, projects: dict[uuid.UUID, Project]
) -> list[MilestonePublic]:
    """The person's milestones overdue or due soon, on projects they may change, each with
    what they may do to it (`milestones_service.ACTIONS` over a row of its columns)."""
    rows = session.execute(
        sa_select(
            col(Milestone.id),
            col(Milestone.project_id),
            col(Milestone.title),
            col(Milestone.description),
            col(Milestone.owner_id),
            col(Milestone.planned_quarter),
            col(Milestone.due_date),
            col(Milestone.forecast_date),
            col(Milestone.baseline_number),
            col(Milestone.status),
            col(Milestone.completed_on),
            col(Milestone.created_at),
            col(Milestone.updated_at),
        )
        .where(
            col(Milestone.organisation_id) == actor.organisation_id,
            col(Milestone.owner_id) == actor.id,
            col(Milestone.status).not_in(milestones_service.CLOSED_MILESTONE),
            col(Milestone.due_date) <= now + DUE_WITHIN,
        )
        .order_by(col(Milestone.due_date), col(Milestone.id))
        .limit(LIMIT)
    ).all()
    _load_projects(session, projects, {m.project_id for m in rows})
    editable = {i for i in {m.project_id for m in rows} if can_edit_project(actor, projects[i]) is True}
    return [
        milestone_public(
            m,
            now,
            milestones_service.ACTIONS.allowed(
                actor, milestones_service.MilestoneContext(m, projects[m.project_id])
            ),
        )
        for m in rows
        if m.project_id in editable
    ]


def _actions_due(
    session: Session,
    actor: Actor,
    now: date,
    projects: dict[uuid.UUID, Project],
    programmes: dict[uuid.UUID, Programme],
) -> list[ActionDue]:
    """Risk actions waiting for the person (still to do, on a risk still open, due within 30
    days) on risks they may change."""
    rows = session.execute(
        sa_select(
            col(RiskAction.id),
            col(RiskAction.description),
            col(RiskAction.due_date),
            col(RiskAction.status),
            col(Risk.id).label("risk_id"),
            col(Risk.reference).label("risk_reference"),
            col(Risk.title).label("risk_title"),
            col(Risk.project_id),
            col(Risk.programme_id),
            col(Risk.portfolio_id),
            col(Project.reference).label("project_reference"),
            col(Project.name).label("project_name"),
        )
        .join(Risk, col(Risk.id) == RiskAction.risk_id)
        .outerjoin(Project, col(Project.id) == Risk.project_id)
        .where(
            col(RiskAction.organisation_id) == actor.organisation_id,
            col(Risk.organisation_id) == actor.organisation_id,
            col(RiskAction.actionee_id) == actor.id,
            col(RiskAction.status).in_(OPEN_ACTION),
            col(Risk.status) == "open",
            col(RiskAction.due_date).is_not(None),
            col(RiskAction.due_date) <= now + DUE_WITHIN,
        )
        .order_by(col(RiskAction.due_date), col(Risk.reference), col(RiskAction.id))
        .limit(LIMIT)
    ).all()
    _load_projects(session, projects, {a.project_id for a in rows if a.project_id})
    return [
        ActionDue(
            id=a.id,
            description=a.description,
            due_date=a.due_date,
            status=a.status,
            overdue=a.due_date < now,
            risk_id=a.risk_id,
            risk_reference=a.risk_reference,
            risk_title=a.risk_title,
            project_id=a.project_id,
            project_reference=a.project_reference,
            project_name=a.project_name,
            programme_id=a.programme_id,
            portfolio_id=a.portfolio_id,
        )
        for a in rows
        if _may_edit_risk(actor, a, projects, programmes)
    ]


def my_work(session: Session, actor: Actor) -> MyWorkList:
    """Each list is read as rows of the columns it shows; the policies that decide what is
    listed and each item's `allowed_actions` read the projects (place and people) and the
    programmes (held for the request) those rows sit in, each loaded once."""
    now = today()
    programmes = {
        p.id: p
        for p in session.execute(select(Programme).where(Programme.organisation_id == actor.organisation_id))
        .scalars()
        .all()
    }
    projects: dict[uuid.UUID, Project] = {}
    # Gate reviews, milestones and risk actions are a person's: an API client has none.
    user = _is_user(actor)
    gate_reviews = _gate_reviews_to_decide(session, actor) if user else []
    milestones = _milestones_due(session, actor, now, projects) if user else []
    actions = _actions_due(session, actor, now, projects, programmes) if user else []
    # An API client owns and manages nothing and holds no role: these find nothing for it.
    my_projects, projects_count = _projects(session, actor, projects)
    my_programmes, programmes_count = _programmes(session, actor)
    drawdowns, drawdowns_count = _drawdowns(session, actor)
    reviews = _risk_reviews_due(session, actor, now, projects, programmes)
    kpis_due, kpis_due_count = _kpi_values_due(session, actor, now)
    to_verify, to_verify_count = _kpi_values_to_verify(session, actor)
    late = _late_reports(session, actor)
    to_review = _reports_to_review(session, actor)
    return MyWorkList(
        as_of=now,
        counts=WorkCounts(
            gate_reviews_to_decide=len(gate_reviews),
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
        gate_reviews_to_decide=gate_reviews,
        milestones_due=milestones,
        actions_due=actions,
        my_projects=my_projects,
        my_programmes=my_programmes,
        drawdowns_awaiting_me=drawdowns,
        kpi_values_due=kpis_due,
        kpi_values_to_verify=to_verify,
        risk_reviews_due=reviews,
        late_highlight_reports=late,
        highlight_reports_to_review=to_review,
    )
