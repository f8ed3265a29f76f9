"""Webhook subscriptions: an API client manages its own, an administrator every one of the
organisation; the secret, its rotation with a grace period; the delivery log, replay, ping."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.auth.models import ApiClient
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict
from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, Forbidden, NotFound, Unprocessable
from pmo.core.pagination import PageParams, paginate
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.webhooks.delivery import TargetRefused, check_url, message_id
from pmo.webhooks.events import EVENT_SCOPES, EventType, queue_ping
from pmo.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from pmo.webhooks.subscriptions_schemas import (
    DeliveryStatus,
    WebhookAttemptPublic,
    WebhookDeliveryPublic,
    WebhookSubscriptionAction,
    WebhookSubscriptionCreate,
    WebhookSubscriptionPublic,
    WebhookSubscriptionUpdate,
    WebhookSubscriptionWithSecret,
)

RECORD_TYPE = "webhook_subscription"


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _any(_actor: Actor, _subscription: WebhookSubscription) -> Verdict:
    return True


def _enabled(_actor: Actor, subscription: WebhookSubscription) -> Verdict:
    if not subscription.enabled:
        return Blocked("The subscription is disabled: enable it first (PATCH enabled=true).")
    return True


# Who may see a subscription may act on it (an administrator, or the client it belongs to):
# the checks are of its state only, so the record is its own context.
_MANAGE = Permission.webhooks_manage
ACTIONS = ActionTable(
    WebhookSubscriptionAction,
    {
        WebhookSubscriptionAction.edit: Rule(_MANAGE, _any),
        WebhookSubscriptionAction.delete: Rule(_MANAGE, _any),
        WebhookSubscriptionAction.rotate_secret: Rule(_MANAGE, _any),
        WebhookSubscriptionAction.ping: Rule(_MANAGE, _enabled),
    },
)


def subscription_public(actor: Actor, subscription: WebhookSubscription) -> WebhookSubscriptionPublic:
    return WebhookSubscriptionPublic(
        id=subscription.id,
        api_client_id=subscription.api_client_id,
        url=subscription.url,
        event_types=[EventType(t) for t in subscription.event_types],
        description=subscription.description,
        enabled=subscription.enabled,
        disabled_reason=subscription.disabled_reason,
        disabled_at=subscription.disabled_at,
        previous_secret_expires_at=subscription.previous_secret_expires_at,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
        allowed_actions=ACTIONS.allowed(actor, subscription),
    )


def _with_secret(actor: Actor, subscription: WebhookSubscription) -> WebhookSubscriptionWithSecret:
    return WebhookSubscriptionWithSecret(
        **subscription_public(actor, subscription).model_dump(), signing_secret=subscription.signing_secret
    )


def _checked_url(url: str) -> str:
    try:
        check_url(url, get_settings().webhooks_allow_private_targets)
    except TargetRefused as exc:
        raise Unprocessable(
            f"The URL cannot be subscribed: {exc}.",
            errors=[FieldProblem(location=["body", "url"], message=str(exc), type="value_error")],
        ) from exc
    return url


def _check_scopes(actor: Actor, client: ApiClient, event_types: list[EventType]) -> None:
    """Each event type needs the scope that reads its records: held by the client, and by the
    token when the client itself asks."""
    held = set(client.scopes)
    if actor.kind == "client":
        held &= {s.value for s in actor.scopes}
    missing = sorted({EVENT_SCOPES[t].value for t in event_types} - held)
    if missing:
        who = "This token does not" if actor.kind == "client" else f"The API client {client.name} does not"
        raise Forbidden(
            f"{who} hold the scope(s) {', '.join(missing)} that these event types need: "
            + ", ".join(f"{t.value} needs {EVENT_SCOPES[t].value}" for t in event_types)
            + "."
        )


def _owner(session: Session, actor: Actor, api_client_id: uuid.UUID | None) -> ApiClient:
    """The client a new subscription is for: the client asking, or the one an administrator names."""
    if actor.kind == "client":
        if api_client_id not in (None, actor.id):
            raise Forbidden("An API client subscribes for itself only: leave out api_client_id.")
        return session.get_one(ApiClient, actor.id)
    if api_client_id is None:
        raise Unprocessable(
            "Name the API client the subscription is for.",
            errors=[FieldProblem(location=["body", "api_client_id"], message="required", type="missing")],
        )
    client = session.get(ApiClient, api_client_id)
    if client is None or client.organisation_id != actor.organisation_id:
        raise Unprocessable(
            "No API client with that id in your organisation.",
            errors=[
                FieldProblem(location=["body", "api_client_id"], message="not found", type="value_error")
            ],
        )
    if client.revoked_at is not None:
        raise Conflict(f"The API client {client.name} is revoked: it cannot subscribe.")
    return client


def list_subscriptions(
    session: Session, actor: Actor, page: PageParams, *, enabled: bool | None, api_client_id: uuid.UUID | None
) -> Page[Any]:
    statement = select(WebhookSubscription).where(
        WebhookSubscription.organisation_id == actor.organisation_id
    )
    if actor.kind == "client":
        statement = statement.where(WebhookSubscription.api_client_id == actor.id)
    if api_client_id is not None:
        statement = statement.where(WebhookSubscription.api_client_id == api_client_id)
    if enabled is not None:
        statement = statement.where(col(WebhookSubscription.enabled).is_(enabled))
    statement = statement.order_by(col(WebhookSubscription.created_at), col(WebhookSubscription.id))
    return paginate(session, statement, page, lambda s: subscription_public(actor, s))


def get_subscription(session: Session, actor: Actor, subscription_id: uuid.UUID) -> WebhookSubscription:
    """A subscription of the actor's organisation, and the client's own when a client asks:
    anything else is as if it did not exist."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if (
        subscription is None
        or subscription.organisation_id != actor.organisation_id
        or (actor.kind == "client" and subscription.api_client_id != actor.id)
    ):
        raise NotFound("No webhook subscription with that id is yours to see.")
    return subscription


def create_subscription(
    session: Session, actor: Actor, data: WebhookSubscriptionCreate
) -> WebhookSubscriptionWithSecret:
    client = _owner(session, actor, data.api_client_id)
    _check_scopes(actor, client, data.event_types)
    subscription = WebhookSubscription(
        organisation_id=actor.organisation_id,
        api_client_id=client.id,
        url=_checked_url(data.url),
        event_types=sorted({t.value for t in data.event_types}),
        description=data.description,
        signing_secret=new_signing_secret(),
    )
    audit.created(session, actor, subscription, RECORD_TYPE)
    return _with_secret(actor, subscription)


def update_subscription(
    session: Session, actor: Actor, subscription: WebhookSubscription, data: WebhookSubscriptionUpdate
) -> WebhookSubscription:
    ACTIONS.guard(actor, WebhookSubscriptionAction.edit, subscription)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in changes:
        _checked_url(changes["url"])
    if data.event_types is not None:
        _check_scopes(actor, session.get_one(ApiClient, subscription.api_client_id), data.event_types)
        changes["event_types"] = sorted({t.value for t in data.event_types})
    if changes.get("enabled") is True:
        changes |= {"disabled_reason": None, "disabled_at": None}
    audit.changed(session, actor, subscription, RECORD_TYPE, changes)
    return subscription


def delete_subscription(session: Session, actor: Actor, subscription: WebhookSubscription) -> None:
    """The subscription and its delivery log go; events other subscriptions wait for stay."""
    ACTIONS.guard(actor, WebhookSubscriptionAction.delete, subscription)
    session.execute(delete(WebhookAttempt).where(col(WebhookAttempt.subscription_id) == subscription.id))
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription.id))
    audit.deleted(session, actor, subscription, RECORD_TYPE)


def rotate_secret(
    session: Session, actor: Actor, subscription: WebhookSubscription
) -> WebhookSubscriptionWithSecret:
    """A new secret, shown once; the one it replaces keeps signing too (a second signature)
    for the grace period, so the receiver can switch without losing a message."""
    ACTIONS.guard(actor, WebhookSubscriptionAction.rotate_secret, subscription)
    grace = timedelta(hours=get_settings().webhooks_secret_grace_hours)
    changes = {
        "signing_secret": new_signing_secret(),
        "previous_signing_secret": subscription.signing_secret,
        "previous_secret_expires_at": utcnow() + grace,
    }
    audit.changed(session, actor, subscription, RECORD_TYPE, changes, action="rotate_secret")
    return _with_secret(actor, subscription)


# Deliveries and the log -------------------------------------------------------------------


def delivery_public(row: Any) -> WebhookDeliveryPublic:
    delivery, event_type = row
    return WebhookDeliveryPublic(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=event_type,
        message_id=message_id(delivery.event_id),
        status=DeliveryStatus(delivery.status),
        attempts=delivery.attempts,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.pending else None,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        replay_of_id=delivery.replay_of_id,
    )


def _deliveries(subscription: WebhookSubscription) -> Any:
    return (
        select(WebhookDelivery, WebhookEvent.type)
        .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription.id)
    )


def list_deliveries(
    session: Session, subscription: WebhookSubscription, page: PageParams, status: DeliveryStatus | None
) -> Page[Any]:
    statement = _deliveries(subscription)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status.value)
    statement = statement.order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
    # Rows are (delivery, event type) pairs, which `paginate` (one entity a row) does not page.
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    rows = session.execute(statement.limit(page.limit).offset(page.offset)).all()
    return Page[Any](
        items=[delivery_public(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


def get_delivery(session: Session, subscription: WebhookSubscription, delivery_id: uuid.UUID) -> Any:
    row = session.execute(_deliveries(subscription).where(WebhookDelivery.id == delivery_id)).first()
    if row is None:
        raise NotFound("No delivery with that id for this subscription.")
    return row


def list_attempts(
    session: Session, subscription: WebhookSubscription, page: PageParams, delivery_id: uuid.UUID | None
) -> Page[Any]:
    statement = select(WebhookAttempt).where(WebhookAttempt.subscription_id == subscription.id)
    if delivery_id is not None:
        statement = statement.where(WebhookAttempt.delivery_id == delivery_id)
    statement = statement.order_by(col(WebhookAttempt.attempted_at).desc(), col(WebhookAttempt.id).desc())
    return paginate(session, statement, page, WebhookAttemptPublic.model_validate)


def replay(session: Session, actor: Actor, subscription: WebhookSubscription, delivery_id: uuid.UUID) -> Any:
    """Send a delivery's event again, as a new delivery with the same `webhook-id`."""
    original, _ = get_delivery(session, subscription, delivery_id)
    if not subscription.enabled:  # a replay sends as a ping does: only while enabled
        ACTIONS.guard(actor, WebhookSubscriptionAction.ping, subscription)
    if original.status == DeliveryStatus.pending:
        raise Conflict("That delivery is still pending: it will be tried again on its schedule.")
    now = utcnow()
    copy = WebhookDelivery(
        organisation_id=subscription.organisation_id,
        subscription_id=subscription.id,
        event_id=original.event_id,
        created_at=now,
        next_attempt_at=now,
        replay_of_id=original.id,
    )
    session.add(copy)
    session.flush()
    audit.record(
        session,
        actor,
        organisation_id=subscription.organisation_id,
        action="replay",
        record_type=RECORD_TYPE,
        record_id=subscription.id,
        after={"delivery_id": str(copy.id), "replay_of_id": str(original.id)},
    )
    return get_delivery(session, subscription, copy.id)


def ping(session: Session, actor: Actor, subscription: WebhookSubscription) -> Any:
    """Queue a `webhook.ping` event for this subscription only."""
    ACTIONS.guard(actor, WebhookSubscriptionAction.ping, subscription)
    delivery = queue_ping(session, subscription)
    audit.record(
        session,
        actor,
        organisation_id=subscription.organisation_id,
        action="ping",
        record_type=RECORD_TYPE,
        record_id=subscription.id,
        after={"delivery_id": str(delivery.id)},
    )
    return get_delivery(session, subscription, delivery.id)
