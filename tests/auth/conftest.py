"""Fixtures for the authentication tests: signing in, refreshing, reading rate-limit counters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text

from conftest import PASSWORD
from pmo.auth import service as auth_service

from .helpers import TOKEN_URL


@pytest.fixture
def login(client: TestClient) -> Callable[..., Response]:
    def do(email: str, password: str = PASSWORD, **extra: str) -> Response:
        data = {"grant_type": "password", "username": email, "password": password, **extra}
        return client.post(TOKEN_URL, data=data)

    return do


@pytest.fixture
def refresh(client: TestClient) -> Callable[[str], Response]:
    def do(refresh_token: str) -> Response:
        return client.post(TOKEN_URL, data={"grant_type": "refresh_token", "refresh_token": refresh_token})

    return do


@pytest.fixture
def counters(engine: Engine) -> Callable[[str], dict[str, int]]:
    """Rate-limit counters whose key starts with the prefix: {key: hits in the newest window}."""

    def read(prefix: str) -> dict[str, int]:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT key, hits FROM rate_limit_counters WHERE key LIKE :prefix ORDER BY window_start"
                ),
                {"prefix": prefix + "%"},
            ).all()
        return dict(rows)

    return read


class Clock:
    """The auth service's clock, stopped, and moved on only by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth_service, "utcnow", clock)
    return clock
