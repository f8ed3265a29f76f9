"""The feed's sequence index in the page order: (organisation_id, status, feed_sequence, id)

Values changed in one step (an import) share one sequence number, and a page is ordered by
(feed_sequence, id). Without `id` in the index every page read all the values of its number
and sorted them: the first page after an import of 100,000 values read 100,000 rows.

Revision ID: c9e1a3b5d7f2
Revises: b4d6f8a0c2e4
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "c9e1a3b5d7f2"
down_revision = "b4d6f8a0c2e4"
branch_labels = None
depends_on = None

INDEX = "ix_kpi_values_feed_sequence"


def upgrade() -> None:
    # Plain drop and create (no batch: SQLite would rebuild the table for nothing).
    op.drop_index(INDEX, table_name="kpi_values")
    op.create_index(INDEX, "kpi_values", ["organisation_id", "status", "feed_sequence", "id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="kpi_values")
    op.create_index(INDEX, "kpi_values", ["organisation_id", "status", "feed_sequence"])
