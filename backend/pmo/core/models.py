"""Tables that serve the HTTP conventions rather than a domain: idempotency and rate limits.

They are in the database, not in a process's memory, so several server processes behave
as one service.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, id_field, timestamp_field


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("actor_key", "key", name="uq_idempotency_actor_key"),)

    id: uuid.UUID = id_field()
    actor_key: str = Field(max_length=80, description="Who sent it: user or API client id.")
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=2000)
    request_hash: str = Field(max_length=64)
    status_code: int
    # None when the response held a secret (a new API client's): it is never stored, and a
    # retry with the key is refused rather than answered with the secret.
    response_body: Any = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    location: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = timestamp_field(index=True)


class RateLimitCounter(SQLModel, table=True):
    """Hits of one key (an account, an address, a client) within one fixed time window."""

    __tablename__ = "rate_limit_counters"

    key: str = Field(primary_key=True, max_length=300)
    window_start: int = Field(primary_key=True, description="Unix time the window began.")
    hits: int = Field(default=0)


class ReferenceCounter(SQLModel, table=True):
    """The last human reference handed out per organisation and prefix (`P-0042`, `R-0012`).

    Numbers only go up: a deleted record's reference is never given to another.
    """

    __tablename__ = "reference_counters"

    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", primary_key=True)
    prefix: str = Field(primary_key=True, max_length=4)
    last_number: int = Field(default=0)
