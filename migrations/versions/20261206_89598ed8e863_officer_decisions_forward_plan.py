"""the record of officer decisions, the key decisions forward plan, conflicts of interest

Revision ID: 89598ed8e863
Revises: b8d4f2a6c1e3
Create Date: 2026-12-06 11:32:40.464057
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import JSONDocument, UTCDateTime

revision: str = "89598ed8e863"
down_revision: str | None = "b8d4f2a6c1e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision_settings",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("key_decision_spending_threshold_pence", sa.BigInteger(), nullable=False),
        sa.Column("key_decision_saving_threshold_pence", sa.BigInteger(), nullable=False),
        sa.Column("key_decision_min_wards", sa.Integer(), nullable=False),
        sa.Column("publish_officer_decisions", sa.Boolean(), nullable=False),
        sa.Column("publish_forward_plan", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", name="uq_decision_settings_organisation"),
    )
    op.create_table(
        "forward_plan_entries",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("drawdown_id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("decision_maker", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("spending_pence", sa.BigInteger(), nullable=False),
        sa.Column("saving_pence", sa.BigInteger(), nullable=True),
        sa.Column("wards_affected", JSONDocument, nullable=False),
        sa.Column("significant_in_wards", sa.Boolean(), nullable=False),
        sa.Column("is_key_decision", sa.Boolean(), nullable=False),
        sa.Column("key_decision_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("exception", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("exception_reasons", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("scrutiny_chair_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("scrutiny_chair_date", sa.Date(), nullable=True),
        sa.Column("exception_notice_published_on", sa.Date(), nullable=True),
        sa.Column("exception_recorded_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["drawdown_id"],
            ["drawdowns.id"],
        ),
        sa.ForeignKeyConstraint(
            ["exception_recorded_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("drawdown_id", name="uq_forward_plan_drawdown"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_forward_plan_reference"),
    )
    with op.batch_alter_table("forward_plan_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forward_plan_entries_meeting_date"), ["meeting_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forward_plan_entries_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "officer_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("drawdown_id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("decision_text", sqlmodel.sql.sqltypes.AutoString(length=12000), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=False),
        sa.Column("decided_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("decided_under", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("reasons", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("alternatives_considered", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("consultations", JSONDocument, nullable=False),
        sa.Column("exempt_paragraph", sa.Integer(), nullable=True),
        sa.Column("exempt_information", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["drawdown_id"],
            ["drawdowns.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("drawdown_id", name="uq_officer_decision_drawdown"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_officer_decision_reference"),
    )
    with op.batch_alter_table("officer_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officer_decisions_decided_on"), ["decided_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_officer_decisions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_officer_decisions_retain_until"), ["retain_until"], unique=False)

    with op.batch_alter_table("drawdown_consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflict_of_interest", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "conflict_of_interest_details",
                sqlmodel.sql.sqltypes.AutoString(length=10000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("dispensation_granted_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("dispensation_granted_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "dispensation_details",
                sqlmodel.sql.sqltypes.AutoString(length=10000),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("drawdown_consultations", schema=None) as batch_op:
        batch_op.drop_column("dispensation_details")
        batch_op.drop_column("dispensation_granted_on")
        batch_op.drop_column("dispensation_granted_by")
        batch_op.drop_column("conflict_of_interest_details")
        batch_op.drop_column("conflict_of_interest")

    with op.batch_alter_table("officer_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_decisions_retain_until"))
        batch_op.drop_index(batch_op.f("ix_officer_decisions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_officer_decisions_decided_on"))

    op.drop_table("officer_decisions")
    with op.batch_alter_table("forward_plan_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forward_plan_entries_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_forward_plan_entries_meeting_date"))

    op.drop_table("forward_plan_entries")
    op.drop_table("decision_settings")
