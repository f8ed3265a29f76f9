"""Input and output models of webhook subscriptions, their deliveries and the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from pmo.core.schemas import InputModel, PublicModel, _Clean
from pmo.core.security import HoldsSecret
from pmo.webhooks.events import EventType

TargetUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=9, max_length=2000),
    Field(
        description="Where events are POSTed: an https URL on the public internet.",
        examples=["https://integrations.example.gov.uk/pmo-events"],
    ),
]
SubscriptionDescription = Annotated[str, StringConstraints(max_length=500), _Clean]
EventTypes = Annotated[
    list[EventType],
    Field(min_length=1, max_length=len(EventType), description="The event types to be sent."),
]


class DeliveryStatus(StrEnum):
    pending = "pending"  # queued, or waiting for its next retry
    delivered = "delivered"
    failed = "failed"  # the retry window ran out
    cancelled = "cancelled"  # the client was revoked or lost the event's scope


class WebhookSubscriptionCreate(InputModel):
    url: TargetUrl
    event_types: EventTypes
    description: SubscriptionDescription = ""
    api_client_id: uuid.UUID | None = Field(
        default=None,
        description="The API client it is for. A client subscribing leaves it out (or names "
        "itself); an administrator names the client.",
    )


class WebhookSubscriptionUpdate(InputModel):
    url: TargetUrl | None = None
    event_types: EventTypes | None = None
    description: SubscriptionDescription | None = None
    enabled: bool | None = Field(
        default=None, description="`true` enables a disabled subscription again (and clears why it was)."
    )


class WebhookSubscriptionAction(StrEnum):
    """What an administrator (or the client it belongs to) can do to a webhook subscription."""

    edit = "edit"  # PATCH: URL, event types, description, enable or disable
    delete = "delete"  # DELETE: unsubscribe, with its delivery log
    rotate_secret = "rotate_secret"  # noqa: S105  POST .../rotate-secret
    ping = "ping"  # POST .../ping: while it is enabled


class WebhookSubscriptionPublic(PublicModel):
    id: uuid.UUID
    api_client_id: uuid.UUID
    url: str
    event_types: list[EventType]
    description: str
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why the worker disabled it: deliveries failed for the whole retry window."
    )
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until then, deliveries also carry a signature made with the secret "
        "before the last rotation."
    )
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[WebhookSubscriptionAction] = Field(
        description="What you may do to the subscription now: the checks its routes make, run for you."
    )


class WebhookSubscriptionWithSecret(WebhookSubscriptionPublic, HoldsSecret):
    signing_secret: str = Field(
        description="The Standard Webhooks secret (`whsec_` and base64) that signs deliveries. "
        "Shown only in this response: keep it."
    )


class WebhookDeliveryPublic(PublicModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt and replay.")
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When it is tried next, while pending.")
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    replay_of_id: uuid.UUID | None = Field(description="The delivery this one replays, if it is a replay.")


class WebhookAttemptPublic(PublicModel):
    id: uuid.UUID
    delivery_id: uuid.UUID
    attempted_at: datetime
    succeeded: bool
    status_code: int | None = Field(description="The receiver's HTTP status; none if no answer came.")
    duration_ms: int
    error: str | None
