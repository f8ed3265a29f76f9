from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, Tracked, UTCDateTime, id_field, timestamp_field


class ApiClient(Tracked, table=True):
    """Another council system that calls the API with its own credentials."""

    __tablename__ = "api_clients"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    client_id: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(sa_column=Column(JSONDocument, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Access tokens carry the generation they were issued in; a new secret or revocation
    # moves it on, refusing every earlier token at once.
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ApiClientSecret(SQLModel, table=True):
    """One of an API client's secrets: at most two are active at once, so a client rotates
    without downtime (a new secret, then the old one retired). Access tokens name the secret
    they were issued with (`sec`): retiring it ends them at once."""

    __tablename__ = "api_client_secrets"

    id: uuid.UUID = id_field()
    api_client_id: uuid.UUID = Field(foreign_key="api_clients.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    # SHA-256 of a 256-bit random secret: a slow password hash adds nothing at that entropy.
    secret_hash: str = Field(max_length=64)
    created_at: datetime = timestamp_field()
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RefreshToken(SQLModel, table=True):
    """An opaque, single-use refresh token, stored only as its hash.

    Each rotation issues a new token in the same family; presenting a used token again
    means it was stolen, and revokes the whole family.
    """

    __tablename__ = "refresh_tokens"
    # Every request with a person's access token asks whether its session (family) has ended:
    # whether the family has a token, and a revoked one. Both are one probe of this index,
    # however many rotations the family has had.
    __table_args__ = (Index("ix_refresh_tokens_family_id_revoked_at", "family_id", "revoked_at"),)

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True)
    family_id: uuid.UUID
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    issued_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    # When the whole session ends however often it is renewed (a directory sign-in's limit);
    # None: each token lives its own `expires_at`.
    session_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthGeneration(SQLModel, table=True):
    """One row: a value that names the current state of everything a request's principal is
    made of (API clients, their secrets, people, their roles, sessions). Every change that
    could refuse or alter a principal sets a new random value in the same transaction
    (`pmo.auth.revocation`), so a principal held in memory with the value it was read under is
    current exactly while the row still holds that value (`pmo.auth.principal_cache`)."""

    __tablename__ = "auth_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


# The listeners that move the generation on: registered wherever these tables are written.
from pmo.auth import revocation as _revocation  # noqa: E402, F401
