from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field


class Lifecycle(Tracked, table=True):
    """A template of stages and the gates between them.

    Every organisation gets the built-in ones (Chesterfield's default, the Green Book business
    case stages, IPA Gateway) and may define its own. A lifecycle does not change once made:
    projects and gate reviews point at it.
    `stages`: [{"key", "name", "description"}], in order.
    `gates`: [{"key", "name", "from_stage", "to_stage", "criteria": [{"key", "text"}],
              "business_case_sections": [...], "deciders": {...}, "approval": "any" | "all"}].
    """

    __tablename__ = "lifecycles"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_lifecycle_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    builtin_key: str | None = Field(default=None, max_length=40)
    stages: list[dict[str, Any]] = Field(sa_column=Column(JSONDocument, nullable=False))
    gates: list[dict[str, Any]] = Field(sa_column=Column(JSONDocument, nullable=False))


class GateReview(Tracked, table=True):
    """A request to move a project through a gate, with its evidence, and its outcome."""

    __tablename__ = "gate_reviews"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", index=True)
    lifecycle_id: uuid.UUID = Field(foreign_key="lifecycles.id")
    gate_key: str = Field(max_length=60)
    from_stage: str = Field(max_length=60)
    to_stage: str = Field(max_length=60)
    # pending, approved, approved_with_conditions, deferred, rejected, withdrawn, superseded
    status: str = Field(default="pending", max_length=30, index=True)
    requested_by_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    summary: str = Field(default="", max_length=10_000)
    # [{"criterion": key, "answer": text}] and {section: text}
    answers: list[dict[str, Any]] = Field(sa_column=Column(JSONDocument, nullable=False))
    business_case: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    # Who decides, worked out when the review is requested, and whether any one or all must approve.
    decider_ids: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))
    approval: str = Field(max_length=10)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome_reason: str | None = Field(default=None, max_length=10_000)
    conditions: str | None = Field(default=None, max_length=10_000)


class GateDecision(SQLModel, table=True):
    """One decider's decision on a gate review."""

    __tablename__ = "gate_decisions"
    __table_args__ = (UniqueConstraint("review_id", "decider_id", name="uq_gate_decision"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    review_id: uuid.UUID = Field(foreign_key="gate_reviews.id", index=True)
    decider_id: uuid.UUID = Field(foreign_key="users.id")
    decision: str = Field(max_length=30)  # approve, approve_with_conditions, defer, reject
    reason: str = Field(max_length=10_000)
    conditions: str | None = Field(default=None, max_length=10_000)
    decided_at: datetime = Field(sa_type=UTCDateTime)
