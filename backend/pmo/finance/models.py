"""Money (DOMAIN.md section 7): funding sources, delegation rules, draw-down requests with their
consultation, cost lines and the benefits register.

Amounts are integer pence (`Pence`, a BIGINT); the API shows them as decimal strings of pounds.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Pence, Tracked, UTCDateTime, id_field


class FundingSource(Tracked, table=True):
    """A reserve or budget the portfolio draws on, e.g. "Service Redesign Reserve".

    `committed_pence` is the sum of the approved draw-downs against it, moved by the approval
    itself with a conditional UPDATE, so that racing approvals can never take it below zero
    (the CHECK makes the database refuse it too).
    """

    __tablename__ = "funding_sources"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_funding_source_name"),
        CheckConstraint(
            "committed_pence >= 0 AND committed_pence <= opening_balance_pence",
            name="ck_funding_source_balance",
        ),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(
        max_length=30
    )  # reserve, revenue_budget, capital_budget, capital_receipts, grant, other
    description: str = Field(default="", max_length=10_000)
    opening_balance_pence: int = Field(sa_type=Pence)
    committed_pence: int = Field(default=0, sa_type=Pence)
    # The financial years it may be drawn on, e.g. "2022/23" to "2024/25" (None: no limit).
    first_year: str | None = Field(default=None, max_length=7)
    last_year: str | None = Field(default=None, max_length=7)
    status: str = Field(default="open", max_length=20)  # open, closed


class DelegationRule(Tracked, table=True):
    """Who may approve draw-downs, up to what limit, after consulting whom; and where a
    request above the limit goes. `version` (from `Tracked`) is the rule's version number; each
    version is kept as a `DelegationRuleVersion`, which decisions point to."""

    __tablename__ = "delegation_rules"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_delegation_rule_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    decider_role: str = Field(max_length=40)
    decider_directorate_id: uuid.UUID | None = Field(default=None, foreign_key="directorates.id")
    limit_pence: int = Field(sa_type=Pence)
    limit_basis: str = Field(max_length=40)  # per_request, cumulative_per_project_per_year
    # Funding sources the rule covers; empty covers all of the organisation's.
    funding_source_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    consultee_roles: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    # Above the limit: "cabinet"; above `council_limit_pence` (if set): "council".
    referral_body: str = Field(default="cabinet", max_length=20)
    council_limit_pence: int | None = Field(default=None, sa_type=Pence)
    is_active: bool = Field(default=True)


class DelegationRuleVersion(SQLModel, table=True):
    """A rule as it stood at one version: what a routed or decided request refers to."""

    __tablename__ = "delegation_rule_versions"
    __table_args__ = (UniqueConstraint("rule_id", "version", name="uq_delegation_rule_version"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    rule_id: uuid.UUID = Field(foreign_key="delegation_rules.id", index=True)
    version: int
    rule: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))  # the rule's fields
    # The first day the version is in force: a draw-down is routed by the version in force on
    # the day it is submitted (the latest effective_from on or before it).
    effective_from: date = Field(index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")


class Drawdown(Tracked, table=True):
    """A request to draw an amount from a funding source for a project.

    submitted -> (consultation) -> approved | rejected, or referred -> approved | rejected by
    Cabinet or Council as recorded by democratic services; withdrawn by the requester before a
    decision. The route is worked out once, when the request is submitted, and kept.
    """

    __tablename__ = "drawdowns"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference", name="uq_drawdown_reference"),
        # Open requests (awaiting me, the summary's approved and pending): by state, not all
        # 20,000 of an organisation (issue 16, from EXPLAIN).
        Index("ix_drawdowns_organisation_status", "organisation_id", "status"),
        # The financial summary's totals by source: its projects' draw-downs read from the index
        # alone (35 to 9 ms at 20,000 draw-downs on SQLite).
        Index("ix_drawdowns_project_totals", "project_id", "status", "funding_source_id", "amount_pence"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    reference: str = Field(max_length=20)  # DD-0001
    project_id: uuid.UUID = Field(foreign_key="projects.id", index=True)
    funding_source_id: uuid.UUID = Field(foreign_key="funding_sources.id", index=True)
    amount_pence: int = Field(sa_type=Pence)
    financial_year: str = Field(max_length=7, index=True)  # "2022/23": the year it is drawn in
    purpose: str = Field(max_length=10_000)
    gate_review_id: uuid.UUID | None = Field(default=None, foreign_key="gate_reviews.id")
    business_case_reference: str = Field(default="", max_length=500)
    requested_by_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    status: str = Field(
        max_length=20, index=True
    )  # consultation, awaiting_decision, referred, approved, rejected, withdrawn
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    # The route, fixed at submission.
    route: str = Field(max_length=20)  # delegated, cabinet, council
    rule_version_id: uuid.UUID | None = Field(default=None, foreign_key="delegation_rule_versions.id")
    decider_role: str | None = Field(default=None, max_length=40)
    decider_directorate_id: uuid.UUID | None = Field(default=None, foreign_key="directorates.id")
    consultee_roles: list[str] = Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))
    route_reason: str = Field(default="", max_length=2_000)
    # The decision.
    decision: str | None = Field(default=None, max_length=20)  # approved, rejected
    decision_reason: str = Field(default="", max_length=10_000)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    # A referred request: the meeting that decided it, recorded by democratic services.
    meeting_body: str | None = Field(default=None, max_length=20)  # cabinet, council
    meeting_date: date | None = None
    minute_reference: str | None = Field(default=None, max_length=100)
    key_decision_reference: str | None = Field(default=None, max_length=100)


class DrawdownConsultation(SQLModel, table=True):
    """A required consultee's view on a draw-down: one per consultee role."""

    __tablename__ = "drawdown_consultations"
    __table_args__ = (UniqueConstraint("drawdown_id", "role", name="uq_drawdown_consultation_role"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    drawdown_id: uuid.UUID = Field(foreign_key="drawdowns.id", index=True)
    role: str = Field(max_length=40)
    consultee_id: uuid.UUID = Field(foreign_key="users.id")
    view: str = Field(max_length=20)  # supports, objects, comment
    comment: str = Field(default="", max_length=10_000)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    # An executive member consulted is asked for any conflict of interest (regulation 13(4)
    # of the 2012 Regulations); None: not asked (a role other than `member`, who may declare).
    conflict_of_interest: bool | None = None
    conflict_of_interest_details: str = Field(
        default="", max_length=10_000, sa_column_kwargs={"server_default": ""}
    )
    # A dispensation granted by the head of paid service for a declared conflict.
    dispensation_granted_by: str | None = Field(default=None, max_length=200)
    dispensation_granted_on: date | None = None
    dispensation_details: str = Field(default="", max_length=10_000, sa_column_kwargs={"server_default": ""})


class CostLine(Tracked, table=True):
    """A one-off investment item or a resourcing line (a post with its grade) in one year."""

    __tablename__ = "cost_lines"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: uuid.UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    kind: str = Field(max_length=20)  # one_off, resourcing
    description: str = Field(max_length=500)  # the item, or the post's title
    grade: str | None = Field(default=None, max_length=40)
    amount_pence: int = Field(sa_type=Pence)
    financial_year: str = Field(max_length=7, index=True)
    funding_source_id: uuid.UUID | None = Field(default=None, foreign_key="funding_sources.id", index=True)


class Benefit(Tracked, table=True):
    """An entry in the benefits register (Green Book), with a profile by financial year."""

    __tablename__ = "benefits"
    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_benefit_reference"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    reference: str = Field(max_length=20)  # B-0001
    programme_id: uuid.UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    category: str = Field(max_length=20)  # customer, cultural, financial, efficiency
    benefit_class: str = Field(max_length=20)  # cashable, non_cashable, qualitative, dis_benefit
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    kpi_id: uuid.UUID | None = Field(default=None, foreign_key="kpis.id", index=True)
    baseline: str = Field(default="", max_length=2_000)
    # A cashable saving already counted in the Medium-Term Financial Plan.
    in_mtfp: bool = Field(default=False)
    status: str = Field(
        default="identified", max_length=20
    )  # identified, planned, realising, realised, closed


class BenefitProfileEntry(SQLModel, table=True):
    """Planned, forecast and actual value of a benefit in one financial year (pence)."""

    __tablename__ = "benefit_profile_entries"
    __table_args__ = (UniqueConstraint("benefit_id", "financial_year", name="uq_benefit_profile_year"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    benefit_id: uuid.UUID = Field(foreign_key="benefits.id", index=True)
    financial_year: str = Field(max_length=7)
    planned_pence: int | None = Field(default=None, sa_type=Pence)
    forecast_pence: int | None = Field(default=None, sa_type=Pence)
    actual_pence: int | None = Field(default=None, sa_type=Pence)
