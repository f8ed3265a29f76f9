"""What the search box finds: the registers, the columns searched, who may read each.

The migration `20261206_e2f4a6c8b0d1_search` builds the indexes from the same lists: on
PostgreSQL a GIN expression index over `to_tsvector('english', <words>)` per table, on SQLite
an FTS5 table `search_fts_<table>` per table (rowid = the record's rowid) kept in step by
triggers. Triggers rather than the services: every write path (API, imports, demo data,
command line, tests' raw SQL) keeps the index right without each having to remember it.
On PostgreSQL, `20261206_b4d6f8a0c2e4_search_vector` then stores that tsvector in a generated
column `search_vector` and indexes the column instead: ranking 40,000 matches reads the
stored vectors rather than working `to_tsvector` out again for each row.
A later migration that rebuilds one of these tables on SQLite (batch mode copies it) drops
its triggers: it must call `create_sqlite_index` for that table again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from pmo.core.permissions import Permission


@dataclass(frozen=True)
class Register:
    kind: str  # what a result is: "risk", "drawdown", ...
    table: str
    reference: str | None  # the column holding the reference (R-0003, DD-0012, ICT-01)
    title: str  # the column shown as the result's title
    words: tuple[str, ...]  # the columns searched by words
    permission: Permission  # needed to read the register


REGISTERS: tuple[Register, ...] = (
    Register(
        "project",
        "projects",
        "reference",
        "name",
        ("reference", "name", "description"),
        Permission.portfolio_read,
    ),
    Register(
        "programme",
        "programmes",
        None,
        "name",
        ("name", "ambition", "resident_outcomes"),
        Permission.portfolio_read,
    ),
    Register(
        "risk",
        "risks",
        "reference",
        "title",
        ("reference", "title", "cause", "event", "effect"),
        Permission.raid_read,
    ),
    Register(
        "issue",
        "raid_issues",
        "reference",
        "title",
        ("reference", "title", "description", "resolution"),
        Permission.raid_read,
    ),
    Register("action", "risk_actions", None, "description", ("description",), Permission.raid_read),
    Register("kpi", "kpis", "code", "name", ("code", "name", "description"), Permission.kpis_read),
    Register(
        "drawdown", "drawdowns", "reference", "purpose", ("reference", "purpose"), Permission.finance_read
    ),
)


def words_sql(register: Register, prefix: str = "") -> str:
    """The searched text as one SQL expression: the columns joined by spaces."""
    return " || ' ' || ".join(f"coalesce({prefix}{column}, '')" for column in register.words)


# PostgreSQL's stored tsvector, kept by the database (a generated column): outside the models,
# as SQLite has no such type.
VECTOR_COLUMN = "search_vector"


def postgres_vector_sql(register: Register) -> str:
    """The searched text as a tsvector: the generated column's expression."""
    return f"to_tsvector('english'::regconfig, {words_sql(register)})"


def fts_table(register: Register) -> str:
    return f"search_fts_{register.table}"


def postgres_index_ddl(register: Register) -> list[str]:
    """The first migration's expression index (replaced by `postgres_column_ddl`'s)."""
    vector = postgres_vector_sql(register)
    return [f"CREATE INDEX search_ix_{register.table} ON {register.table} USING gin ({vector})"]


def postgres_column_ddl(register: Register) -> list[str]:
    """The stored tsvector column and its GIN index, in place of the expression index."""
    table, vector = register.table, postgres_vector_sql(register)
    return [
        f"ALTER TABLE {table} ADD COLUMN {VECTOR_COLUMN} tsvector GENERATED ALWAYS AS ({vector}) STORED",
        f"DROP INDEX search_ix_{table}",
        f"CREATE INDEX search_ix_{table} ON {table} USING gin ({VECTOR_COLUMN})",
    ]


def reference_index_ddl(register: Register, dialect: str) -> list[str]:
    """An index for the search by reference, which otherwise read every row of the register.
    PostgreSQL: on `upper(reference)`, as the query compares. SQLite: on the reference
    `COLLATE NOCASE`, as its query compares (the same as `upper()`: SQLite folds ASCII
    only either way), since SQLAlchemy cannot reflect an expression index there. On SQLite, a
    later migration that rebuilds the table (batch mode) must make it again."""
    if register.reference is None:
        return []
    table, reference = register.table, register.reference
    column = f"upper({reference})" if dialect == "postgresql" else f"{reference} COLLATE NOCASE"
    return [f"CREATE INDEX search_ix_ref_{table} ON {table} (organisation_id, {column})"]


def postgres_column_drop_ddl(register: Register) -> list[str]:
    """Back to the expression index of the first migration."""
    return [
        f"DROP INDEX search_ix_{register.table}",
        f"ALTER TABLE {register.table} DROP COLUMN {VECTOR_COLUMN}",
        *postgres_index_ddl(register),
    ]


def sqlite_index_ddl(register: Register) -> list[str]:
    """The FTS5 table, filled from the rows already there, and the triggers that keep it so.

    Only this module's constant table and column names go into the SQL (hence the S608s)."""
    fts, table = fts_table(register), register.table
    insert_new = f"INSERT INTO {fts}(rowid, words) VALUES (new.rowid, {words_sql(register, 'new.')});"  # noqa: S608
    delete_old = f"DELETE FROM {fts} WHERE rowid = old.rowid;"  # noqa: S608
    return [
        # porter: "resourcing" finds "resource", as PostgreSQL's english stemmer does.
        f"CREATE VIRTUAL TABLE {fts} USING fts5(words, tokenize = 'porter unicode61')",
        f"INSERT INTO {fts}(rowid, words) SELECT rowid, {words_sql(register)} FROM {table}",  # noqa: S608
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {delete_old} {insert_new} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
    ]


def drop_ddl(register: Register, dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP INDEX search_ix_{register.table}"]
    fts = fts_table(register)
    return [f"DROP TRIGGER {fts}_{event}" for event in ("insert", "update", "delete")] + [f"DROP TABLE {fts}"]


def is_search_index(name: str | None) -> bool:
    """Objects the migrations make outside the models (FTS5 tables and their shadow tables,
    GIN indexes, the stored tsvector column): left out when comparing the models with the
    database."""
    return bool(name) and (str(name).startswith(("search_fts_", "search_ix_")) or name == VECTOR_COLUMN)


@contextmanager
def indexed_in_bulk(session: Session, table: str) -> Iterator[None]:
    """Rows inserted into `table` inside this block are indexed by one statement at its end,
    not by the per-row trigger (on SQLite five times faster for a 10,000-row import). The
    trigger is dropped and made again in the caller's transaction: a rollback restores it,
    and SQLite's single writer means no other connection inserts meanwhile. PostgreSQL's
    GIN index needs nothing."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    register = next(r for r in REGISTERS if r.table == table)
    fts = fts_table(register)
    last = session.execute(text(f"SELECT coalesce(max(rowid), 0) FROM {table}")).scalar_one()  # noqa: S608
    session.execute(text(f"DROP TRIGGER {fts}_insert"))
    yield
    # New rows take rowids above the largest there was (no row is deleted meanwhile).
    words = words_sql(register)
    index_new = f"INSERT INTO {fts}(rowid, words) SELECT rowid, {words} FROM {table} WHERE rowid > :last"  # noqa: S608
    session.execute(text(index_new), {"last": last})
    session.execute(text(sqlite_index_ddl(register)[2]))  # the insert trigger
