"""KPI definitions and their targets: the rules, the checks and how they are shown.

Takes a session and the actor; never commits. Every record is looked up within the actor's
organisation first (another organisation's KPI, owner, programme or project is 404). Every
write is audited (`kpi`, `kpi_target`) and moves the organisation's KPI feed revision on
(`feed_state.mark_changed`), so pull clients see the change.

Rules:

* A code is unique in the organisation (409).
* A KPI links to at most one of a programme or a project of the organisation.
* The baseline is a value and a period together, the period of the KPI's frequency.
* Numbers fit the unit (a percentage is 0-100) and the KPI's decimal places (422).
* Frequency and unit do not change once the KPI has values or targets, nor do decimal places
  go down (409): the history would no longer mean what it meant.
* Retired KPIs keep their history, drop out of scorecards and accept no new values.
* A target per period of the KPI's frequency (422 for another frequency, 409 for a second).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Blocked, Rule, Verdict, steps
from pmo.core.db import utcnow
from pmo.core.errors import Conflict, FieldProblem, NotFound, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.periods import InvalidPeriod, Period, parse_period_code
from pmo.core.permissions import Actor, Permission
from pmo.core.schemas import Page
from pmo.kpis import policies
from pmo.kpis.calculations import at_places, unit_error
from pmo.kpis.feed_state import in_period, mark_changed, mark_values_changed, of_kpis
from pmo.kpis.models import Kpi, KpiTarget, KpiValue
from pmo.kpis.schemas import (
    NULLABLE_KPI_FIELDS,
    KpiAction,
    KpiCreate,
    KpiPublic,
    KpiStatus,
    KpiTargetAction,
    KpiUpdate,
    PeriodPublic,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
)
from pmo.organisations.models import User
from pmo.portfolio.models import Programme, Project

# Presenting ------------------------------------------------------------------------------


def period_public(period: Period) -> PeriodPublic:
    return PeriodPublic(code=period.code, label=period.label, start=period.start, end=period.end)


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.


@dataclass(frozen=True)
class KpiContext:
    kpi: Kpi
    may_submit: bool  # `policies.can_submit` for the KPI


def _anyway(_actor: Actor, _c: KpiContext) -> Verdict:
    return True


def _in_status(status: KpiStatus) -> Any:
    def check(_actor: Actor, c: KpiContext) -> Verdict:
        if c.kpi.status != status:
            return Blocked(f"{c.kpi.code} is already {c.kpi.status}.")
        return True

    return check


def _submitter(actor: Actor, c: KpiContext) -> Verdict:
    return True if c.may_submit else policies.cannot_submit(actor, c.kpi)


def _takes_values(_actor: Actor, c: KpiContext) -> Verdict:
    if c.kpi.status == KpiStatus.retired:
        return Blocked(f"{c.kpi.code} is retired: it keeps its history but takes no new values.")
    return True


_MANAGE = Permission.kpis_manage
ACTIONS = ActionTable(
    KpiAction,
    {
        KpiAction.edit: Rule(_MANAGE, _anyway),
        KpiAction.retire: Rule(_MANAGE, _in_status(KpiStatus.active)),
        KpiAction.reinstate: Rule(_MANAGE, _in_status(KpiStatus.retired)),
        KpiAction.add_target: Rule(_MANAGE, _anyway),
        KpiAction.record_value: Rule(Permission.kpi_values_submit, steps(_submitter, _takes_values)),
    },
)


def _any_target(_actor: Actor, _target: KpiTarget) -> Verdict:
    return True


# A target's routes check the permission only (the PMO's): the target is its own context.
TARGET_ACTIONS = ActionTable(
    KpiTargetAction,
    {
        KpiTargetAction.edit: Rule(_MANAGE, _any_target),
        KpiTargetAction.delete: Rule(_MANAGE, _any_target),
    },
)


def action_contexts(session: Session, actor: Actor, kpis: Sequence[Kpi]) -> list[KpiContext]:
    """The contexts of `kpis` in one query, however many there are."""
    submittable = policies.submittable(session, actor, [k.id for k in kpis])
    return [KpiContext(k, k.id in submittable) for k in kpis]


def action_context(session: Session, actor: Actor, kpi: Kpi) -> KpiContext:
    return action_contexts(session, actor, [kpi])[0]


def kpis_public(session: Session, actor: Actor, kpis: Sequence[Kpi]) -> list[KpiPublic]:
    """KPI definitions as the API shows them, each with what `actor` may do to it."""
    return [
        KpiPublic.model_validate(
            {
                **c.kpi.model_dump(),
                "baseline_value": at_places(c.kpi.baseline_value, c.kpi.decimal_places)
                if c.kpi.baseline_value is not None
                else None,
                "baseline_period": period_public(parse_period_code(c.kpi.baseline_period, c.kpi.frequency))
                if c.kpi.baseline_period
                else None,
                "allowed_actions": ACTIONS.allowed(actor, c),
            }
        )
        for c in action_contexts(session, actor, kpis)
    ]


def kpi_public(session: Session, actor: Actor, kpi: Kpi) -> KpiPublic:
    return kpis_public(session, actor, [kpi])[0]


def target_public(actor: Actor, kpi: Kpi, target: KpiTarget) -> TargetPublic:
    return TargetPublic.model_validate(
        {
            **target.model_dump(),
            "period": period_public(parse_period_code(target.period_code, kpi.frequency)),
            "target": at_places(target.target, kpi.decimal_places),
            "allowed_actions": TARGET_ACTIONS.allowed(actor, target),
        }
    )


# Checks ----------------------------------------------------------------------------------


def _field_error(name: str, message: str, detail: str | None = None) -> Unprocessable:
    return Unprocessable(
        detail or f"{name}: {message}.",
        errors=[FieldProblem(location=["body", name], message=message, type="value_error")],
    )


def period_of(frequency: str, code: str, field: str = "period_code") -> Period:
    """The period `code` names, which must be of `frequency` (422 saying which it is)."""
    try:
        return parse_period_code(code, frequency)
    except InvalidPeriod as exc:
        raise _field_error(field, str(exc), f"{exc}: this KPI is {frequency}.") from exc


def check_number(kpi_unit: str, places: int, value: Decimal, field: str) -> Decimal:
    """`value` fits the unit and the decimal places (422 otherwise); returned at those places."""
    problem = unit_error(kpi_unit, value)
    if problem:
        raise _field_error(field, problem)
    if at_places(value, places) != value:
        raise _field_error(field, f"has more than the KPI's {places} decimal places")
    return at_places(value, places)


def _own(session: Session, actor: Actor, model: Any, record_id: uuid.UUID, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {what} with that id in your organisation.")
    return record


def _check_links(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    if values.get("owner_id") is not None:
        _own(session, actor, User, values["owner_id"], "user (owner_id)")
    if values.get("programme_id") is not None and values.get("project_id") is not None:
        raise _field_error("project_id", "give at most one of programme_id and project_id")
    if values.get("programme_id") is not None:
        _own(session, actor, Programme, values["programme_id"], "programme")
    if values.get("project_id") is not None:
        _own(session, actor, Project, values["project_id"], "project")


def _check_definition(merged: dict[str, Any]) -> dict[str, Any]:
    """Checks across fields of the KPI as it will be; returns the baseline normalised."""
    value, period = merged.get("baseline_value"), merged.get("baseline_period")
    if (value is None) != (period is None):
        raise _field_error("baseline_period", "give baseline_value and baseline_period together, or neither")
    if value is None:
        return {}
    return {
        "baseline_value": check_number(merged["unit"], merged["decimal_places"], value, "baseline_value"),
        "baseline_period": period_of(merged["frequency"], str(period), "baseline_period").code,
    }


def _check_code_free(session: Session, actor: Actor, code: str, kpi_id: uuid.UUID | None = None) -> None:
    # Codes differing only in case would be the same code to a reader.
    taken = session.execute(
        select(Kpi).where(
            col(Kpi.organisation_id) == actor.organisation_id, func.lower(Kpi.code) == code.lower()
        )
    ).scalar_one_or_none()
    if taken is not None and taken.id != kpi_id:
        raise Conflict(f"Your organisation already has a KPI with the code {taken.code}.")


def _has(session: Session, model: Any, kpi: Kpi) -> bool:
    return bool(session.execute(select(exists().where(model.kpi_id == kpi.id))).scalar())


# Definitions -----------------------------------------------------------------------------

KPI_SORTS = {"code": Kpi.code, "name": Kpi.name, "frequency": Kpi.frequency, "updated_at": Kpi.updated_at}


def list_kpis(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    sort: str = "code",
    code: str | None = None,
    programme_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: str | None = None,
    frequency: str | None = None,
    q: str | None = None,
) -> Page[Any]:
    statement = select(Kpi).where(col(Kpi.organisation_id) == actor.organisation_id)
    if code is not None:
        statement = statement.where(func.lower(Kpi.code) == code.lower())
    if programme_id is not None:
        statement = statement.where(col(Kpi.programme_id) == programme_id)
    if project_id is not None:
        statement = statement.where(col(Kpi.project_id) == project_id)
    if owner_id is not None:
        statement = statement.where(col(Kpi.owner_id) == owner_id)
    if status is not None:
        statement = statement.where(col(Kpi.status) == status)
    if frequency is not None:
        statement = statement.where(col(Kpi.frequency) == frequency)
    if q:
        statement = statement.where(text_search(q, Kpi.code, Kpi.name, Kpi.description, Kpi.data_source))
    statement = statement.order_by(*order_by(sort, KPI_SORTS, Kpi.id))
    found = paginate(session, statement, page)
    found.items = kpis_public(session, actor, found.items)
    return found


def get_kpi(session: Session, actor: Actor, kpi_id: uuid.UUID) -> Kpi:
    kpi: Kpi = _own(session, actor, Kpi, kpi_id, "KPI")
    return kpi


def create_kpi(session: Session, actor: Actor, data: KpiCreate) -> Kpi:
    values = data.model_dump()
    _check_links(session, actor, values)
    _check_code_free(session, actor, data.code)
    values.update(_check_definition(values))
    kpi = Kpi(organisation_id=actor.organisation_id, **values, status=KpiStatus.active.value)
    audit.created(session, actor, kpi, "kpi")
    mark_changed(session, actor.organisation_id)
    return kpi


def update_kpi(session: Session, actor: Actor, kpi: Kpi, data: KpiUpdate) -> Kpi:
    ACTIONS.guard(actor, KpiAction.edit, action_context(session, actor, kpi))
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE_KPI_FIELDS
    }
    changes = {name: value for name, value in changes.items() if value != getattr(kpi, name)}
    _check_links(session, actor, changes)
    if "code" in changes:
        _check_code_free(session, actor, changes["code"], kpi.id)
    merged = {**kpi.model_dump(), **changes}
    if merged["programme_id"] is not None and merged["project_id"] is not None:
        raise _field_error(
            "project_id", "give at most one of programme_id and project_id (set the other to null)"
        )
    history = _has(session, KpiValue, kpi) or _has(session, KpiTarget, kpi)
    if history:
        for name in ("frequency", "unit"):
            if name in changes:
                raise Conflict(f"{kpi.code} has values or targets: its {name} can no longer change.")
        if changes.get("decimal_places", kpi.decimal_places) < kpi.decimal_places:
            raise Conflict(f"{kpi.code} has values or targets: its decimal places can no longer go down.")
    changes.update(_check_definition(merged))
    audit.changed(session, actor, kpi, "kpi", changes)
    # Its code, polarity, tolerance or places show in (or change the RAG of) every value.
    mark_values_changed(session, actor.organisation_id, of_kpis({kpi.id}))
    return kpi


def set_status(session: Session, actor: Actor, kpi: Kpi, status: KpiStatus) -> Kpi:
    action = KpiAction.retire if status == KpiStatus.retired else KpiAction.reinstate
    ACTIONS.guard(actor, action, action_context(session, actor, kpi))
    retired_at = utcnow() if status == KpiStatus.retired else None
    audit.changed(
        session,
        actor,
        kpi,
        "kpi",
        {"status": status.value, "retired_at": retired_at},
        action="retire" if status == KpiStatus.retired else "reinstate",
    )
    mark_changed(session, actor.organisation_id)
    return kpi


# Targets ---------------------------------------------------------------------------------


def list_targets(session: Session, actor: Actor, kpi: Kpi, page: PageParams) -> Page[Any]:
    statement = (
        select(KpiTarget)
        .where(col(KpiTarget.kpi_id) == kpi.id)
        .order_by(col(KpiTarget.period_start), col(KpiTarget.id))
    )
    return paginate(session, statement, page, lambda target: target_public(actor, kpi, target))


def get_target(session: Session, actor: Actor, target_id: uuid.UUID) -> tuple[Kpi, KpiTarget]:
    target: KpiTarget = _own(session, actor, KpiTarget, target_id, "KPI target")
    return session.get_one(Kpi, target.kpi_id), target


def create_target(session: Session, actor: Actor, kpi: Kpi, data: TargetCreate) -> KpiTarget:
    ACTIONS.guard(actor, KpiAction.add_target, action_context(session, actor, kpi))
    period = period_of(kpi.frequency, data.period_code)
    target_value = check_number(kpi.unit, kpi.decimal_places, data.target, "target")
    taken = session.execute(
        select(KpiTarget.id).where(col(KpiTarget.kpi_id) == kpi.id, col(KpiTarget.period_code) == period.code)
    ).first()
    if taken is not None:
        raise Conflict(f"{kpi.code} already has a target for {period.label}: change that one instead.")
    target = KpiTarget(
        organisation_id=kpi.organisation_id,
        kpi_id=kpi.id,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        target=target_value,
        tolerance_percent=data.tolerance_percent,
    )
    audit.created(session, actor, target, "kpi_target")
    mark_values_changed(session, actor.organisation_id, in_period(kpi.id, target.period_code))
    return target


def update_target(
    session: Session, actor: Actor, kpi: Kpi, target: KpiTarget, data: TargetUpdate
) -> KpiTarget:
    TARGET_ACTIONS.guard(actor, KpiTargetAction.edit, target)
    changes = data.model_dump(exclude_unset=True)
    if "target" in changes:
        if changes["target"] is None:
            raise _field_error("target", "a target cannot be removed this way: delete the target instead")
        changes["target"] = check_number(kpi.unit, kpi.decimal_places, changes["target"], "target")
    audit.changed(session, actor, target, "kpi_target", changes)
    mark_values_changed(session, actor.organisation_id, in_period(kpi.id, target.period_code))
    return target


def delete_target(session: Session, actor: Actor, target: KpiTarget) -> None:
    TARGET_ACTIONS.guard(actor, KpiTargetAction.delete, target)
    audit.deleted(session, actor, target, "kpi_target")
    mark_values_changed(session, actor.organisation_id, in_period(target.kpi_id, target.period_code))
