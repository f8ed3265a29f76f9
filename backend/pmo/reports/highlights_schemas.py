"""Input and output models of highlight reports and the programme board's pack."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from pmo.core.periods import MONTH_PATTERN, InvalidPeriod, parse_period_code
from pmo.core.references import ProjectReference, RaidReference
from pmo.core.schemas import InputModel, PublicModel, _Clean


def _month_code(text: str) -> str:
    try:
        period = parse_period_code(text, "monthly")
    except InvalidPeriod as exc:
        raise ValueError(f"must be a month like 2026-11 ({exc})") from exc
    return period.code


# A month in the product's period notation (DOMAIN.md section 6): `2026-11` is November 2026.
MonthCode = Annotated[
    str,
    StringConstraints(min_length=7, max_length=7, pattern=MONTH_PATTERN),
    AfterValidator(_month_code),
    Field(description="A month, `YYYY-MM`: `2026-11` is November 2026.", examples=["2026-11"]),
]
Text = Annotated[str, StringConstraints(max_length=10_000), _Clean]
Sentence = Annotated[str, StringConstraints(max_length=2_000), _Clean]
Note = Annotated[str, StringConstraints(max_length=2_000), _Clean]


class ReportStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"  # by the project manager, awaiting the sponsor's review
    accepted = "accepted"  # by the sponsor
    returned = "returned"  # by the sponsor, with comments: the project manager revises it


class HighlightReportAction(StrEnum):
    """What can be done to a highlight report (`allowed_actions`)."""

    edit = "edit"  # PATCH: its project manager, while a draft or returned
    submit = "submit"  # POST .../submit: the same, once it has a summary and every RAG with its sentence
    review = "review"  # POST .../review: its sponsor, while submitted, unless they submitted it


class ReportRag(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


class EscalatedItemType(StrEnum):
    risk = "risk"
    issue = "issue"


class EscalationRequest(InputModel):
    """A risk or issue of the project that the report escalates."""

    item_type: EscalatedItemType
    item_id: uuid.UUID = Field(description="A risk or issue of the report's project.")
    note: Note = Field(default="", description="Why it is escalated, or what is asked of the board.")


class HighlightReportCreate(InputModel):
    project_id: uuid.UUID
    period: MonthCode


class HighlightReportUpdate(InputModel):
    """Fields to change; `null` for a RAG removes it."""

    summary: Text | None = None
    time_rag: ReportRag | None = None
    time_note: Sentence | None = None
    cost_rag: ReportRag | None = None
    cost_note: Sentence | None = None
    scope_rag: ReportRag | None = None
    scope_note: Sentence | None = None
    benefits_rag: ReportRag | None = None
    benefits_note: Sentence | None = None
    achievements: Text | None = None
    next_period: Text | None = None
    decisions_needed: Text | None = None
    escalations: list[EscalationRequest] | None = Field(
        default=None, max_length=50, description="Replaces the whole list."
    )


# Fields of HighlightReportUpdate that may be set to null.
NULLABLE_REPORT_FIELDS = frozenset({"time_rag", "cost_rag", "scope_rag", "benefits_rag"})
# The four dimensions, each a RAG with its sentence.
DIMENSIONS = ("time", "cost", "scope", "benefits")


class ReviewOutcome(StrEnum):
    accepted = "accepted"
    returned = "returned"


class HighlightReview(InputModel):
    outcome: ReviewOutcome
    comments: Text = Field(default="", description="Required when the report is returned.")


class EscalatedItem(PublicModel):
    item_type: EscalatedItemType
    item_id: uuid.UUID
    reference: RaidReference = Field(description='The RAID reference, e.g. "R-0012".')
    title: str
    status: str
    rating: str = Field(description="A risk's residual band (green, amber, red) or an issue's priority.")
    escalation_level: str
    note: str


class MilestoneFact(PublicModel):
    id: uuid.UUID
    title: str
    due_date: date
    status: str
    completed_on: date | None


class KpiFact(PublicModel):
    kpi_id: uuid.UUID
    code: str
    name: str
    period: str | None = Field(description="The label of the latest published value's period.")
    actual: str | None
    rag: str | None
    direction: str | None = Field(description="Direction of travel against the previous period.")


class HighlightFacts(PublicModel):
    """What the draft was pre-filled from, as it stood when the draft was made."""

    as_of: date | None = None
    milestones_completed: list[MilestoneFact] = Field(default_factory=list)
    milestones_due: list[MilestoneFact] = Field(
        default_factory=list, description="Due in the month and not yet done."
    )
    milestones_overdue: list[MilestoneFact] = Field(
        default_factory=list, description="Due before the month and neither done nor missed."
    )
    kpis: list[KpiFact] = Field(
        default_factory=list, description="The project's KPIs, latest published values."
    )


class HighlightReportPublic(PublicModel):
    id: uuid.UUID
    project_id: uuid.UUID
    project_reference: ProjectReference
    project_name: str
    programme_id: uuid.UUID
    period: str = Field(description="The month, `2026-11`.")
    period_label: str = Field(description='"November 2026".')
    status: ReportStatus
    due_on: date = Field(description="Submitted by the end of this day, or it is late.")
    late: bool = Field(
        description="Not submitted by `due_on` (today in the UK), or first submitted after it."
    )
    summary: str
    time_rag: ReportRag | None
    time_note: str
    cost_rag: ReportRag | None
    cost_note: str
    scope_rag: ReportRag | None
    scope_note: str
    benefits_rag: ReportRag | None
    benefits_note: str
    achievements: str
    next_period: str
    decisions_needed: str
    escalations: list[EscalatedItem]
    facts: HighlightFacts
    created_by_id: uuid.UUID | None
    first_submitted_on: date | None
    submitted_at: datetime | None
    submitted_by_id: uuid.UUID | None
    reviewed_at: datetime | None
    reviewed_by_id: uuid.UUID | None
    review_comments: str
    version: int
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[HighlightReportAction] = Field(
        description="What you may do to the report now: the checks its routes make, run for you."
    )


class LateHighlightReport(PublicModel):
    """An active project whose report for the month was not submitted by its day."""

    project_id: uuid.UUID
    project_reference: ProjectReference
    project_name: str
    programme_id: uuid.UUID
    project_manager_id: uuid.UUID | None
    period: str
    period_label: str
    due_on: date
    days_late: int
    report_id: uuid.UUID | None = Field(description="`null`: no report has been started.")
    status: str = Field(description="`missing`, `draft` or `returned`.")


class LateHighlightReports(PublicModel):
    as_of: date
    period: str
    period_label: str
    due_on: date
    items: list[LateHighlightReport]


class PackProject(PublicModel):
    project_id: uuid.UUID
    project_reference: ProjectReference
    project_name: str


class HighlightPack(PublicModel):
    """A programme's highlight reports of one month, as the programme board reads them."""

    programme_id: uuid.UUID
    programme_name: str
    period: str
    period_label: str
    due_on: date
    reports: list[HighlightReportPublic] = Field(
        description="The submitted and accepted reports, by project reference."
    )
    not_submitted: list[PackProject] = Field(
        description="Active projects of the programme with no submitted report for the month."
    )
