"""The key decisions forward plan: entries, the exceptions to 28 clear days' notice."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field, StringConstraints, model_validator

from pmo.core.money import Amount, Pounds
from pmo.core.periods import IsoDate
from pmo.core.references import ForwardPlanReference
from pmo.core.schemas import Description, InputModel, Name, Page, PublicModel, _Clean

# A date in a query (`?meeting_from=2022-06-01`): ISO 8601 only, never a number.
DateQuery = Annotated[IsoDate | None, Query(description="An ISO 8601 date, e.g. 2022-06-01.")]
Ward = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), _Clean]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _Clean]
Reasons = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), _Clean]


class NoticeException(StrEnum):
    general_exception = "general_exception"  # regulation 10
    special_urgency = "special_urgency"  # regulation 11


class ForwardPlanEntryAction(StrEnum):
    """What can be done to a forward plan entry (`allowed_actions`)."""

    # POST /forward-plan/{id}/exception: democratic services, for a key decision listed with
    # less than 28 clear days' notice whose draw-down is still referred.
    record_exception = "record_exception"


class ForwardPlanEntryCreate(InputModel):
    drawdown_id: uuid.UUID = Field(description="A draw-down request referred to Cabinet.")
    meeting_date: IsoDate = Field(description="The Cabinet meeting that is to take the decision.")
    published_on: IsoDate = Field(description="The day the forward plan listing it was published.")
    title: Title | None = Field(default=None, description="Defaults to the request's reference and purpose.")
    summary: Description = ""
    saving: Amount | None = Field(default=None, description="Any saving the decision makes, in pounds.")
    wards_affected: list[Ward] = Field(default_factory=list, max_length=100)
    significant_in_wards: bool = Field(
        default=False, description="Its effects on the communities in the wards affected are significant."
    )

    @model_validator(mode="after")
    def _dates(self) -> ForwardPlanEntryCreate:
        if self.meeting_date <= self.published_on:
            raise ValueError("the meeting must be after the day the notice is published")
        if len(set(self.wards_affected)) != len(self.wards_affected):
            raise ValueError("a ward is named twice in wards_affected")
        return self


class ForwardPlanExceptionCreate(InputModel):
    """Less than 28 clear days' notice: the general exception (the scrutiny chair told in
    writing, and 5 clear days' public notice) or special urgency (the scrutiny chair's
    agreement that the decision is urgent and cannot reasonably be deferred)."""

    kind: NoticeException
    reasons: Reasons = Field(description="Why the decision cannot wait for 28 clear days' notice.")
    scrutiny_chair_name: Name = Field(description="The chair of the scrutiny committee told, or who agreed.")
    scrutiny_chair_date: IsoDate = Field(
        description="When the chair was told in writing (general exception) or agreed (special urgency)."
    )
    notice_published_on: IsoDate | None = Field(
        default=None,
        description="General exception: the day the public notice was published (5 clear days needed).",
    )

    @model_validator(mode="after")
    def _notice(self) -> ForwardPlanExceptionCreate:
        if self.kind == NoticeException.general_exception and self.notice_published_on is None:
            raise ValueError(
                "the general exception needs the day its public notice was published (notice_published_on)"
            )
        if self.kind == NoticeException.special_urgency and self.notice_published_on is not None:
            raise ValueError("notice_published_on belongs to the general exception only")
        return self


class ForwardPlanEntryPublic(PublicModel):
    """An entry on the forward plan, with its notice counted in clear days (the day of
    publication and the day of the meeting left out)."""

    id: uuid.UUID
    reference: ForwardPlanReference
    drawdown_id: uuid.UUID
    title: str
    summary: str
    decision_maker: str
    meeting_date: date
    published_on: date
    clear_days: int = Field(description="Clear days between publication and the meeting.")
    spending: Pounds
    saving: Pounds | None
    wards_affected: list[str]
    significant_in_wards: bool
    is_key_decision: bool
    key_decision_reason: str
    exception: NoticeException | None
    exception_reasons: str
    scrutiny_chair_name: str | None
    scrutiny_chair_date: date | None
    exception_notice_published_on: date | None
    exception_notice_clear_days: int | None
    may_be_taken: bool = Field(
        description="Whether the decision may be taken at the meeting as the plan stands."
    )
    notice_warning: str | None = Field(
        description="Set when a key decision has less than 28 clear days' notice."
    )
    created_at: datetime
    updated_at: datetime
    version: int
    allowed_actions: list[ForwardPlanEntryAction] = Field(
        description="What you may do to the entry now: the checks its routes make, run for you."
    )


class ForwardPlanPage(Page[ForwardPlanEntryPublic]):
    """A page of the forward plan."""


class ForwardPlanEntryPublished(PublicModel):
    """An entry of the public forward plan: nothing internal."""

    reference: ForwardPlanReference
    title: str
    summary: str
    decision_maker: str
    meeting_date: date
    published_on: date
    clear_days: int
    is_key_decision: bool
    wards_affected: list[str]
    exception: NoticeException | None
    exception_reasons: str


class ForwardPlanPublished(PublicModel):
    organisation: str
    items: list[ForwardPlanEntryPublished]
