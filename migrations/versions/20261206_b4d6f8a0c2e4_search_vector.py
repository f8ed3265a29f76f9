"""Search on PostgreSQL: the tsvector stored in a generated column, and the GIN index on it

Ranking read `to_tsvector` of every match again (ts_rank cannot use the index's values): a
search matching 40,000 risks took 5 s. SQLite's FTS5 tables already store theirs: nothing to do.

Revision ID: b4d6f8a0c2e4
Revises: f3c5a7e9b1d2
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from pmo.search.index import REGISTERS, postgres_column_ddl, postgres_column_drop_ddl

revision = "b4d6f8a0c2e4"
down_revision = "f3c5a7e9b1d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for register in REGISTERS:
        for statement in postgres_column_ddl(register):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for register in REGISTERS:
        for statement in postgres_column_drop_ddl(register):
            op.execute(statement)
