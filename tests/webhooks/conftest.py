"""The webhook tests' receiver (a real HTTP server on 127.0.0.1 that verifies signatures
with the `standardwebhooks` library), API clients that subscribe, and delivery calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook, WebhookVerificationError

from pmo.core.config import get_settings
from support.webhooks import Hooks


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None  # the verified body; None if no signature matched


@dataclass
class Receiver:
    """Records what it is sent. `status` is its answer; `/redirect` answers 302; while
    `hold` is set, a request waits until it is cleared (`release`)."""

    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    status: int = 200
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def verified(self) -> list[Received]:
        return [r for r in self.received if r.body is not None]

    def types(self) -> list[str]:
        return [r.body["type"] for r in self.verified() if r.body]

    def verify(self, raw: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        for secret in self.secrets:
            try:
                body: dict[str, Any] = Webhook(secret).verify(raw, headers)
            except WebhookVerificationError:
                continue
            return body
        return None


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if len(raw) < length:  # the sender died while sending: not a request
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.received.append(Received(self.path, headers, receiver.verify(raw, headers)))
            receiver.arrived.set()
            if receiver.hold is not None:
                receiver.hold.wait(30)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{receiver.port}/landing")
            else:
                self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    if receiver.hold is not None:
        receiver.hold.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def private_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receiver is on 127.0.0.1 over http: allowed, as in development (a test of the
    refusals turns it off)."""
    monkeypatch.setattr(get_settings(), "webhooks_allow_private_targets", True)


@pytest.fixture
def hooks(client: TestClient) -> Hooks:
    return Hooks(client)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
