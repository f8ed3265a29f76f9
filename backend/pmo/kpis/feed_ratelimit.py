"""The per-client request limit of the KPI feed, cheap enough to count every poll.

Counting each request with a database write (`pmo.core.ratelimit.hit`) would put a write
and a commit on every 304 poll, the request this feed must make cheapest. Instead each
server process takes a share of a client's minute from the shared counter in one write
(a block of `share_size` requests) and hands it out from memory until it is used up.

The share is taken in a short write transaction of its own, so the feed's GETs stay plain
reads (no SQLite write lock on a poll), and a request admitted from a held share touches
no database at all and stays on the event loop.

The next share is taken ahead, while half the held one is left, by one thread of the
process's own (`_refiller`), and a request that finds the share used up while the next is on
its way waits for it. Before, each time a share ran out every request then in flight went
through the route and took a share of its own, and their writes queued on SQLite's lock in its
busy handler's sleeps (1, 2, 5, 10 ms and up): the 304's p99 was 130 ms. A share is taken
ahead only for the window it is in; the first request of a window takes one itself.

Still correct across processes: a share is taken atomically from the counter in the
database, and a process never admits more than it was given, so the processes together
never admit more than the limit in a window. The price is the other way: a share one
process took and did not use is lost to the others, so with N processes a client may be
refused up to N and a half shares early in a busy minute.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from pmo.core import ratelimit
from pmo.core.errors import TooManyRequests
from pmo.core.models import RateLimitCounter

WINDOW_SECONDS = 60
MAX_SHARE = 1000

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# client id -> (window start, requests this process may still admit in that window, the
# shared counter when this process last took a share)
_shares: dict[uuid.UUID, tuple[int, int, int]] = {}
# The next share of a client being taken ahead, and the thread that takes them: one at a
# time, made on first use.
_refills: dict[uuid.UUID, Future[None]] = {}
_refiller: ThreadPoolExecutor | None = None


def share_size(limit: int) -> int:
    """Requests taken from the shared counter at a time: a fiftieth of the limit, 1 to 1,000
    (12 at the default limit of 600). A fiftieth bounds what a process's unused share keeps
    from the others; a client allowed 5,000 polls a second had a write every 100 polls (a
    share of 100), a fifth of a 304's cost on PostgreSQL (0.38x to 0.54x the bare app,
    `bench/kpi_feed.py`), and has one every 1,000."""
    return max(1, min(MAX_SHARE, limit // 50))


def refill_at(size: int) -> int:
    """Requests left in a held share when the next is taken ahead: half a share (none for a
    share of 1, whose requests take their share themselves, one at a time)."""
    return size // 2


def policy(limit: int) -> ratelimit.Policy:
    return ratelimit.Policy("kpi-feed", limit, WINDOW_SECONDS)


def _key(client_id: uuid.UUID) -> str:
    return f"kpi-feed-client:{client_id}"


def _take_from_share(client_id: uuid.UUID, window_start: int) -> tuple[int, int] | None:
    """If a held share admits one more request: the requests used so far (as this process
    knows them) and how many the share has left after this one."""
    with _lock:
        start, left, counter = _shares.get(client_id, (window_start, 0, 0))
        if start == window_start and left > 0:
            _shares[client_id] = (start, left - 1, counter)
            return counter - (left - 1), left - 1
    return None


async def count_request(
    engine: Engine, client_id: uuid.UUID, limit: int, *, now: float | None = None
) -> dict[str, str]:
    """Admit one request of the API client and return its `RateLimit` fields, or raise 429
    with `Retry-After`. The remaining count is an estimate (shares other processes hold
    count as used), never more than is left.

    From a held share when there is one (memory only), or the next one when it is being taken
    ahead; otherwise a new share is taken and committed in a transaction of its own (in the
    thread pool), so it stays taken whatever the request then does.
    """
    now = time.time() if now is None else now
    held = await count_held(engine, client_id, limit, now=now)
    if held is not None:
        return held
    window_start = int(now) - int(now) % WINDOW_SECONDS
    retry_after = window_start + WINDOW_SECONDS - int(now)
    return await run_in_threadpool(_take_share, engine, client_id, limit, window_start, retry_after)


async def count_held(
    engine: Engine, client_id: uuid.UUID, limit: int, *, now: float | None = None
) -> dict[str, str] | None:
    """Admit one request from a share this process holds, or from the next one when it is
    being taken ahead (once it has come), and return its `RateLimit` fields; None when no
    share is held (`count_request` takes one)."""
    held = count_from_share(engine, client_id, limit, now=now)
    if held is None:
        refill = _refills.get(client_id)
        if refill is not None:
            await asyncio.wrap_future(refill)
        # Again: the next share may also have come between the first look and now.
        held = count_from_share(engine, client_id, limit, now=now)
    return held


def count_from_share(
    engine: Engine, client_id: uuid.UUID, limit: int, *, now: float | None = None
) -> dict[str, str] | None:
    """Admit one request from a share this process holds (memory only) and return its
    `RateLimit` fields; None when none is held. When half the share is left, the next is
    taken ahead (`_refiller`)."""
    now = time.time() if now is None else now
    window_start = int(now) - int(now) % WINDOW_SECONDS
    taken = _take_from_share(client_id, window_start)
    if taken is None:
        return None
    used, left = taken
    if left < refill_at(share_size(limit)):
        _refill_ahead(engine, client_id, limit, window_start)
    return policy(limit).headers(used, window_start + WINDOW_SECONDS - int(now))


def _refill_ahead(engine: Engine, client_id: uuid.UUID, limit: int, window_start: int) -> None:
    """Take the client's next share in the background, unless it is already being taken."""
    global _refiller
    with _lock:
        if client_id in _refills:
            return
        if _refiller is None:
            _refiller = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-share")
        _refills[client_id] = _refiller.submit(_take_share_ahead, engine, client_id, limit, window_start)


def _take_share_ahead(engine: Engine, client_id: uuid.UUID, limit: int, window_start: int) -> None:
    try:
        _take_share(engine, client_id, limit, window_start, retry_after=0, admitting=False)
    except TooManyRequests:
        pass  # the limit is reached: the held share runs out and the route refuses the next
    except Exception:
        # Nothing is lost: the next request that finds no share takes one itself.
        logger.exception("the KPI feed's next share could not be taken ahead")
    finally:
        with _lock:
            _refills.pop(client_id, None)


def wait_for_shares_taken_ahead() -> None:
    """Until the shares being taken ahead are written: before the app's engine goes (the end of
    its lifespan), and before a test empties the database."""
    for refill in list(_refills.values()):
        refill.result()


def _take_share(
    engine: Engine,
    client_id: uuid.UUID,
    limit: int,
    window_start: int,
    retry_after: int,
    *,
    admitting: bool = True,
) -> dict[str, str]:
    """Take a share from the shared counter and add it to the one held; `admitting`: for a
    request, which takes one of it (else the share is taken ahead)."""
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
            if start > window_start:
                # A later window's share was taken meanwhile: this one is of no further use,
                # but a request of its window was admitted with it.
                return policy(limit).headers(counter - (granted - 1), retry_after)
            left = (left if start == window_start else 0) + granted - (1 if admitting else 0)
            _shares[client_id] = (window_start, left, counter)
        return policy(limit).headers(counter - left, retry_after)
