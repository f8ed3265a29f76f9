"""Helpers for the organisation tests: problem documents, ETags, database rows, audit counts."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import Response
from sqlalchemy import Engine, text

API = "/api/v1"
PROBLEM = "application/problem+json"


def problem(response: Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem document with `status`, and return it."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for name in ("type", "title", "detail", "instance"):
        assert name in body
    assert "Traceback" not in response.text
    return body


def error_locations(body: dict[str, Any]) -> set[tuple[str | int, ...]]:
    return {tuple(e["location"]) for e in body.get("errors") or []}


def with_if_match(headers: dict[str, str], tag: str) -> dict[str, str]:
    return {**headers, "If-Match": tag}


def audit_count(engine: Engine, organisation_id: uuid.UUID | None = None) -> int:
    """Audit events of one organisation (or of all, with None)."""
    with engine.connect() as connection:
        if organisation_id is None:
            return int(connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one())
        return int(
            connection.execute(
                text("SELECT count(*) FROM audit_events WHERE organisation_id = :org"),
                {"org": _db_id(engine, organisation_id)},
            ).scalar_one()
        )


def _db_id(engine: Engine, value: uuid.UUID) -> str | uuid.UUID:
    # SQLModel stores UUIDs as 32 hex characters on SQLite and as uuid on PostgreSQL.
    return value if engine.dialect.name == "postgresql" else value.hex


def rows(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, in a stable order: a before/after snapshot."""
    with engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table}")).all()
    return sorted((tuple(r) for r in result), key=repr)


def snapshot(engine: Engine, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    return {table: rows(engine, table) for table in tables}


ORG_TABLES = ("organisations", "users", "directorates", "role_assignments", "api_clients", "audit_events")
