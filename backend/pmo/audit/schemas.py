from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pmo.core.schemas import PublicModel


class AuditEventPublic(PublicModel):
    id: uuid.UUID
    seq: int
    occurred_at: datetime
    actor_type: str
    actor_id: uuid.UUID | None
    actor_label: str
    action: str
    record_type: str
    record_id: uuid.UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    prev_hash: str
    hash: str
