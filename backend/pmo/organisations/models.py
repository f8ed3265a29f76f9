from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import DecimalText, Tracked, UTCDateTime, id_field


class Organisation(Tracked, table=True):
    """A council (tenant). Every other record belongs to exactly one."""

    __tablename__ = "organisations"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200, unique=True)
    # Settings. The lifecycle new projects follow. No foreign key, which would make the two
    # tables depend on each other; lifecycles are never deleted, and the service checks it.
    default_lifecycle_id: uuid.UUID | None = None
    # Delivery confidence scale: "ipa5" (Green to Red, five points) or "rag3".
    confidence_scale: str = Field(default="ipa5", max_length=10)
    # Risk scoring scale: "5x5" (likelihood and impact 1-5) or "hml3" (high, medium, low).
    risk_scale: str = Field(default="5x5", max_length=10)
    # A KPI value is amber within this percentage of its target (DOMAIN.md section 6).
    kpi_tolerance_percent: Decimal = Field(
        default=Decimal(5), sa_column=Column(DecimalText(), nullable=False, server_default="5")
    )
    # A month's highlight reports are late if not submitted by this day of the next month.
    highlight_report_due_day: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    # The ONS GSS code of the local authority (`E07000034`, Chesterfield), so other systems
    # can join the data; shown in the KPI feed.
    gss_code: str | None = Field(default=None, max_length=9, unique=True, index=True)


class Directorate(Tracked, table=True):
    __tablename__ = "directorates"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_directorate_name"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)


class User(Tracked, table=True):
    __tablename__ = "users"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    # Unique across the deployment: a person signs in with their email alone.
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    is_active: bool = Field(default=True)
    # Access tokens carry the generation they were issued in; moving it on ("sign out
    # everywhere", a password change, deactivation) refuses every earlier one, to the instant.
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoleAssignment(SQLModel, table=True):
    """A role held by a user, for the whole organisation or for one directorate, programme or
    project (at most one of the three ids is set; all belong to the user's organisation)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope_key", name="uq_role_assignment"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    role: str = Field(max_length=40)
    directorate_id: uuid.UUID | None = Field(default=None, foreign_key="directorates.id", index=True)
    programme_id: uuid.UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    # "organisation", "directorate:<id>", "programme:<id>" or "project:<id>": one value to make
    # duplicates impossible.
    scope_key: str = Field(max_length=80)
    created_at: datetime = Field(sa_type=UTCDateTime)
