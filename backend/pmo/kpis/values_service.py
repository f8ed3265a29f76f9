"""KPI values: one per KPI per period, their workflow and the earlier versions of published ones.

draft -> submitted -> verified -> published. Who takes which step:

* enter, change and submit a draft: whoever may submit for the KPI (`pmo.kpis.policies`);
* verify, publish, or return a submitted or verified value to draft (with a reason): the PMO
  (`kpi_values:verify`); while submitted or verified only the PMO changes or deletes it;
* change a published value: the PMO only, with a reason; the earlier content is kept as a
  `KpiValueRevision` and the value stays published. Published values are never deleted.

A step from the wrong state is 409. A value the actor may not see (a draft, to a reader or an
API client) is 404, as if it did not exist. Every write is audited (`kpi_value`) and moves the
organisation's KPI feed revision on.
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
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.periods import InvalidPeriod, parse_period_code
from pmo.core.permissions import Actor, Denied, Permission
from pmo.kpis import policies
from pmo.kpis import service as kpi_definitions
from pmo.kpis.assessment import Assessment, assess
from pmo.kpis.calculations import at_places
from pmo.kpis.feed_state import mark_changed, mark_values_changed, value_and_dependants
from pmo.kpis.models import Kpi, KpiValue, KpiValueRevision
from pmo.kpis.schemas import (
    AssessmentPublic,
    KpiAction,
    KpiValueAction,
    ReturnToDraft,
    RevisionList,
    RevisionPublic,
    ValueCreate,
    ValuePublic,
    ValueStatus,
    ValueUpdate,
)
from pmo.kpis.service import check_number, period_of, period_public
from pmo.portfolio.models import Project
from pmo.webhooks import emitters

# Presenting ------------------------------------------------------------------------------


def assessment_public(kpi: Kpi, assessment: Assessment) -> AssessmentPublic:
    places = kpi.decimal_places

    def shown(number: Any) -> Any:
        return at_places(number, places) if number is not None else None

    return AssessmentPublic(
        target=shown(assessment.target),
        tolerance_percent=assessment.tolerance_percent,
        rag=assessment.rag,
        previous_period=assessment.previous_period,
        previous_actual=shown(assessment.previous_actual),
        direction_vs_previous=assessment.direction_vs_previous,
        change_vs_previous_percent=assessment.change_vs_previous_percent,
        year_before_period=assessment.year_before_period,
        year_before_actual=shown(assessment.year_before_actual),
        direction_vs_year_before=assessment.direction_vs_year_before,
        change_vs_year_before_percent=assessment.change_vs_year_before_percent,
    )


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class ValueContext:
    kpi: Kpi
    value: KpiValue
    may_submit: bool  # `policies.can_submit` for the value's KPI


def _in_state(*allowed: ValueStatus, step: str) -> Any:
    def check(_actor: Actor, c: ValueContext) -> Verdict:
        if c.value.status not in allowed:
            names = " or ".join(s.value for s in allowed)
            return Blocked(
                f"The {c.kpi.code} value for {c.value.period_code} is {c.value.status}: "
                f"only a {names} value can be {step}."
            )
        return True

    return check


def _submitter(actor: Actor, c: ValueContext) -> Verdict:
    return True if c.may_submit else policies.cannot_submit(actor, c.kpi)


def _editor(actor: Actor, c: ValueContext) -> Verdict:
    """Drafts: whoever may submit for the KPI. Submitted or verified: the PMO. Published: the
    PMO, with a reason (checked by `update_value`)."""
    if c.value.status == ValueStatus.draft:
        return _submitter(actor, c)
    if Permission.kpi_values_verify not in actor.permissions():
        return Denied(
            f"The {c.kpi.code} value for {c.value.period_code} is {c.value.status}: only the PMO changes it "
            "now (ask them to return it to draft)."
        )
    return True


def _not_published(_actor: Actor, c: ValueContext) -> Verdict:
    if c.value.status == ValueStatus.published:
        return Blocked(
            f"The {c.kpi.code} value for {c.value.period_code} is published: it is a record and is not "
            "deleted (the PMO may correct it, keeping the earlier version)."
        )
    return True


V = ValueStatus
ACTIONS = ActionTable(
    KpiValueAction,
    {
        KpiValueAction.edit: Rule(Permission.kpi_values_submit, _editor),
        KpiValueAction.delete: Rule(Permission.kpi_values_submit, steps(_not_published, _editor)),
        KpiValueAction.submit: Rule(
            Permission.kpi_values_submit, steps(_submitter, _in_state(V.draft, step="submitted"))
        ),
        KpiValueAction.verify: Rule(Permission.kpi_values_verify, _in_state(V.submitted, step="verified")),
        KpiValueAction.publish: Rule(Permission.kpi_values_verify, _in_state(V.verified, step="published")),
        KpiValueAction.return_to_draft: Rule(
            Permission.kpi_values_verify, _in_state(V.submitted, V.verified, step="returned to draft")
        ),
    },
)


def _kpis_of(session: Session, values: Sequence[KpiValue]) -> dict[uuid.UUID, Kpi]:
    ids = {v.kpi_id for v in values}
    return {k.id: k for k in session.execute(select(Kpi).where(col(Kpi.id).in_(ids))).scalars()}


def action_contexts(session: Session, actor: Actor, values: Sequence[KpiValue]) -> list[ValueContext]:
    """The contexts of `values` in two queries, however many there are."""
    kpis = _kpis_of(session, values)
    submittable = policies.submittable(session, actor, list(kpis))
    return [ValueContext(kpis[v.kpi_id], v, v.kpi_id in submittable) for v in values]


def action_context(session: Session, actor: Actor, kpi: Kpi, value: KpiValue) -> ValueContext:
    return ValueContext(kpi, value, kpi.id in policies.submittable(session, actor, [kpi.id]))


def values_public(
    session: Session, actor: Actor, values: Sequence[KpiValue], *, published_only: bool = True
) -> list[ValuePublic]:
    """Values as the API shows them, each with its period, the server's assessment and what
    `actor` may do to it.

    A constant number of queries for any number of values. Comparisons (previous period, a
    year before) are with published values unless `published_only` is False."""
    if not values:
        return []
    contexts = action_contexts(session, actor, values)
    assessments = assess(session, values, published_only=published_only)
    return [_value_public(actor, c, assessments[c.value.id]) for c in contexts]


def _value_public(actor: Actor, context: ValueContext, assessment: Assessment) -> ValuePublic:
    kpi, value = context.kpi, context.value
    return ValuePublic.model_validate(
        {
            **value.model_dump(),
            "kpi_code": kpi.code,
            "period": period_public(parse_period_code(value.period_code, kpi.frequency)),
            "actual": at_places(value.actual, kpi.decimal_places),
            "assessment": assessment_public(kpi, assessment),
            "allowed_actions": ACTIONS.allowed(actor, context),
        }
    )


def value_public(session: Session, actor: Actor, value: KpiValue) -> ValuePublic:
    return values_public(session, actor, [value])[0]


# Lists -----------------------------------------------------------------------------------

VALUE_SORTS = {
    "period_start": KpiValue.period_start,
    "updated_at": KpiValue.updated_at,
    "created_at": KpiValue.created_at,
    "status": KpiValue.status,
}


def period_start_of(code: str, field: str) -> tuple[date, date]:
    """The dates of any period code (a query filter: 422 if it is not one)."""
    try:
        period = parse_period_code(code)
    except InvalidPeriod as exc:
        raise Unprocessable(
            str(exc), errors=[FieldProblem(location=["query", field], message=str(exc), type="value_error")]
        ) from exc
    return period.start, period.end


def list_values(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    sort: str = "period_start",
    kpi_id: uuid.UUID | None = None,
    status: str | None = None,
    programme_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
) -> Any:
    statement = select(KpiValue).where(
        col(KpiValue.organisation_id) == actor.organisation_id, policies.visible_values(actor)
    )
    if kpi_id is not None:
        statement = statement.where(col(KpiValue.kpi_id) == kpi_id)
    if status is not None:
        statement = statement.where(col(KpiValue.status) == status)
    kpi_conditions: list[Any] = []
    if programme_id is not None:
        # The programme's own KPIs and those of its projects.
        projects = select(Project.id).where(col(Project.programme_id) == programme_id)
        kpi_conditions.append((col(Kpi.programme_id) == programme_id) | col(Kpi.project_id).in_(projects))
    if project_id is not None:
        kpi_conditions.append(col(Kpi.project_id) == project_id)
    if owner_id is not None:
        kpi_conditions.append(col(Kpi.owner_id) == owner_id)
    if kpi_conditions:
        statement = statement.where(col(KpiValue.kpi_id).in_(select(Kpi.id).where(*kpi_conditions)))
    if period_from is not None:
        statement = statement.where(
            col(KpiValue.period_start) >= period_start_of(period_from, "period_from")[0]
        )
    if period_to is not None:
        statement = statement.where(col(KpiValue.period_end) <= period_start_of(period_to, "period_to")[1])
    statement = statement.order_by(*order_by(sort, VALUE_SORTS, KpiValue.id))
    result = paginate(session, statement, page)
    result.items = list(values_public(session, actor, result.items))
    return result


# One value -------------------------------------------------------------------------------


def get_value(session: Session, actor: Actor, value_id: uuid.UUID) -> tuple[Kpi, KpiValue]:
    value = session.get(KpiValue, value_id)
    if value is None or value.organisation_id != actor.organisation_id:
        raise NotFound("No KPI value with that id in your organisation.")
    kpi = session.get_one(Kpi, value.kpi_id)
    if not policies.can_see(session, actor, kpi, value):
        # Not published, and not yours to see: as if it did not exist.
        raise NotFound("No KPI value with that id in your organisation.")
    return kpi, value


def _changed_with_reason(
    session: Session, actor: Actor, value: KpiValue, changes: dict[str, Any], action: str, reason: str = ""
) -> None:
    """`audit.changed`, with the reason (which the value has no column for) kept in the event."""
    before = audit.snapshot(value)
    for name, new in changes.items():
        setattr(value, name, new)
    value.updated_at = utcnow()
    session.add(value)
    session.flush()
    after = audit.snapshot(value)
    audit.record(
        session,
        actor,
        organisation_id=value.organisation_id,
        action=action,
        record_type="kpi_value",
        record_id=value.id,
        before=before,
        after={**after, "reason": reason} if reason else after,
    )
    if value.status == ValueStatus.published:
        # A new published version: it, and what compares with it, come next in the feed.
        mark_values_changed(session, value.organisation_id, value_and_dependants(value))
    else:
        mark_changed(session, value.organisation_id)


def create_value(session: Session, actor: Actor, kpi: Kpi, data: ValueCreate) -> KpiValue:
    kpi_definitions.ACTIONS.guard(
        actor, KpiAction.record_value, kpi_definitions.action_context(session, actor, kpi)
    )
    period = period_of(kpi.frequency, data.period_code)
    actual = check_number(kpi.unit, kpi.decimal_places, data.actual, "actual")
    taken = session.execute(
        select(KpiValue.id).where(col(KpiValue.kpi_id) == kpi.id, col(KpiValue.period_code) == period.code)
    ).first()
    if taken is not None:
        raise Conflict(f"{kpi.code} already has a value for {period.label}: change that one instead.")
    value = KpiValue(
        organisation_id=kpi.organisation_id,
        kpi_id=kpi.id,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        actual=actual,
        commentary=data.commentary,
        status=ValueStatus.draft.value,
        entered_by_id=actor.id if actor.kind == "user" else None,
    )
    audit.created(session, actor, value, "kpi_value")
    mark_changed(session, kpi.organisation_id)
    return value


def update_value(session: Session, actor: Actor, kpi: Kpi, value: KpiValue, data: ValueUpdate) -> KpiValue:
    ACTIONS.guard(actor, KpiValueAction.edit, action_context(session, actor, kpi, value))
    changes = {
        name: new
        for name, new in data.model_dump(exclude_unset=True, exclude={"reason"}).items()
        if new is not None
    }
    if "actual" in changes:
        changes["actual"] = check_number(kpi.unit, kpi.decimal_places, changes["actual"], "actual")
    if value.status != ValueStatus.published:
        _changed_with_reason(session, actor, value, changes, "update", data.reason or "")
        return value
    if not data.reason:
        raise Unprocessable(
            "Say why a published value is being changed: give a reason (kept with the earlier version).",
            errors=[
                FieldProblem(
                    location=["body", "reason"], message="required for a published value", type="missing"
                )
            ],
        )
    now = utcnow()
    revision = KpiValueRevision(
        organisation_id=value.organisation_id,
        value_id=value.id,
        version=value.version,
        actual=value.actual,
        commentary=value.commentary,
        status=value.status,
        published_at=value.published_at,
        published_by_id=value.published_by_id,
        replaced_at=now,
        replaced_by_id=actor.id if actor.kind == "user" else None,
        reason=data.reason,
    )
    audit.created(session, actor, revision, "kpi_value_revision")
    # Still published, now with the new content, published by whoever changed it.
    changes |= {"published_at": now, "published_by_id": revision.replaced_by_id}
    _changed_with_reason(session, actor, value, changes, "revise", data.reason)
    emitters.kpi_value_published(session, kpi, value)
    return value


def delete_value(session: Session, actor: Actor, kpi: Kpi, value: KpiValue) -> None:
    ACTIONS.guard(actor, KpiValueAction.delete, action_context(session, actor, kpi, value))
    audit.deleted(session, actor, value, "kpi_value")
    mark_changed(session, value.organisation_id)


# Workflow --------------------------------------------------------------------------------


def _me(actor: Actor) -> uuid.UUID | None:
    return actor.id if actor.kind == "user" else None


def submit(session: Session, actor: Actor, kpi: Kpi, value: KpiValue) -> KpiValue:
    ACTIONS.guard(actor, KpiValueAction.submit, action_context(session, actor, kpi, value))
    changes = {"status": ValueStatus.submitted.value, "submitted_by_id": _me(actor), "submitted_at": utcnow()}
    _changed_with_reason(session, actor, value, changes, "submit")
    return value


def verify(session: Session, actor: Actor, kpi: Kpi, value: KpiValue) -> KpiValue:
    ACTIONS.guard(actor, KpiValueAction.verify, action_context(session, actor, kpi, value))
    changes = {"status": ValueStatus.verified.value, "verified_by_id": _me(actor), "verified_at": utcnow()}
    _changed_with_reason(session, actor, value, changes, "verify")
    return value


def publish(session: Session, actor: Actor, kpi: Kpi, value: KpiValue) -> KpiValue:
    ACTIONS.guard(actor, KpiValueAction.publish, action_context(session, actor, kpi, value))
    changes = {"status": ValueStatus.published.value, "published_by_id": _me(actor), "published_at": utcnow()}
    _changed_with_reason(session, actor, value, changes, "publish")
    emitters.kpi_value_published(session, kpi, value)
    return value


def return_to_draft(
    session: Session, actor: Actor, kpi: Kpi, value: KpiValue, data: ReturnToDraft
) -> KpiValue:
    ACTIONS.guard(actor, KpiValueAction.return_to_draft, action_context(session, actor, kpi, value))
    changes = {
        "status": ValueStatus.draft.value,
        "submitted_by_id": None,
        "submitted_at": None,
        "verified_by_id": None,
        "verified_at": None,
    }
    _changed_with_reason(session, actor, value, changes, "return", data.reason)
    return value


def revisions(session: Session, value: KpiValue) -> RevisionList:
    kpi = session.get_one(Kpi, value.kpi_id)
    rows = session.execute(
        select(KpiValueRevision)
        .where(col(KpiValueRevision.value_id) == value.id)
        .order_by(col(KpiValueRevision.version), col(KpiValueRevision.id))
    ).scalars()
    return RevisionList(
        items=[
            RevisionPublic.model_validate(
                {**row.model_dump(), "actual": at_places(row.actual, kpi.decimal_places)}
            )
            for row in rows
        ]
    )
