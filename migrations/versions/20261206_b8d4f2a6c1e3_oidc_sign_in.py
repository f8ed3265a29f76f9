"""OpenID Connect sign-in: identity providers, directory identities and sessions, sign-ins in progress

Revision ID: b8d4f2a6c1e3
Revises: b5d1c3e7f9a2
Create Date: 2026-12-06 11:35:02.775938
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from pmo.core.db import JSONDocument, UTCDateTime

revision: str = "b8d4f2a6c1e3"
down_revision: str | None = "b5d1c3e7f9a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("client_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("groups_claim", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("group_roles", JSONDocument, nullable=False),
        sa.Column("create_unknown_users", sa.Boolean(), nullable=False),
        sa.Column("local_passwords_allowed", sa.Boolean(), nullable=False),
        sa.Column("email_domains", JSONDocument, nullable=False),
        sa.Column("tenant_ids", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "directory_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_directory_identity_subject"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("directory_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_identities_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "directory_sessions",
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("family_id"),
    )
    with op.batch_alter_table("directory_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_sessions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_directory_sessions_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directory_sessions_sid"), ["sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_directory_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "oidc_sign_in_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("browser_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("code_verifier", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("return_to", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("state_hash"),
    )
    with op.batch_alter_table("oidc_sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oidc_sign_in_attempts_provider_id"), ["provider_id"], unique=False
        )

    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_ends_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_column("session_ends_at")

    with op.batch_alter_table("oidc_sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_sign_in_attempts_provider_id"))

    op.drop_table("oidc_sign_in_attempts")
    with op.batch_alter_table("directory_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_directory_sessions_sid"))
        batch_op.drop_index(batch_op.f("ix_directory_sessions_provider_id"))
        batch_op.drop_index(batch_op.f("ix_directory_sessions_organisation_id"))

    op.drop_table("directory_sessions")
    with op.batch_alter_table("directory_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_identities_organisation_id"))

    op.drop_table("directory_identities")
    op.drop_table("identity_providers")
