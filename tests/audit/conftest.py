"""Reading the audit trail straight from the database, and tampering with it on purpose."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, text
from sqlmodel import Session, select

from pmo.audit.models import AuditEvent


@pytest.fixture
def events_of(engine: Engine) -> Callable[[uuid.UUID], list[AuditEvent]]:
    """An organisation's events in chain order, read in a fresh session."""

    def read(organisation_id: uuid.UUID) -> list[AuditEvent]:
        with Session(engine, expire_on_commit=False) as session:
            statement = (
                select(AuditEvent)
                .where(AuditEvent.organisation_id == organisation_id)
                .order_by(AuditEvent.seq)  # type: ignore[arg-type]
            )
            return list(session.exec(statement).all())

    return read


@pytest.fixture
def tampering(engine: Engine) -> Callable[[], Any]:
    """A transaction in which the audit table can be changed behind the application's back.

    On PostgreSQL the append-only trigger is switched off for this transaction only (the
    ALTER is transactional, and the test role is a superuser)."""

    @contextmanager
    def open_tampering() -> Iterator[Connection]:
        postgres = engine.dialect.name == "postgresql"
        with engine.begin() as connection:
            if postgres:
                connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
            yield connection
            if postgres:
                connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))

    return open_tampering


@pytest.fixture
def count_rows_audit(engine: Engine) -> Callable[[], int]:
    """How many audit events there are, in every organisation."""

    def count() -> int:
        with Session(engine) as session:
            return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())

    return count
