from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from pmo.core.schemas import Description, InputModel, Name, PublicModel, _Clean

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000), _Clean]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _Clean]
LongText = Annotated[str, StringConstraints(max_length=20_000), _Clean]


class ReportPackStatus(StrEnum):
    queued = "queued"
    ready = "ready"
    failed = "failed"


class ReportPackRequest(InputModel):
    """The meeting and the front sheet of a committee report pack; the officer's own words for
    the purpose, recommendations and background (each may be left for a neutral default and
    edited in Word)."""

    meeting_id: uuid.UUID = Field(description="The meeting the report goes to (`/meetings`).")
    title: Name | None = Field(
        default=None, description='The report\'s title; "<programme> progress report" if left out.'
    )
    report_author: Name = Field(description='Who the report is of, e.g. "Service Director - Digital".')
    wards_affected: ShortText = Field(default="All", description='e.g. "All" or "Brimington North".')
    key_decision: bool = Field(description="Whether the report asks for a key decision.")
    exempt: bool = Field(default=False, description="Whether it holds exempt information.")
    exempt_reason: Description = Field(
        default="", description="Which paragraph of Schedule 12A to the Local Government Act 1972, and why."
    )
    purpose: LongText = Field(default="", description="Section 1; a neutral sentence if empty.")
    recommendations: list[Line] = Field(
        default_factory=list, max_length=30, description="Section 2, one per item; numbered 2.1, 2.2..."
    )
    background: LongText = Field(default="", description="Section 3, before the figures the product adds.")

    @model_validator(mode="after")
    def _exempt_says_why(self) -> ReportPackRequest:
        if self.exempt and not self.exempt_reason.strip():
            raise ValueError("an exempt report must give exempt_reason (the paragraph of Schedule 12A)")
        return self


class ReportPackPublic(PublicModel):
    """A requested pack. Its documents download from `docx_url` and `pdf_url` once `ready`."""

    id: uuid.UUID
    scope: str = Field(description='"programme" or "portfolio".')
    programme_id: uuid.UUID | None
    portfolio_id: uuid.UUID | None
    meeting_id: uuid.UUID
    meeting_title: str
    meeting_date: date
    title: str
    report_author: str
    wards_affected: str
    key_decision: bool
    exempt: bool
    status: ReportPackStatus
    error: str | None = Field(description="Why it could not be made, if it failed.")
    requested_by_id: uuid.UUID
    requested_at: datetime
    finished_at: datetime | None
    pages: int | None = Field(description="Pages of the PDF, once made.")
    docx_url: str | None
    pdf_url: str | None
