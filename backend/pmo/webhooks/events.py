"""The event types, what each one carries, and `emit`: the one way a change reports itself.

`emit` runs in the transaction of the change: the event and a delivery for each subscription
that wants it are committed with the change or not at all, so an acknowledged change is
never without its event, and a rolled-back change sends nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from pmo.auth.models import ApiClient
from pmo.core.db import utcnow
from pmo.core.pagination import public_url_of
from pmo.core.permissions import ClientScope
from pmo.core.references import DrawdownReference, ProjectReference, RiskReference
from pmo.webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription


class EventType(StrEnum):
    kpi_value_published = "kpi.value.published"
    drawdown_requested = "drawdown.requested"
    drawdown_decided = "drawdown.decided"
    gate_review_decided = "gate_review.decided"
    risk_escalated = "risk.escalated"
    project_stage_changed = "project.stage_changed"
    milestone_missed = "milestone.missed"


# Sent to one subscription on request (`POST .../ping`); needs no scope.
PING = "webhook.ping"

# The scope the subscribing client must hold for each type: the scope that reads the record.
EVENT_SCOPES: dict[EventType, ClientScope] = {
    EventType.kpi_value_published: ClientScope.kpis_read,
    EventType.drawdown_requested: ClientScope.finance_read,
    EventType.drawdown_decided: ClientScope.finance_read,
    EventType.gate_review_decided: ClientScope.portfolio_read,
    EventType.risk_escalated: ClientScope.portfolio_read,
    EventType.project_stage_changed: ClientScope.portfolio_read,
    EventType.milestone_missed: ClientScope.portfolio_read,
}


def api_url(path: str) -> str:
    """The absolute URL of an API path (`/kpi-values/...`), from `PMO_PUBLIC_URL`."""
    return public_url_of(f"/api/v1{path}")


# What each event carries (`data`): ids, a few facts, and the URL to read the whole record.


class KpiValuePublishedData(BaseModel):
    """A KPI value was published, or a published value was corrected (a new version)."""

    value_id: uuid.UUID
    kpi_id: uuid.UUID
    kpi_code: str
    period_code: str = Field(description='The period the value is for, e.g. "2025/26 Q2".')
    actual: str = Field(description="The value, as an exact decimal string.")
    version: int = Field(description="Goes up with every correction of the published value.")
    published_at: datetime
    url: str = Field(description="The value in the API.")


class DrawdownRequestedData(BaseModel):
    """A draw-down was requested."""

    drawdown_id: uuid.UUID
    reference: DrawdownReference = Field(description='e.g. "DD-0007".')
    project_id: uuid.UUID
    funding_source_id: uuid.UUID
    amount: str = Field(description='In pounds, an exact decimal string, e.g. "50000.00".')
    financial_year: str = Field(description='e.g. "2025/26".')
    route: str = Field(description="delegated, cabinet or council.")
    status: str
    url: str


class DrawdownDecidedData(BaseModel):
    """A draw-down was approved or rejected (by its decider, or by Cabinet or Council)."""

    drawdown_id: uuid.UUID
    reference: DrawdownReference
    project_id: uuid.UUID
    amount: str = Field(description="In pounds, an exact decimal string.")
    outcome: str = Field(description="approved or rejected.")
    decided_at: datetime
    url: str


class GateReviewDecidedData(BaseModel):
    """A gate review was settled: approved (with or without conditions), deferred or rejected."""

    gate_review_id: uuid.UUID
    project_id: uuid.UUID
    gate_key: str
    outcome: str = Field(description="approved, approved_with_conditions, deferred or rejected.")
    decided_at: datetime
    url: str


class RiskEscalatedData(BaseModel):
    """A risk was escalated above its level (to programme or steering group)."""

    risk_id: uuid.UUID
    reference: RiskReference = Field(description='e.g. "R-0012".')
    project_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    escalation_level: str = Field(description="programme or steering_group.")
    url: str


class ProjectStageChangedData(BaseModel):
    """A project moved to its next stage (an approved gate review moves it)."""

    project_id: uuid.UUID
    reference: ProjectReference = Field(description='e.g. "P-0042".')
    from_stage: str
    to_stage: str
    gate_review_id: uuid.UUID
    url: str


class MilestoneMissedData(BaseModel):
    """A milestone was recorded as missed."""

    milestone_id: uuid.UUID
    project_id: uuid.UUID
    title: str
    due_date: date
    url: str


class PingData(BaseModel):
    """A test message asked for by the subscription's owner."""

    subscription_id: uuid.UUID
    message: str = "ping"


EventData = (
    KpiValuePublishedData
    | DrawdownRequestedData
    | DrawdownDecidedData
    | GateReviewDecidedData
    | RiskEscalatedData
    | ProjectStageChangedData
    | MilestoneMissedData
    | PingData
)

EVENT_DATA: dict[str, type[BaseModel]] = {
    EventType.kpi_value_published: KpiValuePublishedData,
    EventType.drawdown_requested: DrawdownRequestedData,
    EventType.drawdown_decided: DrawdownDecidedData,
    EventType.gate_review_decided: GateReviewDecidedData,
    EventType.risk_escalated: RiskEscalatedData,
    EventType.project_stage_changed: ProjectStageChangedData,
    EventType.milestone_missed: MilestoneMissedData,
    PING: PingData,
}


def envelope_model(event_type: str) -> type[BaseModel]:
    """The body sent for `event_type` (Standard Webhooks: type, timestamp, data), as a model
    with a title of its own, for the OpenAPI document's `webhooks` section."""
    data_model = EVENT_DATA[event_type]
    name = data_model.__name__.removesuffix("Data") + "Event"
    return type(
        name,
        (BaseModel,),
        {
            "__doc__": data_model.__doc__,
            "__annotations__": {
                "type": Literal[event_type],
                "timestamp": datetime,
                "data": data_model,
            },
            "timestamp": Field(description="When it happened (UTC)."),
        },
    )


def event_body(event: WebhookEvent) -> dict[str, object]:
    """What is sent: the Standard Webhooks envelope."""
    return {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }


def emit(
    session: Session, organisation_id: uuid.UUID, event_type: EventType, data: BaseModel
) -> WebhookEvent | None:
    """Put `event_type` in the outbox for every enabled subscription of the organisation that
    asked for it and whose client (not revoked) holds its scope; the event, or None when no
    subscription wants it (then nothing is written)."""
    scope = EVENT_SCOPES[event_type].value
    rows = session.execute(
        select(WebhookSubscription.id, WebhookSubscription.event_types, ApiClient.scopes)
        .join(ApiClient, col(ApiClient.id) == WebhookSubscription.api_client_id)
        .where(
            WebhookSubscription.organisation_id == organisation_id,
            col(WebhookSubscription.enabled).is_(True),
            col(ApiClient.revoked_at).is_(None),
        )
    ).all()
    wanted = [sub_id for sub_id, types, scopes in rows if event_type.value in types and scope in scopes]
    return _queue(session, organisation_id, event_type.value, data, wanted) if wanted else None


def _queue(
    session: Session,
    organisation_id: uuid.UUID,
    event_type: str,
    data: BaseModel,
    subscriptions: list[uuid.UUID],
) -> WebhookEvent:
    now = utcnow()
    event = WebhookEvent(
        organisation_id=organisation_id, type=event_type, data=data.model_dump(mode="json"), occurred_at=now
    )
    session.add(event)
    session.flush()
    for subscription_id in subscriptions:
        session.add(
            WebhookDelivery(
                organisation_id=organisation_id,
                subscription_id=subscription_id,
                event_id=event.id,
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return event


def queue_ping(session: Session, subscription: WebhookSubscription) -> WebhookDelivery:
    """A ping for one subscription, delivered by the worker like any event."""
    event = _queue(
        session,
        subscription.organisation_id,
        PING,
        PingData(subscription_id=subscription.id),
        [subscription.id],
    )
    delivery: WebhookDelivery = session.execute(
        select(WebhookDelivery).where(WebhookDelivery.event_id == event.id)
    ).scalar_one()
    return delivery
