"""The record of officer decisions: the full record (staff) and its public version."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from pmo.core.references import OfficerDecisionReference
from pmo.core.schemas import Page, PublicModel


class ConsultationOnRecord(PublicModel):
    """A consultee's answer as it stands on the record of the decision."""

    role: str
    name: str
    view: str
    comment: str
    conflict_of_interest: bool | None = Field(
        description="Declared a conflict of interest (None: not asked, not an executive member)."
    )
    conflict_of_interest_details: str
    dispensation_granted_by: str | None = Field(
        description="The head of paid service who granted a dispensation."
    )
    dispensation_granted_on: date | None
    dispensation_details: str


class OfficerDecisionRecord(PublicModel):
    """The record of an executive decision taken by an officer (regulation 13(4) of the Local
    Authorities (Executive Arrangements) (Meetings and Access to Information) (England)
    Regulations 2012), as staff see it: exempt information included."""

    id: uuid.UUID
    reference: OfficerDecisionReference
    drawdown_id: uuid.UUID
    title: str
    decision: str = Field(description="`approved` or `rejected`.")
    decision_text: str = Field(description="What was decided.")
    decided_on: date
    decided_at: datetime
    decided_by_id: uuid.UUID
    decided_by_name: str
    decided_under: str = Field(description="The delegation rule (and its version) the officer acted under.")
    reasons: str
    alternatives_considered: str = Field(description="Alternative options considered and rejected.")
    consultations: list[ConsultationOnRecord]
    exempt_paragraph: int | None = Field(
        description="The paragraph of Schedule 12A to the Local Government Act 1972 that its "
        "exempt information falls under."
    )
    exempt_information: str = Field(description="Withheld from the public version.")
    withheld_notice: str | None = Field(
        description="What the public version says in place of the exempt information."
    )
    retain_until: date = Field(description="Kept available until this date: six years from the decision.")
    created_at: datetime


class OfficerDecisionPublished(PublicModel):
    """The public version of a record of an officer decision: exempt information withheld,
    with the reason; no internal identifiers but its own."""

    id: uuid.UUID
    reference: OfficerDecisionReference
    title: str
    decision: str
    decision_text: str
    decided_on: date
    decided_by_name: str
    decided_under: str
    reasons: str
    alternatives_considered: str
    consultations: list[ConsultationOnRecord]
    exempt_paragraph: int | None
    withheld_notice: str | None = Field(description="Set when exempt information is withheld: says why.")
    retain_until: date


class OfficerDecisionRecordPage(Page[OfficerDecisionRecord]):
    """A page of records of officer decisions."""


class OfficerDecisionPublishedPage(Page[OfficerDecisionPublished]):
    """A page of the published record of officer decisions."""
