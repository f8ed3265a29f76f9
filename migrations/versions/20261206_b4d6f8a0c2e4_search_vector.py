"""Search at scale: on PostgreSQL the tsvector stored in a generated column with the GIN index
on it; on both databases an index for the search by reference

Ranking read `to_tsvector` of every match again (ts_rank cannot use the index's values): a
search matching 40,000 risks took 5 s. SQLite's FTS5 tables already store theirs. A search by
reference compares `upper(reference)`, which no index answered: every row was read.

Revision ID: b4d6f8a0c2e4
Revises: f3c5a7e9b1d2
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from pmo.search.index import REGISTERS, postgres_column_ddl, postgres_column_drop_ddl, reference_index_ddl

revision = "b4d6f8a0c2e4"
down_revision = "f3c5a7e9b1d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    postgres = dialect == "postgresql"
    for register in REGISTERS:
        for statement in [
            *reference_index_ddl(register, dialect),
            *(postgres_column_ddl(register) if postgres else []),
        ]:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for register in REGISTERS:
        if register.reference is not None:
            op.execute(f"DROP INDEX search_ix_ref_{register.table}")
        for statement in postgres_column_drop_ddl(register) if postgres else []:
            op.execute(statement)
