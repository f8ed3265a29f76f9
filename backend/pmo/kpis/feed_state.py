"""The organisation's KPI feed revision: moved on by every change a pull client could see,
and the counter of the feed's change sequence.

Every service function that creates, changes or deletes a KPI definition, target or value
calls `mark_changed` (or `mark_values_changed`) in the same transaction, so a poller's
`If-None-Match` is answered from one row without reading any values.

The change sequence. Each published value carries `feed_sequence`, the number of its latest
change: a new published version (corrections included), or a change to what the feed derives
from it (target, tolerance, RAG, the previous period's or the year before's actual). Numbers
come from the organisation's revision row, whose row lock (taken by the upsert) is held
until commit, so a transaction takes its numbers only after every transaction that took
smaller ones has committed or rolled back: the numbers are in commit order. A reader that
has seen number n has therefore seen every change numbered below n, and a client that
resumes after the largest number it holds misses nothing (a time stamp, or a PostgreSQL
sequence, is taken before commit and gives no such promise).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.db import utcnow
from pmo.kpis.models import KpiFeedState, KpiValue

PUBLISHED = "published"


def mark_changed(session: Session, organisation_id: uuid.UUID, steps: int = 1) -> int:
    """Move the revision on by `steps` and hold its row lock until commit; the new revision."""
    # The chain head first, as every write in the organisation locks it: locking the revision
    # row first and the head second, while another change holds the head and waits for the
    # revision, is a deadlock (seen in the soak on PostgreSQL).
    audit.lock_chain(session, organisation_id)
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(KpiFeedState)
        .values(organisation_id=organisation_id, revision=steps, changed_at=now)
        .on_conflict_do_update(
            index_elements=["organisation_id"],
            set_={"revision": col(KpiFeedState.revision) + steps, "changed_at": now},
        )
    )
    revision: int = session.execute(
        select(KpiFeedState.revision).where(col(KpiFeedState.organisation_id) == organisation_id)
    ).scalar_one()
    return revision


def mark_values_changed(session: Session, organisation_id: uuid.UUID, *where: Any) -> int:
    """Give the organisation's published values matching `where` the next number of the
    change sequence, and return it. Values changed in one step share its number (the feed
    orders them by id): one plain UPDATE, however many values an import touches. (The
    import takes the number before it writes its values, and writes them with it.)"""
    sequence = mark_changed(session, organisation_id)
    session.execute(
        update(KpiValue)
        .where(col(KpiValue.organisation_id) == organisation_id, col(KpiValue.status) == PUBLISHED, *where)
        .values(feed_sequence=sequence)
        .execution_options(synchronize_session=False)
    )
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, KpiValue):  # it holds its old number
            session.expire(loaded, ["feed_sequence"])
    return sequence


def value_and_dependants(value: KpiValue) -> Any:
    """The condition for a value and the values whose assessment compares with it: those of
    the next period (`previous_actual`) and the same period a year later (`year_before_actual`)."""
    starts = (value.period_start, value.period_end + timedelta(days=1), _year_later(value.period_start))
    return (col(KpiValue.kpi_id) == value.kpi_id) & col(KpiValue.period_start).in_(starts)


def in_period(kpi_id: uuid.UUID, period_code: str) -> Any:
    """The condition for the value of one KPI and period (a target's)."""
    return (col(KpiValue.kpi_id) == kpi_id) & (col(KpiValue.period_code) == period_code)


def of_kpis(kpi_ids: set[uuid.UUID]) -> Any:
    return col(KpiValue.kpi_id).in_(sorted(kpi_ids))


def _year_later(day: date) -> date:
    # Periods start on the first of a month, so the day exists a year later.
    return day.replace(year=day.year + 1)


def feed_state(session: Session, organisation_id: uuid.UUID) -> KpiFeedState | None:
    return session.get(KpiFeedState, organisation_id)
