"""Demo highlight reports: the last two months' reports of the projects pm@demo.test manages
in one programme, in every state, made through the services as the demo people (audited).

* two months ago: accepted by the sponsor (submitted late, after the due day);
* last month: one submitted and awaiting review, one returned with comments, one a draft;
  and one project with none started, so the PMO's late list has something once the due day
  of this month has passed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping

from sqlmodel import Session, col, select

from pmo.core.periods import period_containing, today
from pmo.organisations.models import Organisation, User
from pmo.portfolio.demo import actor_for
from pmo.portfolio.models import Project
from pmo.reports import highlights_service as service
from pmo.reports.highlights_models import HighlightReport
from pmo.reports.highlights_schemas import (
    HighlightReportCreate,
    HighlightReportUpdate,
    HighlightReview,
    ReportRag,
    ReviewOutcome,
)

PM = "pm@demo.test"
SPONSOR = "sponsor@demo.test"

_CONTENT = HighlightReportUpdate(
    summary="Delivery is broadly on plan. Supplier onboarding took longer than expected but the "
    "critical path is protected.",
    time_rag=ReportRag.green,
    time_note="Milestones for the month were met.",
    cost_rag=ReportRag.amber,
    cost_note="Licence costs are 4% above the business case after the supplier's price rise.",
    scope_rag=ReportRag.green,
    scope_note="No change to scope.",
    benefits_rag=ReportRag.green,
    benefits_note="Cashable savings profile unchanged.",
    decisions_needed="Agree to fund the licence increase from the Service Redesign Reserve.",
)


def load_highlights_demo(session: Session, organisation: Organisation, users: Mapping[str, User]) -> bool:
    """Create the demo reports (the demo portfolio must be loaded). Returns False, changing
    nothing, if the organisation has highlight reports already."""
    if session.execute(
        select(HighlightReport.id).where(HighlightReport.organisation_id == organisation.id)
    ).first():
        return False
    pm = actor_for(session, users[PM])
    sponsor = actor_for(session, users[SPONSOR])
    managed = session.execute(
        select(Project)
        .where(
            col(Project.organisation_id) == organisation.id,
            col(Project.project_manager_id) == users[PM].id,
            col(Project.stage) != service.CLOSED_STAGE,
        )
        .order_by(col(Project.reference))
    ).scalars()
    by_programme: dict[uuid.UUID, list[Project]] = defaultdict(list)
    for project in managed:
        by_programme[project.programme_id].append(project)
    if not by_programme:
        return False
    projects = max(by_programme.values(), key=len)[:4]
    last_month = period_containing("monthly", today()).previous

    def report(project: Project, month: str, *, submit: bool) -> HighlightReport:
        created = service.create_report(
            session, pm, HighlightReportCreate(project_id=project.id, period=month)
        )
        service.update_report(session, pm, created, project, _CONTENT)
        if submit:
            service.submit_report(session, pm, created, project)
        return created

    first = projects[0]
    earlier = report(first, last_month.previous.code, submit=True)
    service.review_report(session, sponsor, earlier, first, HighlightReview(outcome=ReviewOutcome.accepted))
    report(first, last_month.code, submit=True)
    if len(projects) > 1:
        returned = report(projects[1], last_month.code, submit=True)
        comments = "Say how the licence increase will be funded before this goes to the board."
        service.review_report(
            session,
            sponsor,
            returned,
            projects[1],
            HighlightReview(outcome=ReviewOutcome.returned, comments=comments),
        )
    if len(projects) > 2:
        report(projects[2], last_month.code, submit=False)
    session.flush()
    return True
