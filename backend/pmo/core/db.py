"""Database engine, the per-request session (one commit per request) and shared column types."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import JSON, BigInteger, DateTime, Engine, String, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declared_attr
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, create_engine

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
    if url.startswith("sqlite"):
        if url.startswith(f"sqlite:///{VAR_DIR}"):
            VAR_DIR.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _serialise_sqlite_writers(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _serialise_sqlite_writers(engine: Engine) -> None:
    """Make every SQLite transaction BEGIN IMMEDIATE.

    SQLite allows one writer at a time. With the default deferred BEGIN, two requests may both
    read (an audit chain head, a balance) and then fail when upgrading to a write lock. Taking
    the write lock at BEGIN makes concurrent requests queue instead, like row locks do on
    PostgreSQL. The embedded default is for small installations, where this costs nothing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:  # noqa: ARG001
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    """One session and one commit per request: services never commit, this does."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


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
