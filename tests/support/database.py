"""Reading and emptying the test database directly (not through the API)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlmodel import SQLModel

import pmo.models  # noqa: F401 - every table in the metadata
from pmo.kpis import feed_ratelimit


def empty_database(engine: Engine) -> None:
    """Remove every row, touching only the tables that have any.

    A test writes to a few of the forty tables; one query finds which (whatever wrote them:
    this process, a thread, a server or command-line subprocess), and only those are emptied,
    children first. On PostgreSQL, DELETE with triggers off for this transaction
    (`session_replication_role`, which needs the superuser the test cluster runs as): the
    audit table's append-only trigger would refuse it, and foreign-key checks would scan the
    children once per parent row deleted. TRUNCATE ... CASCADE of every table, as before,
    made new files for all of them after every test.
    """
    feed_ratelimit.wait_for_shares_taken_ahead()  # a thread's write would land after the emptying
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]  # children first
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
    with engine.begin() as connection:
        filled = {row[0] for row in connection.execute(text(probe))}
        if filled and engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in (t for t in tables if t in filled):
            connection.execute(text(f"DELETE FROM {table}"))


def db_id(engine: Engine, value: uuid.UUID | str) -> str | uuid.UUID:
    """An id as a raw query must compare it: SQLModel stores UUIDs as 32 hex characters on
    SQLite and as uuid on PostgreSQL."""
    value = uuid.UUID(str(value))
    return value if engine.dialect.name == "postgresql" else value.hex


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def audit_count(engine: Engine, organisation_id: uuid.UUID | None = None) -> int:
    """Audit events of one organisation (or of all, with None)."""
    if organisation_id is None:
        return count(engine, "audit_events")
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM audit_events WHERE organisation_id = :org"),
                {"org": db_id(engine, organisation_id)},
            ).scalar_one()
        )


def audit_events(engine: Engine, record_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The audit events of one record, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT action, record_type, before, after FROM audit_events "
                "WHERE record_id = :id ORDER BY seq"
            ),
            {"id": db_id(engine, record_id)},
        ).all()
    return [{"action": r[0], "record_type": r[1], "before": _json(r[2]), "after": _json(r[3])} for r in rows]


def audit_actions(engine: Engine, record_id: uuid.UUID | str) -> list[tuple[str, str]]:
    """(action, record_type) of one record's audit events, oldest first."""
    return [(e["action"], e["record_type"]) for e in audit_events(engine, record_id)]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def rows(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, in a stable order: a before/after snapshot."""
    with engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table}")).all()
    return sorted((tuple(r) for r in result), key=repr)


def snapshot(engine: Engine, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    return {table: rows(engine, table) for table in tables}


def copy_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, to put back later with `put_back_rows`."""
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in SQLModel.metadata.sorted_tables
        }


def put_back_rows(engine: Engine, copied: dict[str, list[dict[str, Any]]]) -> None:
    """Insert rows `copy_rows` took (into an empty database), parents first."""
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if copied.get(table.name):
                connection.execute(insert(table), copied[table.name])
