"""Webhook tables: subscriptions, the outbox of events, deliveries and their attempts.

An event is written with the change that caused it (same transaction); so is one delivery
per subscription it is for. The worker sends what is due and records each attempt.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field, timestamp_field


class WebhookSubscription(Tracked, table=True):
    """An API client's request to be sent events of some types at a URL."""

    __tablename__ = "webhook_subscriptions"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    api_client_id: uuid.UUID = Field(foreign_key="api_clients.id", index=True)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))
    description: str = Field(default="", max_length=500)
    enabled: bool = Field(default=True)
    # Standard Webhooks secrets (`whsec_` + base64): the sender must sign with them, so they
    # are kept as they are (never in the audit trail, never shown again after creation).
    signing_secret: str = Field(max_length=100)
    # The secret before the last rotation still signs (a second signature) until this time.
    previous_signing_secret: str | None = Field(default=None, max_length=100)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why the worker disabled it (deliveries failing for the whole retry window); cleared
    # when it is enabled again. The owner reads it through the API.
    disabled_reason: str | None = Field(default=None, max_length=1000)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookEvent(SQLModel, table=True):
    """One thing that happened, in the outbox: its type and small payload (`data`)."""

    __tablename__ = "webhook_events"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    type: str = Field(max_length=60)
    data: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    occurred_at: datetime = timestamp_field()


class WebhookDelivery(SQLModel, table=True):
    """An event to send to one subscription: pending until sent, retried on a schedule.

    `webhook-id` is the event's id, the same on every attempt and replay, so a receiver can
    drop duplicates. A worker claims due deliveries by setting `claim` and `locked_until` in
    one conditional UPDATE; a worker that dies leaves its claim to expire.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscriptions.id")
    event_id: uuid.UUID = Field(foreign_key="webhook_events.id", index=True)
    status: str = Field(default="pending", max_length=20)  # pending, delivered, failed, cancelled
    created_at: datetime = timestamp_field()
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    claim: uuid.UUID | None = None
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set on a delivery made by a manual replay: the one it repeats.
    replay_of_id: uuid.UUID | None = Field(default=None, foreign_key="webhook_deliveries.id")


class WebhookAttempt(SQLModel, table=True):
    """One try at sending a delivery: the delivery log of a subscription."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_subscription_attempted", "subscription_id", "attempted_at"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscriptions.id")
    delivery_id: uuid.UUID = Field(foreign_key="webhook_deliveries.id", index=True)
    attempted_at: datetime = Field(sa_type=UTCDateTime)
    succeeded: bool
    status_code: int | None = None
    duration_ms: int
    error: str | None = Field(default=None, max_length=1000)
