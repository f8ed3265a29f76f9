"""What each domain change puts in the outbox: the event's data built from the record.

Called by the services that make the change, inside their transaction, after the change
is flushed; each goes through `emit`. Bulk KPI imports raise no events (history being
loaded, not news): other systems read those values through the KPI feed.
"""

from __future__ import annotations

from sqlmodel import Session

from pmo.core.money import pounds_text
from pmo.finance.models import Drawdown
from pmo.gates.models import GateReview
from pmo.kpis.models import Kpi, KpiValue
from pmo.portfolio.models import Milestone, Project
from pmo.raid.models import Risk
from pmo.webhooks.events import (
    DrawdownDecidedData,
    DrawdownRequestedData,
    EventType,
    GateReviewDecidedData,
    KpiValuePublishedData,
    MilestoneMissedData,
    ProjectStageChangedData,
    RiskEscalatedData,
    api_url,
    emit,
)


def kpi_value_published(session: Session, kpi: Kpi, value: KpiValue) -> None:
    """A value published, or a published value corrected (its new version)."""
    data = KpiValuePublishedData(
        value_id=value.id,
        kpi_id=kpi.id,
        kpi_code=kpi.code,
        period_code=value.period_code,
        actual=format(value.actual, "f"),
        version=value.version,
        published_at=value.published_at,
        url=api_url(f"/kpi-values/{value.id}"),
    )
    emit(session, value.organisation_id, EventType.kpi_value_published, data)


def drawdown_requested(session: Session, drawdown: Drawdown) -> None:
    data = DrawdownRequestedData(
        drawdown_id=drawdown.id,
        reference=drawdown.reference,
        project_id=drawdown.project_id,
        funding_source_id=drawdown.funding_source_id,
        amount=pounds_text(drawdown.amount_pence),
        financial_year=drawdown.financial_year,
        route=drawdown.route,
        status=drawdown.status,
        url=api_url(f"/drawdowns/{drawdown.id}"),
    )
    emit(session, drawdown.organisation_id, EventType.drawdown_requested, data)


def drawdown_decided(session: Session, drawdown: Drawdown) -> None:
    data = DrawdownDecidedData(
        drawdown_id=drawdown.id,
        reference=drawdown.reference,
        project_id=drawdown.project_id,
        amount=pounds_text(drawdown.amount_pence),
        outcome=drawdown.status,
        decided_at=drawdown.decided_at,
        url=api_url(f"/drawdowns/{drawdown.id}"),
    )
    emit(session, drawdown.organisation_id, EventType.drawdown_decided, data)


def gate_review_decided(session: Session, review: GateReview) -> None:
    data = GateReviewDecidedData(
        gate_review_id=review.id,
        project_id=review.project_id,
        gate_key=review.gate_key,
        outcome=review.status,
        decided_at=review.decided_at,
        url=api_url(f"/gate-reviews/{review.id}"),
    )
    emit(session, review.organisation_id, EventType.gate_review_decided, data)


def project_stage_changed(session: Session, project: Project, review: GateReview) -> None:
    data = ProjectStageChangedData(
        project_id=project.id,
        reference=project.reference,
        from_stage=review.from_stage,
        to_stage=review.to_stage,
        gate_review_id=review.id,
        url=api_url(f"/projects/{project.id}"),
    )
    emit(session, project.organisation_id, EventType.project_stage_changed, data)


def risk_escalated(session: Session, risk: Risk) -> None:
    data = RiskEscalatedData(
        risk_id=risk.id,
        reference=risk.reference,
        project_id=risk.project_id,
        programme_id=risk.programme_id,
        escalation_level=risk.escalation_level,
        url=api_url(f"/risks/{risk.id}"),
    )
    emit(session, risk.organisation_id, EventType.risk_escalated, data)


def milestone_missed(session: Session, milestone: Milestone) -> None:
    data = MilestoneMissedData(
        milestone_id=milestone.id,
        project_id=milestone.project_id,
        title=milestone.title,
        due_date=milestone.due_date,
        url=api_url(f"/milestones/{milestone.id}"),
    )
    emit(session, milestone.organisation_id, EventType.milestone_missed, data)
