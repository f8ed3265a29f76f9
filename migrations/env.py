"""Alembic environment: the database comes from the application's settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import pmo.models  # noqa: F401 - registers every table on SQLModel.metadata
from pmo.core.db import make_engine
from pmo.search.index import is_search_index

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by the tests or `pmo migrate`
        _run(connection)
        return
    from pmo.core.config import get_settings

    engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        # The search indexes are made by their migration, not described by the models.
        include_name=lambda name, _type, _parents: not is_search_index(name),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `pmo migrate`.")
run_migrations_online()
