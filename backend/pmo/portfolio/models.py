from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field


class Portfolio(Tracked, table=True):
    """The organisation's change portfolio, e.g. "Organisational Development Programme 2022-2025"."""

    __tablename__ = "portfolios"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_portfolio_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    start_date: date | None = None
    end_date: date | None = None
    # "active" or "closed" (RecordStatus): a closed portfolio takes no new programmes.
    status: str = Field(default="active", max_length=20, index=True)
    closed_on: date | None = None


class GovernanceBody(Tracked, table=True):
    """A board that oversees programmes and decides gates: Steering Group, Directorate
    Programme Board, Transformation Board, Cabinet, Council."""

    __tablename__ = "governance_bodies"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_governance_body_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)  # GovernanceBodyKind
    directorate_id: uuid.UUID | None = Field(default=None, foreign_key="directorates.id", index=True)
    description: str = Field(default="", max_length=10_000)


class GovernanceBodyMember(SQLModel, table=True):
    __tablename__ = "governance_body_members"
    __table_args__ = (UniqueConstraint("body_id", "user_id", name="uq_governance_body_member"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    body_id: uuid.UUID = Field(foreign_key="governance_bodies.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    role: str = Field(default="member", max_length=20)  # "chair" or "member"
    created_at: datetime = Field(sa_type=UTCDateTime)


class Programme(Tracked, table=True):
    """A strategic area of focus or workstream, e.g. "ICT Improvement"."""

    __tablename__ = "programmes"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_programme_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    portfolio_id: uuid.UUID = Field(foreign_key="portfolios.id", index=True)
    name: str = Field(max_length=200)
    ambition: str = Field(default="", max_length=10_000)
    resident_outcomes: str = Field(default="", max_length=10_000, description="What changes for residents.")
    success_measures: str = Field(default="", max_length=10_000, description="How success will be known.")
    strategic_outcomes: list[str] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    sro_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    governance_body_id: uuid.UUID | None = Field(default=None, foreign_key="governance_bodies.id", index=True)
    lead_directorate_id: uuid.UUID | None = Field(default=None, foreign_key="directorates.id", index=True)
    phase: str = Field(default="", max_length=200)
    planned_start: date | None = None
    planned_end: date | None = None
    # "active" or "closed" (RecordStatus): closed once its projects have all closed; a closed
    # programme takes no new projects. Programmes are closed, not deleted, once they have any.
    status: str = Field(default="active", max_length=20, index=True)
    closed_on: date | None = None


# A project's long texts: lists and policies never read them (`pmo.core.db.without`).
PROJECT_LONG_TEXTS = (
    "description",
    "ambition",
    "resident_outcomes",
    "success_measures",
    "strategic_outcomes",
)


class Project(Tracked, table=True):
    """The unit of delivery, e.g. "Replace the Leisure Management System"."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_project_reference"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    reference: str = Field(max_length=20)
    programme_id: uuid.UUID = Field(foreign_key="programmes.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    ambition: str = Field(default="", max_length=10_000)
    resident_outcomes: str = Field(default="", max_length=10_000)
    success_measures: str = Field(default="", max_length=10_000)
    strategic_outcomes: list[str] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    lead_directorate_id: uuid.UUID | None = Field(default=None, foreign_key="directorates.id", index=True)
    sro_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    project_manager_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    governance_body_id: uuid.UUID | None = Field(default=None, foreign_key="governance_bodies.id", index=True)
    # The lifecycle is fixed when the project is created; the stage moves only through gates.
    lifecycle_id: uuid.UUID = Field(foreign_key="lifecycles.id", index=True)
    stage: str = Field(max_length=60, index=True)
    planned_start: date | None = None
    planned_end: date | None = None
    # The latest delivery confidence; its history is in confidence_assessments.
    confidence: str | None = Field(default=None, max_length=20, index=True)


class ConfidenceAssessment(SQLModel, table=True):
    """A delivery confidence rating with its commentary; every one is kept."""

    __tablename__ = "confidence_assessments"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", index=True)
    scale: str = Field(max_length=10)  # "ipa5" or "rag3"
    rating: str = Field(max_length=20)
    commentary: str = Field(max_length=10_000)
    assessed_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    assessed_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Milestone(Tracked, table=True):
    """A dated deliverable of a project, planned by date or by financial quarter."""

    __tablename__ = "milestones"
    # My work's milestones due: a person's milestones by due date (issue 16, from EXPLAIN).
    __table_args__ = (Index("ix_milestones_owner_due", "owner_id", "due_date"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    planned_quarter: str | None = Field(default=None, max_length=12, description='e.g. "2022/23 Q2"')
    # The date it is due by its current baseline: as planned, or the last day of the planned
    # quarter. Only a re-baseline (with a reason, kept in milestone_baselines) moves it.
    due_date: date = Field(index=True)
    # When the project now expects it; None while the expectation is the baseline.
    forecast_date: date | None = None
    # How many baselines it has had (1 until it is first re-baselined).
    baseline_number: int = Field(default=1)
    status: str = Field(default="planned", max_length=20, index=True)
    completed_on: date | None = None


class MilestoneBaseline(SQLModel, table=True):
    """One baseline of a milestone, kept when a later one replaces it: the history of
    re-baselining, each with who set it, when and why."""

    __tablename__ = "milestone_baselines"
    __table_args__ = (UniqueConstraint("milestone_id", "number", name="uq_milestone_baseline_number"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    milestone_id: uuid.UUID = Field(foreign_key="milestones.id", index=True)
    number: int
    planned_quarter: str | None = Field(default=None, max_length=12)
    due_date: date
    reason: str = Field(default="", max_length=2_000)
    set_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    set_at: datetime = Field(sa_type=UTCDateTime)
