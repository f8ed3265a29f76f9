from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field


class ReportPack(Tracked, table=True):
    """A committee report pack for a programme or a portfolio and a meeting: what was asked
    for (the front sheet and the officer's words) and, once made, the DOCX and PDF, stored so
    that every download is the same bytes."""

    __tablename__ = "report_packs"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    # Exactly one of the two.
    programme_id: uuid.UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    portfolio_id: uuid.UUID | None = Field(default=None, foreign_key="portfolios.id", index=True)
    meeting_id: uuid.UUID = Field(foreign_key="meetings.id", index=True)
    title: str = Field(max_length=200)
    report_author: str = Field(max_length=200)
    wards_affected: str = Field(max_length=500)
    key_decision: bool
    exempt: bool
    exempt_reason: str = Field(default="", max_length=2_000)
    purpose: str = Field(max_length=10_000)
    recommendations: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    background: str = Field(max_length=20_000)
    status: str = Field(default="queued", max_length=20, index=True)  # queued, ready, failed
    error: str | None = Field(default=None, max_length=2_000)
    requested_by_id: uuid.UUID = Field(foreign_key="users.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pages: int | None = None
    docx: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
