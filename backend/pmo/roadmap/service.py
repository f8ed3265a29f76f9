"""A programme's roadmap: its projects' milestones by financial quarter."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, col, select

from pmo.core.periods import FinancialYear, Quarter, quarter_of
from pmo.core.permissions import Actor
from pmo.portfolio.models import Milestone, Project
from pmo.portfolio.programmes_service import get_programme
from pmo.roadmap.schemas import ProgrammeRoadmap, RoadmapMilestone, RoadmapProject, RoadmapQuarter


def _ordinal(quarter: Quarter) -> int:
    return quarter.year.start_year * 4 + quarter.number - 1


def _from_ordinal(ordinal: int) -> Quarter:
    return FinancialYear(ordinal // 4).quarter(ordinal % 4 + 1)


def roadmap(session: Session, actor: Actor, programme_id: uuid.UUID) -> ProgrammeRoadmap:
    programme = get_programme(session, actor, programme_id)
    projects = session.execute(
        select(Project).where(Project.programme_id == programme.id).order_by(col(Project.reference))
    ).scalars()
    rows = [RoadmapProject(id=p.id, reference=p.reference, name=p.name, milestones=[]) for p in projects]
    by_project = {row.id: row for row in rows}
    milestones = session.execute(
        select(Milestone)
        .where(col(Milestone.project_id).in_(by_project))
        .order_by(col(Milestone.due_date), col(Milestone.id))
    ).scalars()
    used: set[int] = set()
    for milestone in milestones:
        # Shown where it is now expected: done, else forecast, else as baselined.
        shown_on: date = milestone.completed_on or milestone.forecast_date or milestone.due_date
        shown, baseline = quarter_of(shown_on), quarter_of(milestone.due_date)
        used |= {_ordinal(shown), _ordinal(baseline)}
        by_project[milestone.project_id].milestones.append(
            RoadmapMilestone(
                id=milestone.id,
                title=milestone.title,
                status=milestone.status,
                quarter=shown.code,
                baseline_date=milestone.due_date,
                baseline_quarter=baseline.code,
                baseline_number=milestone.baseline_number,
                forecast_date=milestone.forecast_date,
                completed_on=milestone.completed_on,
                slip_quarters=_ordinal(shown) - _ordinal(baseline),
            )
        )
    for row in rows:
        row.milestones.sort(key=lambda m: (m.quarter, m.forecast_date or m.baseline_date, m.title))
    quarters = [_from_ordinal(o) for o in range(min(used), max(used) + 1)] if used else []
    return ProgrammeRoadmap(
        programme_id=programme.id,
        programme_name=programme.name,
        quarters=[RoadmapQuarter(code=q.code, label=q.label, start=q.start, end=q.end) for q in quarters],
        projects=rows,
    )
