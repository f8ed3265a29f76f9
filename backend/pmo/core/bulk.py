"""Bulk inserts for the imports (KPI values, RAID items): many rows, no ORM objects.

On PostgreSQL, COPY in the session's transaction: psycopg's executemany sends a row at a
time, COPY streams them. Elsewhere (SQLite), one Core executemany per chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

INSERT_CHUNK = 5000


def insert_rows(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    done: Callable[[int], None] | None = None,
) -> None:
    """Insert `rows` (every dict with the same columns) into `table`, in chunks; `done(n)`
    after each chunk of `n` rows."""
    postgres = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        if postgres:
            _copy(session, table, chunk)
        else:
            session.execute(insert(table), chunk)
        if done is not None:
            done(len(chunk))


def _copy(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    connection: Any = session.connection().connection.driver_connection  # psycopg's
    with connection.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            # Exact decimals are stored as their text, as `DecimalText` writes them.
            copy.write_row([format(v, "f") if isinstance(v, Decimal) else v for v in row.values()])
