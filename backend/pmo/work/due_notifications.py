"""The worker's daily look for work that fell due: KPI values owed for the period just ended,
and risks past their review date. Each is notified once (its title names the period or the
review date, so a new period or a new review date is a new notification)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from pmo.core.periods import FREQUENCIES, period_containing
from pmo.core.permissions import Permission, roles_granting
from pmo.kpis.models import Kpi, KpiValue
from pmo.kpis.schemas import KpiStatus, ValueStatus
from pmo.organisations.models import RoleAssignment
from pmo.raid.models import Risk
from pmo.work.notifications_models import Notification
from pmo.work.notifications_schemas import NotificationKind
from pmo.work.notifications_service import notify


def _kpis_due(session: Session, now: datetime) -> list[tuple[Kpi, str]]:
    """Active KPIs whose owner may submit values and has none submitted for the last ended period."""
    periods = {f: period_containing(f, now.date()).previous for f in FREQUENCIES}
    submitters = [r.value for r in roles_granting(Permission.kpi_values_submit)]
    rows = session.execute(
        select(Kpi).where(
            Kpi.status == KpiStatus.active.value,
            col(Kpi.owner_id).is_not(None),
            exists().where(
                col(RoleAssignment.user_id) == col(Kpi.owner_id), col(RoleAssignment.role).in_(submitters)
            ),
            or_(
                *(
                    and_(
                        col(Kpi.frequency) == frequency,
                        ~exists().where(
                            col(KpiValue.kpi_id) == col(Kpi.id),
                            col(KpiValue.period_code) == period.code,
                            col(KpiValue.status) != ValueStatus.draft.value,
                        ),
                    )
                    for frequency, period in periods.items()
                )
            ),
        )
    ).scalars()
    return [
        (kpi, f"{kpi.code} {kpi.name}: the value for {periods[kpi.frequency].label} is due") for kpi in rows
    ]


def notify_due_work(session: Session, now: datetime) -> int:
    """Notify owners of KPI values due and of risks overdue for review; how many were told."""
    risks = session.execute(
        select(Risk).where(
            Risk.status == "open",
            col(Risk.owner_id).is_not(None),
            col(Risk.review_date).is_not(None),
            col(Risk.review_date) < now.date(),
        )
    ).scalars()
    due = [
        (
            NotificationKind.review_overdue,
            risk.organisation_id,
            risk.owner_id,
            f"{risk.reference} {risk.title}: its review of {risk.review_date} is overdue",
            f"/risks/{risk.id}/edit",
        )
        for risk in risks
    ]
    due += [
        (NotificationKind.kpi_value_due, kpi.organisation_id, kpi.owner_id, title, f"/kpis/{kpi.id}")
        for kpi, title in _kpis_due(session, now)
    ]
    told = set(
        session.execute(
            select(Notification.user_id, Notification.title).where(
                col(Notification.kind).in_(
                    [NotificationKind.review_overdue.value, NotificationKind.kpi_value_due.value]
                ),
                col(Notification.title).in_([title for *_, title, _ in due]),
            )
        ).all()
    )
    count = 0
    for kind, organisation_id, owner_id, title, link in due:
        if (owner_id, title) not in told:
            count += len(notify(session, organisation_id, [owner_id], kind, title, link))
    return count
