"""`Location` of a created record: declared on every creating `POST`, sent as an absolute URL
on `PMO_PUBLIC_URL` (first answer and replay alike), and it leads to the record."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from conftest import Person
from pmo.core.config import get_settings
from pmo.main import create_app
from support.api import API

# A sample of creating operations, with a body each, made by the org's administrator or PMO.
CREATES: dict[str, dict[str, Any]] = {
    "/api/v1/directorates": {"name": "Housing", "description": "Homes"},
    "/api/v1/portfolios": {"name": "Town centre renewal"},
    "/api/v1/api-clients": {"name": "Performance system", "scopes": ["kpis:read"]},
}


def test_every_creating_post_declares_location() -> None:
    document = json.loads(json.dumps(create_app().openapi()))
    takes_key = [
        path
        for path, item in document["paths"].items()
        if any(p["name"] == "Idempotency-Key" for p in item.get("post", {}).get("parameters", []))
    ]
    assert len(takes_key) > 20
    for path in [*takes_key, "/api/v1/webhook-subscriptions"]:
        headers = document["paths"][path]["post"]["responses"]["201"].get("headers", {})
        assert "absolute URL" in headers["Location"]["description"], path
    assert set(CREATES) <= set(takes_key)


def test_location_is_absolute_and_leads_to_the_record(client: TestClient, admin: Person, pmo: Person) -> None:
    public = get_settings().public_url.rstrip("/")
    for path, body in CREATES.items():
        who = pmo if path.endswith("portfolios") else admin
        headers = {**who.headers, "Idempotency-Key": f"location-{path.rsplit('/', 1)[-1]}"}
        created = client.post(path, json=body, headers=headers)
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        assert location == f"{public}{path}/{created.json()['id']}"
        record = client.get(location.removeprefix(public), headers=who.headers)
        assert record.status_code == 200
        assert record.json()["id"] == created.json()["id"]
        if path.endswith("api-clients"):
            continue  # its answer held a secret: a retry is refused (409), naming the same URL
        replayed = client.post(path, json=body, headers=headers)
        assert replayed.headers["Idempotent-Replayed"] == "true"
        assert replayed.headers["Location"] == location


def test_another_organisation_cannot_follow_the_location(
    client: TestClient, admin: Person, other_admin: Person
) -> None:
    created = client.post(f"{API}/directorates", json={"name": "Housing"}, headers=admin.headers)
    path = created.headers["Location"].removeprefix(get_settings().public_url.rstrip("/"))
    assert client.get(path, headers=other_admin.headers).status_code == 404
