"""The record of officer decisions: written with each delegated draw-down decision, in its
transaction; listed and shown to staff in full and, where the organisation publishes it, to
anyone with exempt information withheld."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from pmo.audit import service as audit
from pmo.core.errors import NotFound
from pmo.core.pagination import PageParams, order_by, paginate
from pmo.core.permissions import Actor
from pmo.core.references import next_reference
from pmo.decisions.models import OfficerDecision
from pmo.decisions.officer_decisions_schemas import (
    ConsultationOnRecord,
    OfficerDecisionPublished,
    OfficerDecisionPublishedPage,
    OfficerDecisionRecord,
    OfficerDecisionRecordPage,
)
from pmo.finance.models import Drawdown, DrawdownConsultation
from pmo.organisations.models import User

RETENTION_YEARS = 6

# Part 1 of Schedule 12A to the Local Government Act 1972.
SCHEDULE_12A = {
    1: "information relating to any individual",
    2: "information which is likely to reveal the identity of an individual",
    3: "information relating to the financial or business affairs of any particular person "
    "(including the authority holding that information)",
    4: "information relating to any consultations or negotiations, or contemplated consultations or "
    "negotiations, in connection with any labour relations matter arising between the authority or a "
    "Minister of the Crown and employees of, or office holders under, the authority",
    5: "information in respect of which a claim to legal professional privilege could be maintained in "
    "legal proceedings",
    6: "information which reveals that the authority proposes to give under any enactment a notice under "
    "or by virtue of which requirements are imposed on a person, or to make an order or direction under "
    "any enactment",
    7: "information relating to any action taken or to be taken in connection with the prevention, "
    "investigation or prosecution of crime",
}


def withheld_notice(paragraph: int | None) -> str | None:
    if paragraph is None:
        return None
    return (
        f"Part of this record is withheld: it is exempt information under paragraph {paragraph} of Part 1 "
        f"of Schedule 12A to the Local Government Act 1972 ({SCHEDULE_12A[paragraph]})."
    )


def retain_until(decided_on: date) -> date:
    """Six years from the decision (29 February becomes 28 February)."""
    try:
        return decided_on.replace(year=decided_on.year + RETENTION_YEARS)
    except ValueError:
        return decided_on.replace(year=decided_on.year + RETENTION_YEARS, day=28)


def _consultations_on_record(session: Session, drawdown_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = session.execute(
        select(DrawdownConsultation, User)
        .join(User, col(User.id) == col(DrawdownConsultation.consultee_id))
        .where(DrawdownConsultation.drawdown_id == drawdown_id)
        .order_by(col(DrawdownConsultation.recorded_at), col(DrawdownConsultation.id))
    ).all()
    return [
        ConsultationOnRecord(
            role=c.role,
            name=user.display_name,
            view=c.view,
            comment=c.comment,
            conflict_of_interest=c.conflict_of_interest,
            conflict_of_interest_details=c.conflict_of_interest_details,
            dispensation_granted_by=c.dispensation_granted_by,
            dispensation_granted_on=c.dispensation_granted_on,
            dispensation_details=c.dispensation_details,
        ).model_dump(mode="json")
        for c, user in rows
    ]


def create_record(
    session: Session,
    actor: Actor,
    drawdown: Drawdown,
    *,
    title: str,
    decision_text: str,
    decided_at: datetime,
    decided_under: str,
    reasons: str,
    alternatives_considered: str,
    exempt_paragraph: int | None,
    exempt_information: str,
) -> OfficerDecision:
    """Write the record of a delegated decision (called by the decision itself)."""
    officer = session.get_one(User, actor.id)
    decided_on = decided_at.date()
    record = OfficerDecision(
        organisation_id=drawdown.organisation_id,
        reference=next_reference(session, drawdown.organisation_id, "OD"),
        drawdown_id=drawdown.id,
        title=title,
        decision=drawdown.decision or "",
        decision_text=decision_text,
        decided_on=decided_on,
        decided_at=decided_at,
        decided_by_id=actor.id,
        decided_by_name=officer.display_name,
        decided_under=decided_under,
        reasons=reasons,
        alternatives_considered=alternatives_considered,
        consultations=_consultations_on_record(session, drawdown.id),
        exempt_paragraph=exempt_paragraph,
        exempt_information=exempt_information,
        retain_until=retain_until(decided_on),
        created_at=decided_at,
    )
    audit.created(session, actor, record, "officer_decision")
    return record


def record_full(record: OfficerDecision) -> OfficerDecisionRecord:
    return OfficerDecisionRecord.model_validate(
        {**record.model_dump(), "withheld_notice": withheld_notice(record.exempt_paragraph)}
    )


def record_published(record: OfficerDecision) -> OfficerDecisionPublished:
    return OfficerDecisionPublished.model_validate(
        {**record.model_dump(), "withheld_notice": withheld_notice(record.exempt_paragraph)}
    )


def get_record(session: Session, organisation_id: uuid.UUID, record_id: uuid.UUID) -> OfficerDecision:
    record = session.get(OfficerDecision, record_id)
    if record is None or record.organisation_id != organisation_id:
        raise NotFound("No record of an officer decision with that id.")
    return record


def record_of_drawdown(session: Session, drawdown_id: uuid.UUID) -> OfficerDecision | None:
    return session.execute(
        select(OfficerDecision).where(OfficerDecision.drawdown_id == drawdown_id)
    ).scalar_one_or_none()


SORTS = {
    "decided_on": OfficerDecision.decided_on,
    "reference": OfficerDecision.reference,
}


def _records(
    organisation_id: uuid.UUID, sort: str, decided_from: date | None, decided_to: date | None
) -> Any:
    statement = select(OfficerDecision).where(OfficerDecision.organisation_id == organisation_id)
    if decided_from is not None:
        statement = statement.where(col(OfficerDecision.decided_on) >= decided_from)
    if decided_to is not None:
        statement = statement.where(col(OfficerDecision.decided_on) <= decided_to)
    return statement.order_by(*order_by(sort, SORTS, OfficerDecision.id))


def list_records(
    session: Session,
    organisation_id: uuid.UUID,
    page: PageParams,
    sort: str,
    decided_from: date | None = None,
    decided_to: date | None = None,
) -> OfficerDecisionRecordPage:
    statement = _records(organisation_id, sort, decided_from, decided_to)
    return OfficerDecisionRecordPage.model_validate(
        paginate(session, statement, page, record_full).model_dump()
    )


def list_published(
    session: Session,
    organisation_id: uuid.UUID,
    page: PageParams,
    sort: str,
    decided_from: date | None = None,
    decided_to: date | None = None,
) -> OfficerDecisionPublishedPage:
    statement = _records(organisation_id, sort, decided_from, decided_to)
    found = paginate(session, statement, page, record_published)
    return OfficerDecisionPublishedPage.model_validate(found.model_dump())


def purge_expired(session: Session, today: date) -> int:
    """Records past their six years (the worker's job): the public no longer has a right to them."""
    result = session.execute(delete(OfficerDecision).where(col(OfficerDecision.retain_until) < today))
    return int(result.rowcount)  # type: ignore[attr-defined]


def actor_record(session: Session, actor: Actor, record_id: uuid.UUID) -> OfficerDecision:
    return get_record(session, actor.organisation_id, record_id)
