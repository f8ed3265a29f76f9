from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from pmo.core.references import ProjectReference
from pmo.core.schemas import PublicModel


class RoadmapQuarter(PublicModel):
    """One financial quarter: a column of the roadmap."""

    code: str = Field(description='e.g. "2022-23-Q1"')
    label: str = Field(description='e.g. "2022/23 Q1"')
    start: date
    end: date


class RoadmapMilestone(PublicModel):
    """A milestone placed in the quarter it now falls in, with its baseline beside it."""

    id: uuid.UUID
    title: str
    status: str
    quarter: str = Field(
        description="The quarter (code) it is shown in: completed, else forecast, else baseline."
    )
    baseline_date: date = Field(description="Due by the current baseline.")
    baseline_quarter: str = Field(description="The baseline's quarter (code).")
    baseline_number: int = Field(description="1 until first re-baselined.")
    forecast_date: date | None = Field(description="When the project now expects it; none while on baseline.")
    completed_on: date | None
    slip_quarters: int = Field(
        description="Quarters between the baseline's quarter and the one it is shown in: 0 on baseline, "
        "more than 0 late, less than 0 early."
    )


class RoadmapProject(PublicModel):
    """A row of the roadmap: one project and its milestones, earliest first."""

    id: uuid.UUID
    reference: ProjectReference
    name: str
    milestones: list[RoadmapMilestone]


class ProgrammeRoadmap(PublicModel):
    """A programme's milestones by quarter across its projects (as a committee report's
    appendix shows them), baseline against forecast."""

    programme_id: uuid.UUID
    programme_name: str
    quarters: list[RoadmapQuarter] = Field(
        description="Every quarter from the first milestone's to the last's."
    )
    projects: list[RoadmapProject]
