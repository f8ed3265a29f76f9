"""portfolios and programmes: closed (kept) rather than deleted

Revision ID: db4f0ffc49fc
Revises: 12a5b9a03db5
Create Date: 2026-12-06 15:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "db4f0ffc49fc"
down_revision: str | None = "12a5b9a03db5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: on SQLite a batch copy of the table would drop the
    # search triggers (search_fts_*) that the search migration put on it.
    for table in ("portfolios", "programmes"):
        op.add_column(
            table,
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="active",
            ),
        )
        op.add_column(table, sa.Column("closed_on", sa.Date(), nullable=True))
        op.create_index(op.f(f"ix_{table}_status"), table, ["status"], unique=False)


def downgrade() -> None:
    for table in ("programmes", "portfolios"):
        op.drop_index(op.f(f"ix_{table}_status"), table_name=table)
        op.drop_column(table, "closed_on")
        op.drop_column(table, "status")
