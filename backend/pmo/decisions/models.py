"""The public record of decisions (DOMAIN.md section 10): each organisation's key-decision
thresholds and publication switches, the record of every delegated (officer) draw-down
decision, and the key decisions forward plan.

Both records are written by the draw-down routes themselves (`pmo.finance.drawdowns_service`),
in the decision's own transaction, so no decision exists without its record.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Pence, Tracked, UTCDateTime, id_field

# Defaults for an organisation that has set nothing: the limits many English councils use.
DEFAULT_SPENDING_THRESHOLD_PENCE = 50_000_000  # £500,000.00
DEFAULT_SAVING_THRESHOLD_PENCE = 50_000_000
DEFAULT_MIN_WARDS = 2  # "significant in terms of its effects on communities in two or more wards"


class DecisionSettings(Tracked, table=True):
    """One row per organisation (made on first read): thresholds and what is public."""

    __tablename__ = "decision_settings"
    __table_args__ = (UniqueConstraint("organisation_id", name="uq_decision_settings_organisation"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id")
    # A key decision: spending or saving ABOVE these amounts, or significant effects on the
    # communities of at least `key_decision_min_wards` wards.
    key_decision_spending_threshold_pence: int = Field(
        default=DEFAULT_SPENDING_THRESHOLD_PENCE, sa_type=Pence
    )
    key_decision_saving_threshold_pence: int = Field(default=DEFAULT_SAVING_THRESHOLD_PENCE, sa_type=Pence)
    key_decision_min_wards: int = Field(default=DEFAULT_MIN_WARDS)
    publish_officer_decisions: bool = Field(default=False)
    publish_forward_plan: bool = Field(default=False)


class OfficerDecision(SQLModel, table=True):
    """The record of an executive decision taken by an officer (regulation 13(4) of the 2012
    Regulations): written with the decision, never edited except to mark exempt information."""

    __tablename__ = "officer_decisions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference", name="uq_officer_decision_reference"),
        UniqueConstraint("drawdown_id", name="uq_officer_decision_drawdown"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    reference: str = Field(max_length=20)  # OD-0001
    drawdown_id: uuid.UUID = Field(foreign_key="drawdowns.id")
    title: str = Field(max_length=500)
    decision: str = Field(max_length=20)  # approved, rejected
    decision_text: str = Field(max_length=12_000)  # what was decided, in words
    decided_on: date = Field(index=True)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    decided_by_id: uuid.UUID = Field(foreign_key="users.id")
    decided_by_name: str = Field(max_length=200)
    decided_under: str = Field(max_length=500)  # the delegation rule and its version
    reasons: str = Field(max_length=10_000)
    alternatives_considered: str = Field(max_length=10_000)
    # The executive members (and others) consulted, as they answered: role, name, view,
    # conflict of interest declared and any dispensation by the head of paid service.
    consultations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    # Exempt information (Schedule 12A to the Local Government Act 1972, paragraphs 1 to 7):
    # withheld from the public version, which says why.
    exempt_paragraph: int | None = None
    exempt_information: str = Field(default="", max_length=10_000)
    # Kept available for six years from the decision; the worker removes it after this date.
    retain_until: date = Field(index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ForwardPlanEntry(Tracked, table=True):
    """A decision Cabinet is to take, on the forward plan with its meeting date and the date
    the notice was published; a key decision may be taken only with 28 clear days' notice or
    under the general exception or special urgency, recorded here."""

    __tablename__ = "forward_plan_entries"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference", name="uq_forward_plan_reference"),
        UniqueConstraint("drawdown_id", name="uq_forward_plan_drawdown"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    reference: str = Field(max_length=20)  # FP-0001
    drawdown_id: uuid.UUID = Field(foreign_key="drawdowns.id")
    title: str = Field(max_length=500)
    summary: str = Field(default="", max_length=10_000)
    decision_maker: str = Field(max_length=20)  # cabinet
    meeting_date: date = Field(index=True)
    published_on: date
    spending_pence: int = Field(sa_type=Pence)
    saving_pence: int | None = Field(default=None, sa_type=Pence)
    wards_affected: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    significant_in_wards: bool = Field(default=False)
    is_key_decision: bool
    key_decision_reason: str = Field(max_length=2_000)
    # Less than 28 clear days' notice: general_exception (regulation 10) or special_urgency
    # (regulation 11), with its reasons and who agreed or was told.
    exception: str | None = Field(default=None, max_length=30)
    exception_reasons: str = Field(default="", max_length=10_000)
    scrutiny_chair_name: str | None = Field(default=None, max_length=200)
    scrutiny_chair_date: date | None = None  # told in writing (general) or agreed (urgency)
    exception_notice_published_on: date | None = None  # general exception's public notice
    exception_recorded_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
