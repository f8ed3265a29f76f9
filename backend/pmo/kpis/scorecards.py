"""Scorecards of the organisation, a programme or a portfolio (issue 5 item 4).

Every active KPI in scope with its latest value (and that value's RAG and directions), counts
by RAG, and the KPIs with "missing data": no value for the most recent period of their
frequency that has ended (by today in the UK); a value entered but not yet published is not
missing, it is "awaiting publication". Readers see published values only; holders of
`kpi_drafts:read` may ask for unpublished ones too. A constant number of queries for any
number of KPIs.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, col, select

from pmo.core.errors import Forbidden, NotFound
from pmo.core.periods import Period, period_containing, today
from pmo.core.permissions import Actor
from pmo.kpis import policies
from pmo.kpis.calculations import Rag
from pmo.kpis.models import Kpi, KpiValue
from pmo.kpis.schemas import (
    KpiStatus,
    MissingData,
    RagCounts,
    Scorecard,
    ScorecardKpi,
    ScorecardRow,
    ValueStatus,
)
from pmo.kpis.service import period_public
from pmo.kpis.values_service import values_public
from pmo.portfolio.models import Portfolio, Programme, Project


def _scope(session: Session, actor: Actor, scope: str, scope_id: uuid.UUID | None) -> Any:
    """The condition on `Kpi` for the scope (404 for another organisation's programme or portfolio)."""
    if scope == "organisation":
        return true()
    model = Programme if scope == "programme" else Portfolio
    record: Any = session.get(model, scope_id)
    if record is None or record.organisation_id != actor.organisation_id:
        raise NotFound(f"No {scope} with that id in your organisation.")
    if scope == "programme":
        programmes: Any = [scope_id]
    else:
        programmes = select(Programme.id).where(col(Programme.portfolio_id) == scope_id)
    projects = select(Project.id).where(col(Project.programme_id).in_(programmes))
    return or_(col(Kpi.programme_id).in_(programmes), col(Kpi.project_id).in_(projects))


def scorecard(
    session: Session, actor: Actor, scope: str, scope_id: uuid.UUID | None, *, include_unpublished: bool
) -> Scorecard:
    if include_unpublished and not policies.sees_every_value(actor):
        raise Forbidden("Only the PMO and administrators see unpublished values on a scorecard.")
    condition = _scope(session, actor, scope, scope_id)
    kpis = (
        session.execute(
            select(Kpi)
            .where(
                col(Kpi.organisation_id) == actor.organisation_id,
                col(Kpi.status) == KpiStatus.active.value,
                condition,
            )
            .order_by(col(Kpi.code), col(Kpi.id))
        )
        .scalars()
        .all()
    )
    kpi_ids = [k.id for k in kpis]
    shown = [] if include_unpublished else [col(KpiValue.status) == ValueStatus.published.value]

    latest_start = (
        select(KpiValue.kpi_id, func.max(KpiValue.period_start).label("start"))
        .where(col(KpiValue.kpi_id).in_(kpi_ids), *shown)
        .group_by(col(KpiValue.kpi_id))
        .subquery()
    )
    latest_rows = (
        session.execute(
            select(KpiValue).join(
                latest_start,
                and_(
                    col(KpiValue.kpi_id) == latest_start.c.kpi_id,
                    col(KpiValue.period_start) == latest_start.c.start,
                ),
            )
        )
        .scalars()
        .all()
    )
    latest = {
        v.kpi_id: p
        for v, p in zip(
            latest_rows,
            values_public(session, actor, latest_rows, published_only=not include_unpublished),
            strict=True,
        )
    }

    as_of = today()
    ended: dict[uuid.UUID, Period] = {k.id: period_containing(k.frequency, as_of).previous for k in kpis}
    # A value in any state counts as data: one awaiting verification is not missing. Readers
    # learn only that it exists, not what it says.
    last_ended_status = {
        (row[0], row[1]): row[2]
        for row in session.execute(
            select(KpiValue.kpi_id, KpiValue.period_code, KpiValue.status).where(
                col(KpiValue.kpi_id).in_(kpi_ids),
                col(KpiValue.period_code).in_({p.code for p in ended.values()}),
            )
        )
    }

    rows: list[ScorecardRow] = []
    counts = {"green": 0, "amber": 0, "red": 0, "no_rag": 0}
    missing: list[MissingData] = []
    for kpi in kpis:
        value = latest.get(kpi.id)
        rag = value.assessment.rag if value is not None else None
        counts[rag.value if isinstance(rag, Rag) else "no_rag"] += 1
        period = ended[kpi.id]
        status = last_ended_status.get((kpi.id, period.code))
        is_missing = status is None
        if is_missing:
            missing.append(
                MissingData(kpi_id=kpi.id, code=kpi.code, name=kpi.name, period=period_public(period))
            )
        rows.append(
            ScorecardRow(
                kpi=ScorecardKpi.model_validate(kpi),
                latest=value,
                last_ended_period=period_public(period),
                missing_data=is_missing,
                awaiting_publication=status is not None and status != ValueStatus.published.value,
            )
        )
    return Scorecard(
        scope=scope,
        scope_id=scope_id,
        as_of=as_of,
        include_unpublished=include_unpublished,
        counts=RagCounts(**counts),
        rows=rows,
        missing_data=missing,
    )
