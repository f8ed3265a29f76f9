"""highlight reports: monthly project reports and the organisation's due day

Revision ID: b5d1c3e7f9a2
Revises: b1e5c0a9d3f7
Create Date: 2026-12-06 11:32:19.896403
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import JSONDocument, UTCDateTime

revision: str = "b5d1c3e7f9a2"
down_revision: str | None = "b1e5c0a9d3f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "highlight_reports",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("time_rag", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("time_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("cost_rag", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("cost_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("scope_rag", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("scope_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("benefits_rag", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("benefits_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("achievements", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("next_period", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("decisions_needed", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("escalations", JSONDocument, nullable=False),
        sa.Column("facts", JSONDocument, nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("first_submitted_on", sa.Date(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("review_comments", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "period", name="uq_highlight_report_period"),
    )
    with op.batch_alter_table("highlight_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_highlight_reports_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_highlight_reports_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_highlight_reports_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_highlight_reports_status"), ["status"], unique=False)

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("highlight_report_due_day", sa.Integer(), server_default="5", nullable=False)
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies `organisations`, and dropping the old copy
    # fails while other tables' foreign keys point at it. SQLite 3.35+ drops a column itself.
    op.drop_column("organisations", "highlight_report_due_day")

    with op.batch_alter_table("highlight_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_highlight_reports_status"))
        batch_op.drop_index(batch_op.f("ix_highlight_reports_project_id"))
        batch_op.drop_index(batch_op.f("ix_highlight_reports_period"))
        batch_op.drop_index(batch_op.f("ix_highlight_reports_organisation_id"))

    op.drop_table("highlight_reports")
