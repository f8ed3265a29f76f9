"""The auth generation moves on with every change that could refuse or alter a principal.

Principals (who is asking) are held in memory per process (`pmo.auth.principal_cache`), each
with the value of the `auth_generation` row it was read under. Any transaction that changes
what a principal is made of sets a new random value in that row before it commits, so no
change can be committed without it. The changes are found by SQLAlchemy's session events,
whatever made them (a route, a command, the worker, a test): the rows flushed, and the bulk
`UPDATE`/`DELETE` statements run through a session. A random value rather than a counter: a
database put back from a copy holds a value together with the state it named, never one that
a process holds for another state.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.dml import UpdateBase

from pmo.auth.models import AuthGeneration

# What a principal is made of: table -> the columns whose change alters or refuses one. A
# deleted row of these tables always counts; an inserted one only where `INSERTS_COUNT` says
# (a new role changes a person's grants; a new user, client, secret or refresh token refuses
# no token). A person's grants name their scope's programme, project or directorate.
PRINCIPAL_COLUMNS: dict[str, frozenset[str]] = {
    # A person's display name and their organisation's name are what `GET /me` shows.
    "users": frozenset({"organisation_id", "email", "display_name", "is_active", "token_generation"}),
    "organisations": frozenset({"name"}),
    "api_clients": frozenset({"organisation_id", "name", "scopes", "revoked_at", "token_generation"}),
    "api_client_secrets": frozenset({"api_client_id", "retired_at"}),
    "role_assignments": frozenset(
        {"organisation_id", "user_id", "role", "directorate_id", "programme_id", "project_id"}
    ),
    "refresh_tokens": frozenset({"family_id", "revoked_at"}),
    "programmes": frozenset({"name", "lead_directorate_id"}),
    "projects": frozenset({"reference", "name", "lead_directorate_id"}),
    "directorates": frozenset({"name"}),
}
INSERTS_COUNT = frozenset({"role_assignments"})

# session.info keys: a principal's state changed in this transaction; the value was moved on.
CHANGED = "pmo_principal_changed"
MOVED = "pmo_auth_generation_moved"


def move_generation(session: Session) -> None:
    """Set a new value (the row is made if missing: a database emptied by hand)."""
    value = secrets.randbits(62)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(AuthGeneration)
        .values(id=1, value=value)
        .on_conflict_do_update(index_elements=["id"], set_={"value": value})
    )


def _row_counts(row: Any, *, inserted: bool = False, deleted: bool = False) -> bool:
    table = getattr(row, "__tablename__", None)
    columns = PRINCIPAL_COLUMNS.get(table) if isinstance(table, str) else None
    if columns is None:
        return False
    if deleted or inserted:
        return deleted or table in INSERTS_COUNT
    attributes = inspect(row).attrs
    return any(attributes[name].history.has_changes() for name in columns)


@event.listens_for(Session, "before_flush")
def _note_flushed_changes(session: Session, flush_context: UOWTransaction, instances: Any) -> None:  # noqa: ARG001
    if session.info.get(CHANGED):
        return
    if (
        any(_row_counts(row, inserted=True) for row in session.new)
        or any(_row_counts(row, deleted=True) for row in session.deleted)
        or any(_row_counts(row) for row in session.dirty)
    ):
        session.info[CHANGED] = True


def _statement_counts(statement: UpdateBase) -> bool:
    table = getattr(statement.table, "name", None)
    columns = PRINCIPAL_COLUMNS.get(table) if isinstance(table, str) else None
    if columns is None:
        return False
    if statement.is_delete:
        return True
    if statement.is_insert:
        return table in INSERTS_COUNT
    # The columns an UPDATE sets; when they cannot be told (ordered or multiple values), it counts.
    values = getattr(statement, "_values", None)
    if not values:
        return True
    return any(str(getattr(key, "key", key)) in columns for key in values)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase) and _statement_counts(statement):
        state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _move_on_commit(session: Session) -> None:
    # Last in the transaction: on PostgreSQL the row stays locked only for the commit itself.
    session.flush()
    if session.info.pop(CHANGED, False):
        move_generation(session)
        session.info[MOVED] = True


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(CHANGED, None)
    session.info.pop(MOVED, None)
