"""KPI polls answered 304, and pages already written out answered 200, before the framework:
after authentication, exact across workers.

Councils' systems poll the feed with `If-None-Match` every few minutes, and nearly every poll
is answered 304. The full route (dependencies, a session, the revision read in a
transaction) cost milliseconds for that answer; `FeedRevalidationMiddleware` gives the same
answer, byte for byte, from what this process already holds and one row read, and passes
every request it cannot answer that way to the route unchanged:

- the request's shape: the route remembers, for each path, query string and `Accept` it
  answered, what the tag depends on (`FeedShape`: the parsed query's key, the media type).
  Parsing is a function of those bytes alone, so a shape the route accepted is accepted
  again, and an unknown or refused one goes to the route (its 422 or 406);
- who asks: the token checked as every request's is (`decode_access_token`: signature once,
  expiry every time), and the principal only if `principal_cache` holds it and knows it
  current (a revoked token is refused by every process within its `FRESH_FOR`, as on every
  route); then `kpis:read`, as `require` checks it. Else the route decides (its 401, 403);
- the limit: an API client's request is counted, from a share of its minute this process
  holds or is taking ahead (`feed_ratelimit.count_held`); with no share held, the route
  takes one;
- the organisation's feed revision, read for every poll (one indexed row, one statement
  outside a transaction, on a DBAPI connection), so a change committed through any process is
  seen by the next poll on every process: the tag is as exact as the route's.

An event loop that runs the app's lifespan (a server's worker) reads on a connection of its own,
kept until the lifespan ends. On SQLite the read runs on the loop itself (`LoopRevisionReads`:
a WAL reader never waits for a writer, and the read costs less than a trip to the thread pool or
even a pool checkout). On PostgreSQL it waits on the network, and the loop must not stop while
it does: it is awaited on an async connection (`AsyncRevisionReads`). Anywhere else (a test
client's loop of a request) it goes to the thread pool, through the pool.

A request whose tag does not match (or that sends none) is answered 200 here only with a page
the route has already written out at the current revision (`feed_service.PAGES`, kept by that
tag and the URL), with the route's headers: the route's own answer, without the trip through
the framework and the thread pool (a page read again cost 2.1 ms of CPU through the route, and
costs 0.28 ms here, `bench/request_cpu.py`). Any other page goes to the route, which writes it
out and keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Dialect, Engine, bindparam, select
from sqlalchemy.pool import QueuePool
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from pmo.auth.principal_cache import cache_of, key_of
from pmo.core import ratelimit
from pmo.core.config import get_settings
from pmo.core.middleware import API_PREFIX
from pmo.core.permissions import Permission
from pmo.core.security import InvalidToken, bearer_token, decode_access_token
from pmo.kpis import feed_ratelimit
from pmo.kpis.feed_service import PAGES, FeedShape, page_key, page_response, validators_at
from pmo.kpis.models import KpiFeedState

FEED_PREFIX = f"{API_PREFIX}/kpi-feed/"
# Request shapes held per process; the oldest goes first.
MAX_HELD = 10_000
# The route's header parameters' own limit (a longer one is its 422, never a 304 here).
MAX_IF_NONE_MATCH = 1000


# The organisation's feed revision ---------------------------------------------------------------

REVISION = select(col(KpiFeedState.revision), col(KpiFeedState.changed_at)).where(
    col(KpiFeedState.organisation_id) == bindparam("organisation_id")
)


class _RevisionRead:
    """`REVISION` compiled once for a dialect, with its column types' conversions, to run on
    the pool's DBAPI connection: for this one-row read SQLAlchemy's execution (its context,
    result and type processing) cost four times the read itself (SQLite 50 to 10 µs of CPU,
    PostgreSQL 183 to 98)."""

    def __init__(self, dialect: Dialect) -> None:
        compiled = REVISION.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positional
        columns = KpiFeedState.__table__.c  # type: ignore[attr-defined]
        self.bind = columns.organisation_id.type.dialect_impl(dialect).bind_processor(dialect)
        self.changed_at = columns.changed_at.type.dialect_impl(dialect).result_processor(dialect, None)
        # pysqlite's connections already leave transactions to us (`make_engine`); PostgreSQL's
        # run the read in autocommit: no BEGIN or ROLLBACK around it.
        self.autocommit = dialect.name != "sqlite"
        self.errors = dialect.loaded_dbapi.Error

    def parameters(self, organisation_id: uuid.UUID) -> Any:
        value = self.bind(organisation_id) if self.bind else organisation_id
        return (value,) if self.positional else {"organisation_id": value}

    def result(self, row: Any) -> tuple[int, datetime | None]:
        if row is None:
            return 0, None
        return row[0], self.changed_at(row[1]) if self.changed_at else row[1]


_revision_reads: dict[Dialect, _RevisionRead] = {}


def _revision_read_of(dialect: Dialect) -> _RevisionRead:
    read = _revision_reads.get(dialect)
    if read is None:
        read = _revision_reads.setdefault(dialect, _RevisionRead(dialect))
    return read


def read_revision(engine: Engine, organisation_id: uuid.UUID) -> tuple[int, datetime | None] | None:
    """The organisation's revision as committed now, through the pool: one indexed row, one
    statement outside any transaction. None if the database refused the read: the route then
    reads and answers."""
    read = _revision_read_of(engine.dialect)
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        if read.autocommit:
            driver.autocommit = True  # type: ignore[union-attr]
        try:
            row = _read_on(connection, read, organisation_id)
        finally:
            if read.autocommit:
                driver.autocommit = False  # type: ignore[union-attr]
    except read.errors:
        return None
    finally:
        connection.close()  # back to the pool
    return read.result(row)


def _read_on(connection: Any, read: _RevisionRead, organisation_id: uuid.UUID) -> Any:
    cursor = connection.cursor()
    cursor.execute(read.sql, read.parameters(organisation_id))
    row = cursor.fetchone()
    cursor.close()
    return row


class LoopRevisionReads:
    """SQLite: the revision reads of one event loop, on one of the pool's connections that the
    loop keeps, without a checkout and return for each poll (those cost more than the read:
    8.6 µs of CPU a read through the pool, 3.5 on a connection kept). The connection is taken
    when one is idle in the pool, never waited for on the loop (until then, polls read in the
    thread pool); it goes back to the pool when the app's lifespan ends, and is dropped when the
    database refuses a read (the route answers; the next poll takes another)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Any = None  # the pool's connection (`PoolProxiedConnection`)

    async def revision(self, organisation_id: uuid.UUID) -> tuple[int, datetime | None] | None:
        if self.connection is None:
            pool = self.engine.pool
            if not (isinstance(pool, QueuePool) and pool.checkedin() > 0):
                return await run_in_threadpool(read_revision, self.engine, organisation_id)
            self.connection = self.engine.raw_connection()
        return self.read_kept(organisation_id)

    def read_kept(self, organisation_id: uuid.UUID) -> tuple[int, datetime | None] | None:
        """The read on the connection kept (taken by `revision`)."""
        read = _revision_read_of(self.engine.dialect)
        try:
            row = _read_on(self.connection, read, organisation_id)
        except read.errors:
            connection, self.connection = self.connection, None
            connection.invalidate()
            return None
        return read.result(row)

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()  # back to the pool


class AsyncRevisionReads:
    """PostgreSQL: the revision reads of one event loop, on one psycopg async connection in
    autocommit, so a poll neither stops the loop nor takes a trip to the thread pool and a pool
    checkout (whose pre-ping is a second round trip). Opened on first use; closed when the
    app's lifespan ends, and only loops that run one use it (`FeedRevalidationMiddleware`).
    When the database refuses a read, the connection is dropped and the route answers; the
    next poll connects again.

    Polls take turns on the connection, and the polls of one organisation that arrive while
    its next read waits for its turn share that read (`next_reads`): it is sent after each of
    them arrived, so it sees every change committed before any of them came, as a read of its
    own would. A poll that arrives while a read is on its way waits for the next one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection: psycopg.AsyncConnection[Any] | None = None
        self.turn = asyncio.Lock()
        # Per organisation, the answer of its next read, not yet sent.
        self.next_reads: dict[uuid.UUID, asyncio.Future[tuple[int, datetime | None] | None]] = {}

    async def revision(self, organisation_id: uuid.UUID) -> tuple[int, datetime | None] | None:
        next_read = self.next_reads.get(organisation_id)
        if next_read is not None:
            return await asyncio.shield(next_read)  # one poll going away leaves the others theirs
        next_read = self.next_reads[organisation_id] = asyncio.get_running_loop().create_future()
        answer = None  # if this poll goes away first, the route answers the others
        try:
            answer = await self._read(organisation_id, next_read)
            return answer
        finally:
            if self.next_reads.get(organisation_id) is next_read:
                del self.next_reads[organisation_id]
            next_read.set_result(answer)

    async def _read(
        self, organisation_id: uuid.UUID, next_read: asyncio.Future[Any]
    ) -> tuple[int, datetime | None] | None:
        read = _revision_read_of(self.engine.dialect)
        async with self.turn:
            # Polls that come from now on wait for the next read: this one may be too early for them.
            if self.next_reads.get(organisation_id) is next_read:
                del self.next_reads[organisation_id]
            try:
                if self.connection is None:
                    self.connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                cursor = await self.connection.execute(read.sql, read.parameters(organisation_id))
                row = await cursor.fetchone()
            except psycopg.Error:
                await self.close()
                return None
        return read.result(row)

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                await connection.close()


LoopReads = LoopRevisionReads | AsyncRevisionReads


def loop_reads_of(engine: Engine) -> LoopReads | None:
    """How a loop that runs the lifespan reads the revision on a connection of its own (None:
    this database reads in the thread pool)."""
    if engine.dialect.name == "sqlite":
        return LoopRevisionReads(engine)
    if engine.dialect.name == "postgresql":
        return AsyncRevisionReads(engine)
    return None


# The shapes of the requests the route answered ------------------------------------------------

ShapeKey = tuple[str, bytes, str | None]  # path, query string, Accept
_shapes: dict[ShapeKey, tuple[FeedShape, Any]] = {}
_shapes_lock = threading.Lock()


def remember(scope: Scope, accept: str | None, shape: FeedShape) -> None:
    """Called by the route for a request it parsed and accepted: its shape, and its route
    (the request log's and metrics' label)."""
    key = (scope["path"], scope.get("query_string", b""), accept)
    if key in _shapes:
        return
    with _shapes_lock:
        if len(_shapes) >= MAX_HELD:
            del _shapes[next(iter(_shapes))]
        _shapes[key] = (shape, scope.get("route"))


# The middleware ---------------------------------------------------------------------------------

_HEADERS = (b"authorization", b"if-none-match", b"if-modified-since", b"accept")


def _headers(scope: Scope) -> dict[bytes, str] | None:
    """The headers this answer depends on; None if one of them is sent twice (the route decides)."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _HEADERS:
            if name in found:
                return None
            found[name] = value.decode("latin-1")
    return found


RevisionRead = Callable[[uuid.UUID], Awaitable[tuple[int, datetime | None] | None]]


async def from_memory(scope: Scope, engine: Engine, revision: RevisionRead) -> Response | None:
    """The 304 for a poll, or the 200 of a page held written out (`feed_service.PAGES`), that
    this process can answer from memory; or None (the route answers)."""
    headers = _headers(scope)
    if headers is None or b"if-modified-since" in headers:
        return None
    if_none_match, authorization = headers.get(b"if-none-match"), headers.get(b"authorization")
    if (if_none_match is not None and len(if_none_match) > MAX_IF_NONE_MATCH) or authorization is None:
        return None
    remembered = _shapes.get((scope["path"], scope.get("query_string", b""), headers.get(b"accept")))
    token = bearer_token(authorization)
    if remembered is None or token is None:
        return None
    try:
        claims = decode_access_token(get_settings(), token)
    except InvalidToken:
        return None
    actor = cache_of(engine).held(key_of(claims))
    if actor is None or Permission.kpis_read not in actor.permissions():
        return None
    shape, route = remembered
    current = await revision(actor.organisation_id)
    if current is None:
        return None
    validators = validators_at(actor.organisation_id, *current, shape)
    page = None
    if not validators.not_modified(if_none_match, None):
        page = PAGES.get(page_key(validators.etag, scope))
        if page is None:
            return None
    if actor.kind == "client":
        fields = await feed_ratelimit.count_held(engine, actor.id, get_settings().client_requests_per_minute)
        if fields is None:
            return None
        ratelimit.announce(scope, fields)
    scope["route"] = route
    if page is None:
        return Response(status_code=304, headers=validators.headers())
    return page_response(Request(scope), page, validators, shape.media_type)


class FeedRevalidationMiddleware:
    """Answers the KPI requests `from_memory` can answer; passes every other request on."""

    def __init__(self, app: ASGIApp, engine: Callable[[], Engine]) -> None:
        self.app = app
        self.engine = engine
        # The reads on a connection of the loop's own, per event loop that runs the app's
        # lifespan: a loop without one (a test client's per-request loop) would never close it.
        self.loop_reads: dict[asyncio.AbstractEventLoop, LoopReads | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(FEED_PREFIX):
            engine = self.engine()
            answer = await from_memory(scope, engine, self._revision_read(engine))
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _revision_read(self, engine: Engine) -> RevisionRead:
        """How this request reads the revision: on the loop's own connection (under a
        lifespan), else in the thread pool."""
        loop = asyncio.get_running_loop()
        if loop in self.loop_reads:
            reads = self.loop_reads[loop]
            if reads is None:
                reads = self.loop_reads[loop] = loop_reads_of(engine)
            if reads is not None:
                return reads.revision

        async def in_the_thread_pool(organisation_id: uuid.UUID) -> tuple[int, datetime | None] | None:
            return await run_in_threadpool(read_revision, engine, organisation_id)

        return in_the_thread_pool

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        self.loop_reads[loop] = None
        try:
            await self.app(scope, receive, send)
        finally:
            reads = self.loop_reads.pop(loop, None)
            if reads is not None:
                await reads.close()
