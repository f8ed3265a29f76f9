"""The statements a request runs, and SQLite's plan for one: for the tests that hold a slow
query at scale to the index that answers it (issue 16)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

from pmo.kpis import feed_revalidation


def statements_while(engine: Engine, ask: Callable[[], Any]) -> list[tuple[str, Any]]:
    """(statement, parameters) of everything run on `engine` while `ask()` runs: through
    SQLAlchemy, and the KPI feed's revision reads, which run on a DBAPI connection of the pool,
    one an event loop keeps (SQLite) or an async connection of their own (PostgreSQL)."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, *args):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    read_revision = feed_revalidation.read_revision

    def record_revision_read(on: Engine, organisation_id: Any) -> Any:
        if on.pool is engine.pool:
            seen.append((feed_revalidation.REVISION.compile(dialect=on.dialect).string, organisation_id))
        return read_revision(on, organisation_id)

    read_kept = feed_revalidation.LoopRevisionReads.read_kept

    def record_kept_read(reads: Any, organisation_id: Any) -> Any:
        if reads.engine.pool is engine.pool:
            seen.append((feed_revalidation.REVISION.compile(dialect=engine.dialect).string, organisation_id))
        return read_kept(reads, organisation_id)

    async_revision = feed_revalidation.AsyncRevisionReads.revision

    async def record_async_revision_read(reads: Any, organisation_id: Any) -> Any:
        if reads.engine.pool is engine.pool:
            seen.append((feed_revalidation.REVISION.compile(dialect=engine.dialect).string, organisation_id))
        return await async_revision(reads, organisation_id)

    event.listen(engine, "before_cursor_execute", record)
    feed_revalidation.read_revision = record_revision_read  # type: ignore[assignment]
    feed_revalidation.LoopRevisionReads.read_kept = record_kept_read  # type: ignore[method-assign]
    feed_revalidation.AsyncRevisionReads.revision = record_async_revision_read  # type: ignore[method-assign]
    try:
        ask()
    finally:
        feed_revalidation.read_revision = read_revision  # type: ignore[assignment]
        feed_revalidation.LoopRevisionReads.read_kept = read_kept  # type: ignore[method-assign]
        feed_revalidation.AsyncRevisionReads.revision = async_revision  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", record)
    return seen


def sqlite_plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    """The detail column of `EXPLAIN QUERY PLAN`, one entry a step."""
    with engine.connect() as connection:
        return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
