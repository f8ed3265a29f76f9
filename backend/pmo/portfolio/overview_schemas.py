"""The portfolio overview, and one person's share of the portfolio (the base of `/me/work`)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from pmo.core.references import ProjectReference, RiskReference
from pmo.core.schemas import PublicModel
from pmo.portfolio.milestones_schemas import MilestonePublic
from pmo.portfolio.programmes_schemas import PendingGateReview


class ProgrammeCounts(PublicModel):
    """A programme's line of the portfolio overview: its projects by stage and by confidence."""

    programme_id: uuid.UUID
    name: str
    projects: int = Field(description="Projects in the programme.")
    projects_by_stage: dict[str, int] = Field(description="Stage key -> number of projects.")
    projects_by_confidence: dict[str, int] = Field(
        description="Rating -> number of projects; `not_assessed` for those with none yet."
    )


class PortfolioOverview(PublicModel):
    """The portfolio dashboard's data in one answer: every programme's counts, and the
    organisation's milestones and gate reviews that need attention."""

    programmes: list[ProgrammeCounts] = Field(description="Every programme, by name.")
    milestones_due_count: int = Field(description="Not done or missed, due today or in the next 90 days.")
    milestones_overdue_count: int = Field(description="Not done or missed, due before today.")
    milestones_due: list[MilestonePublic] = Field(
        description="The first of those due (earliest first, at most 200)."
    )
    milestones_overdue: list[MilestonePublic] = Field(
        description="The first of those overdue (earliest first, at most 200)."
    )
    gate_reviews_pending: list[PendingGateReview] = Field(description="Waiting for a decision (at most 200).")


class ActionDue(PublicModel):
    """A response action to a risk that waits for its actionee."""

    id: uuid.UUID
    description: str
    due_date: date
    status: str = Field(description="`open` or `in_progress`.")
    overdue: bool = Field(description="Due before today.")
    risk_id: uuid.UUID
    risk_reference: RiskReference
    risk_title: str
    project_id: uuid.UUID | None = Field(
        description="The risk's project; null for a programme's or portfolio's."
    )
    project_reference: ProjectReference | None
    project_name: str | None
    programme_id: uuid.UUID | None = Field(description="Set when the risk is a programme's.")
    portfolio_id: uuid.UUID | None = Field(description="Set when the risk is a portfolio's.")


class MyWork(PublicModel):
    gate_reviews_to_decide: list[PendingGateReview] = Field(
        description="Pending reviews you are a decider of and have not decided yet."
    )
    milestones_due: list[MilestonePublic] = Field(
        description="Milestones you own that are overdue or due within 30 days (not done or missed)."
    )
    actions_due: list[ActionDue] = Field(
        description="Risk actions you are the actionee of, open or in progress, on an open risk, that are "
        "overdue or due within 30 days (earliest first)."
    )
