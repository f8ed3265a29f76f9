"""token generations; idempotency records that withhold a secret; sessions by family

Access tokens carry their subject's token generation, compared exactly: the whole-second
`tokens_valid_after` let tokens issued in the same second as a revocation survive it.
An idempotency record of a response that held a secret keeps no response body.
Refresh tokens are indexed by family and revocation: whether a session has ended is asked
on every request.

Revision ID: a7c3e91f2b64
Revises: 4d15ead54c98
Create Date: 2026-12-06 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pmo.core.db import JSONDocument, UTCDateTime

revision: str = "a7c3e91f2b64"
down_revision: str | None = "4d15ead54c98"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("users", "api_clients"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False)
            )
            batch_op.drop_column("tokens_valid_after")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.alter_column("response_body", existing_type=JSONDocument, nullable=True)
    # Whether a session has ended is asked on every request: one probe of this index.
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_refresh_tokens_family_id")
        batch_op.create_index(
            "ix_refresh_tokens_family_id_revoked_at", ["family_id", "revoked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_refresh_tokens_family_id_revoked_at")
        batch_op.create_index("ix_refresh_tokens_family_id", ["family_id"], unique=False)
    op.execute(sa.text("DELETE FROM idempotency_records WHERE response_body IS NULL"))
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.alter_column("response_body", existing_type=JSONDocument, nullable=False)
    for table in ("users", "api_clients"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("tokens_valid_after", UTCDateTime(), nullable=True))
            batch_op.drop_column("token_generation")
