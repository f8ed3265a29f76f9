"""Database engine, the per-request session (one commit per request) and shared column types."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import JSON, BigInteger, Connection, DateTime, Engine, String, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declared_attr, defer
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, create_engine
from starlette.concurrency import run_in_threadpool

from pmo.core.config import VAR_DIR, get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal (a KPI value, a target) stored as its text on every database.

    SQLite has no exact decimal type (NUMERIC columns come back as floats), and the values are
    only ever compared in Python at the KPI's decimal places, so text loses nothing.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError("only finite Decimal values are stored")
        return format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:  # noqa: ARG002
        return None if value is None else Decimal(value)


# Money in pence: a BIGINT, so sums of many lines never overflow (DOMAIN.md section 9).
Pence = BigInteger

# JSON documents: JSONB on PostgreSQL, JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def timestamp_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def make_engine(url: str) -> Engine:
    """The engine; each transaction begins as a read or a write (see `_begin_as_read_or_write`)."""
    busy_timeout = get_settings().database_busy_timeout_seconds
    if url.startswith("sqlite"):
        if url.startswith(f"sqlite:///{VAR_DIR}"):
            VAR_DIR.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:  # noqa: ARG001
            dbapi_connection.isolation_level = None  # let the BEGIN of `_begin_as_read_or_write` take over
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    else:
        # A row lock waited on longer than the busy timeout fails (55P03), answered with 503.
        lock_timeout_ms = int(busy_timeout * 1000)
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=10,
            connect_args={"options": f"-c lock_timeout={lock_timeout_ms}"},
        )
    event.listen(engine, "begin", _begin_as_read_or_write)
    return engine


# The execution option that makes an engine's transactions read-only (see `read_only`).
READ_ONLY_OPTION = "pmo_read_only"


def _begin_as_read_or_write(connection: Connection) -> None:
    """Begin a read-only transaction or a write transaction, as the engine was asked.

    SQLite allows one writer at a time. A write transaction takes the write lock at BEGIN
    (IMMEDIATE), so concurrent writers queue (up to the busy timeout) instead of failing when
    they upgrade from a read, as row locks make them queue on PostgreSQL; in WAL mode a read
    transaction that later writes fails with SQLITE_BUSY_SNAPSHOT whatever the timeout. A read
    transaction takes no lock and never waits for a writer. It is also made read-only, on
    both databases, so a read that tries to write fails loudly instead of silently racing.
    """
    read_only = bool(connection.get_execution_options().get(READ_ONLY_OPTION))
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
    elif read_only:
        connection.exec_driver_sql(READ_ONLY_POSTGRES)


# PostgreSQL's read-only transaction, in one statement. Its reads are also planned for their
# values: psycopg prepares a statement on its fifth run, and from the sixth PostgreSQL may plan
# it once for any values (a generic plan). A page's values are far from alike (one
# organisation's share of a table, a status, the words searched for): with the generic plan
# ranked search took 84 ms a run against 20 (the scale council). Writes keep the generic plans
# that spare an import's 100,000 inserts a plan each.
READ_ONLY_POSTGRES = (
    "SELECT set_config('transaction_read_only', 'on', true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true)"
)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


# Where an engine keeps its read-only engine (`read_only`).
_READ_ONLY_ENGINE = "pmo_read_only_engine"


def read_only(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions are read-only and take no write lock.

    Made once an engine and kept on it: making one cost 5 µs, on every GET."""
    kept: Engine | None = vars(engine).get(_READ_ONLY_ENGINE)
    if kept is None:
        kept = vars(engine)[_READ_ONLY_ENGINE] = engine.execution_options(**{READ_ONLY_OPTION: True})
    return kept


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes_on_read() -> None:
    """Marks a GET route that writes (the KPI feed counts requests): `dependencies=[WRITES_ON_READ]`.

    Its transaction then begins as a write, like a POST's. Without the marker, a write in a
    GET fails (the read transaction refuses it), so a forgotten marker cannot pass unnoticed.
    """


WRITES_ON_READ = Depends(writes_on_read)


def request_writes(request: Request) -> bool:
    """Whether the request's transaction begins as a write: any method but GET, HEAD and
    OPTIONS, or a route marked with `WRITES_ON_READ`."""
    if request.method not in READ_METHODS:
        return True
    route = request.scope.get("route")
    return any(d.dependency is writes_on_read for d in getattr(route, "dependencies", ()))


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session and one commit per request: services never commit, this does."""
    async for session in request_session(get_engine(), request):
        yield session


async def request_session(engine: Engine, request: Request) -> AsyncIterator[Session]:
    """`get_session` on a given engine (a test's second worker has an engine of its own).

    `async`, on the event loop: a session takes no connection until its first statement, so a
    request answered from memory (a principal held, a 304) costs no thread-pool trip for it;
    the commit or rollback of a transaction that began goes to the thread pool (it waits on
    the database)."""
    engine = engine if request_writes(request) else read_only(engine)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(session.rollback)
        raise
    finally:
        if session.in_transaction():  # a commit that failed: give the connection back
            await run_in_threadpool(session.close)
        else:
            session.close()


# "function" scope: the commit happens before the response is sent, so nothing is
# acknowledged that was not written, and a failed commit becomes an error response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class Tracked(SQLModel):
    """Columns of every mutable record: when it was made and changed, and an optimistic lock.

    `version` goes up on every UPDATE, which SQLAlchemy makes conditional on the version it
    read: of two concurrent edits, the second matches no row and fails (a 412 to the client).
    """

    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    version: int = Field(default=1)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy's declared_attr
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def without(model: type[SQLModel], names: tuple[str, ...]) -> list[Any]:
    """Load options leaving `names` of `model` unloaded (read on first use, if ever): for lists
    whose policies read a record's place and people, never its long texts."""
    return [defer(getattr(model, name)) for name in names]
