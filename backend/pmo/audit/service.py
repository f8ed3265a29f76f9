"""The audit trail: one event per change, written in the change's own transaction.

Events are chained per organisation: each carries the hash of the one before, so an event
edited, removed or moved afterwards breaks the chain, and `pmo audit verify` says where.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlmodel import Session, SQLModel, col, select

from pmo.audit.models import AuditChainHead, AuditEvent
from pmo.core.context import request_id_var
from pmo.core.db import utcnow
from pmo.core.errors import NotFound
from pmo.core.permissions import Actor
from pmo.core.schemas import utc_text

GENESIS_HASH = "0" * 64
# Never copied into the trail.
SECRET_FIELDS = frozenset(
    {
        "password_hash",
        "secret_hash",
        "token_hash",
        "client_secret_encrypted",
        "signing_secret",
        "previous_signing_secret",
    }
)


def _moment(value: datetime) -> str:
    # Times in a snapshot read like every other time the API writes (`...Z`); a naive one (none
    # is stored: UTCDateTime refuses them) is kept as it is rather than failing the write.
    return utc_text(value) if value.tzinfo else value.isoformat()


def jsonable(value: dict[str, Any]) -> dict[str, Any]:
    return jsonable_encoder(value, custom_encoder={datetime: _moment})  # type: ignore[no-any-return]


def snapshot(record: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a record's columns, without secrets."""
    return jsonable(
        {name: getattr(record, name) for name in type(record).model_fields if name not in SECRET_FIELDS}
    )


def _organisation_of(row: Any) -> uuid.UUID:
    # An organisation is its own organisation; every other record names one.
    organisation_id: uuid.UUID = getattr(row, "organisation_id", None) or row.id
    return organisation_id


def created(session: Session, actor: Actor | None, row: Any, record_type: str) -> None:
    """Insert `row` and audit it."""
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        organisation_id=_organisation_of(row),
        action="create",
        record_type=record_type,
        record_id=row.id,
        after=snapshot(row),
    )


def changed(
    session: Session,
    actor: Actor | None,
    row: Any,
    record_type: str,
    changes: dict[str, Any],
    *,
    action: str = "update",
    system_label: str | None = None,
) -> None:
    """Apply `changes` to `row`, stamp `updated_at` if it has one, and audit before and after.
    `system_label` names what made the change when no actor did (e.g. the worker)."""
    before = snapshot(row)
    for name, value in changes.items():
        setattr(row, name, value)
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        organisation_id=_organisation_of(row),
        action=action,
        record_type=record_type,
        record_id=row.id,
        before=before,
        after=snapshot(row),
        system_label=system_label,
    )


def deleted(
    session: Session,
    actor: Actor | None,
    row: Any,
    record_type: str,
    *,
    before: dict[str, Any] | None = None,
) -> None:
    """Delete `row` and audit what it was (`before`, if given, says more than its columns)."""
    before = before if before is not None else snapshot(row)
    session.delete(row)
    session.flush()
    record(
        session,
        actor,
        organisation_id=_organisation_of(row),
        action="delete",
        record_type=record_type,
        record_id=row.id,
        before=before,
    )


def start_chain(session: Session, organisation_id: uuid.UUID) -> None:
    session.add(AuditChainHead(organisation_id=organisation_id, last_seq=0, last_hash=GENESIS_HASH))


def event_hash(event: AuditEvent) -> str:
    content = {
        "organisation_id": str(event.organisation_id),
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": str(event.record_id),
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_chain(session: Session, organisation_id: uuid.UUID) -> AuditChainHead:
    """Lock the organisation's chain head: its changes append one after another.

    Every write in an organisation takes this lock, so it is the first row lock a transaction
    takes: another per-organisation row locked before it (the KPI feed revision) would let two
    transactions wait on each other (a deadlock on PostgreSQL).
    """
    head: AuditChainHead = session.execute(
        select(AuditChainHead).where(AuditChainHead.organisation_id == organisation_id).with_for_update()
    ).scalar_one()
    return head


def record(
    session: Session,
    actor: Actor | None,
    *,
    organisation_id: uuid.UUID,
    action: str,
    record_type: str,
    record_id: uuid.UUID,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    system_label: str | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain. `actor` None means the command line,
    or what `system_label` names (e.g. the worker)."""
    head = lock_chain(session, organisation_id)
    event = AuditEvent(
        organisation_id=organisation_id,
        seq=head.last_seq + 1,
        occurred_at=utcnow(),
        actor_type=actor.kind if actor else "system",
        actor_id=actor.id if actor else None,
        actor_label=actor.label if actor else (system_label or "pmo command line"),
        action=action,
        record_type=record_type,
        record_id=record_id,
        before=before,
        after=after,
        request_id=request_id_var.get(),
        prev_hash=head.last_hash,
        hash="",  # set below, from the other fields
    )
    event.hash = event_hash(event)
    head.last_seq, head.last_hash = event.seq, event.hash
    session.add(event)
    session.add(head)
    session.flush()
    return event


def get_event(session: Session, actor: Actor, event_id: uuid.UUID) -> AuditEvent:
    event = session.get(AuditEvent, event_id)
    if event is None or event.organisation_id != actor.organisation_id:
        raise NotFound("No audit event with that id.")
    return event


@dataclass
class ChainBreak:
    organisation_id: uuid.UUID
    seq: int | None
    problem: str


def verify_chains(session: Session) -> tuple[int, list[ChainBreak]]:
    """Check every organisation's chain; returns the events checked and what is wrong."""
    breaks: list[ChainBreak] = []
    checked = 0
    heads = session.execute(select(AuditChainHead)).scalars().all()
    for head in heads:
        expected_seq, prev_hash = 1, GENESIS_HASH
        for event in _events_of(session, head.organisation_id):
            checked += 1
            org = head.organisation_id
            if event.seq != expected_seq:
                breaks.append(
                    ChainBreak(org, event.seq, f"expected event {expected_seq}: events are missing")
                )
            if event.prev_hash != prev_hash:
                breaks.append(ChainBreak(org, event.seq, "does not follow the event before it"))
            if event_hash(event) != event.hash:
                breaks.append(ChainBreak(org, event.seq, "content changed since it was written"))
            expected_seq, prev_hash = event.seq + 1, event.hash
        if head.last_seq != expected_seq - 1 or head.last_hash != prev_hash:
            breaks.append(
                ChainBreak(
                    head.organisation_id,
                    None,
                    f"the chain should end at event {head.last_seq}: events are missing",
                )
            )
    return checked, breaks


def _events_of(session: Session, organisation_id: uuid.UUID) -> Iterator[AuditEvent]:
    statement = (
        select(AuditEvent).where(AuditEvent.organisation_id == organisation_id).order_by(col(AuditEvent.seq))
    )
    yield from session.execute(statement.execution_options(yield_per=1000)).scalars()


def occurred_between(start: datetime | None, end: datetime | None) -> list[Any]:
    conditions = []
    if start:
        conditions.append(AuditEvent.occurred_at >= start)
    if end:
        conditions.append(AuditEvent.occurred_at < end)
    return conditions
