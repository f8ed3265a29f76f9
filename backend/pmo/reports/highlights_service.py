"""Highlight reports: pre-filled drafts, submission, the sponsor's review, the late list and
the programme board's pack.

Takes a session and the actor; never commits. Records are looked up within the actor's
organisation (another organisation's report, project or programme is 404), and a report the
actor may not read (another project's draft) is 404 as well. Every write is audited
(`highlight_report`). The draft is pre-filled through the same services the API reads
milestones, risks, issues and KPI scorecards with, so it says what the API says.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as sa_select  # typed for any number of columns
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import Period, parse_period_code, period_containing, today
from pmo.core.permissions import Actor, Permission, Role, enforce
from pmo.core.schemas import Page
from pmo.kpis.scorecards import scorecard
from pmo.organisations.models import Organisation
from pmo.portfolio import milestones_service, scope
from pmo.portfolio.milestones_schemas import MilestonePublic, MilestoneStatus
from pmo.portfolio.models import Programme, Project
from pmo.raid import items_service, risks_service
from pmo.raid.common import EscalationLevel, RaidFilters
from pmo.raid.models import Issue, Risk
from pmo.raid.scoring import Band, scale_of
from pmo.reports import highlights_policies as policies
from pmo.reports.highlights_models import HighlightReport
from pmo.reports.highlights_schemas import (
    DIMENSIONS,
    NULLABLE_REPORT_FIELDS,
    EscalatedItem,
    EscalatedItemType,
    HighlightFacts,
    HighlightPack,
    HighlightReportAction,
    HighlightReportCreate,
    HighlightReportPublic,
    HighlightReportUpdate,
    HighlightReview,
    KpiFact,
    LateHighlightReport,
    LateHighlightReports,
    MilestoneFact,
    PackProject,
    ReportStatus,
    ReviewOutcome,
)

CLOSED_STAGE = "closed"  # the last stage of every built-in lifecycle: no more reports
EDITABLE = (ReportStatus.draft.value, ReportStatus.returned.value)
DONE_MILESTONES = (MilestoneStatus.done.value, MilestoneStatus.missed.value)
OPEN_ISSUES = ("open", "in_progress")
SERIOUS = ("high", "critical")
PAGE = 200  # the most a list service returns at once


# Dates -------------------------------------------------------------------------------------


def month_of(code: str) -> Period:
    return parse_period_code(code, "monthly")


def due_on(month: Period, due_day: int) -> date:
    """The day of the next month by which the month's report is submitted."""
    return (month.end + timedelta(days=1)).replace(day=due_day)


def due_day_of(session: Session, organisation_id: uuid.UUID) -> int:
    organisation = session.get(Organisation, organisation_id)
    return organisation.highlight_report_due_day if organisation else 5


def is_late(report: HighlightReport, due: date, on: date) -> bool:
    if report.first_submitted_on is None:
        return on > due
    return report.first_submitted_on > due


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class ReportActionContext:
    report: HighlightReport
    project: Project


def _writes(actor: Actor, c: ReportActionContext) -> Verdict:
    return policies.can_write(actor, c.project)


def _editable(step: str) -> Callable[[Actor, ReportActionContext], Verdict]:
    def check(_actor: Actor, c: ReportActionContext) -> Verdict:
        if c.report.status not in EDITABLE:
            return Blocked(
                f"The report is {c.report.status}: only a draft or a returned report can be {step}."
            )
        return True

    return check


def _complete(_actor: Actor, c: ReportActionContext) -> Verdict:
    """A report goes to its sponsor with a summary, and a RAG with a sentence for each dimension."""
    missing = [name for name in ("summary",) if not c.report.summary.strip()]
    for dimension in DIMENSIONS:
        if getattr(c.report, f"{dimension}_rag") is None:
            missing.append(f"{dimension}_rag")
        if not getattr(c.report, f"{dimension}_note").strip():
            missing.append(f"{dimension}_note")
    if missing:
        return Blocked(
            "The report is not complete: it needs a summary, and a RAG with a sentence for time, cost, "
            "scope and benefits.",
            status=422,
            errors=tuple(
                FieldProblem(location=["report", name], message="required to submit", type="missing")
                for name in missing
            ),
        )
    return True


def _reviews(actor: Actor, c: ReportActionContext) -> Verdict:
    return policies.can_review(actor, c.project, c.report)


def _submitted(_actor: Actor, c: ReportActionContext) -> Verdict:
    if c.report.status != ReportStatus.submitted:
        return Blocked(f"The report is {c.report.status}: only a submitted report is reviewed.")
    return True


ACTIONS = ActionTable(
    HighlightReportAction,
    {
        HighlightReportAction.edit: Rule(
            Permission.highlight_reports_write, steps(_writes, _editable("changed"))
        ),
        HighlightReportAction.submit: Rule(
            Permission.highlight_reports_write, steps(_writes, _editable("submitted"), _complete)
        ),
        HighlightReportAction.review: Rule(Permission.highlight_reports_review, steps(_reviews, _submitted)),
    },
)


def action_context(session: Session, report: HighlightReport) -> ReportActionContext:
    return ReportActionContext(report, session.get_one(Project, report.project_id))


# Output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What turning reports into their public form needs, looked up once for a page."""

    projects: dict[uuid.UUID, Project]
    items: dict[tuple[str, uuid.UUID], Risk | Issue]
    due_day: int
    on: date


def _context(session: Session, organisation_id: uuid.UUID, reports: Sequence[HighlightReport]) -> _Context:
    project_ids = {r.project_id for r in reports}
    projects = {
        p.id: p for p in session.execute(select(Project).where(col(Project.id).in_(project_ids))).scalars()
    }
    wanted: dict[str, set[uuid.UUID]] = {"risk": set(), "issue": set()}
    for report in reports:
        for entry in report.escalations:
            wanted[entry["item_type"]].add(uuid.UUID(str(entry["item_id"])))
    items: dict[tuple[str, uuid.UUID], Risk | Issue] = {}
    for kind, model in (("risk", Risk), ("issue", Issue)):
        if wanted[kind]:
            for row in session.execute(select(model).where(col(model.id).in_(wanted[kind]))).scalars():
                items[(kind, row.id)] = row
    return _Context(projects, items, due_day_of(session, organisation_id), today())


def _escalated(item_type: str, item: Risk | Issue, note: str) -> EscalatedItem:
    rating = scale_of(item.scale).band(item.residual_score).value if isinstance(item, Risk) else item.priority
    return EscalatedItem(
        item_type=EscalatedItemType(item_type),
        item_id=item.id,
        reference=item.reference,
        title=item.title,
        status=item.status,
        rating=rating,
        escalation_level=item.escalation_level,
        note=note,
    )


def _public(context: _Context, actor: Actor, report: HighlightReport) -> HighlightReportPublic:
    project = context.projects[report.project_id]
    month = month_of(report.period)
    due = due_on(month, context.due_day)
    escalations = []
    for entry in report.escalations:
        item = context.items.get((entry["item_type"], uuid.UUID(str(entry["item_id"]))))
        if item is not None:
            escalations.append(_escalated(entry["item_type"], item, entry.get("note", "")))
    fields = {
        name: getattr(report, name) for name in HighlightReportPublic.model_fields if hasattr(report, name)
    }
    return HighlightReportPublic.model_validate(
        {
            **fields,
            "project_reference": project.reference,
            "project_name": project.name,
            "programme_id": project.programme_id,
            "period_label": month.label,
            "due_on": due,
            "late": is_late(report, due, context.on),
            "escalations": escalations,
            "facts": HighlightFacts.model_validate(report.facts),
            "allowed_actions": ACTIONS.allowed(actor, ReportActionContext(report, project)),
        }
    )


def report_public(session: Session, actor: Actor, report: HighlightReport) -> HighlightReportPublic:
    """The report as `actor` sees it."""
    return _public(_context(session, report.organisation_id, [report]), actor, report)


def reports_public(
    session: Session, actor: Actor, reports: Sequence[HighlightReport]
) -> list[HighlightReportPublic]:
    """A page of reports as `actor` sees them, in a few queries however many there are."""
    context = _context(session, actor.organisation_id, reports)
    return [_public(context, actor, r) for r in reports]


# Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    project_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    period: str | None = None
    status: str | None = None


REPORT_SORTS = {
    "period": HighlightReport.period,
    "status": HighlightReport.status,
    "updated_at": HighlightReport.updated_at,
}


def _own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def _readable(actor: Actor) -> ColumnElement[bool] | None:
    """The SQL form of `policies.can_read` (None: every report of the organisation)."""
    if policies.oversees(actor):
        return None
    conditions: list[ColumnElement[bool]] = [col(HighlightReport.status).in_(policies.PUBLISHED)]
    if Role.project_manager in actor.roles:
        managed = select(Project.id).where(Project.project_manager_id == actor.id)
        conditions.append(col(HighlightReport.project_id).in_(managed))
    if Role.sponsor in actor.roles:
        sro = select(Project.id).where(Project.sro_id == actor.id)
        conditions.append(col(HighlightReport.project_id).in_(sro))
    in_scope = [
        g for role in (Role.sponsor, Role.project_manager) for g in scope.reaching_grants(actor, role)
    ]
    if in_scope:
        conditions.append(scope.covered(in_scope, col(HighlightReport.project_id)))
    return or_(*conditions)


def list_reports(
    session: Session, actor: Actor, page: PageParams, filters: ReportFilters, *, sort: str
) -> Page[Any]:
    statement = select(HighlightReport).where(HighlightReport.organisation_id == actor.organisation_id)
    readable = _readable(actor)
    if readable is not None:
        statement = statement.where(readable)
    if filters.project_id is not None:
        statement = statement.where(HighlightReport.project_id == filters.project_id)
    if filters.programme_id is not None:
        in_programme = select(Project.id).where(Project.programme_id == filters.programme_id)
        statement = statement.where(col(HighlightReport.project_id).in_(in_programme))
    if filters.period is not None:
        statement = statement.where(HighlightReport.period == filters.period)
    if filters.status is not None:
        statement = statement.where(HighlightReport.status == filters.status)
    statement = statement.order_by(*order_by(sort, REPORT_SORTS, HighlightReport.id))
    result = paginate(session, statement, page)
    result.items = reports_public(session, actor, result.items)
    return result


def get_report(session: Session, actor: Actor, report_id: uuid.UUID) -> tuple[HighlightReport, Project]:
    report: HighlightReport = _own(session, actor, HighlightReport, report_id, "highlight report")
    project: Project = _own(session, actor, Project, report.project_id, "project")
    if not policies.can_read(actor, project, report):
        # A draft is its writers' business: its existence is not disclosed to others.
        raise NotFound("No highlight report with that id in your organisation.")
    return report, project


# Pre-filling a draft -----------------------------------------------------------------------


def _all(fetch: Any) -> list[Any]:
    """Every item of a paged list service (`fetch(page)` returns a Page)."""
    items: list[Any] = []
    offset = 0
    while True:
        page = fetch(PageParams(limit=PAGE, offset=offset))
        items.extend(page.items)
        offset += PAGE
        if offset >= page.total:
            return items


def _fact(m: MilestonePublic) -> dict[str, Any]:
    return MilestoneFact.model_validate(m, from_attributes=True).model_dump(mode="json")


def _lines(heading: str, milestones: Iterable[MilestonePublic], when: str) -> list[str]:
    lines = [
        f"- {m.title} ({when} {getattr(m, 'completed_on' if when == 'completed' else 'due_date'):%d %B %Y})"
        for m in milestones
    ]
    return [heading, *lines] if lines else []


def _prefill(session: Session, actor: Actor, project: Project, month: Period) -> dict[str, Any]:
    """The fields of a new draft from the project's milestones, RAID log and KPIs."""
    milestones: list[MilestonePublic] = _all(
        lambda page: milestones_service.list_milestones(
            session, actor, project, page, status=None, sort="due_date"
        )
    )

    def in_month(day: date | None) -> bool:
        return day is not None and month.start <= day <= month.end

    following = month.next
    completed = [m for m in milestones if m.status == MilestoneStatus.done and in_month(m.completed_on)]
    due = [m for m in milestones if in_month(m.due_date) and m.status not in DONE_MILESTONES]
    overdue = [m for m in milestones if m.due_date < month.start and m.status not in DONE_MILESTONES]
    upcoming = [
        m
        for m in milestones
        if following.start <= m.due_date <= following.end and m.status not in DONE_MILESTONES
    ]

    # Open risks that are red (residual) or escalated; open issues that are high or critical,
    # or escalated.
    filters = RaidFilters(project_id=project.id, status="open")
    risks: dict[uuid.UUID, Any] = {}
    for extra in ({"band": Band.red}, {}):
        for risk in _all(
            lambda page, extra=extra: risks_service.list_risks(session, actor, page, filters, **extra)
        ):
            if extra or risk.escalation_level != EscalationLevel.project:
                risks[risk.id] = risk
    issues = [
        i
        for i in _all(
            lambda page: items_service.list_issues(session, actor, page, RaidFilters(project_id=project.id))
        )
        if i.status in OPEN_ISSUES
        and (i.priority in SERIOUS or i.severity in SERIOUS or i.escalation_level != EscalationLevel.project)
    ]
    escalations = [
        {"item_type": "risk", "item_id": str(r.id), "note": r.escalation_reason or ""}
        for r in sorted(risks.values(), key=lambda r: r.reference)
    ] + [{"item_type": "issue", "item_id": str(i.id), "note": i.escalation_reason or ""} for i in issues]

    card = scorecard(session, actor, "programme", project.programme_id, include_unpublished=False)
    kpis = [
        KpiFact(
            kpi_id=row.kpi.id,
            code=row.kpi.code,
            name=row.kpi.name,
            period=row.latest.period.label if row.latest else None,
            actual=str(row.latest.actual) if row.latest else None,
            rag=row.latest.assessment.rag.value if row.latest and row.latest.assessment.rag else None,
            direction=(
                row.latest.assessment.direction_vs_previous.value
                if row.latest and row.latest.assessment.direction_vs_previous
                else None
            ),
        ).model_dump(mode="json")
        for row in card.rows
        if row.kpi.project_id == project.id
    ]

    achievements = _lines(f"Milestones completed in {month.label}:", completed, "completed")
    next_period = _lines(f"Milestones due in {following.label}:", upcoming, "due") + _lines(
        f"Still open from {month.label}:", due, "due"
    )
    time_note = (
        f"{len(completed)} milestone(s) completed in {month.label}, {len(due)} due in the month still open, "
        f"{len(overdue)} overdue from earlier months."
    )
    return {
        "achievements": "\n".join(achievements),
        "next_period": "\n".join(next_period),
        "time_note": time_note,
        "escalations": escalations,
        "facts": {
            "as_of": today().isoformat(),
            "milestones_completed": [_fact(m) for m in completed],
            "milestones_due": [_fact(m) for m in due],
            "milestones_overdue": [_fact(m) for m in overdue],
            "kpis": kpis,
        },
    }


# Writing -----------------------------------------------------------------------------------


def _period_problem(message: str) -> Unprocessable:
    return Unprocessable(
        message, errors=[FieldProblem(location=["body", "period"], message=message, type="value_error")]
    )


def create_report(session: Session, actor: Actor, data: HighlightReportCreate) -> HighlightReport:
    project: Project = _own(session, actor, Project, data.project_id, "project")
    enforce(policies.can_write(actor, project))
    month = month_of(data.period)
    if month.start > today():
        raise _period_problem(
            f"{month.label} has not started: a report is written during or after its month."
        )
    if project.stage == CLOSED_STAGE:
        raise Conflict(f"{project.reference} is closed: closed projects do not report.")
    existing = session.execute(
        select(HighlightReport.id).where(
            HighlightReport.project_id == project.id, HighlightReport.period == month.code
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict(
            f"{project.reference} already has a highlight report for {month.label}: "
            f"/api/v1/highlight-reports/{existing}."
        )
    report = HighlightReport(
        organisation_id=actor.organisation_id,
        project_id=project.id,
        period=month.code,
        created_by_id=actor.id if actor.kind == "user" else None,
        **_prefill(session, actor, project, month),
    )
    audit.created(session, actor, report, "highlight_report")
    return report


def _check_escalations(
    session: Session, actor: Actor, project: Project, entries: list[dict[str, Any]]
) -> None:
    problems: list[FieldProblem] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        model: Any = Risk if entry["item_type"] == EscalatedItemType.risk else Issue
        item = session.get(model, uuid.UUID(entry["item_id"]))
        where = ["body", "escalations", index, "item_id"]
        key = (entry["item_type"], str(entry["item_id"]))
        if item is None or item.organisation_id != actor.organisation_id or item.project_id != project.id:
            problems.append(
                FieldProblem(
                    location=where,
                    message=f"no {entry['item_type']} of {project.reference} with that id",
                    type="value_error",
                )
            )
        elif key in seen:
            problems.append(FieldProblem(location=where, message="listed twice", type="value_error"))
        seen.add(key)
    if problems:
        raise Unprocessable(
            "A report escalates risks and issues of its own project, each once.", errors=problems
        )


def update_report(
    session: Session, actor: Actor, report: HighlightReport, project: Project, data: HighlightReportUpdate
) -> HighlightReport:
    ACTIONS.guard(actor, HighlightReportAction.edit, ReportActionContext(report, project))
    changes = {
        name: value
        for name, value in data.model_dump(mode="json", exclude_unset=True).items()
        if value is not None or name in NULLABLE_REPORT_FIELDS
    }
    if "escalations" in changes:
        _check_escalations(session, actor, project, changes["escalations"])
    audit.changed(session, actor, report, "highlight_report", changes)
    return report


def submit_report(
    session: Session, actor: Actor, report: HighlightReport, project: Project
) -> HighlightReport:
    ACTIONS.guard(actor, HighlightReportAction.submit, ReportActionContext(report, project))
    changes: dict[str, Any] = {
        "status": ReportStatus.submitted.value,
        "submitted_at": utcnow(),
        "submitted_by_id": actor.id,
        "reviewed_at": None,
        "reviewed_by_id": None,
    }
    if report.first_submitted_on is None:
        changes["first_submitted_on"] = today()
    audit.changed(session, actor, report, "highlight_report", changes, action="submit")
    return report


def review_report(
    session: Session, actor: Actor, report: HighlightReport, project: Project, data: HighlightReview
) -> HighlightReport:
    ACTIONS.guard(actor, HighlightReportAction.review, ReportActionContext(report, project))
    if data.outcome == ReviewOutcome.returned and not data.comments.strip():
        raise Unprocessable(
            "Say what to change when returning a report.",
            errors=[
                FieldProblem(location=["body", "comments"], message="required when returned", type="missing")
            ],
        )
    changes = {
        "status": data.outcome.value,
        "reviewed_at": utcnow(),
        "reviewed_by_id": actor.id,
        "review_comments": data.comments,
    }
    audit.changed(session, actor, report, "highlight_report", changes, action="review")
    return report


# The late list and the programme board's pack ----------------------------------------------


def _active_projects(
    session: Session, organisation_id: uuid.UUID, month: Period, programme_id: uuid.UUID | None = None
) -> Sequence[Any]:
    """Projects that owe a report for `month`: not closed, and started by the month's end (their
    planned start; without one, their programme's; without either, when they were added).

    Rows of the columns a late report names, not ORM objects: the PMO's work list reads every
    active project of the council (2,000 objects took two thirds of its time)."""
    made_by = datetime.combine(month.end + timedelta(days=1), time(), tzinfo=UTC)
    start = func.coalesce(col(Project.planned_start), col(Programme.planned_start))
    statement = (
        sa_select(
            col(Project.id),
            col(Project.reference),
            col(Project.name),
            col(Project.programme_id),
            col(Project.project_manager_id),
        )
        .join(Programme, col(Programme.id) == col(Project.programme_id))
        .where(
            col(Project.organisation_id) == organisation_id,
            col(Project.stage) != CLOSED_STAGE,
            or_(start <= month.end, and_(start.is_(None), col(Project.created_at) < made_by)),
        )
    )
    if programme_id is not None:
        statement = statement.where(col(Project.programme_id) == programme_id)
    return session.execute(statement.order_by(col(Project.reference))).all()


def last_due_month(on: date, due_day: int) -> Period:
    """The latest month whose reports were due before `on`."""
    month = period_containing("monthly", on).previous
    return month if due_on(month, due_day) < on else month.previous


def late_reports(session: Session, actor: Actor, period: str | None) -> LateHighlightReports:
    due_day = due_day_of(session, actor.organisation_id)
    on = today()
    month = month_of(period) if period is not None else last_due_month(on, due_day)
    due = due_on(month, due_day)
    reports = {
        r.project_id: r
        for r in session.execute(
            select(HighlightReport).where(
                HighlightReport.organisation_id == actor.organisation_id, HighlightReport.period == month.code
            )
        ).scalars()
    }
    items = []
    if on > due:
        for project in _active_projects(session, actor.organisation_id, month):
            report = reports.get(project.id)
            if report is not None and report.status not in EDITABLE:
                continue
            items.append(
                LateHighlightReport(
                    project_id=project.id,
                    project_reference=project.reference,
                    project_name=project.name,
                    programme_id=project.programme_id,
                    project_manager_id=project.project_manager_id,
                    period=month.code,
                    period_label=month.label,
                    due_on=due,
                    days_late=(on - due).days,
                    report_id=report.id if report else None,
                    status=report.status if report else "missing",
                )
            )
    return LateHighlightReports(
        as_of=on, period=month.code, period_label=month.label, due_on=due, items=items
    )


def pack(session: Session, actor: Actor, programme_id: uuid.UUID, period: str) -> HighlightPack:
    programme: Programme = _own(session, actor, Programme, programme_id, "programme")
    month = month_of(period)
    reports = list(
        session.execute(
            select(HighlightReport)
            .join(Project, col(Project.id) == col(HighlightReport.project_id))
            .where(
                Project.programme_id == programme.id,
                HighlightReport.period == month.code,
                col(HighlightReport.status).in_(policies.PUBLISHED),
            )
            .order_by(col(Project.reference))
        ).scalars()
    )
    reported = {r.project_id for r in reports}
    return HighlightPack(
        programme_id=programme.id,
        programme_name=programme.name,
        period=month.code,
        period_label=month.label,
        due_on=due_on(month, due_day_of(session, actor.organisation_id)),
        reports=reports_public(session, actor, reports),
        not_submitted=[
            PackProject(project_id=p.id, project_reference=p.reference, project_name=p.name)
            for p in _active_projects(session, actor.organisation_id, month, programme.id)
            if p.id not in reported
        ],
    )
