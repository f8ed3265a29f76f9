from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from pmo.core.schemas import PublicModel
from pmo.history.kinds import HistoryKind


class FieldChange(PublicModel):
    """One field of a record, before and after one change, as a person reads it."""

    field: str = Field(description="The field's name in the API, e.g. `residual_impact`.")
    label: str = Field(description='What it is called, e.g. "Impact after the response".')
    before: str | None = Field(
        description='The value before, as shown ("Not set" if empty); none on creation.'
    )
    after: str | None = Field(description="The value after; none when the record was deleted.")


class HistoryEntry(PublicModel):
    """One audited change: who, when, what, field by field."""

    seq: int = Field(description="The event's place in the organisation's hash chain.")
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_label: str = Field(description="Who made the change.")
    action: str
    action_label: str = Field(description='What was done, e.g. "Escalated".')
    record_type: str
    record_label: str = Field(
        description='What was changed: the record itself or a part, e.g. "Gate decision".'
    )
    record_id: uuid.UUID
    changes: list[FieldChange]


class RecordHistory(PublicModel):
    """A record's history, oldest change first, with the changes of its parts (a risk's
    actions, a draw-down's consultations, a gate review's decisions)."""

    kind: HistoryKind
    record_id: uuid.UUID
    entries: list[HistoryEntry]
