"""`pmo worker` killed (SIGKILL) in the middle of a delivery, the receiver holding the
requests: once a worker runs again every event is delivered, none is lost, and each one sent
twice carries the same `webhook-id` both times."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlmodel import Session, col, select

from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.webhooks.delivery import message_id
from pmo.webhooks.events import EventType, MilestoneMissedData, emit
from pmo.webhooks.models import WebhookDelivery, WebhookEvent
from support.webhooks import Hooks

from .conftest import Receiver

PMO = str(Path(sys.executable).with_name("pmo"))
EVENTS = 20
# Short timeouts make a delivery's claim (twice connect + read) last 6 s, which is how long
# the killed worker's claims hold up the next worker.
WORKER_ENV = {
    "PMO_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
    "PMO_WEBHOOKS_CONNECT_TIMEOUT_SECONDS": "1",
    "PMO_WEBHOOKS_READ_TIMEOUT_SECONDS": "2",
    "PMO_WORKER_POLL_SECONDS": "0.2",
    "PMO_LOG_LEVEL": "WARNING",
}


def _worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own command
        [PMO, "worker"],
        env={**os.environ, **WORKER_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _statuses(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookDelivery.status)).all())


def test_a_killed_worker_loses_nothing(hooks: Hooks, engine, org, admin, receiver: Receiver):
    system = hooks.integrator(admin, "webhooks:manage", "portfolio:read")
    subscription = hooks.subscribe(system, receiver.url(), "milestone.missed")
    receiver.secrets.append(subscription["signing_secret"])
    for n in range(EVENTS):
        with Session(engine) as session:
            data = MilestoneMissedData(
                milestone_id=subscription["id"],  # any id: the payload is not looked up
                project_id=subscription["id"],
                title=f"Milestone {n}",
                due_date=utcnow().date(),
                url="https://pmo.example.gov.uk/api/v1/milestones/x",
            )
            emit(session, org.id, EventType.milestone_missed, data)
            session.commit()
    with Session(engine) as session:
        event_ids = session.exec(select(WebhookEvent.id).order_by(col(WebhookEvent.occurred_at))).all()
    expected = {message_id(event_id) for event_id in event_ids}
    assert len(expected) == EVENTS

    receiver.hold = threading.Event()  # the first request waits: the worker is mid-delivery
    first = _worker()
    second = None
    try:
        assert receiver.arrived.wait(60), "the worker sent nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        time.sleep(0.5)  # for the receiver to finish reading what was on its way
        # What the dead worker was sending (several at once) and the receiver holds.
        in_flight = {r.headers["webhook-id"] for r in receiver.received}
        receiver.hold.set()
        assert set(_statuses(engine)) == {"pending"}  # killed before recording anything

        second = _worker()
        deadline = time.monotonic() + 90
        while set(_statuses(engine)) != {"delivered"} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert set(_statuses(engine)) == {"delivered"}
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(receiver.verified()) == len(receiver.received)
    assert set(ids) == expected  # every event, none lost
    # Those being sent when the worker died were sent again, with the same id; the rest once.
    assert {i: ids.count(i) for i in expected} == {i: 2 if i in in_flight else 1 for i in expected}
    assert 1 <= len(in_flight) <= get_settings().webhooks_concurrency


def test_worker_once_delivers_what_is_due_and_exits(hooks: Hooks, engine, org, admin, receiver: Receiver):
    system = hooks.integrator(admin, "webhooks:manage", "portfolio:read")
    subscription = hooks.subscribe(system, receiver.url(), "milestone.missed")
    receiver.secrets.append(subscription["signing_secret"])
    ping = hooks.post(system, f"/webhook-subscriptions/{subscription['id']}/ping", status=202)

    once = subprocess.run(  # noqa: S603 - our own command
        [PMO, "worker", "--once"],
        env={**os.environ, **WORKER_ENV},
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert once.returncode == 0, once.stderr
    assert receiver.types() == ["webhook.ping"]
    assert receiver.verified()[0].headers["webhook-id"] == ping["message_id"]
    assert _statuses(engine) == ["delivered"]
