"""A project's highlight report for one month (DOMAIN.md section 6's month code, `2026-11`).

draft -> submitted (by the project manager) -> accepted, or returned (by the sponsor, with
comments) -> submitted again. One report per project per month.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field


class HighlightReport(Tracked, table=True):
    __tablename__ = "highlight_reports"
    __table_args__ = (UniqueConstraint("project_id", "period", name="uq_highlight_report_period"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", index=True)
    period: str = Field(max_length=7, index=True)  # the month: "2026-11"
    status: str = Field(default="draft", max_length=20, index=True)  # ReportStatus
    summary: str = Field(default="", max_length=10_000)
    # RAG (green, amber, red; null until given) of each dimension, with a sentence each.
    time_rag: str | None = Field(default=None, max_length=10)
    time_note: str = Field(default="", max_length=2_000)
    cost_rag: str | None = Field(default=None, max_length=10)
    cost_note: str = Field(default="", max_length=2_000)
    scope_rag: str | None = Field(default=None, max_length=10)
    scope_note: str = Field(default="", max_length=2_000)
    benefits_rag: str | None = Field(default=None, max_length=10)
    benefits_note: str = Field(default="", max_length=2_000)
    achievements: str = Field(default="", max_length=10_000)
    next_period: str = Field(default="", max_length=10_000)
    decisions_needed: str = Field(default="", max_length=10_000)
    # Risks and issues to escalate: [{"item_type": "risk"|"issue", "item_id": ..., "note": ...}].
    escalations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    # What the draft was pre-filled from (milestones, KPIs), as it stood when it was made.
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONDocument, nullable=False))
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    # The UK day it was first submitted: whether it was late does not change on resubmission.
    first_submitted_on: date | None = None
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    review_comments: str = Field(default="", max_length=10_000)
