"""committee report packs

Revision ID: d7f3b9c1e5a2
Revises: c4d2a8e6f1b3
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import JSONDocument, UTCDateTime

revision: str = "d7f3b9c1e5a2"
down_revision: str | None = "c4d2a8e6f1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_packs",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("portfolio_id", sa.Uuid(), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("report_author", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("wards_affected", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("key_decision", sa.Boolean(), nullable=False),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.Column("exempt_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("recommendations", JSONDocument, nullable=False),
        sa.Column("background", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("docx", sa.LargeBinary(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolios.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_packs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_packs_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_report_packs_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_report_packs_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_packs_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_packs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_packs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_packs_status"))
        batch_op.drop_index(batch_op.f("ix_report_packs_programme_id"))
        batch_op.drop_index(batch_op.f("ix_report_packs_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_report_packs_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_report_packs_meeting_id"))
    op.drop_table("report_packs")
