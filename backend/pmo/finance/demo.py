"""Demo money for Chesterfield: its reserves, the default delegation rule scoped to the
Digital, HR and Customer Services directorate, and draw-downs in each state.

From the Cabinet report of 26 April 2022 (seed 002): the Service Redesign Reserve has £555k
remaining (para 6.7) once the demo's approved draw-down is counted; £500k of capital receipts
flexibility is set aside (para 6.4); the Service Director may approve up to £50k per project
after consulting the Section 151 officer and the Cabinet Member (paras 2.5 and 6.9); the
£200k for specialist support to the Finance Service and Property and Technical Services
(para 6.8) is above that, so it waits for Cabinet. The other amounts are illustrative.

Loaded through the services, acting as the demo people, so the audit trail records each step:
pm@demo.test requests, finance@demo.test and member@demo.test are consulted,
sponsor@demo.test decides, democratic@demo.test records the Cabinet decision.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, select

from pmo.core.money import pounds_text
from pmo.core.permissions import Actor
from pmo.finance import drawdowns_service as drawdowns
from pmo.finance import funding_service, rules_service
from pmo.finance.drawdowns_schemas import (
    ConsultationCreate,
    DrawdownCreate,
    DrawdownDecisionChoice,
    DrawdownDecisionCreate,
    View,
)
from pmo.finance.funding_schemas import FundingKind, FundingSourceCreate
from pmo.finance.models import DelegationRule, Drawdown, FundingSource
from pmo.finance.rules_schemas import RuleUpdate
from pmo.organisations.models import Directorate, Organisation, User
from pmo.portfolio.demo import actor_for
from pmo.portfolio.models import Project

SERVICE_REDESIGN_RESERVE = "Service Redesign Reserve"
CAPITAL_RECEIPTS = "Capital receipts flexibility"
YEAR = "2022/23"
APPROVED_PENCE = 3_000_000  # the demo's one approved delegated draw-down, £30,000.00
REMAINING_PENCE = 55_500_000  # £555,000.00 left in the reserve (para 6.7)


def load_money_demo(
    session: Session,
    organisation: Organisation,
    users_by_email: Mapping[str, User],
    directorates_by_name: Mapping[str, Directorate],
) -> bool:
    """Create the demo money once. Returns False, changing nothing, if the reserve exists."""
    exists = session.execute(
        select(FundingSource.id).where(
            FundingSource.organisation_id == organisation.id, FundingSource.name == SERVICE_REDESIGN_RESERVE
        )
    ).first()
    if exists:
        return False

    def actor(email: str) -> Actor:
        return actor_for(session, users_by_email[email])

    finance, member, sponsor = (
        actor("finance@demo.test"),
        actor("member@demo.test"),
        actor("sponsor@demo.test"),
    )
    pm = actor("pm@demo.test")

    reserve = funding_service.create_source(
        session,
        finance,
        organisation.id,
        FundingSourceCreate(
            name=SERVICE_REDESIGN_RESERVE,
            kind=FundingKind.reserve,
            description=(
                "Created with the ICT Improvement Programme for reorganisation and severance costs; "
                "its scope extended by Full Council (MTFP) to pump prime Organisational Development "
                "projects that realise customer, cultural and efficiency benefits."
            ),
            opening_balance=pounds_text(REMAINING_PENCE + APPROVED_PENCE),
            first_year=YEAR,
        ),
    )
    receipts = funding_service.create_source(
        session,
        finance,
        organisation.id,
        FundingSourceCreate(
            name=CAPITAL_RECEIPTS,
            kind=FundingKind.capital_receipts,
            description="Capital receipts set aside in the MTFP for projects generating financial benefits.",
            opening_balance=pounds_text(50_000_000),
            first_year=YEAR,
        ),
    )

    # The default rule, scoped to the Service Director for Digital, HR and Customer Services.
    rule = session.execute(
        select(DelegationRule).where(DelegationRule.organisation_id == organisation.id)
    ).scalar_one()
    dhr = directorates_by_name.get("Digital, HR and Customer Services")
    if dhr is not None:
        rules_service.update_rule(session, finance, rule, RuleUpdate(decider_directorate_id=dhr.id))

    def project(name: str) -> Project:
        found: Project = session.execute(
            select(Project).where(Project.organisation_id == organisation.id, Project.name == name)
        ).scalar_one()
        return found

    def request(name: str, source: FundingSource, pence: int, purpose: str, reference: str) -> Drawdown:
        data = DrawdownCreate.model_validate(
            {
                "project_id": project(name).id,
                "funding_source_id": source.id,
                "amount": pounds_text(pence),
                "financial_year": YEAR,
                "purpose": purpose,
                "business_case_reference": reference,
            }
        )
        return drawdowns.create_drawdown(session, pm, data)

    def consult(drawdown: Drawdown, view: View = View.supports, comment: str = "") -> None:
        drawdowns.consult(session, finance, drawdown, ConsultationCreate(view=view, comment=comment))
        # The Cabinet Member is an executive member: asked for any conflict of interest.
        answer = ConsultationCreate(view=view, comment=comment, conflict_of_interest=False)
        drawdowns.consult(session, member, drawdown, answer)

    # Delegated and approved: what takes the reserve to £555k.
    approved = request(
        "Implement housing rents information in My Chesterfield",
        reserve,
        APPROVED_PENCE,
        "Pump priming: integration work with the housing rents system for My Chesterfield.",
        "OD business case BC-07 (approved at the Design and Develop gate)",
    )
    consult(approved, comment="Within the reserve's extended scope.")
    drawdowns.decide(
        session,
        sponsor,
        approved,
        DrawdownDecisionCreate(
            decision=DrawdownDecisionChoice.approve,
            reason="Approved business case; within delegation.",
            alternatives_considered="Funding the integration from the ICT revenue budget: rejected, the "
            "budget is fully committed in 2022/23. Deferring to 2023/24: rejected, the rents module "
            "goes live in October.",
        ),
    )

    # Referred to Cabinet, waiting for democratic services to record the decision (para 6.8).
    request(
        "Reshaping purchase to pay processes",
        reserve,
        20_000_000,
        "Specialist expertise to support the transformation of the Finance Service and Property and "
        "Technical Services, including detailed business cases and transformational road maps.",
        "Cabinet report 26 April 2022, paras 2.4 and 6.8",
    )

    # In consultation: no views yet.
    request(
        "Re-procure the contact centre telephony system",
        reserve,
        1_850_000,
        "Independent procurement advice for the contact centre telephony re-procurement.",
        "OD business case BC-11",
    )

    # Rejected after the Section 151 officer objected.
    rejected = request(
        "Review of hybrid mail, including the use of reprographics service",
        receipts,
        1_200_000,
        "Trial of a hybrid mail service before the business case is complete.",
        "Draft business case (not yet approved)",
    )
    consult(rejected, View.objects, "The business case is not yet approved.")
    drawdowns.decide(
        session,
        sponsor,
        rejected,
        DrawdownDecisionCreate(
            decision=DrawdownDecisionChoice.reject,
            reason="Resubmit once the business case is approved.",
            alternatives_considered="Approving the trial at a reduced scale: rejected, the Section 151 "
            "officer objected to any spend before the business case is approved.",
        ),
    )

    # Withdrawn by the project manager: funded from the existing revenue budget instead.
    withdrawn = request(
        "Replace the Leisure Management System",
        receipts,
        800_000,
        "Data migration support for the new leisure management system.",
        "OD business case BC-14",
    )
    drawdowns.withdraw(session, pm, withdrawn)
    session.flush()
    return True
