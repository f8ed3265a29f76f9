"""Funding sources: reserves and budgets, and the one place their committed amount moves.

`committed_pence` changes only in `commit_amount`, by a single conditional UPDATE that adds the
amount only if the result stays within the opening balance. On PostgreSQL the UPDATE takes the
row lock and re-checks its condition against the latest committed row, so racing approvals
queue and never overdraw; on SQLite writers are serialised at BEGIN. The CHECK constraint on
the table refuses an overdraft too, whatever the code does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, NotFound
from pmo.core.money import pounds_text
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.permissions import Actor, Permission, enforce, for_whole_organisation
from pmo.core.schemas import Page
from pmo.finance.drawdowns_schemas import OPEN_STATUSES
from pmo.finance.funding_schemas import (
    FundingKind,
    FundingSourceAction,
    FundingSourceCreate,
    FundingSourcePublic,
    FundingSourceUpdate,
    FundingStatus,
)
from pmo.finance.models import Drawdown, FundingSource


def pounds_label(pence: int) -> str:
    """5000001 -> "£50,000.01": how amounts read in messages."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def get_source(session: Session, actor: Actor, source_id: uuid.UUID) -> FundingSource:
    source = session.get(FundingSource, source_id)
    if source is None or source.organisation_id != actor.organisation_id:
        raise NotFound("No funding source with that id in your organisation.")
    return source


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class FundingSourceContext:
    source: FundingSource
    pending: int  # pence of the open draw-downs
    drawdowns: int  # how many draw-downs were ever requested from it


def _whole_organisation(actor: Actor, _c: FundingSourceContext) -> Verdict:
    return for_whole_organisation(actor, Permission.funding_sources_manage, "funding sources")


def _never_drawn(_actor: Actor, c: FundingSourceContext) -> Verdict:
    if c.drawdowns:
        return Blocked(
            f"'{c.source.name}' has {c.drawdowns} draw-down request(s): it cannot be deleted. "
            "Close it instead."
        )
    return True


ACTIONS = ActionTable(
    FundingSourceAction,
    {
        FundingSourceAction.edit: Rule(Permission.funding_sources_manage, _whole_organisation),
        FundingSourceAction.delete: Rule(
            Permission.funding_sources_manage, steps(_whole_organisation, _never_drawn)
        ),
    },
)


def action_contexts(session: Session, sources: Sequence[FundingSource]) -> list[FundingSourceContext]:
    """The contexts of `sources` in one query, however many there are."""
    if not sources:
        return []
    pending: dict[uuid.UUID, int] = {}
    counts: dict[uuid.UUID, int] = {}
    open_pence = func.sum(case((col(Drawdown.status).in_(OPEN_STATUSES), Drawdown.amount_pence), else_=0))
    for source_id, pence, count in session.execute(
        select(Drawdown.funding_source_id, open_pence, func.count())
        .where(col(Drawdown.funding_source_id).in_([s.id for s in sources]))
        .group_by(col(Drawdown.funding_source_id))
    ).all():
        pending[source_id], counts[source_id] = int(pence or 0), int(count)
    return [FundingSourceContext(s, pending.get(s.id, 0), counts.get(s.id, 0)) for s in sources]


def action_context(session: Session, source: FundingSource) -> FundingSourceContext:
    return action_contexts(session, [source])[0]


def _public(actor: Actor, context: FundingSourceContext) -> FundingSourcePublic:
    source = context.source
    return FundingSourcePublic.model_validate(
        {
            **source.model_dump(),
            "opening_balance": source.opening_balance_pence,
            "committed": source.committed_pence,
            "pending": context.pending,
            "remaining": source.opening_balance_pence - source.committed_pence,
            "allowed_actions": ACTIONS.allowed(actor, context),
        }
    )


def source_view(session: Session, actor: Actor, source: FundingSource) -> FundingSourcePublic:
    return _public(actor, action_context(session, source))


SORTS = {"name": FundingSource.name, "created_at": FundingSource.created_at, "kind": FundingSource.kind}


def list_sources(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    kind: FundingKind | None,
    status: FundingStatus | None,
    q: str | None,
    sort: str,
) -> Page[FundingSourcePublic]:
    statement = select(FundingSource).where(FundingSource.organisation_id == actor.organisation_id)
    if kind is not None:
        statement = statement.where(FundingSource.kind == kind.value)
    if status is not None:
        statement = statement.where(FundingSource.status == status.value)
    if q:
        statement = statement.where(text_search(q, FundingSource.name, FundingSource.description))
    statement = statement.order_by(*order_by(sort, SORTS, FundingSource.id))
    result = paginate(session, statement, page)
    return Page[FundingSourcePublic](
        items=[_public(actor, c) for c in action_contexts(session, result.items)],
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


def _name_free(session: Session, organisation_id: uuid.UUID, name: str) -> None:
    taken = session.execute(
        select(FundingSource.id).where(
            FundingSource.organisation_id == organisation_id, func.lower(FundingSource.name) == name.lower()
        )
    ).first()
    if taken:
        raise Conflict(f"There is already a funding source called '{name}'.")


def create_source(
    session: Session, actor: Actor | None, organisation_id: uuid.UUID, data: FundingSourceCreate
) -> FundingSource:
    if actor is not None:
        enforce(for_whole_organisation(actor, Permission.funding_sources_manage, "funding sources"))
    _name_free(session, organisation_id, data.name)
    source = FundingSource(
        organisation_id=organisation_id,
        name=data.name,
        kind=data.kind.value,
        description=data.description,
        opening_balance_pence=data.opening_balance,
        first_year=data.first_year,
        last_year=data.last_year,
    )
    audit.created(session, actor, source, "funding_source")
    return source


def update_source(
    session: Session, actor: Actor, source: FundingSource, data: FundingSourceUpdate
) -> FundingSource:
    ACTIONS.guard(actor, FundingSourceAction.edit, action_context(session, source))
    # Attributes, not model_dump(): that would write the amount back out as pounds text.
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    for name in ("name", "kind", "description", "opening_balance", "status"):
        if name in changes and changes[name] is None:
            del changes[name]  # only the year limits can be removed
    if "name" in changes and changes["name"].lower() != source.name.lower():
        _name_free(session, source.organisation_id, changes["name"])
    if "opening_balance" in changes:
        # Lock the row: an approval committing now must not slip under the new balance.
        session.refresh(source, with_for_update=True)
        opening = changes.pop("opening_balance")
        if opening < source.committed_pence:
            raise Conflict(
                f"{pounds_label(source.committed_pence)} is already committed from '{source.name}': "
                f"the opening balance cannot be lower than that."
            )
        changes["opening_balance_pence"] = opening
    first, last = changes.get("first_year", source.first_year), changes.get("last_year", source.last_year)
    if first and last and last < first:  # "2022/23" labels sort as their years do
        raise Conflict(f"The last year ({last}) would be before the first year ({first}).")
    if changes:
        audit.changed(session, actor, source, "funding_source", changes)
    return source


def delete_source(session: Session, actor: Actor, source: FundingSource) -> None:
    ACTIONS.guard(actor, FundingSourceAction.delete, action_context(session, source))
    audit.deleted(session, actor, source, "funding_source")


def remaining_of(session: Session, source_id: uuid.UUID) -> int:
    opening, committed = session.execute(
        select(FundingSource.opening_balance_pence, FundingSource.committed_pence).where(
            FundingSource.id == source_id
        )
    ).one()
    return int(opening) - int(committed)


def commit_amount(session: Session, actor: Actor | None, source: FundingSource, amount_pence: int) -> None:
    """Commit `amount_pence` against `source`, or 409 naming what remains. One conditional
    UPDATE: the check and the change are a single statement, so nothing can come between."""
    table = FundingSource.__table__  # type: ignore[attr-defined]
    result = session.execute(
        update(table)
        .where(
            table.c.id == source.id,
            table.c.organisation_id == source.organisation_id,
            table.c.status == FundingStatus.open.value,
            table.c.committed_pence + amount_pence <= table.c.opening_balance_pence,
        )
        .values(
            committed_pence=table.c.committed_pence + amount_pence,
            version=table.c.version + 1,
            updated_at=utcnow(),
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(source)
        if source.status != FundingStatus.open.value:
            raise Conflict(f"'{source.name}' is closed: nothing more can be drawn from it.")
        raise Conflict(
            f"Approving {pounds_label(amount_pence)} would overdraw '{source.name}': only "
            f"{pounds_label(source.opening_balance_pence - source.committed_pence)} remains.",
            extra={"remaining": pounds_text(source.opening_balance_pence - source.committed_pence)},
        )
    session.refresh(source)
    after = audit.snapshot(source)
    before = {
        **after,
        "committed_pence": source.committed_pence - amount_pence,
        "version": source.version - 1,
    }
    audit.record(
        session,
        actor,
        organisation_id=source.organisation_id,
        action="commit",
        record_type="funding_source",
        record_id=source.id,
        before=before,
        after=after,
    )
