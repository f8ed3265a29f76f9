"""Covering indexes for the RAID heat map: (organisation_id, likelihood, impact, status)

The heat map counts an organisation's risks by cell. Without these it read every risk through
the organisation index and sorted them for the GROUP BY: 27 ms at 40,000 risks on SQLite. With
them the count reads the index alone, already in cell order: 4 ms.

Revision ID: d2f4b6c8e0a3
Revises: c9e1a3b5d7f2
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "d2f4b6c8e0a3"
down_revision = "c9e1a3b5d7f2"
branch_labels = None
depends_on = None

BASES = ("residual", "inherent")


def upgrade() -> None:
    # Plain CREATE INDEX (no batch: on SQLite a batch would rebuild the searched table and drop
    # its full-text triggers).
    for basis in BASES:
        op.create_index(
            f"ix_risks_heat_{basis}",
            "risks",
            ["organisation_id", f"{basis}_likelihood", f"{basis}_impact", "status"],
        )


def downgrade() -> None:
    for basis in BASES:
        op.drop_index(f"ix_risks_heat_{basis}", table_name="risks")
