"""Who may read, write and review which highlight report. Pure functions: `True` or `Denied`.

* the project's project manager writes its reports (draft, revise, submit);
* its sponsor reviews them: a sponsor whose role covers the project's lead directorate (an
  organisation-wide sponsor role covers every one), or the project's SRO holding a sponsor
  role; never the person who submitted the report;
* the PMO and admins read every report, drafts too, and see the late list;
* everyone else in the organisation reads submitted and accepted reports only.
"""

from __future__ import annotations

from pmo.core.permissions import Actor, Denied, Permission, Role
from pmo.portfolio.models import Project
from pmo.reports.highlights_models import HighlightReport
from pmo.reports.highlights_schemas import ReportStatus

# Reports everyone in the organisation reads; drafts and returned ones stay with their writers.
PUBLISHED = frozenset({ReportStatus.submitted.value, ReportStatus.accepted.value})


def _is(actor: Actor, user_id: object) -> bool:
    return actor.kind == "user" and user_id is not None and actor.id == user_id


def oversees(actor: Actor) -> bool:
    return actor.has(Permission.highlight_reports_oversee)


def is_project_manager(actor: Actor, project: Project) -> bool:
    return Role.project_manager in actor.roles and _is(actor, project.project_manager_id)


def is_sponsor(actor: Actor, project: Project) -> bool:
    sponsor_grants = [g for g in actor.grants if g.role == Role.sponsor]
    if not sponsor_grants:
        return False
    covers = any(
        g.directorate_id is None or g.directorate_id == project.lead_directorate_id for g in sponsor_grants
    )
    return covers or _is(actor, project.sro_id)


def can_read(actor: Actor, project: Project, report: HighlightReport) -> bool:
    return (
        report.status in PUBLISHED
        or oversees(actor)
        or is_project_manager(actor, project)
        or is_sponsor(actor, project)
    )


def can_write(actor: Actor, project: Project) -> bool | Denied:
    if is_project_manager(actor, project):
        return True
    return Denied(f"Only the project manager of {project.reference} writes its highlight reports.")


def can_review(actor: Actor, project: Project, report: HighlightReport) -> bool | Denied:
    if not is_sponsor(actor, project):
        return Denied(
            f"The highlight reports of {project.reference} are reviewed by its sponsor: a sponsor of "
            "its lead directorate, or its SRO."
        )
    if _is(actor, report.submitted_by_id):
        return Denied("You submitted this report: another sponsor reviews it.")
    return True
