"""OpenID Connect sign-in: each organisation's identity provider, the directory identities
bound to its people, sign-ins in progress, and the sessions that came from the directory."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field, timestamp_field


class IdentityProvider(Tracked, table=True):
    """The OpenID provider an organisation's people sign in with (one per organisation)."""

    __tablename__ = "identity_providers"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", unique=True)
    # The organisation's sign-in address: `/sign-in/<slug>`. Unique across the deployment.
    slug: str = Field(max_length=60, unique=True)
    # As configured; Entra ID's multi-tenant metadata names `{tenantid}` in its issuer.
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=200)
    # AES-GCM under a key derived from the product's secret key: a database dump alone does
    # not reveal it. Never returned, logged or audited (pmo.audit.service.SECRET_FIELDS).
    client_secret_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    groups_claim: str = Field(default="groups", max_length=100)
    # [{"group": "...", "role": "pmo", "directorate_id": null}, ...]
    group_roles: list[dict[str, str | None]] = Field(sa_column=Column(JSONDocument, nullable=False))
    create_unknown_users: bool = Field(default=False)
    local_passwords_allowed: bool = Field(default=True)
    # Lower-case email domains whose people sign in here ("chesterfield.gov.uk").
    email_domains: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))
    # Entra ID multi-tenant apps: the directory tenants whose people may sign in.
    tenant_ids: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))


class DirectoryIdentity(SQLModel, table=True):
    """A person's account at the provider: once bound, the subject alone matches them."""

    __tablename__ = "directory_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_directory_identity_subject"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", unique=True)
    # The ID token's `iss` (for Entra ID it names the tenant) and `sub` (Entra ID: `oid`).
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    created_at: datetime = timestamp_field()


class SignInAttempt(SQLModel, table=True):
    """A sign-in sent to the provider and not yet back: `state` finds it, once."""

    __tablename__ = "oidc_sign_in_attempts"

    id: uuid.UUID = id_field()
    # SHA-256 of `state`, and of the browser's cookie that started it.
    state_hash: str = Field(max_length=64, unique=True)
    browser_hash: str = Field(max_length=64)
    provider_id: uuid.UUID = Field(foreign_key="identity_providers.id", index=True)
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=200)
    return_to: str = Field(default="/", max_length=500)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class DirectorySession(SQLModel, table=True):
    """A product session (refresh-token family) that a directory sign-in started: found by
    the provider's session id (`sid`) or subject when the provider says the person signed out."""

    __tablename__ = "directory_sessions"

    family_id: uuid.UUID = Field(primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    provider_id: uuid.UUID = Field(foreign_key="identity_providers.id", index=True)
    sid: str | None = Field(default=None, max_length=255, index=True)
    created_at: datetime = timestamp_field()
