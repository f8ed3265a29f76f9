"""The database under contention: reads never wait for writers, a write that cannot get its
lock within the busy timeout is a 503 with Retry-After (never a 500, never a long wait),
and a read transaction refuses to write."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from pmo.audit import service as audit
from pmo.core.config import get_settings
from pmo.core.db import READ_ONLY_OPTION, read_only, writes_on_read
from pmo.kpis.feed_state import mark_changed
from pmo.main import DOMAIN_ROUTERS
from pmo.organisations.models import Directorate

from .conftest import check_problem

TIMEOUT = get_settings().database_busy_timeout_seconds


def _busy(response: httpx.Response) -> None:
    body = check_problem(response, 503)
    assert body["type"].endswith("/database-busy")
    assert int(response.headers["Retry-After"]) >= 1


def _timed(call: Any) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def test_sqlite_reads_go_on_while_a_writer_holds_the_lock_and_writes_get_503(
    client, admin, engine: Engine, count_rows
):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    with engine.connect() as blocker:
        blocker.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held from here
        read, read_took = _timed(lambda: client.get("/api/v1/directorates", headers=admin.headers))
        write, write_took = _timed(
            lambda: client.post("/api/v1/directorates", json={"name": "Place"}, headers=admin.headers)
        )
        blocker.rollback()
    assert read.status_code == 200, read.text
    assert read_took < 1, "a read must not queue behind a writer"
    _busy(write)
    assert TIMEOUT * 0.9 <= write_took < TIMEOUT + 3
    assert count_rows(Directorate) == 0
    # Once the lock is free, the same write goes through.
    again = client.post("/api/v1/directorates", json={"name": "Place"}, headers=admin.headers)
    assert again.status_code == 201, again.text


def _organisation_etag(client, admin) -> str:
    response = client.get("/api/v1/organisation", headers=admin.headers)
    assert response.status_code == 200
    return str(response.headers["ETag"])


def test_postgres_a_row_lock_held_past_the_timeout_is_503_and_reads_go_on(client, admin, engine: Engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    etag = _organisation_etag(client, admin)
    with engine.connect() as blocker:
        # Without a lock timeout the write would wait for ever; this ends the blocker instead,
        # so that such a write would succeed late and the test fail rather than hang.
        blocker.execute(text(f"SET idle_in_transaction_session_timeout = '{int(TIMEOUT * 2) + 5}s'"))
        blocker.execute(
            text("SELECT id FROM organisations WHERE id = :id FOR UPDATE"), {"id": admin.organisation.id}
        )
        read, read_took = _timed(lambda: client.get("/api/v1/organisation", headers=admin.headers))
        write, write_took = _timed(
            lambda: client.patch(
                "/api/v1/organisation",
                json={"name": "Renamed Council"},
                headers={**admin.headers, "If-Match": etag},
            )
        )
        blocker.rollback()
    assert read.status_code == 200, read.text
    assert read_took < 1, "a read must not queue behind a row lock"
    _busy(write)
    assert TIMEOUT * 0.9 <= write_took < TIMEOUT + 3
    assert client.get("/api/v1/organisation", headers=admin.headers).json()["name"] != "Renamed Council"


def test_postgres_a_deadlock_is_503_not_500(client, admin, engine: Engine):
    """The request updates the organisation row and then locks the audit chain head; another
    transaction holds the head and then wants the row. PostgreSQL aborts the request's
    transaction (it waited first, so its deadlock check runs first)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's deadlock detection")
    etag = _organisation_etag(client, admin)
    answers: list[httpx.Response] = []
    with engine.connect() as blocker:
        blocker.execute(
            text("SELECT 1 FROM audit_chain_heads WHERE organisation_id = :id FOR UPDATE"),
            {"id": admin.organisation.id},
        )
        request = threading.Thread(
            target=lambda: answers.append(
                client.patch(
                    "/api/v1/organisation",
                    json={"name": "Renamed Council"},
                    headers={**admin.headers, "If-Match": etag},
                )
            )
        )
        request.start()
        _wait_until_another_backend_waits_for_a_lock(blocker)
        try:
            blocker.execute(
                text("UPDATE organisations SET name = name WHERE id = :id"), {"id": admin.organisation.id}
            )
        finally:
            request.join(timeout=30)
            blocker.rollback()
    _busy(answers[0])


def _wait_until_another_backend_waits_for_a_lock(connection: Any) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the request never waited for the lock")


def test_a_read_transaction_refuses_to_write(engine: Engine, org):
    """A GET that writes without the WRITES_ON_READ marker fails loudly rather than racing."""
    with Session(read_only(engine)) as session:
        session.add(Directorate(organisation_id=org.id, name="Sneaky"))
        with pytest.raises(DBAPIError, match=r"(?i)read.?only"):
            session.flush()


def test_an_engine_has_one_read_only_engine_over_its_own_pool(engine: Engine):
    # Made once and kept: a GET no longer makes one of its own.
    assert read_only(engine) is read_only(engine)
    assert read_only(engine).pool is engine.pool
    assert read_only(engine).get_execution_options()[READ_ONLY_OPTION] is True
    assert not engine.get_execution_options().get(READ_ONLY_OPTION)


def test_only_the_public_record_and_directory_sign_in_write_in_a_get():
    """The GET routes whose transaction begins as a write: adding one is a decision, made here.
    The public record counts requests per address; starting a directory sign-in stores its
    state, nonce and PKCE verifier. (The KPI feed counts its clients' requests in a
    transaction of its own: its GETs are plain reads.)"""
    marked = sorted(
        route.path
        for router in DOMAIN_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and any(d.dependency is writes_on_read for d in route.dependencies)
    )
    assert marked == [
        "/auth/oidc/organisations/{slug}/start",
        "/public/organisations/{organisation_id}/forward-plan",
        "/public/organisations/{organisation_id}/forward-plan/export.csv",
        "/public/organisations/{organisation_id}/forward-plan/export.pdf",
        "/public/organisations/{organisation_id}/officer-decisions",
        "/public/organisations/{organisation_id}/officer-decisions/{record_id}",
        "/public/organisations/{organisation_id}/officer-decisions/{record_id}/document.pdf",
    ]


def test_postgres_a_kpi_change_locks_the_chain_head_before_the_feed_revision(engine: Engine, org):
    """The soak found deadlocks: a KPI import moved the feed revision on and then audited, while
    a KPI value was audited and then moved the revision on. Every change now locks the chain
    head first, so the second change waits for the first instead of each waiting for the other."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's deadlock detection")
    errors: list[Exception] = []

    def audit_then_revision() -> None:
        try:
            with Session(engine) as second:
                audit.lock_chain(second, org.id)
                mark_changed(second, org.id)
                second.commit()
        except DBAPIError as exc:
            errors.append(exc)

    with Session(engine) as first:
        mark_changed(first, org.id)  # the import's order: the revision first
        other = threading.Thread(target=audit_then_revision)
        other.start()
        with engine.connect() as watcher:
            _wait_until_another_backend_waits_for_a_lock(watcher)
        audit.lock_chain(first, org.id)
        first.commit()
    other.join(timeout=30)
    assert errors == []
