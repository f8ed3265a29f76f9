"""Search: full text indexes over the registers (PostgreSQL GIN, SQLite FTS5 with triggers)

Revision ID: e2f4a6c8b0d1
Revises: d81b6e3f9a25
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from pmo.search.index import REGISTERS, drop_ddl, postgres_index_ddl, sqlite_index_ddl

revision = "e2f4a6c8b0d1"
down_revision = "d81b6e3f9a25"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for register in REGISTERS:
        for statement in (
            postgres_index_ddl(register) if dialect == "postgresql" else sqlite_index_ddl(register)
        ):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for register in REGISTERS:
        for statement in drop_ddl(register, dialect):
            op.execute(statement)
