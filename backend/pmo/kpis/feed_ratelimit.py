"""The per-client request limit of the KPI feed, cheap enough to count every poll.

Counting each request with a database write (`pmo.core.ratelimit.hit`) would put a write
and a commit on every 304 poll, the request this feed must make cheapest. Instead each
server process takes a share of a client's minute from the shared counter in one write
(a block of `share_size` requests) and hands it out from memory until it is used up.

The share is taken in a short write transaction of its own, so the feed's GETs stay plain
reads (no SQLite write lock on a poll), and a request admitted from a held share touches
no database at all and stays on the event loop.

Still correct across processes: a share is taken atomically from the counter in the
database, and a process never admits more than it was given, so the processes together
never admit more than the limit in a window. The price is the other way: a share one
process took and did not use is lost to the others, so with N processes a client may be
refused up to N shares early in a busy minute.
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from pmo.core import ratelimit
from pmo.core.errors import TooManyRequests
from pmo.core.models import RateLimitCounter

WINDOW_SECONDS = 60
MAX_SHARE = 100

_lock = threading.Lock()
# client id -> (window start, requests this process may still admit in that window, the
# shared counter when this process last took a share)
_shares: dict[uuid.UUID, tuple[int, int, int]] = {}


def share_size(limit: int) -> int:
    """Requests taken from the shared counter at a time: a fiftieth of the limit, 1 to 100."""
    return max(1, min(MAX_SHARE, limit // 50))


def policy(limit: int) -> ratelimit.Policy:
    return ratelimit.Policy("kpi-feed", limit, WINDOW_SECONDS)


def _key(client_id: uuid.UUID) -> str:
    return f"kpi-feed-client:{client_id}"


def _take_from_share(client_id: uuid.UUID, window_start: int) -> int | None:
    """The requests used so far (as this process knows them), if a held share admits one more."""
    with _lock:
        start, left, counter = _shares.get(client_id, (window_start, 0, 0))
        if start == window_start and left > 0:
            _shares[client_id] = (start, left - 1, counter)
            return counter - (left - 1)
    return None


async def count_request(
    engine: Engine, client_id: uuid.UUID, limit: int, *, now: float | None = None
) -> dict[str, str]:
    """Admit one request of the API client and return its `RateLimit` fields, or raise 429
    with `Retry-After`. The remaining count is an estimate (shares other processes hold
    count as used), never more than is left.

    From a held share when there is one (memory only); otherwise a new share is taken and
    committed in a transaction of its own (in the thread pool), so it stays taken whatever
    the request then does.
    """
    now = time.time() if now is None else now
    held = count_from_share(client_id, limit, now=now)
    if held is not None:
        return held
    window_start = int(now) - int(now) % WINDOW_SECONDS
    retry_after = window_start + WINDOW_SECONDS - int(now)
    return await run_in_threadpool(_take_share, engine, client_id, limit, window_start, retry_after)


def count_from_share(client_id: uuid.UUID, limit: int, *, now: float | None = None) -> dict[str, str] | None:
    """Admit one request from a share this process holds (memory only) and return its
    `RateLimit` fields; None when no share is held (`count_request` takes one)."""
    now = time.time() if now is None else now
    window_start = int(now) - int(now) % WINDOW_SECONDS
    used = _take_from_share(client_id, window_start)
    if used is None:
        return None
    return policy(limit).headers(used, window_start + WINDOW_SECONDS - int(now))


def _take_share(
    engine: Engine, client_id: uuid.UUID, limit: int, window_start: int, retry_after: int
) -> dict[str, str]:
    with Session(engine) as session:
        size = share_size(limit)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        hits = session.execute(
            insert(RateLimitCounter)
            .values(key=_key(client_id), window_start=window_start, hits=size)
            .on_conflict_do_update(
                index_elements=["key", "window_start"], set_={"hits": col(RateLimitCounter.hits) + size}
            )
            .returning(col(RateLimitCounter.hits))
        ).scalar_one()
        granted = min(size, limit - (hits - size))
        if granted <= 0:
            session.rollback()  # the counter is already at the limit; nothing to keep
            raise TooManyRequests(
                f"This API client may make {limit} requests a minute to the KPI feed. Try again later.",
                retry_after=retry_after,
                rate_limit=policy(limit).headers(limit, retry_after),
            )
        # Earlier windows of this client are of no further use.
        session.execute(
            delete(RateLimitCounter).where(
                col(RateLimitCounter.key) == _key(client_id),
                col(RateLimitCounter.window_start) < window_start,
            )
        )
        session.commit()
        counter = min(hits, limit)
        with _lock:
            start, left, _ = _shares.get(client_id, (window_start, 0, 0))
            left = left if start == window_start else 0
            left += granted - 1  # this request takes one
            _shares[client_id] = (window_start, left, counter)
        return policy(limit).headers(counter - left, retry_after)
