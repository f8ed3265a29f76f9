from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmo.core.db import JSONDocument, UTCDateTime, id_field


class AuditEvent(SQLModel, table=True):
    """One change to one record. Append-only and hash-chained per organisation."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("organisation_id", "seq", name="uq_audit_org_seq"),)

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", index=True)
    seq: int = Field(description="Position in the organisation's chain, from 1.")
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_type: str = Field(max_length=20)
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_label: str = Field(max_length=300)
    action: str = Field(max_length=40)
    record_type: str = Field(max_length=60, index=True)
    record_id: uuid.UUID = Field(index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    request_id: str | None = Field(default=None, max_length=128)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The last event of each organisation's chain; locked while an event is appended."""

    __tablename__ = "audit_chain_heads"

    organisation_id: uuid.UUID = Field(foreign_key="organisations.id", primary_key=True)
    last_seq: int = Field(default=0)
    last_hash: str = Field(max_length=64)
