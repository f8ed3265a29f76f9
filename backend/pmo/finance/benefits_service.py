"""The benefits register (Green Book; DOMAIN.md section 7): benefits of a programme or a
project with a profile of planned, forecast and actual values per financial year.

Takes a session and the actor; never commits. Another organisation's benefit, programme,
project, owner or KPI is 404. Every write is audited (`benefit`, the profile included in the
snapshot). Who may change what is `pmo.finance.costs_service.can_edit_money`.

Rules:

* a qualitative benefit has no money profile: a profile with any value is 422, and so is
  turning a benefit with values into a qualitative one;
* only a cashable benefit can be "already in the MTFP" (422 otherwise);
* a financial year appears at most once in a profile (422);
* values are zero or more; a dis-benefit's value is what it costs (the class says so).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.actions import ActionTable, Rule
from pmo.core.db import utcnow
from pmo.core.errors import FieldProblem, Unprocessable
from pmo.core.pagination import PageParams, order_by, paginate, text_search
from pmo.core.permissions import Actor, Permission
from pmo.core.references import next_reference
from pmo.core.schemas import Page
from pmo.finance.benefits_schemas import (
    NULLABLE_BENEFIT_FIELDS,
    BenefitAction,
    BenefitClass,
    BenefitCreate,
    BenefitPublic,
    BenefitUpdate,
    ProfileEntryIn,
    ProfileEntryPublic,
    ProfileTotals,
)
from pmo.finance.costs_service import (
    attach,
    check_can_edit,
    may_edit_money,
    money_contexts,
    own,
    scope_filter,
)
from pmo.finance.models import Benefit, BenefitProfileEntry
from pmo.kpis.models import Kpi
from pmo.organisations.models import User

PREFIX = "B"

BENEFIT_SORTS = {
    "reference": Benefit.reference,
    "title": Benefit.title,
    "status": Benefit.status,
    "updated_at": Benefit.updated_at,
}


def profile_of(session: Session, benefit: Benefit) -> list[BenefitProfileEntry]:
    return list(
        session.execute(
            select(BenefitProfileEntry)
            .where(BenefitProfileEntry.benefit_id == benefit.id)
            .order_by(col(BenefitProfileEntry.financial_year))
        ).scalars()
    )


# What the caller may do: the routes guard with ACTIONS, `allowed_actions` lists what it allows.
ACTIONS = ActionTable(
    BenefitAction,
    {
        BenefitAction.edit: Rule(Permission.costs_benefits_edit, may_edit_money),
        BenefitAction.replace_profile: Rule(Permission.costs_benefits_edit, may_edit_money),
        BenefitAction.delete: Rule(Permission.costs_benefits_edit, may_edit_money),
    },
)


def _public(
    benefit: Benefit, entries: list[BenefitProfileEntry], allowed: list[BenefitAction]
) -> BenefitPublic:
    return BenefitPublic.model_validate(
        {
            "allowed_actions": allowed,
            **benefit.model_dump(),
            "profile": [
                ProfileEntryPublic(
                    financial_year=e.financial_year,
                    planned=e.planned_pence,
                    forecast=e.forecast_pence,
                    actual=e.actual_pence,
                )
                for e in entries
            ],
            "totals": ProfileTotals(
                planned=sum(e.planned_pence or 0 for e in entries),
                forecast=sum(e.forecast_pence or 0 for e in entries),
                actual=sum(e.actual_pence or 0 for e in entries),
            ),
        }
    )


def benefit_public(session: Session, actor: Actor, benefit: Benefit) -> BenefitPublic:
    allowed = ACTIONS.allowed(actor, money_contexts(session, [benefit])[0])
    return _public(benefit, profile_of(session, benefit), allowed)


def _page_items(session: Session, actor: Actor, benefits: list[Benefit]) -> list[BenefitPublic]:
    # One query for the page's profiles, not one per benefit.
    entries: dict[uuid.UUID, list[BenefitProfileEntry]] = {b.id: [] for b in benefits}
    for entry in session.execute(
        select(BenefitProfileEntry)
        .where(col(BenefitProfileEntry.benefit_id).in_(list(entries)))
        .order_by(col(BenefitProfileEntry.financial_year))
    ).scalars():
        entries[entry.benefit_id].append(entry)
    contexts = money_contexts(session, benefits)
    return [
        _public(b, entries[b.id], ACTIONS.allowed(actor, c)) for b, c in zip(benefits, contexts, strict=True)
    ]


def list_benefits(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    sort: str = "reference",
    q: str | None = None,
    **equal: Any,
) -> Page[Any]:
    statement = select(Benefit).where(Benefit.organisation_id == actor.organisation_id)
    statement = scope_filter(statement, Benefit, programme_id=programme_id, project_id=project_id)
    for name, value in equal.items():
        if value is not None:
            statement = statement.where(getattr(Benefit, name) == value)
    if q:
        statement = statement.where(text_search(q, Benefit.reference, Benefit.title, Benefit.description))
    statement = statement.order_by(*order_by(sort, BENEFIT_SORTS, Benefit.id))
    result = paginate(session, statement, page)
    result.items = _page_items(session, actor, list(result.items))
    return result


def get_benefit(session: Session, actor: Actor, benefit_id: uuid.UUID) -> Benefit:
    benefit: Benefit = own(session, actor, Benefit, benefit_id, "benefit")
    return benefit


def _problem(field: list[str | int], detail: str, message: str) -> Unprocessable:
    return Unprocessable(detail, errors=[FieldProblem(location=field, message=message, type="value_error")])


def _check_profile(benefit_class: str, profile: list[ProfileEntryIn], where: str) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(profile):
        if entry.financial_year in seen:
            raise _problem(
                ["body", where, index, "financial_year"],
                f"{entry.financial_year} is in the profile twice: give each financial year once.",
                "repeated financial year",
            )
        seen.add(entry.financial_year)
        if benefit_class == BenefitClass.qualitative and any(
            v is not None for v in (entry.planned, entry.forecast, entry.actual)
        ):
            raise _problem(
                ["body", where, index],
                "A qualitative benefit has no money profile: record it as non_cashable to give values.",
                "no values for a qualitative benefit",
            )


def _check_mtfp(benefit_class: str, in_mtfp: bool) -> None:
    if in_mtfp and benefit_class != BenefitClass.cashable:
        raise _problem(
            ["body", "in_mtfp"],
            "Only a cashable benefit can already be counted in the Medium-Term Financial Plan.",
            "only for cashable benefits",
        )


def _check_links(
    session: Session, actor: Actor, owner_id: uuid.UUID | None, kpi_id: uuid.UUID | None
) -> None:
    if owner_id is not None:
        own(session, actor, User, owner_id, "user (owner_id)")
    if kpi_id is not None:
        own(session, actor, Kpi, kpi_id, "KPI")


def _write_profile(session: Session, benefit: Benefit, profile: list[ProfileEntryIn]) -> None:
    session.execute(delete(BenefitProfileEntry).where(col(BenefitProfileEntry.benefit_id) == benefit.id))
    for entry in profile:
        session.add(
            BenefitProfileEntry(
                organisation_id=benefit.organisation_id,
                benefit_id=benefit.id,
                financial_year=entry.financial_year,
                planned_pence=entry.planned,
                forecast_pence=entry.forecast,
                actual_pence=entry.actual,
            )
        )
    session.flush()


def _snapshot(session: Session, benefit: Benefit) -> dict[str, Any]:
    public = _public(benefit, profile_of(session, benefit), [])
    return audit.jsonable(public.model_dump(exclude={"allowed_actions"}))


def create_benefit(session: Session, actor: Actor, data: BenefitCreate) -> Benefit:
    attach(session, actor, programme_id=data.programme_id, project_id=data.project_id)
    _check_links(session, actor, data.owner_id, data.kpi_id)
    _check_mtfp(data.benefit_class, data.in_mtfp)
    _check_profile(data.benefit_class, data.profile, "profile")
    benefit = Benefit(
        organisation_id=actor.organisation_id,
        reference=next_reference(session, actor.organisation_id, PREFIX),
        **data.model_dump(exclude={"profile"}),
    )
    check_can_edit(session, actor, benefit)
    session.add(benefit)
    session.flush()
    _write_profile(session, benefit, data.profile)
    audit.record(
        session,
        actor,
        organisation_id=benefit.organisation_id,
        action="create",
        record_type="benefit",
        record_id=benefit.id,
        after=_snapshot(session, benefit),
    )
    return benefit


def _has_values(session: Session, benefit: Benefit) -> bool:
    return any(
        v is not None
        for e in profile_of(session, benefit)
        for v in (e.planned_pence, e.forecast_pence, e.actual_pence)
    )


def update_benefit(session: Session, actor: Actor, benefit: Benefit, data: BenefitUpdate) -> Benefit:
    ACTIONS.guard(actor, BenefitAction.edit, money_contexts(session, [benefit])[0])
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE_BENEFIT_FIELDS
    }
    _check_links(session, actor, changes.get("owner_id"), changes.get("kpi_id"))
    benefit_class = changes.get("benefit_class", benefit.benefit_class)
    _check_mtfp(benefit_class, changes.get("in_mtfp", benefit.in_mtfp))
    if benefit_class == BenefitClass.qualitative and _has_values(session, benefit):
        raise _problem(
            ["body", "benefit_class"],
            "A qualitative benefit has no money profile: clear the profile's values first "
            "(PUT /benefits/{benefit_id}/profile).",
            "the profile has values",
        )
    before = _snapshot(session, benefit)
    for name, value in changes.items():
        setattr(benefit, name, value)
    benefit.updated_at = utcnow()
    session.add(benefit)
    session.flush()
    audit.record(
        session,
        actor,
        organisation_id=benefit.organisation_id,
        action="update",
        record_type="benefit",
        record_id=benefit.id,
        before=before,
        after=_snapshot(session, benefit),
    )
    return benefit


def replace_profile(
    session: Session, actor: Actor, benefit: Benefit, profile: list[ProfileEntryIn]
) -> Benefit:
    ACTIONS.guard(actor, BenefitAction.replace_profile, money_contexts(session, [benefit])[0])
    _check_profile(benefit.benefit_class, profile, "profile")
    before = _snapshot(session, benefit)
    _write_profile(session, benefit, profile)
    # The profile is part of the benefit: a new one changes the benefit's ETag and version.
    benefit.updated_at = utcnow()
    session.add(benefit)
    session.flush()
    audit.record(
        session,
        actor,
        organisation_id=benefit.organisation_id,
        action="profile",
        record_type="benefit",
        record_id=benefit.id,
        before=before,
        after=_snapshot(session, benefit),
    )
    return benefit


def delete_benefit(session: Session, actor: Actor, benefit: Benefit) -> None:
    ACTIONS.guard(actor, BenefitAction.delete, money_contexts(session, [benefit])[0])
    before = _snapshot(session, benefit)
    session.execute(delete(BenefitProfileEntry).where(col(BenefitProfileEntry.benefit_id) == benefit.id))
    audit.deleted(session, actor, benefit, "benefit", before=before)
