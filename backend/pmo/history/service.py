"""A record's history read from the audit trail, field by field, in words."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from pmo.audit.models import AuditEvent
from pmo.core.errors import Forbidden
from pmo.core.permissions import ROLE_WORDS, Actor, Role, roles_granting
from pmo.history.kinds import HIDDEN_FIELDS, KINDS, RECORD_LABELS, HistoryKind, action_label, field_label
from pmo.history.schemas import FieldChange, HistoryEntry, RecordHistory
from pmo.organisations.models import Directorate, User
from pmo.portfolio.models import Programme, Project

NOT_SET = "Not set"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CODE = re.compile(r"[a-z]+(?:_[a-z0-9]+)+")  # snake_case: a code, never a person's words
ROLE_CODES = {role.value for role in Role}


def history(session: Session, actor: Actor, kind: HistoryKind, record_id: uuid.UUID) -> RecordHistory:
    spec = KINDS[kind]
    if spec.permission not in actor.permissions():
        raise Forbidden(
            f"Reading this record needs the permission '{spec.permission}', which comes with the role(s): "
            + ", ".join(roles_granting(spec.permission))
            + "."
        )
    spec.read(session, actor, record_id)  # 404 for another organisation's or a hidden record
    record = and_(col(AuditEvent.record_type) == spec.record_type, col(AuditEvent.record_id) == record_id)
    parts = [
        and_(
            col(AuditEvent.record_type) == part_type,
            or_(
                col(AuditEvent.after)[parent_field].as_string() == str(record_id),
                col(AuditEvent.before)[parent_field].as_string() == str(record_id),
            ),
        )
        for part_type, parent_field in spec.parts
    ]
    events = list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == actor.organisation_id, or_(record, *parts))
            .order_by(col(AuditEvent.seq))
        ).scalars()
    )
    names = _names(session, actor, events)
    return RecordHistory(kind=kind, record_id=record_id, entries=[_entry(event, names) for event in events])


def _entry(event: AuditEvent, names: dict[str, str]) -> HistoryEntry:
    before, after = event.before or {}, event.after or {}
    fields = [f for f in {**before, **after} if f not in HIDDEN_FIELDS]
    changes = [
        FieldChange(
            field=name,
            label=field_label(name),
            before=_shown(name, before.get(name), names) if event.before is not None else None,
            after=_shown(name, after.get(name), names) if event.after is not None else None,
        )
        for name in fields
        # A creation or deletion shows every field; a change only the fields it changed.
        if event.before is None or event.after is None or before.get(name) != after.get(name)
    ]
    return HistoryEntry(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        action_label=action_label(event.action),
        record_type=event.record_type,
        record_label=RECORD_LABELS.get(event.record_type, field_label(event.record_type)),
        record_id=event.record_id,
        changes=changes,
    )


def _shown(name: str, value: Any, names: dict[str, str]) -> str:
    """A stored value as a person reads it: names for ids, pounds, dates in words."""
    if value is None or value == "" or value == []:
        return NOT_SET
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name.endswith("_pence") and isinstance(value, int):
        whole, part = divmod(abs(value), 100)
        return f"{'-' if value < 0 else ''}£{whole:,}.{part:02d}"
    if isinstance(value, str):
        if value in names:
            return names[value]
        if ISO_DATE.match(value):
            return _day(date.fromisoformat(value))
        if ISO_TIME.match(value):
            moment = datetime.fromisoformat(value)
            return f"{_day(moment.date())} {moment:%H:%M}"
        if name.endswith(("role", "roles")) and value in ROLE_CODES:
            words = ROLE_WORDS[Role(value)]
            return words[:1].upper() + words[1:]
        if CODE.fullmatch(value):  # an enum's code ("higher_is_better"): its words
            return value.replace("_", " ").capitalize()
        return value
    if isinstance(value, list):  # a list of codes, or of parts (a gate's criteria)
        return "; ".join(_shown(name, item, names) for item in value)
    if isinstance(value, dict):  # sections of text, or one part: each with its label
        return ", ".join(f"{field_label(key)}: {_shown(key, item, names)}" for key, item in value.items())
    return str(value)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _names(session: Session, actor: Actor, events: list[AuditEvent]) -> dict[str, str]:
    """The names of the people, projects, programmes and directorates the events point to."""
    ids: set[uuid.UUID] = set()
    for event in events:
        for values in (event.before or {}, event.after or {}):
            for name, value in values.items():
                if name.endswith("_id") and name not in HIDDEN_FIELDS and isinstance(value, str):
                    try:
                        ids.add(uuid.UUID(value))
                    except ValueError:
                        continue
    if not ids:
        return {}
    found: dict[str, str] = {}
    for model, label in ((User, User.display_name), (Project, Project.name), (Programme, Programme.name)):
        rows = session.execute(
            select(model.id, label).where(
                model.organisation_id == actor.organisation_id, col(model.id).in_(ids)
            )
        ).all()
        found.update({str(row[0]): row[1] for row in rows})
    rows = session.execute(
        select(Directorate.id, Directorate.name).where(
            Directorate.organisation_id == actor.organisation_id, col(Directorate.id).in_(ids)
        )
    ).all()
    found.update({str(row[0]): row[1] for row in rows})
    return found
