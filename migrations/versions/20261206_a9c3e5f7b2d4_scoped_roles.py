"""scoped roles: a role held for one programme or one project

Revision ID: a9c3e5f7b2d4
Revises: db4f0ffc49fc
Create Date: 2026-12-06 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9c3e5f7b2d4"
down_revision: str | None = "db4f0ffc49fc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("project_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_role_assignments_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_assignments_project_id"), ["project_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_role_assignments_programme_id", "programmes", ["programme_id"], ["id"]
        )
        batch_op.create_foreign_key("fk_role_assignments_project_id", "projects", ["project_id"], ["id"])


def downgrade() -> None:
    # A programme or project scope has no older form: those assignments go.
    op.execute(
        sa.text("DELETE FROM role_assignments WHERE programme_id IS NOT NULL OR project_id IS NOT NULL")
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_role_assignments_project_id", type_="foreignkey")
        batch_op.drop_constraint("fk_role_assignments_programme_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_role_assignments_project_id"))
        batch_op.drop_index(batch_op.f("ix_role_assignments_programme_id"))
        batch_op.drop_column("project_id")
        batch_op.drop_column("programme_id")
