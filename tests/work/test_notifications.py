"""Notifications: written with the event that causes them, read and marked by their person
only, email per the person's choice, sent by the worker through a real SMTP server on
127.0.0.1 (aiosmtpd), retried when it is away."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from pmo.core.config import get_settings
from pmo.core.db import utcnow
from pmo.core.periods import today
from pmo.core.permissions import Role
from pmo.demo import DEMO_PASSWORD
from pmo.work.due_notifications import notify_due_work
from pmo.work.notifications_models import EmailMessage
from pmo.work.notifications_service import MAX_ATTEMPTS, deliver_email
from support.api import API, Api, problem, sign_in

PUBLIC_URL = "https://pmo.chesterfield.test"


class Inbox:
    """aiosmtpd's handler: keeps each message that arrives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def smtp_port() -> int:
    return _free_port()


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, and the settings pointing at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PMO_SMTP_HOST", "127.0.0.1")
        env.setenv("PMO_SMTP_PORT", str(smtp_port))
        env.setenv("PMO_SMTP_FROM", "pmo@chesterfield.test")
        env.setenv("PMO_PUBLIC_URL", PUBLIC_URL)
        get_settings.cache_clear()
        try:
            yield inbox
        finally:
            controller.stop()
            env.undo()
            get_settings.cache_clear()


def _deliver(engine: Engine, later: timedelta = timedelta(0)) -> int:
    with Session(engine) as session:
        sent = deliver_email(session, utcnow() + later)
        session.commit()
    return sent


def _outbox(engine: Engine) -> list[EmailMessage]:
    with Session(engine) as session:
        return list(session.execute(select(EmailMessage).order_by(EmailMessage.created_at)).scalars())


def _risk_with_action(api: Api, pmo: Any, project: dict[str, Any], actionee: Any) -> dict[str, Any]:
    risk = api.post(
        pmo,
        "/risks",
        {
            "project_id": project["id"],
            "title": "Supplier fails",
            "category": "Financial",
            "inherent_likelihood": 3,
            "inherent_impact": 4,
        },
    )
    due = (today() + timedelta(days=7)).isoformat()
    api.post(
        pmo,
        f"/risks/{risk['id']}/actions",
        {"description": "Find a second supplier", "due_date": due, "actionee_id": str(actionee.id)},
    )
    return risk


def _notifications(client: TestClient, who: Any, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/me/notifications", headers=who.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _unread(client: TestClient, who: Any) -> int:
    response = client.get(f"{API}/me/notifications/unread-count", headers=who.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["unread"])


def test_an_assigned_action_notifies_its_actionee_and_the_email_arrives(
    client: TestClient, engine: Engine, smtp: Inbox, pmo: Any, manager: Any, project: dict[str, Any]
) -> None:
    risk = _risk_with_action(Api(client), pmo, project, manager)
    listed = _notifications(client, manager)
    assert listed["total"] == 1
    (notification,) = listed["items"]
    assert notification["kind"] == "assigned"
    assert notification["title"] == f"{risk['reference']} Supplier fails: an action was given to you"
    assert notification["link"] == f"/risks/{risk['id']}/edit"
    assert notification["read_at"] is None
    assert _notifications(client, pmo)["total"] == 0  # who assigned it is not told

    # Nothing is sent inside the request: the worker sends it.
    assert smtp.messages == []
    assert _deliver(engine) == 1
    ((recipients, message),) = smtp.messages
    assert recipients == [manager.user.email]
    assert message["To"] == manager.user.email
    assert message["From"] == "pmo@chesterfield.test"
    assert message["Subject"] == f"Something was assigned to you: {notification['title']}"
    assert f"{PUBLIC_URL}/risks/{risk['id']}/edit" in message.get_payload(decode=True).decode()
    assert _deliver(engine) == 0  # sent once


def test_marking_read_and_unread_count(
    client: TestClient, pmo: Any, manager: Any, project: dict[str, Any], viewer: Any
) -> None:
    api = Api(client)
    for _ in range(3):
        _risk_with_action(api, pmo, project, manager)
    assert _unread(client, manager) == 3
    page = _notifications(client, manager, limit=2)
    assert (page["total"], len(page["items"])) == (3, 2)
    first = page["items"][0]
    # Another person cannot read or mark it: it is not disclosed.
    problem(client.post(f"{API}/me/notifications/{first['id']}/read", headers=viewer.headers), 404)
    problem(client.post(f"{API}/me/notifications/{uuid.uuid4()}/read", headers=manager.headers), 404)
    marked = client.post(f"{API}/me/notifications/{first['id']}/read", headers=manager.headers)
    assert marked.status_code == 200, marked.text
    assert marked.json()["read_at"] is not None
    assert _unread(client, manager) == 2
    assert [n["id"] for n in _notifications(client, manager, unread="true")["items"]] != [first["id"]]
    assert first["id"] not in [n["id"] for n in _notifications(client, manager, unread="true")["items"]]
    everything = client.post(f"{API}/me/notifications/read-all", headers=manager.headers)
    assert everything.json() == {"marked": 2}
    assert _unread(client, manager) == 0
    assert _notifications(client, viewer)["total"] == 0


def test_email_is_the_persons_choice(
    client: TestClient, engine: Engine, pmo: Any, manager: Any, project: dict[str, Any]
) -> None:
    choices = client.get(f"{API}/me/notification-preferences", headers=manager.headers).json()["choices"]
    assert {c["kind"]: c["email"] for c in choices} == {
        "decision_waiting": True,
        "assigned": True,
        "kpi_value_due": True,
        "review_overdue": True,
        "request_decided": True,
    }
    off = client.put(
        f"{API}/me/notification-preferences",
        json={"choices": [{"kind": "assigned", "email": False}]},
        headers=manager.headers,
    )
    assert off.status_code == 200, off.text
    assert {c["kind"]: c["email"] for c in off.json()["choices"]}["assigned"] is False
    _risk_with_action(Api(client), pmo, project, manager)
    assert _unread(client, manager) == 1  # in the app always
    assert _outbox(engine) == []  # no email
    bad = problem(
        client.put(
            f"{API}/me/notification-preferences",
            json={"choices": [{"kind": "gossip", "email": True}]},
            headers=manager.headers,
        ),
        422,
    )
    assert bad["errors"][0]["location"][:3] == ["body", "choices", 0]
    problem(
        client.put(f"{API}/me/notification-preferences", json={"choices": []}, headers=manager.headers), 422
    )


def test_a_failed_send_is_retried_then_given_up(
    client: TestClient, engine: Engine, smtp_port: int, pmo: Any, manager: Any, project: dict[str, Any]
) -> None:
    _risk_with_action(Api(client), pmo, project, manager)
    with pytest.MonkeyPatch.context() as env:  # a server that is not there
        env.setenv("PMO_SMTP_HOST", "127.0.0.1")
        env.setenv("PMO_SMTP_PORT", str(_free_port()))
        get_settings.cache_clear()
        try:
            assert _deliver(engine) == 0
            (message,) = _outbox(engine)
            assert (message.attempts, message.sent_at, message.failed_at) == (1, None, None)
            assert "ConnectionRefused" in str(message.last_error)
            assert _deliver(engine) == 0  # not due again yet
            assert _outbox(engine)[0].attempts == 1
            for attempt in range(2, MAX_ATTEMPTS + 1):
                _deliver(engine, later=timedelta(hours=attempt * 4))
            (message,) = _outbox(engine)
            assert message.attempts == MAX_ATTEMPTS
            assert message.failed_at is not None
        finally:
            env.undo()
            get_settings.cache_clear()


def test_a_send_that_failed_once_goes_when_the_server_is_back(
    client: TestClient, engine: Engine, smtp_port: int, pmo: Any, manager: Any, project: dict[str, Any]
) -> None:
    _risk_with_action(Api(client), pmo, project, manager)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PMO_SMTP_HOST", "127.0.0.1")
        env.setenv("PMO_SMTP_PORT", str(smtp_port))  # nothing listens yet
        get_settings.cache_clear()
        try:
            assert _deliver(engine) == 0
        finally:
            env.undo()
            get_settings.cache_clear()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("PMO_SMTP_HOST", "127.0.0.1")
            env.setenv("PMO_SMTP_PORT", str(smtp_port))
            get_settings.cache_clear()
            try:
                assert _deliver(engine, later=timedelta(minutes=2)) == 1
            finally:
                env.undo()
                get_settings.cache_clear()
    finally:
        controller.stop()
    assert [r for r, _ in inbox.messages] == [[manager.user.email]]
    (message,) = _outbox(engine)
    assert (message.attempts, message.sent_at is not None) == (2, True)


def test_draw_down_steps_notify_who_acts_next_and_the_requester(
    client: TestClient, engine: Engine, demo: None
) -> None:
    people = {
        w: sign_in(client, f"{w}@demo.test", DEMO_PASSWORD) for w in ("finance", "member", "pm", "sponsor")
    }

    class Who:
        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

    work = client.get(f"{API}/me/work", headers=people["finance"]).json()
    (waiting,) = work["drawdowns_awaiting_me"]
    url = waiting["api_url"]
    before = _notifications(client, Who(people["sponsor"]))["total"]
    # The executive member consulted says whether they declare a conflict of interest.
    views = {"finance": {"view": "supports"}, "member": {"view": "supports", "conflict_of_interest": False}}
    for consultee, view in views.items():
        response = client.post(f"{url}/consultations", json=view, headers=people[consultee])
        assert response.status_code == 201, response.text
    told = _notifications(client, Who(people["sponsor"]))
    assert told["total"] == before + 1
    assert told["items"][0]["kind"] == "decision_waiting"
    assert told["items"][0]["link"] == f"/drawdowns/{waiting['id']}"
    assert "waits for your decision" in told["items"][0]["title"]
    decided = client.post(
        f"{url}/decision",
        json={"decision": "approve", "reason": "Within budget.", "alternatives_considered": "None."},
        headers=people["sponsor"],
    )
    assert decided.status_code == 200, decided.text
    requester = decided.json()["requested_by_id"]
    with Session(engine) as session:
        from pmo.work.notifications_models import Notification

        kinds = [
            n.kind
            for n in session.execute(
                select(Notification).where(Notification.user_id == uuid.UUID(requester))
            ).scalars()
        ]
    assert "request_decided" in kinds


def test_the_daily_job_tells_owners_of_overdue_reviews_once(
    client: TestClient,
    engine: Engine,
    pmo: Any,
    manager: Any,
    project: dict[str, Any],
    factory: Any,
    other_org: Any,
) -> None:
    past = (today() - timedelta(days=3)).isoformat()
    risk = Api(client).post(
        pmo,
        "/risks",
        {
            "project_id": project["id"],
            "title": "Late review",
            "category": "Financial",
            "inherent_likelihood": 3,
            "inherent_impact": 4,
            "owner_id": str(manager.id),
            "review_date": past,
        },
    )
    with Session(engine) as session:
        assert notify_due_work(session, utcnow()) == 1
        session.commit()
    with Session(engine) as session:
        assert notify_due_work(session, utcnow()) == 0  # once
        session.commit()
    (told,) = _notifications(client, manager)["items"]
    assert told["kind"] == "review_overdue"
    assert told["link"] == f"/risks/{risk['id']}/edit"
    stranger = factory.person(other_org, Role.pmo)
    assert _notifications(client, stranger)["total"] == 0
