"""The schema changes only through Alembic: after the migrations, the database is exactly what
the models describe (SQLite and PostgreSQL alike), and the migrations run down and up again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Integer, MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import pmo.models  # noqa: F401 - registers every table on SQLModel.metadata
from pmo.core.db import make_engine
from pmo.migrations import alembic_config, upgrade
from pmo.search.index import is_search_index


def differences(engine: Engine, metadata: MetaData) -> list[Any]:
    """What `alembic revision --autogenerate` would write, with the options migrations/env.py uses."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "target_metadata": metadata,
                "include_name": lambda name, _type, _parents: not is_search_index(name),
            },
        )
        return list(compare_metadata(context, metadata))


def test_models_and_migrations_agree(engine: Engine) -> None:
    found = differences(engine, SQLModel.metadata)
    assert not found, (
        f"the models and the migrations differ on {engine.dialect.name}; "
        "write a migration (alembic revision --autogenerate) and review it:\n"
        + "\n".join(f"  {difference}" for difference in found)
    )


def test_comparison_would_notice_a_missing_migration(engine: Engine) -> None:
    """The test above must be able to fail: a model change with no migration is a difference."""
    changed = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("shoe_size", Integer, nullable=True))
    found = differences(engine, changed)
    assert [(d[0], d[2], d[3].name) for d in found if d[0] == "add_column"] == [
        ("add_column", "users", "shoe_size")
    ], found
    assert len(found) == 1, found


def test_every_table_is_migrated(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


# Down to nothing and up again, on a throwaway database: the shared one stays as it is. -----


@pytest.fixture
def scratch_engine(tmp_path: Path) -> Iterator[Engine]:
    server = os.environ.get("PMO_TEST_DATABASE_URL")
    if not server:
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    url = make_url(server)
    name = f"pmo_scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def test_downgrade_to_base_and_upgrade_again(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    assert set(SQLModel.metadata.tables) <= set(inspect(scratch_engine).get_table_names())

    downgrade(scratch_engine, "base")
    left = set(inspect(scratch_engine).get_table_names()) - {"alembic_version"}
    assert not left, f"downgrade to base left tables behind: {sorted(left)}"

    upgrade(scratch_engine)
    assert not differences(scratch_engine, SQLModel.metadata)


def test_each_revision_steps_down_and_up(scratch_engine: Engine) -> None:
    """Every revision's downgrade undoes its upgrade, one step at a time."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(reversed(list(script.walk_revisions())))  # oldest first
    for revision in revisions:
        upgrade(scratch_engine, revision.revision)
        downgrade(scratch_engine, "-1")
        upgrade(scratch_engine, revision.revision)
    assert not differences(scratch_engine, SQLModel.metadata)
