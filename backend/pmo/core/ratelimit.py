"""Fixed-window rate limits with counters in the database, shared by every server process."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select
from starlette.types import Scope

from pmo.core.config import Settings
from pmo.core.middleware import response_headers
from pmo.core.models import RateLimitCounter


@dataclass(frozen=True)
class Window:
    hits: int
    retry_after: int  # seconds until the window ends


@dataclass(frozen=True)
class Policy:
    """A named limit, sent as the IETF `RateLimit-Policy` and `RateLimit` fields
    (draft-ietf-httpapi-ratelimit-headers, structured field form)."""

    name: str
    limit: int  # requests (or failures) allowed in a window
    window_seconds: int

    def headers(self, used: int, reset: int) -> dict[str, str]:
        """The fields for an answer after `used` counted requests, `reset` seconds before the window ends."""
        return {
            "RateLimit-Policy": f'"{self.name}";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"{self.name}";r={max(0, self.limit - used)};t={max(0, reset)}',
        }


def account_policy(settings: Settings) -> Policy:
    """Failed sign-ins (and wrong current passwords) allowed per account in a window."""
    return Policy("sign-in-account", settings.login_failures_per_account, settings.login_window_seconds)


def login_account_key(email: str) -> str:
    """Failed guesses at one account's password, through sign-in or a password change."""
    return f"login-account:{email.strip().lower()}"


def _window_start(window_seconds: int, now: float) -> int:
    return int(now) - int(now) % window_seconds


def hit(session: Session, key: str, window_seconds: int, *, now: float | None = None) -> Window:
    """Count one hit against `key` and return the hits so far in this window."""
    now = time.time() if now is None else now
    start = _window_start(window_seconds, now)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(RateLimitCounter)
        .values(key=key, window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"hits": col(RateLimitCounter.hits) + 1},
        )
        .returning(col(RateLimitCounter.hits))
    )
    hits = session.execute(statement).scalar_one()
    # Old windows of this key are of no further use.
    session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.key == key, RateLimitCounter.window_start < start)  # type: ignore[arg-type]
    )
    return Window(hits=hits, retry_after=start + window_seconds - int(now))


def peek(session: Session, key: str, window_seconds: int, *, now: float | None = None) -> Window:
    """The hits of `key` in the current window, without counting one."""
    now = time.time() if now is None else now
    start = _window_start(window_seconds, now)
    hits = session.exec(
        select(RateLimitCounter.hits).where(
            RateLimitCounter.key == key, RateLimitCounter.window_start == start
        )
    ).first()
    return Window(hits=hits or 0, retry_after=start + window_seconds - int(now))


def announce(scope: Scope, fields: dict[str, str]) -> None:
    """Send a limit's `RateLimit` fields on this request's answer, whatever the route returns."""
    response_headers(scope).update(fields)
