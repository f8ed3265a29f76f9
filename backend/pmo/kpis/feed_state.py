"""The organisation's KPI feed revision: moved on by every change a pull client could see.

Every service function that creates, changes or deletes a KPI definition, target or value
calls `mark_changed` in the same transaction, so a poller's `If-None-Match` is answered from
one row without reading any values.
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from pmo.audit import service as audit
from pmo.core.db import utcnow
from pmo.kpis.models import KpiFeedState


def mark_changed(session: Session, organisation_id: uuid.UUID) -> None:
    # The chain head first, as every write in the organisation locks it: locking the revision
    # row first and the head second, while another change holds the head and waits for the
    # revision, is a deadlock (seen in the soak on PostgreSQL).
    audit.lock_chain(session, organisation_id)
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(KpiFeedState)
        .values(organisation_id=organisation_id, revision=1, changed_at=now)
        .on_conflict_do_update(
            index_elements=["organisation_id"],
            set_={"revision": col(KpiFeedState.revision) + 1, "changed_at": now},
        )
    )


def feed_state(session: Session, organisation_id: uuid.UUID) -> KpiFeedState | None:
    return session.get(KpiFeedState, organisation_id)
