"""Fixtures for the authentication tests: signing in, refreshing, reading rate-limit counters."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text

import conftest as root_conftest
from conftest import PASSWORD
from pmo.auth import service as auth_service
from pmo.core import security

from .helpers import TOKEN_URL

# Argon2 at its production cost takes a few hundred milliseconds a check, and these tests sign
# in about a hundred times. The same code checks the same kind of hash, with cheaper parameters
# stored in it (argon2 reads them from the hash).
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_CHEAP_PASSWORD_HASH = _CHEAP.hash(PASSWORD)
_CHEAP_DUMMY_HASH = _CHEAP.hash(secrets.token_urlsafe(16))


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(root_conftest, "_PASSWORD_HASH", _CHEAP_PASSWORD_HASH)
    monkeypatch.setattr(security, "_DUMMY_HASH", _CHEAP_DUMMY_HASH)


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
