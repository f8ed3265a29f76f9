"""The key decisions forward plan (regulations 9 to 11 of the 2012 Regulations).

A Cabinet referral goes on the plan with its meeting date and the day the notice was
published. Notice is counted in CLEAR days: the day of publication and the day of the
meeting are left out, so a notice published on 1 March for a meeting on 30 March gives 28.
A key decision may be taken only with 28 clear days' notice, or under the general exception
(the scrutiny chair told in writing, 5 clear days' public notice) or special urgency (the
scrutiny chair's agreement), recorded with its reasons: `check_may_be_taken` is the one
place that decides, called by the Cabinet decision on the draw-down.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.permissions import Actor, Permission
from pmo.core.references import next_reference
from pmo.decisions.forward_plan_schemas import (
    ForwardPlanEntryAction,
    ForwardPlanEntryCreate,
    ForwardPlanEntryPublic,
    ForwardPlanEntryPublished,
    ForwardPlanExceptionCreate,
    ForwardPlanPage,
    NoticeException,
)
from pmo.decisions.models import DecisionSettings, ForwardPlanEntry
from pmo.decisions.settings_service import settings_of
from pmo.finance.funding_service import pounds_label
from pmo.finance.models import Drawdown

NOTICE_CLEAR_DAYS = 28  # regulation 9
GENERAL_EXCEPTION_CLEAR_DAYS = 5  # regulation 10


def clear_days(published_on: date, meeting_date: date) -> int:
    """Days between the two, leaving out the day of publication and the day of the meeting."""
    return (meeting_date - published_on).days - 1


@dataclass(frozen=True)
class KeyDecision:
    is_key: bool
    reason: str


def key_decision(
    settings: DecisionSettings,
    spending: int,
    saving: int | None,
    wards: list[str],
    significant_in_wards: bool,
) -> KeyDecision:
    """Whether a decision is a key decision under the organisation's thresholds, and why."""
    reasons = []
    if spending > settings.key_decision_spending_threshold_pence:
        reasons.append(
            f"spending of {pounds_label(spending)} is above the "
            f"{pounds_label(settings.key_decision_spending_threshold_pence)} threshold"
        )
    if saving is not None and saving > settings.key_decision_saving_threshold_pence:
        reasons.append(
            f"a saving of {pounds_label(saving)} is above the "
            f"{pounds_label(settings.key_decision_saving_threshold_pence)} threshold"
        )
    if significant_in_wards and len(wards) >= settings.key_decision_min_wards:
        reasons.append(
            f"it is significant for the communities of {len(wards)} wards "
            f"({settings.key_decision_min_wards} or more make it key)"
        )
    if reasons:
        return KeyDecision(True, "A key decision: " + "; ".join(reasons) + ".")
    return KeyDecision(
        False,
        f"Not a key decision: spending of {pounds_label(spending)} is within the "
        f"{pounds_label(settings.key_decision_spending_threshold_pence)} threshold, any saving within "
        f"{pounds_label(settings.key_decision_saving_threshold_pence)}, and it is not significant for "
        f"{settings.key_decision_min_wards} or more wards.",
    )


@dataclass(frozen=True)
class Notice:
    may_be_taken: bool
    reason: str  # why it may, or why not
    warning: str | None  # a key decision listed with less than 28 clear days


def notice_for(entry: ForwardPlanEntry, meeting_date: date) -> Notice:
    """Whether the decision on `entry` may be taken at a meeting on `meeting_date`."""
    days = clear_days(entry.published_on, meeting_date)
    listed = f"listed on the forward plan {days} clear days before the meeting of {meeting_date.isoformat()}"
    if not entry.is_key_decision:
        return Notice(True, f"Not a key decision; {listed}.", None)
    if days >= NOTICE_CLEAR_DAYS:
        return Notice(True, f"A key decision {listed} (28 needed).", None)
    warning = (
        f"Only {days} clear days' notice: a key decision needs {NOTICE_CLEAR_DAYS}, or the general "
        "exception or special urgency recorded with its reasons."
    )
    if entry.exception == NoticeException.special_urgency.value:
        return Notice(
            True,
            f"A key decision {listed}, taken under special urgency agreed by {entry.scrutiny_chair_name}, "
            "chair of the scrutiny committee.",
            warning,
        )
    if entry.exception == NoticeException.general_exception.value and entry.exception_notice_published_on:
        notice_days = clear_days(entry.exception_notice_published_on, meeting_date)
        if notice_days >= GENERAL_EXCEPTION_CLEAR_DAYS:
            return Notice(
                True,
                f"A key decision {listed}, taken under the general exception: {entry.scrutiny_chair_name}, "
                f"chair of the scrutiny committee, told in writing; public notice {notice_days} clear days "
                "before the meeting.",
                warning,
            )
        return Notice(
            False,
            f"A key decision {listed}: the general exception's public notice gave {notice_days} clear days, "
            f"and it needs {GENERAL_EXCEPTION_CLEAR_DAYS}. Record special urgency (the scrutiny chair's "
            "agreement) or take the decision at a later meeting.",
            warning,
        )
    return Notice(
        False,
        f"A key decision {listed}: it needs {NOTICE_CLEAR_DAYS} clear days' notice, or the general exception "
        "(the scrutiny chair told in writing and 5 clear days' public notice) or special urgency (the "
        "scrutiny chair's agreement) recorded with its reasons.",
        warning,
    )


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class EntryContext:
    entry: ForwardPlanEntry
    drawdown: Drawdown


def _undecided(_actor: Actor, c: EntryContext) -> Verdict:
    if c.drawdown.status != "referred":
        return Blocked(f"{c.drawdown.reference} is {c.drawdown.status}: its decision has been taken.")
    return True


def _short_notice(_actor: Actor, c: EntryContext) -> Verdict:
    if not c.entry.is_key_decision:
        return Blocked(
            f"{c.entry.reference} is not a key decision: it needs no exception to the notice rule."
        )
    if clear_days(c.entry.published_on, c.entry.meeting_date) >= NOTICE_CLEAR_DAYS:
        return Blocked(f"{c.entry.reference} was listed with 28 clear days' notice: it needs no exception.")
    return True


ACTIONS = ActionTable(
    ForwardPlanEntryAction,
    {
        ForwardPlanEntryAction.record_exception: Rule(
            Permission.committee_decisions_record, steps(_undecided, _short_notice)
        ),
    },
)


def action_contexts(session: Session, entries: Sequence[ForwardPlanEntry]) -> list[EntryContext]:
    """The contexts of `entries` in one query, however many there are."""
    ids = {e.drawdown_id for e in entries}
    drawdowns = (
        {d.id: d for d in session.execute(select(Drawdown).where(col(Drawdown.id).in_(ids))).scalars()}
        if ids
        else {}
    )
    return [EntryContext(e, drawdowns[e.drawdown_id]) for e in entries]


def entry_public(
    session: Session, actor: Actor, entry: ForwardPlanEntry, context: EntryContext | None = None
) -> ForwardPlanEntryPublic:
    """The entry as `actor` sees it (`context`: its actions' context, when a page has them)."""
    context = context or action_contexts(session, [entry])[0]
    notice = notice_for(entry, entry.meeting_date)
    exception_days = (
        clear_days(entry.exception_notice_published_on, entry.meeting_date)
        if entry.exception_notice_published_on
        else None
    )
    return ForwardPlanEntryPublic.model_validate(
        {
            **entry.model_dump(),
            "clear_days": clear_days(entry.published_on, entry.meeting_date),
            "spending": entry.spending_pence,
            "saving": entry.saving_pence,
            "exception_notice_clear_days": exception_days,
            "may_be_taken": notice.may_be_taken,
            "notice_warning": notice.warning,
            "allowed_actions": ACTIONS.allowed(actor, context),
        }
    )


def entry_published(entry: ForwardPlanEntry) -> ForwardPlanEntryPublished:
    return ForwardPlanEntryPublished.model_validate(
        {**entry.model_dump(), "clear_days": clear_days(entry.published_on, entry.meeting_date)}
    )


def get_entry(session: Session, actor: Actor, entry_id: uuid.UUID) -> ForwardPlanEntry:
    entry = session.get(ForwardPlanEntry, entry_id)
    if entry is None or entry.organisation_id != actor.organisation_id:
        raise NotFound("No forward plan entry with that id in your organisation.")
    return entry


def entry_of_drawdown(session: Session, drawdown_id: uuid.UUID) -> ForwardPlanEntry | None:
    return session.execute(
        select(ForwardPlanEntry).where(ForwardPlanEntry.drawdown_id == drawdown_id)
    ).scalar_one_or_none()


SORTS = {"meeting_date": ForwardPlanEntry.meeting_date, "reference": ForwardPlanEntry.reference}


def plan_statement(organisation_id: uuid.UUID, meeting_from: date | None, key_only: bool) -> Any:
    statement = select(ForwardPlanEntry).where(ForwardPlanEntry.organisation_id == organisation_id)
    if meeting_from is not None:
        statement = statement.where(col(ForwardPlanEntry.meeting_date) >= meeting_from)
    if key_only:
        statement = statement.where(col(ForwardPlanEntry.is_key_decision).is_(True))
    return statement


def list_entries(
    session: Session,
    actor: Actor,
    page: PageParams,
    sort: str,
    meeting_from: date | None = None,
    key_only: bool = False,
) -> ForwardPlanPage:
    statement = plan_statement(actor.organisation_id, meeting_from, key_only).order_by(
        *order_by(sort, SORTS, ForwardPlanEntry.id)
    )
    result = paginate(session, statement, page)
    entries = list(result.items)
    contexts = action_contexts(session, entries)
    # Built from the public models themselves: a round trip through JSON would turn a saving's
    # pounds back into text the page's pence field refuses.
    return ForwardPlanPage(
        items=[entry_public(session, actor, e, c) for e, c in zip(entries, contexts, strict=True)],
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


def all_entries(
    session: Session, organisation_id: uuid.UUID, meeting_from: date | None
) -> list[ForwardPlanEntry]:
    """The whole plan in meeting order, for an export."""
    statement = plan_statement(organisation_id, meeting_from, False).order_by(
        col(ForwardPlanEntry.meeting_date), col(ForwardPlanEntry.reference)
    )
    return list(session.execute(statement).scalars())


def _drawdown_problem(message: str) -> Unprocessable:
    return Unprocessable(
        message, errors=[FieldProblem(location=["body", "drawdown_id"], message=message, type="value_error")]
    )


def create_entry(session: Session, actor: Actor, data: ForwardPlanEntryCreate) -> ForwardPlanEntry:
    drawdown = session.get(Drawdown, data.drawdown_id)
    if drawdown is None or drawdown.organisation_id != actor.organisation_id:
        raise NotFound("No draw-down request with that id (drawdown_id) in your organisation.")
    if drawdown.route != "cabinet":
        raise _drawdown_problem(
            f"{drawdown.reference} is not referred to Cabinet (its route is {drawdown.route}): "
            "only Cabinet (executive) decisions go on the forward plan."
        )
    if drawdown.status != "referred":
        raise Conflict(
            f"{drawdown.reference} is {drawdown.status}: only a decision still to be taken is listed."
        )
    if entry_of_drawdown(session, drawdown.id) is not None:
        raise Conflict(f"{drawdown.reference} is on the forward plan already.")
    key = key_decision(
        settings_of(session, actor.organisation_id),
        drawdown.amount_pence,
        data.saving,
        data.wards_affected,
        data.significant_in_wards,
    )
    entry = ForwardPlanEntry(
        organisation_id=actor.organisation_id,
        reference=next_reference(session, actor.organisation_id, "FP"),
        drawdown_id=drawdown.id,
        title=data.title or f"{drawdown.reference}: {drawdown.purpose}"[:500],
        summary=data.summary,
        decision_maker="cabinet",
        meeting_date=data.meeting_date,
        published_on=data.published_on,
        spending_pence=drawdown.amount_pence,
        saving_pence=data.saving,
        wards_affected=data.wards_affected,
        significant_in_wards=data.significant_in_wards,
        is_key_decision=key.is_key,
        key_decision_reason=key.reason,
    )
    audit.created(session, actor, entry, "forward_plan_entry")
    return entry


def record_exception(
    session: Session, actor: Actor, entry: ForwardPlanEntry, data: ForwardPlanExceptionCreate
) -> ForwardPlanEntry:
    ACTIONS.guard(actor, ForwardPlanEntryAction.record_exception, action_contexts(session, [entry])[0])
    if data.scrutiny_chair_date > entry.meeting_date:
        raise Unprocessable(
            "The scrutiny chair must be told, or agree, before the meeting.",
            errors=[
                FieldProblem(
                    location=["body", "scrutiny_chair_date"], message="after the meeting", type="value_error"
                )
            ],
        )
    if data.notice_published_on is not None and data.notice_published_on >= entry.meeting_date:
        raise Unprocessable(
            "The public notice must be published before the meeting.",
            errors=[
                FieldProblem(
                    location=["body", "notice_published_on"],
                    message="not before the meeting",
                    type="value_error",
                )
            ],
        )
    changes = {
        "exception": data.kind.value,
        "exception_reasons": data.reasons,
        "scrutiny_chair_name": data.scrutiny_chair_name,
        "scrutiny_chair_date": data.scrutiny_chair_date,
        "exception_notice_published_on": data.notice_published_on,
        "exception_recorded_by_id": actor.id,
    }
    audit.changed(session, actor, entry, "forward_plan_entry", changes, action="record_exception")
    return entry


def check_may_be_taken(session: Session, drawdown: Drawdown, meeting_date: date) -> None:
    """Refuse (409) the Cabinet outcome of a key decision taken without the notice the
    regulations require. A referral not on the plan is a key decision if its spending is
    above the threshold (wards and savings are only known from its listing)."""
    entry = entry_of_drawdown(session, drawdown.id)
    if entry is None:
        key = key_decision(
            settings_of(session, drawdown.organisation_id), drawdown.amount_pence, None, [], False
        )
        if key.is_key:
            raise Conflict(
                f"{drawdown.reference} is a key decision ({key.reason.removeprefix('A key decision: ')}) "
                "and is not on the forward plan: it cannot be taken until it has been listed 28 clear "
                "days before the meeting, or the general exception or special urgency is recorded."
            )
        return
    notice = notice_for(entry, meeting_date)
    if not notice.may_be_taken:
        raise Conflict(f"{drawdown.reference} ({entry.reference}) cannot be decided: {notice.reason}")
