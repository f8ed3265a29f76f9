"""The RAID log: risks (with their response actions), issues, assumptions and dependencies.

Every item belongs to exactly one of a project, a programme or a portfolio (`project_id`,
`programme_id` or `portfolio_id`: one is set) and has a human reference (`R-0012`,
`I-0003`, `A-0007`, `D-0021`) that is never reused.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from pmo.core.db import Tracked, UTCDateTime, id_field


class RaidItem(Tracked):
    """The columns every RAID item has."""

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    reference: str = Field(max_length=20)
    project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    programme_id: uuid.UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    portfolio_id: uuid.UUID | None = Field(default=None, foreign_key="portfolios.id", index=True)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    status: str = Field(max_length=20, index=True)
    raised_on: date
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# A risk's long texts: work lists and policies never read them (`pmo.core.db.without`).
RISK_LONG_TEXTS = ("cause", "event", "effect", "escalation_reason")


class Risk(RaidItem, table=True):
    __tablename__ = "risks"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference", name="uq_risk_reference"),
        # My work's risk reviews: a person's open risks by review date (issue 16, from EXPLAIN).
        Index("ix_risks_owner_review", "owner_id", "status", "review_date"),
        # The heat map counts an organisation's risks by cell from these alone, in cell order
        # (27 ms at 40,000 risks on SQLite reading every row and sorting, without them).
        Index(
            "ix_risks_heat_residual", "organisation_id", "residual_likelihood", "residual_impact", "status"
        ),
        Index(
            "ix_risks_heat_inherent", "organisation_id", "inherent_likelihood", "inherent_impact", "status"
        ),
    )

    title: str = Field(max_length=200)
    category: str = Field(max_length=60, index=True)
    # Described as cause, event and effect (Orange Book).
    cause: str = Field(default="", max_length=10_000)
    event: str = Field(default="", max_length=10_000)
    effect: str = Field(default="", max_length=10_000)
    nature: str = Field(max_length=20)  # "threat" or "opportunity"
    # Scores on the organisation's scale when they were given ("5x5" or "hml3").
    scale: str = Field(max_length=10)
    inherent_likelihood: int
    inherent_impact: int
    residual_likelihood: int
    residual_impact: int
    target_likelihood: int | None = None
    target_impact: int | None = None
    # Worked out by the server from likelihood x impact, kept for filtering and sorting.
    inherent_score: int = Field(index=True)
    residual_score: int = Field(index=True)
    proximity: str = Field(default="", max_length=200, description="When it could happen.")
    response_type: str | None = Field(default=None, max_length=20)
    review_date: date | None = Field(default=None, index=True)
    escalation_level: str = Field(default="project", max_length=20, index=True)
    escalation_reason: str | None = Field(default=None, max_length=10_000)
    # The issue it became when it happened is the issue whose `risk_id` is this risk: the
    # link is stored once, on the issue, and shown on both.


class RiskAction(Tracked, table=True):
    """A response action to a risk, with its actionee and due date."""

    __tablename__ = "risk_actions"
    # My work's actions due: a person's open actions by due date (issue 16, from EXPLAIN).
    __table_args__ = (Index("ix_risk_actions_actionee_due", "actionee_id", "due_date", "status"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    risk_id: uuid.UUID = Field(foreign_key="risks.id", index=True)
    description: str = Field(max_length=10_000)
    actionee_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    due_date: date | None = Field(default=None, index=True)
    status: str = Field(default="open", max_length=20)  # open, in_progress, done, cancelled


class Issue(RaidItem, table=True):
    __tablename__ = "raid_issues"
    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_issue_reference"),)

    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    # problem_concern, request_for_change, off_specification (PRINCE2)
    issue_type: str = Field(max_length=30)
    category: str = Field(default="", max_length=60, index=True)
    priority: str = Field(max_length=20)  # low, medium, high, critical
    severity: str = Field(max_length=20)  # low, medium, high, critical
    raised_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    due_date: date | None = Field(default=None, index=True)
    resolution: str = Field(default="", max_length=10_000)
    escalation_level: str = Field(default="project", max_length=20, index=True)
    escalation_reason: str | None = Field(default=None, max_length=10_000)
    # The risk it was, if it was one (shown on the risk too).
    risk_id: uuid.UUID | None = Field(default=None, foreign_key="risks.id", unique=True)


class Assumption(RaidItem, table=True):
    __tablename__ = "assumptions"
    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_assumption_reference"),)

    statement: str = Field(max_length=10_000)
    category: str = Field(default="", max_length=60, index=True)
    validate_by: date | None = Field(default=None, index=True)
    # unvalidated, valid, invalid (status); when found invalid, the risk or issue it raised.
    raised_risk_id: uuid.UUID | None = Field(default=None, foreign_key="risks.id")
    raised_issue_id: uuid.UUID | None = Field(default=None, foreign_key="raid_issues.id")


class Dependency(RaidItem, table=True):
    """What a project needs from another project (or from outside the portfolio), by when.

    Shown on both projects: outbound on the one that needs, inbound on the one that gives.
    """

    __tablename__ = "dependencies"
    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_dependency_reference"),)

    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    category: str = Field(default="", max_length=60, index=True)
    # The other end: a project of the same organisation, or a party outside the portfolio.
    other_project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    external_party: str | None = Field(default=None, max_length=200)
    # "outbound": this item's project needs something from the other end; "inbound": the
    # other end needs something from this item's project.
    direction: str = Field(max_length=10)
    needed_by: date | None = Field(default=None, index=True)
    escalation_level: str = Field(default="project", max_length=20, index=True)
    escalation_reason: str | None = Field(default=None, max_length=10_000)
