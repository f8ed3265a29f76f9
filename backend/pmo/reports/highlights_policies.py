"""Who may read, write and review which highlight report. Pure functions: `True` or `Denied`.

* the project's project manager writes its reports (draft, revise, submit): its named
  manager, or a project manager whose role's scope covers it (`pmo.portfolio.scope`);
* its sponsor reviews them: a sponsor whose role's scope covers the project (an
  organisation-wide sponsor role covers every one), or the project's SRO holding a sponsor
  role; never the person who submitted the report;
* the PMO and admins read every report, drafts too, and see the late list;
* everyone else in the organisation reads submitted and accepted reports only.
"""

from __future__ import annotations

from pmo.core.permissions import Actor, Denied, Permission, Role
from pmo.portfolio import scope
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
    """Its named manager, or a project manager whose role's scope covers it."""
    return scope.may(actor, Role.project_manager, project) is True


def is_sponsor(actor: Actor, project: Project) -> bool:
    """A sponsor whose role's scope covers it, or its SRO holding a sponsor role."""
    return scope.may(actor, Role.sponsor, project) is True


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
    if actor.grants_for(Role.project_manager):
        return scope.may(actor, Role.project_manager, project)
    return Denied(f"Only the project manager of {project.reference} writes its highlight reports.")


def can_review(actor: Actor, project: Project, report: HighlightReport) -> bool | Denied:
    if not is_sponsor(actor, project):
        if actor.grants_for(Role.sponsor):
            return scope.may(actor, Role.sponsor, project)
        return Denied(
            f"The highlight reports of {project.reference} are reviewed by its sponsor: a sponsor of "
            "its lead directorate, or its SRO."
        )
    if _is(actor, report.submitted_by_id):
        return Denied("You submitted this report: another sponsor reviews it.")
    return True
