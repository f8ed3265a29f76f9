"""Webhook subscriptions in tests: an API client that subscribes, its deliveries and log,
and the outbox as the database holds it (for the domains' tests of what they emit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from pmo.webhooks.models import WebhookDelivery, WebhookEvent
from support.api import API, Api, Bearer, Person


@dataclass
class Integrator:
    """An API client: its record and a token with its scopes."""

    record: dict[str, Any]
    bearer: Bearer

    @property
    def headers(self) -> dict[str, str]:
        return self.bearer.headers

    @property
    def id(self) -> str:
        return str(self.record["id"])


class Hooks(Api):
    def integrator(self, admin: Person, *scopes: str) -> Integrator:
        record = self.post(
            admin, "/api-clients", {"name": f"System {uuid.uuid4().hex[:6]}", "scopes": list(scopes)}
        )
        response = self.client.post(
            f"{API}/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": record["client_id"],
                "client_secret": record["client_secret"],
            },
        )
        assert response.status_code == 200, response.text
        return Integrator(record, Bearer(response.json()["access_token"]))

    def subscribe(self, who: Any, url: str, *types: str, status: int = 201, **fields: Any) -> Any:
        return self.post(
            who, "/webhook-subscriptions", {"url": url, "event_types": list(types), **fields}, status
        )

    def deliveries(self, who: Any, subscription: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get(
            who, f"/webhook-subscriptions/{subscription['id']}/deliveries", **params
        )["items"]
        return items

    def attempts(self, who: Any, subscription: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get(
            who, f"/webhook-subscriptions/{subscription['id']}/attempts", **params
        )["items"]
        return items

    def listening(self, admin: Person, scopes: tuple[str, ...], *types: str) -> dict[str, Any]:
        """A client with `webhooks:manage` and `scopes`, subscribed to `types` (not delivered:
        the URL is never called in tests that only read the outbox)."""
        system = self.integrator(admin, "webhooks:manage", *scopes)
        result: dict[str, Any] = self.subscribe(system, "https://hooks.example.gov.uk/pmo", *types)
        return result


def outbox(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    """Each queued delivery's event, oldest first: (type, data)."""
    with Session(engine) as session:
        rows = session.execute(
            select(WebhookEvent.type, WebhookEvent.data)
            .join(WebhookDelivery, col(WebhookDelivery.event_id) == WebhookEvent.id)
            .order_by(col(WebhookEvent.occurred_at), col(WebhookDelivery.created_at))
        ).all()
    return [(event_type, data) for event_type, data in rows]
