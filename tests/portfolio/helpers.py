"""Helpers for the portfolio tests: problem documents, audit events, database reads."""

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
    assert "Traceback" not in response.text
    return body


def _db_id(engine: Engine, value: uuid.UUID | str) -> str | uuid.UUID:
    value = uuid.UUID(str(value))
    return value if engine.dialect.name == "postgresql" else value.hex


def audit_events(engine: Engine, record_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The audit events of one record, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT action, record_type, before, after FROM audit_events "
                "WHERE record_id = :id ORDER BY seq"
            ),
            {"id": _db_id(engine, record_id)},
        ).all()
    return [{"action": r[0], "record_type": r[1], "before": _json(r[2]), "after": _json(r[3])} for r in rows]


def audit_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one())


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value
