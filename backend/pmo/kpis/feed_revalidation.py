"""A KPI poll answered 304 before the framework: after authentication, from memory.

Councils' systems poll the feed with `If-None-Match` every few minutes, and nearly every poll
is answered 304. The full route (dependencies, a session, the revision read in a
transaction) cost milliseconds for that answer; `FeedRevalidationMiddleware` gives the same
answer, byte for byte, from what this process already holds, and passes every request it
cannot answer that way to the route unchanged:

- the request's shape: the route remembers, for each path, query string and `Accept` it
  answered, what the tag depends on (`FeedShape`: the parsed query's key, the media type).
  Parsing is a function of those bytes alone, so a shape the route accepted is accepted
  again, and an unknown or refused one goes to the route (its 422 or 406);
- who asks: the token checked as every request's is (`decode_access_token`: signature once,
  expiry every time), and the principal only if `principal_cache` holds it and knows it
  current (revoked tokens are refused by every process within `FRESH_FOR`, as on every
  route); then `kpis:read`, as `require` checks it. Else the route decides (its 401, 403);
- the limit: an API client's request is counted, from a share of its minute this process
  holds (`feed_ratelimit.count_from_share`); with no share held, the route takes one;
- the organisation's feed revision, from `FeedRevisions`: read at most `FRESH_FOR` seconds
  ago, and never from before a change committed through this process.

The bound: a change committed by another process reaches this process's 304s within
`FRESH_FOR` (0.5 s), the same bound as a revocation; one committed by this process, at once.
A 200 is never answered here: pages read the revision and the values in one transaction.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from pmo.auth.principal_cache import FRESH_FOR, cache_of, engine_of, key_of
from pmo.core import ratelimit
from pmo.core.config import get_settings
from pmo.core.db import read_only
from pmo.core.middleware import API_PREFIX
from pmo.core.permissions import Permission
from pmo.core.security import InvalidToken, bearer_token, decode_access_token
from pmo.kpis import feed_ratelimit
from pmo.kpis.feed_service import FeedShape, validators_at
from pmo.kpis.models import KpiFeedState

FEED_PREFIX = f"{API_PREFIX}/kpi-feed/"
# Request shapes and organisations' revisions held per process; the oldest goes first.
MAX_HELD = 10_000
# The route's header parameters' own limit (a longer one is its 422, never a 304 here).
MAX_IF_NONE_MATCH = 1000


# The organisations' feed revisions ------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    revision: int
    changed_at: datetime | None
    as_of: float  # time.monotonic() when the read began: the revision is at least this fresh


class FeedRevisions:
    """The feed revisions of one process's database engine, each with when it was read."""

    def __init__(self) -> None:
        self._readings: dict[uuid.UUID, _Reading] = {}
        # When this process last committed a change to a revision: readings from before are void.
        self._changed_at = float("-inf")
        self._lock = threading.Lock()

    def fresh(self, organisation_id: uuid.UUID) -> tuple[int, datetime | None] | None:
        """The revision and its change time, if read at most `FRESH_FOR` ago and after this
        process's last change; None when it must be read (`read`)."""
        reading = self._readings.get(organisation_id)
        if (
            reading is None
            or reading.as_of < self._changed_at
            or time.monotonic() - reading.as_of >= FRESH_FOR
        ):
            return None
        return reading.revision, reading.changed_at

    def read(self, engine: Engine, organisation_id: uuid.UUID) -> tuple[int, datetime | None]:
        """Read the revision (a read-only transaction of its own; blocking) and keep it."""
        began = time.monotonic()
        with read_only(engine).connect() as connection:
            row = connection.execute(
                select(col(KpiFeedState.revision), col(KpiFeedState.changed_at)).where(
                    col(KpiFeedState.organisation_id) == organisation_id
                )
            ).first()
        revision, changed_at = (row[0], row[1]) if row is not None else (0, None)
        with self._lock:
            if began >= self._changed_at:  # else a change committed while it was read
                self._readings.pop(organisation_id, None)
                if len(self._readings) >= MAX_HELD:
                    del self._readings[next(iter(self._readings))]
                self._readings[organisation_id] = _Reading(revision, changed_at, began)
        return revision, changed_at

    def forget(self) -> None:
        """A change to a revision was committed through this process: read them again."""
        with self._lock:
            self._changed_at = time.monotonic()


_revisions: weakref.WeakKeyDictionary[Pool, FeedRevisions] = weakref.WeakKeyDictionary()
_revisions_lock = threading.Lock()


def revisions_of(engine: Engine) -> FeedRevisions:
    """The revisions of an engine's pool (an engine and its read-only variant share one)."""
    revisions = _revisions.get(engine.pool)
    if revisions is None:
        with _revisions_lock:
            revisions = _revisions.setdefault(engine.pool, FeedRevisions())
    return revisions


# Every write of a revision row through a session (`feed_state.mark_changed`'s upsert, or any
# other statement or flushed object) is noted, and forgets the readings once committed.
WROTE_REVISION = "pmo_feed_revision_written"
_TABLE = "kpi_feed_states"


@event.listens_for(Session, "do_orm_execute")
def _note_revision_statements(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase) and getattr(statement.table, "name", None) == _TABLE:
        state.session.info[WROTE_REVISION] = True


@event.listens_for(Session, "before_flush")
def _note_revision_rows(session: Session, flush_context: UOWTransaction, instances: Any) -> None:  # noqa: ARG001
    if any(isinstance(row, KpiFeedState) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[WROTE_REVISION] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(WROTE_REVISION, False):
        revisions_of(engine_of(session)).forget()


@event.listens_for(Session, "after_rollback")
def _nothing_written(session: Session) -> None:
    session.info.pop(WROTE_REVISION, None)


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


async def not_modified(scope: Scope, engine: Engine) -> Response | None:
    """The 304 for a poll this process can answer from memory, or None (the route answers)."""
    headers = _headers(scope)
    if headers is None or b"if-modified-since" in headers:
        return None
    if_none_match, authorization = headers.get(b"if-none-match"), headers.get(b"authorization")
    if if_none_match is None or len(if_none_match) > MAX_IF_NONE_MATCH or authorization is None:
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
    revisions = revisions_of(engine)
    current = revisions.fresh(actor.organisation_id)
    if current is None:
        current = await run_in_threadpool(revisions.read, engine, actor.organisation_id)
    validators = validators_at(actor.organisation_id, *current, shape)
    if not validators.not_modified(if_none_match, None):
        return None
    if actor.kind == "client":
        fields = feed_ratelimit.count_from_share(actor.id, get_settings().client_requests_per_minute)
        if fields is None:
            return None
        ratelimit.announce(scope, fields)
    scope["route"] = route
    return Response(status_code=304, headers=validators.headers())


class FeedRevalidationMiddleware:
    """Answers the KPI polls `not_modified` can answer; passes every other request on."""

    def __init__(self, app: ASGIApp, engine: Callable[[], Engine]) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(FEED_PREFIX):
            answer = await not_modified(scope, self.engine())
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
