"""milestones: baseline history (re-baselining with a reason) and forecast dates

Revision ID: b1e5c0a9d3f7
Revises: a7c3e9f1b2d4
Create Date: 2026-12-06 11:40:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import UTCDateTime

revision: str = "b1e5c0a9d3f7"
down_revision: str | None = "a7c3e9f1b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forecast_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("baseline_number", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.alter_column("baseline_number", server_default=None)

    baselines = op.create_table(
        "milestone_baselines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("planned_quarter", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=True),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["milestone_id"], ["milestones.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("milestone_id", "number", name="uq_milestone_baseline_number"),
    )
    with op.batch_alter_table("milestone_baselines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_baselines_milestone_id"), ["milestone_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_milestone_baselines_organisation_id"), ["organisation_id"], unique=False
        )

    # Every existing milestone's plan becomes its first baseline, set when it was created.
    milestones = sa.table(
        "milestones",
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("planned_quarter", sa.String()),
        sa.column("due_date", sa.Date()),
        sa.column("created_at", UTCDateTime()),
    )
    rows = op.get_bind().execute(sa.select(milestones)).all()
    if rows:
        op.bulk_insert(
            baselines,
            [
                {
                    "id": uuid.uuid4(),
                    "organisation_id": row.organisation_id,
                    "milestone_id": row.id,
                    "number": 1,
                    "planned_quarter": row.planned_quarter,
                    "due_date": row.due_date,
                    "reason": "",
                    "set_by_id": None,
                    "set_at": row.created_at or datetime.now(UTC),
                }
                for row in rows
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("milestone_baselines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_baselines_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_milestone_baselines_milestone_id"))
    op.drop_table("milestone_baselines")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_column("baseline_number")
        batch_op.drop_column("forecast_date")
