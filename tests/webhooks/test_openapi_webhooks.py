"""The committed OpenAPI document describes every webhook message: its body, its headers,
the scope it needs; and the subscription operations are documented like every other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pmo.webhooks.events import EVENT_SCOPES, PING, EventType

pytestmark = pytest.mark.document_only

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return document


def test_every_event_type_is_in_the_webhooks_section():
    document = _document()
    schemas = document["components"]["schemas"]
    assert set(document["webhooks"]) == {*(t.value for t in EventType), PING}
    for name, item in document["webhooks"].items():
        operation = item["post"]
        assert operation["summary"].startswith(name)
        if name != PING:
            assert EVENT_SCOPES[EventType(name)].value in operation["description"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schemas[ref.rsplit("/", 1)[1]]
        assert envelope["properties"]["type"]["const"] == name
        assert envelope["required"] == ["type", "timestamp", "data"]
        data = schemas[envelope["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
        assert data["description"]
        if name != PING:
            assert "url" in data["required"]


def test_subscription_operations_are_documented_and_titled():
    document = _document()
    operations = [
        operation
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/webhook-subscriptions")
        for operation in item.values()
    ]
    assert len(operations) == 10
    for operation in operations:
        assert operation["summary"]
        assert operation["description"]
    titles = [
        s.get("title", name)
        for name, s in document["components"]["schemas"].items()
        if name.startswith("Webhook")
    ]
    assert len(titles) == len(set(titles))
    assert not [t for t in titles if t.endswith(("-Input", "-Output")) or "[" in t]
