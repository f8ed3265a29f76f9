"""API clients hold up to two secrets at once; tokens name the secret they were issued with

A client rotates without downtime: a new secret leaves the old one working until the
administrator retires it, and retiring a secret ends the tokens issued with it at once.
Each client's one secret moves from `api_clients.secret_hash` to `api_client_secrets`.

Revision ID: d81b6e3f9a25
Revises: c4f8a2d61e07
Create Date: 2026-12-06 12:30:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import UTCDateTime

revision: str = "d81b6e3f9a25"
down_revision: str | None = "c4f8a2d61e07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    secrets = op.create_table(
        "api_client_secrets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("api_client_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["api_client_id"], ["api_clients.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_client_secrets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_client_secrets_api_client_id"), ["api_client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_api_client_secrets_organisation_id"), ["organisation_id"], unique=False
        )
    clients = sa.table(
        "api_clients",
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("secret_hash", sa.String()),
    )
    rows = (
        op.get_bind().execute(sa.select(clients.c.id, clients.c.organisation_id, clients.c.secret_hash)).all()
    )
    now = datetime.now(UTC)
    if rows:
        op.bulk_insert(
            secrets,
            [
                {
                    "id": uuid.uuid4(),
                    "api_client_id": client_id,
                    "organisation_id": organisation_id,
                    "secret_hash": secret_hash,
                    "created_at": now,
                    "retired_at": None,
                }
                for client_id, organisation_id, secret_hash in rows
            ],
        )
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_column("secret_hash")


def downgrade() -> None:
    # Each client keeps its newest active secret (a client with none gets an unusable hash).
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
    op.execute(
        sa.text(
            "UPDATE api_clients SET secret_hash = COALESCE((SELECT s.secret_hash FROM api_client_secrets s "
            "WHERE s.api_client_id = api_clients.id AND s.retired_at IS NULL "
            "ORDER BY s.created_at DESC LIMIT 1), '')"
        )
    )
    with op.batch_alter_table("api_client_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_secrets_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_api_client_secrets_api_client_id"))
    op.drop_table("api_client_secrets")
