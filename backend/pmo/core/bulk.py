"""Bulk inserts for the imports (KPI values, RAID items): many rows, no ORM objects.

On PostgreSQL, COPY in the session's transaction: psycopg's executemany sends a row at a
time, COPY streams them. On SQLite, one executemany per chunk of rows already in the
database's form.

Either way each value is first put in the database's form by its column's own type (the
bind processor SQLAlchemy would run: `DecimalText`'s text, `UTCDateTime`'s UTC, SQLite's
text for UUIDs and dates), once per distinct object: an import's 100,000 rows share a
handful of time stamps, KPIs, periods and people, and SQLAlchemy's executemany ran the
processors (and built a parameter dict) for every cell of every row, more CPU than the
insert itself (issue 16's profile). Objects are told apart by identity, not equality, so
`Decimal("1")` and `Decimal("1.0")`, equal but written differently, never share a form.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Dialect
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
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    forms = [_Form(table.c[name], dialect) for name in columns]
    chunks = [rows[start : start + INSERT_CHUNK] for start in range(0, len(rows), INSERT_CHUNK)]
    if dialect.name == "postgresql":
        _copy(session, table, columns, forms, chunks, done)
    elif dialect.name == "sqlite":
        with _larger_cache(session, len(rows)):
            for chunk in chunks:
                _executemany(session, table, columns, forms, chunk)
                if done is not None:
                    done(len(chunk))
    else:
        for chunk in chunks:
            session.execute(insert(table), chunk)
            if done is not None:
                done(len(chunk))


# SQLite's page cache while many rows go in: the default 2 MiB holds a few thousand rows'
# index pages, and every row of 100,000 goes into six indexes (a quarter of the insert's CPU,
# measured). Raised for the insert only, and put back: SQLite frees the pages beyond it.
LARGE_INSERT_ROWS = 10_000
LARGE_INSERT_CACHE_KIB = 64 * 1024


@contextmanager
def _larger_cache(session: Session, count: int) -> Iterator[None]:
    if count < LARGE_INSERT_ROWS:
        yield
        return
    connection = session.connection()
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{LARGE_INSERT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


class _Form:
    """A column's values in the database's form (its type's bind processor), each distinct
    object processed once."""

    def __init__(self, column: Any, dialect: Dialect) -> None:
        self.process = column.type.dialect_impl(dialect).bind_processor(dialect)
        self.distinct = bool(column.primary_key)  # every value different: nothing to share
        self.seen: dict[int, Any] = {}
        self.keep: list[Any] = []  # the objects whose id() is in `seen`, kept alive

    def of(self, values: list[Any]) -> list[Any]:
        if self.process is None:
            return values
        if self.distinct:
            return [self.process(value) for value in values]
        seen, process, out = self.seen, self.process, []
        for value in values:
            key = id(value)
            if key in seen:
                out.append(seen[key])
            else:
                self.keep.append(value)
                out.append(seen.setdefault(key, process(value)))
        return out


def _executemany(
    session: Session, table: Any, columns: list[str], forms: list[_Form], rows: list[dict[str, Any]]
) -> None:
    quote = session.get_bind().dialect.identifier_preparer.quote
    names, marks = ", ".join(quote(c) for c in columns), ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608 - its own names
    by_column = [form.of([row[name] for row in rows]) for name, form in zip(columns, forms, strict=True)]
    session.connection().exec_driver_sql(statement, list(zip(*by_column, strict=True)))


# COPY's text format: a tab between columns, \N for NULL, and backslash escapes in text.
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_text(value: Any) -> str:
    """A value in the database's form (after its column's bind processor) as COPY text."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return (
            _NEEDS_ESCAPE.sub(lambda m: _COPY_ESCAPES[m.group()], value)
            if _NEEDS_ESCAPE.search(value)
            else value
        )
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):  # ISO 8601, with the offset of an aware time stamp
        return value.isoformat()
    raise _NoCopyText(type(value).__name__)


class _NoCopyText(TypeError):
    pass


def _copy(
    session: Session,
    table: Any,
    columns: list[str],
    forms: list[_Form],
    chunks: list[list[dict[str, Any]]],
    done: Callable[[int], None] | None,
) -> None:
    """One COPY for every chunk: the server inserts one chunk while the next is written."""
    names = ", ".join(f'"{c}"' for c in columns)
    connection: Any = session.connection().connection.driver_connection  # psycopg's
    with connection.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for rows in chunks:
            try:
                copy.write(_copy_lines(columns, forms, rows).encode())
            except _NoCopyText:  # a type this does not write (JSON): psycopg writes each row
                for row in rows:
                    # Exact decimals are stored as their text, as `DecimalText` writes them.
                    copy.write_row([format(v, "f") if isinstance(v, Decimal) else v for v in row.values()])
            if done is not None:
                done(len(rows))


def _copy_lines(columns: list[str], forms: list[_Form], rows: list[dict[str, Any]]) -> str:
    """`rows` in COPY's text format, each distinct value's text made once."""
    by_column = []
    for name, form in zip(columns, forms, strict=True):
        texts: dict[int, str] = {}
        column = []
        for value in form.of([row[name] for row in rows]):
            key = id(value)
            text = texts.get(key)
            if text is None:
                text = texts[key] = _copy_text(value)
            column.append(text)
        by_column.append(column)
    return "".join("\t".join(line) + "\n" for line in zip(*by_column, strict=True))
