"""KPIs: definitions, a target per period, a value per period, and the earlier versions of a
value that was changed after it was published (DOMAIN.md section 6).

Numbers (actuals, targets, baselines, tolerances) are exact decimals, stored as text
(`DecimalText`), and compared at the KPI's decimal places: 72.5% against a 72.5% target is
green on every database.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import DecimalText, Tracked, UTCDateTime, id_field


class Kpi(Tracked, table=True):
    """A KPI definition, e.g. `ICT-01` "Major ICT incidents per quarter" (lower is better)."""

    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("organisation_id", "code", name="uq_kpi_code"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    unit: str = Field(max_length=20)  # number, percentage, money, ratio, yes_no, duration
    polarity: str = Field(max_length=20)  # higher_is_better, lower_is_better, none
    frequency: str = Field(max_length=20, index=True)  # monthly, quarterly, annual
    decimal_places: int = Field(default=0)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    programme_id: uuid.UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    data_source: str = Field(default="", max_length=500)
    baseline_value: Decimal | None = Field(default=None, sa_column=Column(DecimalText(), nullable=True))
    baseline_period: str | None = Field(default=None, max_length=12)
    # Amber band, in percent of the target; None takes the organisation's default.
    tolerance_percent: Decimal | None = Field(default=None, sa_column=Column(DecimalText(), nullable=True))
    status: str = Field(default="active", max_length=20, index=True)  # active, retired
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class KpiTarget(Tracked, table=True):
    __tablename__ = "kpi_targets"
    __table_args__ = (UniqueConstraint("kpi_id", "period_code", name="uq_kpi_target_period"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    kpi_id: uuid.UUID = Field(foreign_key="kpis.id", index=True)
    period_code: str = Field(max_length=12)
    period_start: date
    period_end: date
    target: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    # Overrides the KPI's tolerance for this period only.
    tolerance_percent: Decimal | None = Field(default=None, sa_column=Column(DecimalText(), nullable=True))


class KpiValue(Tracked, table=True):
    """The actual for one period. draft -> submitted -> verified -> published."""

    __tablename__ = "kpi_values"
    __table_args__ = (
        UniqueConstraint("kpi_id", "period_code", name="uq_kpi_value_period"),
        # The pull API's incremental sync: published values of an organisation by last change.
        Index("ix_kpi_values_feed", "organisation_id", "status", "updated_at", "id"),
        Index("ix_kpi_values_kpi_period", "kpi_id", "period_start"),
        # The feed's change sequence: published values of an organisation after a number, in
        # the page order. With `id` in it, a page reads its rows in order and stops; without, the
        # values of one import (one number) were all read and sorted for every page.
        Index("ix_kpi_values_feed_sequence", "organisation_id", "status", "feed_sequence", "id"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    kpi_id: uuid.UUID = Field(foreign_key="kpis.id")
    period_code: str = Field(max_length=12)
    period_start: date
    period_end: date
    actual: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    commentary: str = Field(default="", max_length=10_000)
    status: str = Field(default="draft", max_length=20)
    entered_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    submitted_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The number of the latest change the feed shows for this value (`pmo.kpis.feed_state`);
    # 0 until published.
    feed_sequence: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})


class KpiValueRevision(SQLModel, table=True):
    """An earlier version of a value that was changed after it had been published."""

    __tablename__ = "kpi_value_revisions"
    __table_args__ = (UniqueConstraint("value_id", "version", name="uq_kpi_value_revision"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    value_id: uuid.UUID = Field(foreign_key="kpi_values.id", index=True)
    version: int  # the value's version number while this was its content
    actual: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    commentary: str = Field(default="", max_length=10_000)
    status: str = Field(max_length=20)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    replaced_at: datetime = Field(sa_type=UTCDateTime)
    replaced_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    reason: str = Field(default="", max_length=10_000)


class KpiFeedState(SQLModel, table=True):
    """One row per organisation, moved on by every change to its KPI definitions, targets or
    values: the pull API answers `If-None-Match` / `If-Modified-Since` from this row alone."""

    __tablename__ = "kpi_feed_states"

    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", primary_key=True)
    revision: int = Field(default=0)
    changed_at: datetime = Field(sa_type=UTCDateTime)
