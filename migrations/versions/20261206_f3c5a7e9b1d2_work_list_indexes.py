"""work list indexes: what the plans of my work and the financial summary asked for at scale

A person's risks by review date, risk actions by due date and milestones by due date; an
organisation's draw-downs by state (issue 16; `EXPLAIN` at 2,000 projects, 40,000 risks and
20,000 draw-downs).

Revision ID: f3c5a7e9b1d2
Revises: e8a1c3f5b7d9
Create Date: 2026-12-06 18:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f3c5a7e9b1d2"
down_revision: str | None = "e8a1c3f5b7d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_risks_owner_review", "risks", ["owner_id", "status", "review_date"]),
    ("ix_risk_actions_actionee_due", "risk_actions", ["actionee_id", "status", "due_date"]),
    ("ix_milestones_owner_due", "milestones", ["owner_id", "due_date"]),
    ("ix_drawdowns_organisation_status", "drawdowns", ["organisation_id", "status"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
