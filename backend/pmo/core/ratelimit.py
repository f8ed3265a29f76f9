"""Fixed-window rate limits with counters in the database, shared by every server process."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from pmo.core.models import RateLimitCounter


@dataclass(frozen=True)
class Window:
    hits: int
    retry_after: int  # seconds until the window ends


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
