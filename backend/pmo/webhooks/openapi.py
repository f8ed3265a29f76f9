"""The OpenAPI document's `webhooks` section: every message the service sends, its body
and its headers, so that a receiver can be generated and checked from the document."""

# No `from __future__ import annotations`: FastAPI reads the handler's body type at definition.

from typing import Any

from fastapi import APIRouter, Header

from pmo.webhooks.events import EVENT_DATA, EVENT_SCOPES, PING, EventType, envelope_model

_HEADERS = """Headers (Standard Webhooks): `webhook-id` (the same on every retry and replay of
the message: drop duplicates by it), `webhook-timestamp` (Unix seconds when sent: refuse old
ones) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`, space-separated, one per live
secret; two during a secret rotation's grace period). Verify with the subscription's secret,
e.g. `standardwebhooks.Webhook(secret).verify(body, headers)`. Answer 2xx within the timeout;
anything else, a redirect included, is retried with exponential backoff for about three days."""


def webhooks_router() -> APIRouter:
    """One operation per event type; `app.webhooks` routes are documented, never served."""
    router = APIRouter()
    for event_type in [*EventType, PING]:
        body_model: Any = envelope_model(event_type)
        data_doc = (EVENT_DATA[event_type].__doc__ or "").strip()
        scope = (
            f"Needs the scope `{EVENT_SCOPES[EventType(event_type)].value}`."
            if event_type != PING
            else ("Sent on request (`POST /webhook-subscriptions/{id}/ping`); needs no scope.")
        )

        def receive(
            body: body_model,
            webhook_id: str = Header(description="The message id, e.g. `msg_...`."),
            webhook_timestamp: str = Header(description="Unix seconds when it was sent."),
            webhook_signature: str = Header(description="`v1,<base64>` signatures, space-separated."),
        ) -> None:
            """Receives the event."""

        router.add_api_route(
            event_type,
            receive,
            methods=["POST"],
            summary=f"{event_type}: {data_doc.rstrip('.')}",
            description=f"{data_doc} {scope}\n\n{_HEADERS}",
            operation_id=f"webhook-{event_type.replace('.', '-')}",
            status_code=200,
            responses={200: {"description": "Received (any 2xx will do)."}},
            tags=["webhooks"],
        )
    return router
