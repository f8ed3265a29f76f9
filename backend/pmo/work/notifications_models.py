"""Notifications per person, their email choices, and the email outbox the worker sends."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import UTCDateTime, id_field, timestamp_field


class Notification(SQLModel, table=True):
    """Something a person should know about, shown in the app until they mark it read."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id")
    kind: str = Field(max_length=40)  # NotificationKind
    title: str = Field(max_length=300)
    link: str = Field(max_length=500)  # the web app's path, e.g. /gate-reviews/{id}
    created_at: datetime = timestamp_field()
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """A person's choice of email for one kind (no row: email on)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    kind: str = Field(max_length=40)
    email: bool


class EmailMessage(SQLModel, table=True):
    """An email written in the transaction of its event, sent later by `pmo worker`."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "sent_at", "next_attempt_at"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    notification_id: uuid.UUID | None = Field(default=None, foreign_key="notifications.id", index=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    # The web app's path: made absolute from `PMO_PUBLIC_URL` when sent, so mail queued before
    # a change of address links to the new one.
    link: str = Field(max_length=500)
    created_at: datetime = timestamp_field()
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # gave up
    last_error: str | None = Field(default=None, max_length=2000)
