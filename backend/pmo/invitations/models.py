from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from pmo.core.db import UTCDateTime, id_field, timestamp_field


class Invitation(SQLModel, table=True):
    """A one-time link to set a first password, stored only as the SHA-256 of its token.

    A person has at most one usable invitation: a new one replaces the last (`replaced_at`)."""

    __tablename__ = "invitations"

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replaced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
