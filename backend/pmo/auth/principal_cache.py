"""Who is asking, held in memory per process, and exactly as current as the auth generation.

A principal (an API client with its scopes and secret, or a person with their grants and
session) is kept with the `auth_generation` value read in the same transaction just before
it. It is served from memory only while the process's latest reading of that value, at most
`FRESH_FOR` seconds old, is the same: any change that could refuse it sets a new value
(`pmo.auth.revocation`), so every process refuses a revoked token within `FRESH_FOR` seconds
and the process that made the change at once. When the value cannot be read, or there is no
value, nothing is served from memory: the principal is read from the database as before.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlmodel import col

from pmo.auth.models import AuthGeneration
from pmo.auth.revocation import MOVED
from pmo.core.db import read_only
from pmo.core.permissions import Actor
from pmo.core.security import AccessClaims

logger = logging.getLogger(__name__)

# How long a reading of the generation is trusted: the longest a revoked token still works
# on another process. Each process reads the row at most once in this time.
FRESH_FOR = 0.5
# Principals held per process; the oldest goes first.
MAX_PRINCIPALS = 10_000

# What a token's principal depends on besides the database (its issue time and expiry are
# checked on every request by `decode_access_token`).
PrincipalKey = tuple[str, uuid.UUID, uuid.UUID, int, uuid.UUID | None, uuid.UUID | None, tuple[str, ...]]


def key_of(claims: AccessClaims) -> PrincipalKey:
    return (
        claims.subject_type,
        claims.subject,
        claims.organisation_id,
        claims.generation,
        claims.session_id,
        claims.secret_id,
        claims.scopes,
    )


GENERATION = select(col(AuthGeneration.value)).where(col(AuthGeneration.id) == 1)


@dataclass(frozen=True)
class _Reading:
    value: int | None  # None: must be read again
    as_of: float  # time.monotonic() when the read began: the value is at least this fresh


class PrincipalCache:
    """The principals of one process's database engine (one pool: one worker)."""

    def __init__(self) -> None:
        self._principals: dict[PrincipalKey, tuple[Actor, int]] = {}
        self._reading = _Reading(None, float("-inf"))
        self._lock = threading.Lock()

    def get(self, engine: Engine, key: PrincipalKey) -> Actor | None:
        held = self._principals.get(key)
        if held is None:
            return None
        actor, generation = held
        return actor if generation == self.current_generation(engine) else None

    def held(self, key: PrincipalKey) -> Actor | None:
        """`get` without waiting on the database: the principal if this process's reading of
        the generation is fresh and names it; None when `get` (in the thread pool) must decide."""
        held, reading = self._principals.get(key), self._reading
        if held is None or reading.value is None or time.monotonic() - reading.as_of >= FRESH_FOR:
            return None
        actor, generation = held
        return actor if generation == reading.value else None

    def put(self, key: PrincipalKey, actor: Actor, generation: int | None) -> None:
        if generation is None:
            return
        with self._lock:
            self._principals.pop(key, None)
            if len(self._principals) >= MAX_PRINCIPALS:
                del self._principals[next(iter(self._principals))]
            self._principals[key] = (actor, generation)

    def generation_to_read_under(self, session: Session) -> int | None:
        """The value to keep a principal with, read in the request's own transaction just
        before the principal: the principal is then at least as new as the value, never older.
        A read that begins the transaction is also as fresh as the moment it began (SQLite takes
        its snapshot then, PostgreSQL each statement's): it serves as this process's reading."""
        begins_transaction = not session.in_transaction()
        began = time.monotonic()
        value = session.execute(GENERATION).scalar_one_or_none()
        if begins_transaction:
            self._keep(_Reading(value, began))
        return value

    def current_generation(self, engine: Engine) -> int | None:
        reading = self._reading
        if reading.value is not None and time.monotonic() - reading.as_of < FRESH_FOR:
            return reading.value
        began = time.monotonic()
        try:
            with read_only(engine).connect() as connection:
                value = connection.execute(GENERATION).scalar_one_or_none()
        except SQLAlchemyError:
            logger.warning("The auth generation could not be read; principals are read from the database.")
            return None
        self._keep(_Reading(value, began))
        return value

    def forget_generation(self) -> None:
        """This process changed the generation: read it again before serving anything."""
        self._keep(_Reading(None, time.monotonic()))

    def _keep(self, reading: _Reading) -> None:
        # A read that began before the latest reading (or forgetting) is older than it.
        with self._lock:
            if reading.as_of >= self._reading.as_of:
                self._reading = reading


_caches: weakref.WeakKeyDictionary[Pool, PrincipalCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(engine: Engine) -> PrincipalCache:
    """The cache of an engine's pool (an engine and its read-only variant share one)."""
    cache = _caches.get(engine.pool)
    if cache is None:
        with _caches_lock:
            cache = _caches.setdefault(engine.pool, PrincipalCache())
    return cache


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(MOVED, False):
        cache_of(engine_of(session)).forget_generation()
