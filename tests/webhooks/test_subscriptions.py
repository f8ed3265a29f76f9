"""Webhook subscriptions through the API: who may manage which, scopes, URLs, the secret
shown once and rotated, enabling, deleting, and isolation between clients and councils."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.core.config import get_settings
from pmo.core.pagination import public_url_of
from support.api import API, problem
from support.webhooks import Hooks

ALL_PORTFOLIO = ("risk.escalated", "milestone.missed", "gate_review.decided", "project.stage_changed")


def test_a_client_subscribes_with_its_own_credentials_and_sees_the_secret_once(hooks: Hooks, admin, client):
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    response = client.post(
        f"{API}/webhook-subscriptions",
        json={"url": "https://hooks.example.gov.uk/pmo", "event_types": ["kpi.value.published"]},
        headers=system.headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    created = response.json()
    assert response.headers["Location"] == public_url_of(f"/api/v1/webhook-subscriptions/{created['id']}")
    assert created["signing_secret"].startswith("whsec_")
    assert created["api_client_id"] == system.id
    assert (created["enabled"], created["disabled_reason"]) == (True, None)

    read = hooks.get(system, f"/webhook-subscriptions/{created['id']}")
    assert "signing_secret" not in read
    assert [s["id"] for s in hooks.get(system, "/webhook-subscriptions")["items"]] == [created["id"]]
    # The administrator sees it too, and the audit trail has no secret.
    assert (
        hooks.get(admin, f"/webhook-subscriptions/{created['id']}")["url"]
        == "https://hooks.example.gov.uk/pmo"
    )
    events = hooks.get(admin, "/audit-events", record_id=created["id"])["items"]
    assert events
    assert "whsec_" not in str(events)


def test_each_event_type_needs_its_scope(hooks: Hooks, admin):
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    url = "https://hooks.example.gov.uk/pmo"
    refused = problem(
        hooks.client.post(
            f"{API}/webhook-subscriptions",
            json={"url": url, "event_types": ["kpi.value.published", "drawdown.decided"]},
            headers=system.headers,
        ),
        403,
    )
    assert "finance:read" in refused["detail"]
    for event_type in ALL_PORTFOLIO:
        assert (
            "portfolio:read"
            in problem(
                hooks.client.post(
                    f"{API}/webhook-subscriptions",
                    json={"url": url, "event_types": [event_type]},
                    headers=system.headers,
                ),
                403,
            )["detail"]
        )
    # A client with the scopes may; one without webhooks:manage may not manage any.
    both = hooks.integrator(admin, "webhooks:manage", "finance:read", "portfolio:read")
    hooks.subscribe(both, url, "drawdown.requested", "drawdown.decided", *ALL_PORTFOLIO)
    reader = hooks.integrator(admin, "kpis:read")
    problem(hooks.client.get(f"{API}/webhook-subscriptions", headers=reader.headers), 403)
    problem(
        hooks.client.post(
            f"{API}/webhook-subscriptions",
            json={"url": url, "event_types": ["kpi.value.published"]},
            headers=reader.headers,
        ),
        403,
    )
    # An administrator subscribes a client, which must hold the scopes all the same.
    made = hooks.subscribe(admin, url, "kpi.value.published", api_client_id=reader.id)
    assert made["api_client_id"] == reader.id
    assert (
        "finance:read"
        in problem(
            hooks.client.post(
                f"{API}/webhook-subscriptions",
                json={"url": url, "event_types": ["drawdown.requested"], "api_client_id": reader.id},
                headers=admin.headers,
            ),
            403,
        )["detail"]
    )


def test_people_other_than_the_administrator_cannot_manage_subscriptions(hooks: Hooks, pmo, viewer):
    for person in (pmo, viewer):
        problem(hooks.client.get(f"{API}/webhook-subscriptions", headers=person.headers), 403)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.gov.uk/pmo", "https"),
        ("https://127.0.0.1/hook", "not a public address"),
        ("https://10.1.2.3/hook", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/hook", "not a public address"),
        ("https://user:pw@hooks.example.gov.uk/", "user name"),
        ("ftp://hooks.example.gov.uk/", "https"),
        ("https://hooks.example.gov.uk:99999/", "port"),
        ("https://[abc/", "not valid"),
        ("https://hooks.example.gov.uk/a b", "spaces or control characters"),
    ],
)
def test_a_target_must_be_https_and_public(hooks: Hooks, admin, monkeypatch, url: str, why: str):
    monkeypatch.setattr(get_settings(), "webhooks_allow_private_targets", False)
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    body = problem(
        hooks.client.post(
            f"{API}/webhook-subscriptions",
            json={"url": url, "event_types": ["kpi.value.published"]},
            headers=system.headers,
        ),
        422,
    )
    assert why in body["detail"]
    assert body["errors"][0]["location"] == ["body", "url"]


def test_bad_input_is_refused_whole(hooks: Hooks, admin):
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    for body in (
        {"url": "https://hooks.example.gov.uk/", "event_types": []},
        {"url": "https://hooks.example.gov.uk/", "event_types": ["kpi.value.deleted"]},
        {"url": "https://hooks.example.gov.uk/", "event_types": ["kpi.value.published"], "secret": "mine"},
        {"event_types": ["kpi.value.published"]},
    ):
        problem(hooks.client.post(f"{API}/webhook-subscriptions", json=body, headers=system.headers), 422)
    assert hooks.get(system, "/webhook-subscriptions")["total"] == 0
    # An administrator must name the client, one of the organisation's.
    problem(
        hooks.client.post(
            f"{API}/webhook-subscriptions",
            json={"url": "https://hooks.example.gov.uk/", "event_types": ["kpi.value.published"]},
            headers=admin.headers,
        ),
        422,
    )


def test_clients_and_councils_see_only_their_own(hooks: Hooks, admin, other_admin):
    mine = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    sibling = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    theirs = hooks.integrator(other_admin, "webhooks:manage", "kpis:read")
    subscription = hooks.subscribe(mine, "https://hooks.example.gov.uk/a", "kpi.value.published")
    path = f"{API}/webhook-subscriptions/{subscription['id']}"

    for outsider in (sibling, theirs, other_admin):
        problem(hooks.client.get(path, headers=outsider.headers), 404)
        problem(hooks.client.post(f"{path}/rotate-secret", headers=outsider.headers), 404)
        problem(hooks.client.post(f"{path}/ping", headers=outsider.headers), 404)
        problem(hooks.client.get(f"{path}/deliveries", headers=outsider.headers), 404)
        problem(hooks.client.delete(path, headers=outsider.headers), 404)
        assert hooks.get(outsider, "/webhook-subscriptions")["total"] == 0
    # Another council's administrator cannot subscribe this council's client either.
    problem(
        hooks.client.post(
            f"{API}/webhook-subscriptions",
            json={
                "url": "https://x.example/",
                "event_types": ["kpi.value.published"],
                "api_client_id": mine.id,
            },
            headers=other_admin.headers,
        ),
        422,
    )
    # Nor can a client subscribe in another client's name.
    problem(
        hooks.client.post(
            f"{API}/webhook-subscriptions",
            json={
                "url": "https://x.example/",
                "event_types": ["kpi.value.published"],
                "api_client_id": mine.id,
            },
            headers=sibling.headers,
        ),
        403,
    )
    assert hooks.get(mine, f"/webhook-subscriptions/{subscription['id']}")["id"] == subscription["id"]


def test_rotation_gives_a_new_secret_and_keeps_the_old_one_for_the_grace_period(hooks: Hooks, admin):
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    created = hooks.subscribe(system, "https://hooks.example.gov.uk/a", "kpi.value.published")
    rotated = hooks.post(system, f"/webhook-subscriptions/{created['id']}/rotate-secret", status=200)
    assert rotated["signing_secret"].startswith("whsec_")
    assert rotated["signing_secret"] != created["signing_secret"]
    assert rotated["previous_secret_expires_at"] is not None


def test_change_disable_enable_and_delete(hooks: Hooks, admin, client):
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read", "portfolio:read")
    created = hooks.subscribe(system, "https://hooks.example.gov.uk/a", "kpi.value.published")
    path = f"/webhook-subscriptions/{created['id']}"
    # No If-Match: 428; a scope the client lacks: 403; nothing changed.
    problem(client.patch(f"{API}{path}", json={"enabled": False}, headers=system.headers), 428)
    refused = hooks.patch(system, path, {"event_types": ["drawdown.decided"]})
    problem(refused, 403)
    changed = hooks.patch(
        system, path, {"enabled": False, "event_types": ["risk.escalated", "kpi.value.published"]}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["enabled"], changed.json()["event_types"]) == (
        False,
        ["kpi.value.published", "risk.escalated"],
    )
    assert hooks.get(system, "/webhook-subscriptions", enabled=False)["total"] == 1
    assert hooks.patch(system, path, {"enabled": True}).json()["enabled"] is True

    assert client.delete(f"{API}{path}", headers=system.headers).status_code == 204
    problem(client.get(f"{API}{path}", headers=system.headers), 404)


def test_a_revoked_client_cannot_be_subscribed(hooks: Hooks, admin):
    system = hooks.integrator(admin, "webhooks:manage", "kpis:read")
    hooks.post(admin, f"/api-clients/{system.id}/revoke", status=200)
    body: dict[str, Any] = {
        "url": "https://hooks.example.gov.uk/",
        "event_types": ["kpi.value.published"],
        "api_client_id": system.id,
    }
    problem(hooks.client.post(f"{API}/webhook-subscriptions", json=body, headers=admin.headers), 409)
