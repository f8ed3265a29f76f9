"""delegation-rule versions: the date each takes effect

Revision ID: 12a5b9a03db5
Revises: c4e8a2f6d1b3
Create Date: 2026-12-06 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pmo.core.db import UTCDateTime

revision: str = "12a5b9a03db5"
down_revision: str | None = "c4e8a2f6d1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delegation_rule_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))

    # A version made before effective dates took effect when it was made.
    versions = sa.table(
        "delegation_rule_versions",
        sa.column("id", sa.Uuid()),
        sa.column("created_at", UTCDateTime()),
        sa.column("effective_from", sa.Date()),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(versions.c.id, versions.c.created_at)).all():
        bind.execute(
            versions.update().where(versions.c.id == row.id).values(effective_from=row.created_at.date())
        )

    with op.batch_alter_table("delegation_rule_versions", schema=None) as batch_op:
        batch_op.alter_column("effective_from", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_delegation_rule_versions_effective_from"), ["effective_from"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("delegation_rule_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_rule_versions_effective_from"))
        batch_op.drop_column("effective_from")
