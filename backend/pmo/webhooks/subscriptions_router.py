from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from pmo.auth.dependencies import require
from pmo.core.db import SessionDep
from pmo.core.errors import declare
from pmo.core.etag import IfMatch, IfNoneMatch, check_if_match, json_with_etag
from pmo.core.pagination import PageDep, public_url_of
from pmo.core.permissions import Actor, Permission
from pmo.core.routing import ApiRouter
from pmo.core.schemas import Page
from pmo.core.security import NO_STORE, NO_STORE_DOC
from pmo.webhooks import subscriptions_service as service
from pmo.webhooks.subscriptions_schemas import (
    DeliveryStatus,
    WebhookAttemptPublic,
    WebhookDeliveryPublic,
    WebhookSubscriptionCreate,
    WebhookSubscriptionPublic,
    WebhookSubscriptionUpdate,
    WebhookSubscriptionWithSecret,
)

router = ApiRouter(tags=["webhooks"])

# An API client with the scope webhooks:manage (its own subscriptions), or an administrator.
Manager = Annotated[Actor, require(Permission.webhooks_manage)]
BASE = "/webhook-subscriptions"
# Created without `Idempotency-Key` (the secret is never sent twice), so `Location` is declared here.
CREATED_DOC = {
    "headers": {
        **NO_STORE_DOC["headers"],
        "Location": {
            "description": "The created record's absolute URL, on the public base URL (`PMO_PUBLIC_URL`).",
            "schema": {"type": "string"},
        },
    }
}
ONE = BASE + "/{subscription_id}"


@router.get(BASE, response_model=Page[WebhookSubscriptionPublic], responses=declare())
def list_webhook_subscriptions(
    session: SessionDep,
    actor: Manager,
    page: PageDep,
    enabled: Annotated[bool | None, Query(description="Only enabled (`true`) or disabled ones.")] = None,
    api_client_id: Annotated[uuid.UUID | None, Query(description="Only this client's.")] = None,
) -> Page[WebhookSubscriptionPublic]:
    """Your subscriptions (an API client's own; an administrator sees the organisation's),
    oldest first. A disabled one says why in `disabled_reason`."""
    return service.list_subscriptions(session, actor, page, enabled=enabled, api_client_id=api_client_id)


@router.post(
    BASE,
    status_code=201,
    response_model=WebhookSubscriptionWithSecret,
    responses={**declare(409), 201: CREATED_DOC},
)
def create_webhook_subscription(
    body: WebhookSubscriptionCreate, response: Response, session: SessionDep, actor: Manager
) -> WebhookSubscriptionWithSecret:
    """Subscribe a URL to event types. The client must hold each type's scope (403 names the
    missing ones); the URL must be https and public (422). The signing secret is in this
    response only (no `Idempotency-Key`: it is never sent again)."""
    created = service.create_subscription(session, actor, body)
    response.headers.update({**NO_STORE, "Location": public_url_of(f"/api/v1{BASE}/{created.id}")})
    return created


@router.get(ONE, response_model=WebhookSubscriptionPublic, responses=declare(304, 404))
def get_webhook_subscription(
    subscription_id: uuid.UUID, session: SessionDep, actor: Manager, if_none_match: IfNoneMatch = None
) -> Response:
    """One subscription: its event types, whether it is enabled, and why not if the worker
    disabled it. The signing secret is never shown again."""
    subscription = service.get_subscription(session, actor, subscription_id)
    return json_with_etag(service.subscription_public(actor, subscription), if_none_match)


@router.patch(ONE, response_model=WebhookSubscriptionPublic, responses=declare(404, 412, 428))
def update_webhook_subscription(
    subscription_id: uuid.UUID,
    body: WebhookSubscriptionUpdate,
    session: SessionDep,
    actor: Manager,
    if_match: IfMatch = None,
) -> Response:
    """Change the URL, event types or description; disable it, or enable it again (which
    clears why the worker disabled it). Send the `ETag` as `If-Match`."""
    subscription = service.get_subscription(session, actor, subscription_id)
    check_if_match(if_match, service.subscription_public(actor, subscription))
    service.update_subscription(session, actor, subscription, body)
    return json_with_etag(service.subscription_public(actor, subscription), None)


@router.delete(ONE, status_code=204, responses=declare(404))
def delete_webhook_subscription(subscription_id: uuid.UUID, session: SessionDep, actor: Manager) -> Response:
    """Unsubscribe: nothing more is sent, and the delivery log goes with it."""
    service.delete_subscription(session, actor, service.get_subscription(session, actor, subscription_id))
    return Response(status_code=204)


@router.post(
    ONE + "/rotate-secret",
    response_model=WebhookSubscriptionWithSecret,
    responses={**declare(404), 200: NO_STORE_DOC},
)
def rotate_webhook_secret(
    subscription_id: uuid.UUID, response: Response, session: SessionDep, actor: Manager
) -> WebhookSubscriptionWithSecret:
    """A new signing secret, shown once. For the grace period (`previous_secret_expires_at`)
    each delivery carries two signatures, one per secret, so the receiver can switch over."""
    rotated = service.rotate_secret(session, actor, service.get_subscription(session, actor, subscription_id))
    response.headers.update(NO_STORE)
    return rotated


@router.post(
    ONE + "/ping", status_code=202, response_model=WebhookDeliveryPublic, responses=declare(404, 409)
)
def ping_webhook_subscription(
    subscription_id: uuid.UUID, session: SessionDep, actor: Manager
) -> WebhookDeliveryPublic:
    """Queue a `webhook.ping` message for this subscription; the worker sends it like any
    event. Follow it in the delivery log."""
    subscription = service.get_subscription(session, actor, subscription_id)
    return service.delivery_public(service.ping(session, actor, subscription))


@router.get(ONE + "/deliveries", response_model=Page[WebhookDeliveryPublic], responses=declare(404))
def list_webhook_deliveries(
    subscription_id: uuid.UUID,
    session: SessionDep,
    actor: Manager,
    page: PageDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries with this status.")] = None,
) -> Page[WebhookDeliveryPublic]:
    """The events sent or to be sent to this subscription, newest first: status, attempts,
    the last response code and error, and when it is tried next."""
    subscription = service.get_subscription(session, actor, subscription_id)
    return service.list_deliveries(session, subscription, page, status)


@router.get(ONE + "/attempts", response_model=Page[WebhookAttemptPublic], responses=declare(404))
def list_webhook_attempts(
    subscription_id: uuid.UUID,
    session: SessionDep,
    actor: Manager,
    page: PageDep,
    delivery_id: Annotated[uuid.UUID | None, Query(description="Only this delivery's attempts.")] = None,
) -> Page[WebhookAttemptPublic]:
    """The delivery log: every attempt, newest first, with its time, outcome, response code
    and duration."""
    subscription = service.get_subscription(session, actor, subscription_id)
    return service.list_attempts(session, subscription, page, delivery_id)


@router.post(
    ONE + "/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=WebhookDeliveryPublic,
    responses=declare(404, 409),
)
def replay_webhook_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, actor: Manager
) -> WebhookDeliveryPublic:
    """Send a delivered, failed or cancelled delivery's event again: a new delivery with the
    same `webhook-id` (receivers drop duplicates by it)."""
    subscription = service.get_subscription(session, actor, subscription_id)
    return service.delivery_public(service.replay(session, actor, subscription, delivery_id))
