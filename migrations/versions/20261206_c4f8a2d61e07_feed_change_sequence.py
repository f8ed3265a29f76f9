"""the KPI feed's change sequence; organisations' GSS codes

Each KPI value carries the number of its latest change in the feed (`feed_sequence`),
numbered in commit order under the organisation's feed revision row lock, so that a client
resuming after the largest number it holds misses no value committed late. Values published
before keep 0 (the feed orders them by id). Organisations carry their ONS GSS code.

Revision ID: c4f8a2d61e07
Revises: b5e8d2c4f7a1
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4f8a2d61e07"
down_revision: str | None = "b5e8d2c4f7a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kpi_values", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_sequence", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.create_index(
            "ix_kpi_values_feed_sequence", ["organisation_id", "status", "feed_sequence"], unique=False
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gss_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True))
        batch_op.create_index("ix_organisations_gss_code", ["gss_code"], unique=True)


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies `organisations`, and dropping the old copy
    # fails while other tables' foreign keys point at it. SQLite 3.35+ drops a column itself.
    op.drop_index("ix_organisations_gss_code", table_name="organisations")
    op.drop_column("organisations", "gss_code")
    with op.batch_alter_table("kpi_values", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_values_feed_sequence")
        batch_op.drop_column("feed_sequence")
