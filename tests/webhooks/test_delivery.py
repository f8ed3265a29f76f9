"""Delivery by the worker to a real receiver: signatures, the log, retries with backoff on a
clock the test moves, giving up and disabling, replay, ping, rotation, and the refusals of
targets that are not public (after DNS resolution, redirects not followed)."""

from __future__ import annotations

import itertools
import json
import random
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from pmo.audit.models import AuditEvent
from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.webhooks.delivery import deliver_due, retry_delay
from pmo.webhooks.models import WebhookDelivery, WebhookEvent
from support.api import API, problem
from support.webhooks import Hooks

from .conftest import Clock, Receiver


def _missed_milestone(hooks: Hooks, pmo, project: dict[str, Any]) -> dict[str, Any]:
    """A milestone recorded as missed: one milestone.missed event."""
    milestone = hooks.post(
        pmo, f"/projects/{project['id']}/milestones", {"title": "Go live", "planned_date": "2026-11-30"}
    )
    response = hooks.patch(pmo, f"/milestones/{milestone['id']}", {"status": "missed"})
    assert response.status_code == 200, response.text
    return milestone


def _subscribed(
    hooks: Hooks, admin, receiver: Receiver, *types: str, path: str = "/hook"
) -> tuple[Any, dict[str, Any]]:
    system = hooks.integrator(admin, "webhooks:manage", "portfolio:read")
    subscription = hooks.subscribe(system, receiver.url(path), *(types or ("milestone.missed",)))
    receiver.secrets.append(subscription["signing_secret"])
    return system, subscription


def test_an_event_is_delivered_signed_and_logged(
    hooks: Hooks, engine, admin, pmo, project, receiver: Receiver
):
    system, subscription = _subscribed(hooks, admin, receiver)
    milestone = _missed_milestone(hooks, pmo, project)

    assert deliver_due(engine) == 1
    [got] = receiver.received
    assert got.body is not None, "the signature did not verify"
    assert got.body["type"] == "milestone.missed"
    assert got.body["timestamp"].endswith("Z")
    data = got.body["data"]
    assert data["milestone_id"] == milestone["id"]
    assert data["url"] == f"{get_settings().public_url}/api/v1/milestones/{milestone['id']}"
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["content-type"] == "application/json"

    [delivery] = hooks.deliveries(system, subscription)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("delivered", 1, 200)
    assert delivery["message_id"] == got.headers["webhook-id"]
    [attempt] = hooks.attempts(system, subscription)
    assert (attempt["succeeded"], attempt["status_code"]) == (True, 200)
    assert attempt["duration_ms"] >= 0
    # Nothing is due any more.
    assert deliver_due(engine) == 0


def test_no_subscription_no_outbox_row_and_other_types_are_not_sent(
    hooks: Hooks, engine, admin, pmo, project, receiver
):
    _missed_milestone(hooks, pmo, project)
    with Session(engine) as session:
        assert session.exec(select(WebhookEvent)).all() == []
    _subscribed(hooks, admin, receiver, "risk.escalated")
    _missed_milestone(hooks, pmo, project)
    assert deliver_due(engine) == 0
    assert receiver.received == []


def test_a_change_that_fails_writes_no_event(
    hooks: Hooks, engine, admin, pmo, manager, viewer, project, receiver
):
    _subscribed(hooks, admin, receiver)
    milestone = hooks.post(
        pmo, f"/projects/{project['id']}/milestones", {"title": "Go live", "planned_date": "2026-11-30"}
    )
    # A viewer may not record it missed; a stale If-Match is refused: no event either way.
    problem(hooks.patch(viewer, f"/milestones/{milestone['id']}", {"status": "missed"}, reader=pmo), 403)
    stale = hooks.client.patch(
        f"{API}/milestones/{milestone['id']}",
        json={"status": "missed"},
        headers={**pmo.headers, "If-Match": '"0"'},
    )
    problem(stale, 412)
    with Session(engine) as session:
        assert session.exec(select(WebhookEvent)).all() == []


def test_failures_are_retried_with_backoff_then_the_subscription_is_disabled(
    hooks: Hooks, engine, admin, pmo, project, receiver: Receiver
):
    system, subscription = _subscribed(hooks, admin, receiver)
    _missed_milestone(hooks, pmo, project)
    receiver.status = 503
    clock = Clock(utcnow())
    start = clock.now
    rng = random.Random(7)

    assert deliver_due(engine, clock=clock, rng=rng) == 1
    [delivery] = hooks.deliveries(system, subscription)
    first_wait = _at(delivery["next_attempt_at"]) - start
    assert timedelta(seconds=15) <= first_wait <= timedelta(seconds=30)  # half to all of 30 s
    clock.now = start + first_wait - timedelta(seconds=1)
    assert deliver_due(engine, clock=clock, rng=rng) == 0  # not yet due

    # Keep failing: each wait about doubles, up to 12 hours, until about three days are used.
    waits = [first_wait]
    while True:
        [delivery] = hooks.deliveries(system, subscription)
        if delivery["status"] != "pending":
            break
        clock.now = _at(delivery["next_attempt_at"])
        assert deliver_due(engine, clock=clock, rng=rng) == 1
        [after] = hooks.deliveries(system, subscription)
        if after["status"] == "pending":
            waits.append(_at(after["next_attempt_at"]) - clock.now)
    assert delivery["status"] == "failed"
    assert all(later > earlier for earlier, later in itertools.pairwise(waits[:8]))
    assert max(waits) <= timedelta(hours=12)
    assert timedelta(hours=60) <= clock.now - start <= timedelta(hours=72)
    assert delivery["attempts"] == len(waits) + 1 == len(hooks.attempts(system, subscription, limit=200))
    assert {a["status_code"] for a in hooks.attempts(system, subscription, limit=200)} == {503}

    # Disabled, with the reason where its owner reads it, and in the audit trail.
    disabled = hooks.get(system, f"/webhook-subscriptions/{subscription['id']}")
    assert disabled["enabled"] is False
    assert "retry window" in disabled["disabled_reason"]
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "disable")).one()
    assert (event.actor_type, event.actor_label) == ("system", "pmo worker (webhook delivery)")
    # A disabled subscription is not queued events; enabling it and replaying sends again.
    _missed_milestone(hooks, pmo, project)
    receiver.status = 200
    assert deliver_due(engine) == 0
    problem(
        hooks.client.post(f"{API}/webhook-subscriptions/{subscription['id']}/ping", headers=system.headers),
        409,
    )
    assert (
        hooks.patch(system, f"/webhook-subscriptions/{subscription['id']}", {"enabled": True}).status_code
        == 200
    )
    assert hooks.get(system, f"/webhook-subscriptions/{subscription['id']}")["disabled_reason"] is None
    replayed = hooks.post(
        system, f"/webhook-subscriptions/{subscription['id']}/deliveries/{delivery['id']}/replay", status=202
    )
    assert (replayed["replay_of_id"], replayed["status"]) == (delivery["id"], "pending")
    assert deliver_due(engine) == 1  # the replay (the event of while it was disabled was not queued)
    assert len(receiver.verified()) == len(receiver.received)
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids == [delivery["message_id"]] * (len(waits) + 2)  # every attempt and the replay


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_backoff_grows_and_is_jittered():
    rng = random.Random(1)
    first = [retry_delay(1, rng) for _ in range(50)]
    assert min(first) >= timedelta(seconds=15)
    assert max(first) <= timedelta(seconds=30)
    assert len(set(first)) == 50
    assert timedelta(hours=6) <= retry_delay(30, rng) <= timedelta(hours=12)


def test_replay_sends_the_same_webhook_id_and_ping_is_delivered(
    hooks: Hooks, engine, admin, pmo, project, receiver
):
    system, subscription = _subscribed(hooks, admin, receiver)
    _missed_milestone(hooks, pmo, project)
    deliver_due(engine)
    [delivery] = hooks.deliveries(system, subscription)
    base = f"/webhook-subscriptions/{subscription['id']}"
    hooks.post(system, f"{base}/deliveries/{delivery['id']}/replay", status=202)
    # A pending delivery is not replayed (it will be sent on its schedule).
    [pending, _] = hooks.deliveries(system, subscription)
    problem(hooks.client.post(f"{API}{base}/deliveries/{pending['id']}/replay", headers=system.headers), 409)
    ping = hooks.post(system, f"{base}/ping", status=202)
    assert ping["event_type"] == "webhook.ping"
    assert deliver_due(engine) == 2

    # Sent at once (in no particular order): the replay carries the first one's webhook-id.
    assert sorted(receiver.types()) == ["milestone.missed", "milestone.missed", "webhook.ping"]
    by_type: dict[str, list[Any]] = {}
    for got in receiver.verified():
        by_type.setdefault(got.body["type"], []).append(got)  # type: ignore[index]
    [first, again] = by_type["milestone.missed"]
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == delivery["message_id"]
    [pinged] = by_type["webhook.ping"]
    assert pinged.body["data"]["subscription_id"] == subscription["id"]  # type: ignore[index]
    assert len(hooks.deliveries(system, subscription, status="delivered")) == 3


def test_during_rotation_both_secrets_verify(hooks: Hooks, engine, admin, pmo, project, receiver: Receiver):
    system, subscription = _subscribed(hooks, admin, receiver)
    rotated = hooks.post(system, f"/webhook-subscriptions/{subscription['id']}/rotate-secret", status=200)
    _missed_milestone(hooks, pmo, project)
    deliver_due(engine)
    [got] = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    # A receiver knowing only the old secret, or only the new one, verifies it.
    old_only = Receiver(secrets=[subscription["signing_secret"]])
    new_only = Receiver(secrets=[rotated["signing_secret"]])
    raw = _raw(got)
    assert old_only.verify(raw, got.headers) is not None
    assert new_only.verify(raw, got.headers) is not None
    assert Receiver(secrets=["whsec_" + "A" * 43 + "="]).verify(raw, got.headers) is None


def _raw(got: Any) -> bytes:
    return json.dumps(got.body, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_client_that_lost_the_scope_is_not_sent_the_event(
    hooks: Hooks, engine, admin, pmo, project, receiver
):
    system, _ = _subscribed(hooks, admin, receiver)
    _missed_milestone(hooks, pmo, project)
    changed = hooks.patch(admin, f"/api-clients/{system.id}", {"scopes": ["webhooks:manage"]})
    assert changed.status_code == 200, changed.text
    assert deliver_due(engine) == 0
    assert receiver.received == []
    with Session(engine) as session:
        [delivery] = session.exec(select(WebhookDelivery)).all()
    assert delivery.status == "cancelled"
    assert "portfolio:read" in (delivery.last_error or "")


# Targets that are not public: refused at delivery time, after resolution -----------------


def _refused_delivery(hooks, engine, admin, pmo, project, monkeypatch, url: str, resolver=None) -> str:
    """Subscribe `url` (allowed while private targets are), then deliver with them refused."""
    system = hooks.integrator(admin, "webhooks:manage", "portfolio:read")
    subscription = hooks.subscribe(system, url, "milestone.missed")
    _missed_milestone(hooks, pmo, project)
    monkeypatch.setattr(get_settings(), "webhooks_allow_private_targets", False)
    kwargs = {"resolver": resolver} if resolver else {}
    assert deliver_due(engine, **kwargs) == 1
    [delivery] = hooks.deliveries(system, subscription)
    assert delivery["status"] == "pending"  # retried later: the name may resolve elsewhere then
    assert delivery["last_status_code"] is None
    error: str = delivery["last_error"]
    assert error.startswith("refused: ")
    return error


def test_loopback_by_name_is_refused_after_resolution(
    hooks, engine, admin, pmo, project, receiver, monkeypatch
):
    url = f"https://localhost:{receiver.port}/hook"
    assert "resolves to 127.0.0.1" in _refused_delivery(hooks, engine, admin, pmo, project, monkeypatch, url)
    assert receiver.received == []


def test_private_and_metadata_addresses_are_refused(hooks, engine, admin, pmo, project, monkeypatch):
    assert "10.1.2.3 is not a public address" in _refused_delivery(
        hooks, engine, admin, pmo, project, monkeypatch, "https://10.1.2.3/hook"
    )


def test_the_cloud_metadata_address_is_refused(hooks, engine, admin, pmo, project, monkeypatch):
    assert "169.254.169.254 is not a public address" in _refused_delivery(
        hooks, engine, admin, pmo, project, monkeypatch, "https://169.254.169.254/latest/meta-data"
    )


def test_a_name_resolving_to_a_private_address_is_refused(hooks, engine, admin, pmo, project, monkeypatch):
    def resolver(host: str, port: int) -> list[str]:
        return {"hooks.example.gov.uk": ["93.184.215.14", "192.168.1.20"]}[host]

    error = _refused_delivery(
        hooks, engine, admin, pmo, project, monkeypatch, "https://hooks.example.gov.uk/hook", resolver
    )
    assert "resolves to 192.168.1.20" in error


def test_plain_http_is_refused_unless_private_targets_are_allowed(
    hooks, engine, admin, pmo, project, receiver, monkeypatch
):
    error = _refused_delivery(hooks, engine, admin, pmo, project, monkeypatch, receiver.url())
    assert "https" in error
    assert receiver.received == []


def test_the_connection_goes_to_the_address_that_was_checked(
    hooks: Hooks, engine, admin, pmo, project, receiver
):
    """The name is resolved once (here by a resolver only this test knows) and the request
    goes to that address, with the name in the Host header: nothing resolves it again."""
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    system = hooks.integrator(admin, "webhooks:manage", "portfolio:read")
    url = receiver.url(host="receiver.invalid")
    subscription = hooks.subscribe(system, url, "milestone.missed")
    receiver.secrets.append(subscription["signing_secret"])
    _missed_milestone(hooks, pmo, project)
    assert deliver_due(engine, resolver=resolver) == 1
    assert asked == ["receiver.invalid"]
    [got] = receiver.verified()
    assert got.headers["host"] == f"receiver.invalid:{receiver.port}"


def test_redirects_are_not_followed(hooks: Hooks, engine, admin, pmo, project, receiver: Receiver):
    system, subscription = _subscribed(hooks, admin, receiver, path="/redirect")
    _missed_milestone(hooks, pmo, project)
    assert deliver_due(engine) == 1
    assert [r.path for r in receiver.received] == ["/redirect"]  # never /landing
    [delivery] = hooks.deliveries(system, subscription)
    assert (delivery["status"], delivery["last_status_code"]) == ("pending", 302)
    assert "redirects are not followed" in delivery["last_error"]
