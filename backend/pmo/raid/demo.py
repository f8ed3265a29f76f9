"""Demo RAID log for Chesterfield's Organisational Development Programme.

Loaded by `pmo demo` (`pmo.demo.load_demo`) through the services, acting as the demo people,
so the audit trail records every item and who made it.

* The scale. The Cabinet report of 26 April 2022 (section 12.0) scores its risks High,
  Medium or Low for impact and likelihood, before and after the mitigating action. The demo
  council is set to the `hml3` scale (`Organisation.risk_scale`, an organisation's own
  choice) by its administrator before any risk exists, and the ratings are used as they are:
  low = 1, medium = 2, high = 3 (`pmo.raid.scoring`). Nothing is mapped onto 5x5.
* The three risks of the report's risk table, on the portfolio (they are the programme's as
  a whole), with its "before" ratings as inherent and its "after" ratings as residual, its
  mitigating action as the response (reduce) and as response actions. The third, benefits
  not realised, is escalated to the OD Steering Group: the report says progress on it is
  reported to the Steering Group and Cabinet, and the Steering Group is the escalation route
  for strategic risks (para 4.12).
* The rest is illustrative (each says so): a project risk that happened and became an issue;
  an issue from para 8.3 (external interim support for Finance); assumptions, one valid
  (para 6.4, the capital receipts flexibility), one not yet validated (Appendix B's benefits)
  and one found invalid that raised a risk; dependencies, one across programmes (Customer
  Experience on ICT Improvement) and one on a party outside the portfolio (the Local
  Government Boundary Commission for England for the ward boundary review).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, select

from pmo.organisations import service as organisations
from pmo.organisations.models import Organisation, User
from pmo.organisations.schemas import OrganisationUpdate
from pmo.portfolio.demo import actor_for
from pmo.portfolio.models import Portfolio, Project
from pmo.raid import items_service as items
from pmo.raid import risks_service as risks
from pmo.raid.common import EscalationLevel
from pmo.raid.items_schemas import (
    AssumptionCreate,
    AssumptionStatus,
    DependencyCreate,
    DependencyDirection,
    Invalidate,
    IssueCreate,
    IssueType,
    Rating,
)
from pmo.raid.models import Risk
from pmo.raid.risks_schemas import (
    Escalation,
    Nature,
    Priority,
    ResponseType,
    RiskActionCreate,
    RiskCreate,
    RiskOccurred,
)

ADMIN = "admin@demo.test"
PMO = "pmo@demo.test"
SPONSOR = "sponsor@demo.test"
PM = "pm@demo.test"
FINANCE = "finance@demo.test"

# The report's ratings on the hml3 scale.
H, M, L = 3, 2, 1
REPORT = "Cabinet report of 26 April 2022, section 12.0 (risk management)"
REPORT_DAY = date(2022, 4, 26)
ILLUSTRATIVE = "Illustrative demo record: not in the Cabinet report of 26 April 2022."

# Projects named in the demo register (pmo.portfolio.demo_data).
TELEPHONY = "Re-procure the contact centre telephony system"  # Customer Experience
HOUSING_INTEGRATION = "Integration of housing into customer services functions"  # Customer Experience
HOUSING_RENTS = "Implement housing rents information in My Chesterfield"  # ICT Improvement
HYBRID_MAIL = "Review of hybrid mail, including the use of reprographics service"
FINANCE_REDESIGN = "Complete a redesign of the finance service"
WARD_REVIEW = "Local government ward boundary review"

# (title, impact before, likelihood before, mitigating action, impact after, likelihood after)
REPORT_RISKS: tuple[tuple[str, int, int, str, int, int], ...] = (
    (
        "Failure to develop a fit for purpose programme of work",
        H,
        M,
        "The OD Programme has been developed in collaboration with the Corporate Leadership Team and "
        "employees. The PMO will ensure oversight of progress made against the programme. Regular "
        "reviews will take place to ensure the programme remains fit for purpose.",
        M,
        L,
    ),
    (
        "Failure to resource the priorities set out in the programme",
        M,
        M,
        "Projects will be managed using three stages - Discover and Define, Design and Develop and "
        "Deliver. This will ensure that the correct level of resources is allocated at every stage. "
        "PMO oversight of the delivery plans will ensure resource gaps are clearly identified and "
        "understood.",
        M,
        L,
    ),
    (
        "The OD Programme does not realise the benefits identified",
        H,
        M,
        "Robust governance and detailed benefits realisation plans will be developed for each "
        "strategic area. Progress will be regularly reported to the OD Steering Group and to Cabinet.",
        H,
        L,
    ),
)

# Response actions per report risk: (description, actionee, due date).
REPORT_ACTIONS: tuple[tuple[tuple[str, str, date | None], ...], ...] = (
    (
        ("PMO oversight of progress made against the programme.", PMO, None),
        ("Review the programme to make sure it remains fit for purpose.", PMO, date(2022, 10, 31)),
    ),
    (
        ("Manage projects through the three stages, allocating resources at each.", PMO, None),
        ("PMO review of delivery plans to identify resource gaps.", PMO, date(2022, 9, 30)),
    ),
    (
        (
            "Develop a detailed benefits realisation plan for each strategic area.",
            SPONSOR,
            date(2022, 12, 31),
        ),
        ("Report progress regularly to the OD Steering Group and to Cabinet.", PMO, None),
    ),
)


def load_raid_demo(session: Session, organisation: Organisation, users_by_email: Mapping[str, User]) -> bool:
    """Create the demo RAID log in `organisation` (whose demo portfolio must be loaded).

    Returns False, changing nothing, if the report's first risk is already there."""
    first = REPORT_RISKS[0][0]
    if session.execute(
        select(Risk.id).where(Risk.organisation_id == organisation.id, Risk.title == first)
    ).first():
        return False
    _RaidLoader(session, organisation, users_by_email).load()
    session.flush()
    return True


class _RaidLoader:
    def __init__(self, session: Session, organisation: Organisation, users: Mapping[str, User]) -> None:
        self.session = session
        self.organisation = organisation
        self.users = users
        projects = session.exec(select(Project).where(Project.organisation_id == organisation.id)).all()
        self.projects = {p.name: p for p in projects}
        portfolio = session.exec(
            select(Portfolio).where(Portfolio.organisation_id == organisation.id).order_by(Portfolio.name)
        ).first()
        if portfolio is None:
            raise RuntimeError("Load the demo portfolio (pmo.portfolio.demo) before its RAID log.")
        self.portfolio: Portfolio = portfolio

    def actor(self, email: str) -> Any:
        return actor_for(self.session, self.users[email])

    def uid(self, email: str) -> Any:
        return self.users[email].id

    def load(self) -> None:
        if self.organisation.risk_scale != "hml3":
            organisations.update_organisation(
                self.session, self.actor(ADMIN), OrganisationUpdate(risk_scale="hml3")
            )
            self.session.refresh(self.organisation)
        self.report_risks()
        self.occurred_risk()
        self.issues()
        self.assumptions()
        self.dependencies()

    # The report's risk table ----------------------------------------------------------------

    def report_risks(self) -> None:
        pmo = self.actor(PMO)
        for (title, impact, likelihood, action, impact_after, likelihood_after), actions in zip(
            REPORT_RISKS, REPORT_ACTIONS, strict=True
        ):
            risk = risks.create_risk(
                self.session,
                pmo,
                RiskCreate(
                    portfolio_id=self.portfolio.id,
                    title=title,
                    category="Strategic",
                    event=title + ".",
                    effect=f"Mitigating action ({REPORT}): {action}",
                    nature=Nature.threat,
                    inherent_likelihood=likelihood,
                    inherent_impact=impact,
                    residual_likelihood=likelihood_after,
                    residual_impact=impact_after,
                    proximity="Over the life of the programme, 2022/23 to 2025/26",
                    response_type=ResponseType.reduce,
                    review_date=date(2022, 7, 31),
                    owner_id=self.uid(SPONSOR if "benefits" in title else PMO),
                    raised_on=REPORT_DAY,
                ),
            )
            for description, actionee, due in actions:
                risks.create_action(
                    self.session,
                    pmo,
                    risk,
                    RiskActionCreate(description=description, actionee_id=self.uid(actionee), due_date=due),
                )
            if "benefits" in title:
                risks.escalate(
                    self.session,
                    pmo,
                    risk,
                    Escalation(
                        level=EscalationLevel.steering_group,
                        reason=(
                            "A strategic risk to the whole programme: the Steering Group is the "
                            "escalation route for strategic risks and tracks the realisation of "
                            "benefits (para 4.12); progress is reported to it and to Cabinet "
                            f"({REPORT})."
                        ),
                    ),
                )

    # A risk that happened -------------------------------------------------------------------

    def occurred_risk(self) -> None:
        pm = self.actor(PM)
        project = self.projects[TELEPHONY]
        risk = risks.create_risk(
            self.session,
            pm,
            RiskCreate(
                project_id=project.id,
                title="Current telephony contract ends before the new system is live",
                category="Commercial",
                cause="The re-procurement runs alongside the customer services changes.",
                event="The contract for the current contact centre telephony ends before go-live.",
                effect=f"The contact centre loses or overpays for telephony. {ILLUSTRATIVE}",
                inherent_likelihood=M,
                inherent_impact=H,
                residual_likelihood=L,
                residual_impact=H,
                response_type=ResponseType.fallback,
                owner_id=self.uid(PM),
                raised_on=REPORT_DAY,
            ),
        )
        risks.create_action(
            self.session,
            pm,
            risk,
            RiskActionCreate(
                description="Agree a short extension of the current contract as a fallback.",
                actionee_id=self.uid(PM),
                due_date=date(2022, 8, 31),
            ),
        )
        risks.risk_occurred(
            self.session,
            pm,
            risk,
            RiskOccurred(
                title="Telephony contract extension needed before the new system is live",
                description=(
                    "The new telephony system will not be live when the current contract ends: "
                    f"an extension is needed. {ILLUSTRATIVE}"
                ),
                priority=Priority.high,
                severity=Priority.medium,
                owner_id=self.uid(PM),
                due_date=date(2022, 9, 30),
            ),
        )

    # Issues ---------------------------------------------------------------------------------

    def issues(self) -> None:
        pmo = self.actor(PMO)
        items.create_issue(
            self.session,
            pmo,
            IssueCreate(
                project_id=self.projects[FINANCE_REDESIGN].id,
                title="External interim support needed for the Finance Service",
                description=(
                    "The review of financial processes needs external interim support while the "
                    "service is redesigned (para 8.3); specialist support is funded from the "
                    "Service Redesign Reserve (paras 2.4, 6.8)."
                ),
                issue_type=IssueType.problem_concern,
                category="Resources",
                priority=Rating.high,
                severity=Rating.medium,
                owner_id=self.uid(FINANCE),
                due_date=date(2022, 6, 30),
            ),
        )
        items.create_issue(
            self.session,
            self.actor(PM),
            IssueCreate(
                project_id=self.projects[HOUSING_INTEGRATION].id,
                title="Add housing repairs calls to the scope of the integration",
                description=f"A request to widen the project's scope. {ILLUSTRATIVE}",
                issue_type=IssueType.request_for_change,
                category="Scope",
                priority=Rating.medium,
                severity=Rating.low,
                owner_id=self.uid(PM),
                due_date=date(2022, 10, 31),
            ),
        )

    # Assumptions ----------------------------------------------------------------------------

    def assumptions(self) -> None:
        pmo = self.actor(PMO)
        items.create_assumption(
            self.session,
            pmo,
            AssumptionCreate(
                portfolio_id=self.portfolio.id,
                statement=(
                    "The flexible use of capital receipts remains available to fund the programme "
                    "to March 2025 (para 6.4: confirmed by the Government)."
                ),
                category="Funding",
                owner_id=self.uid(FINANCE),
                validate_by=date(2022, 4, 26),
                status=AssumptionStatus.valid,
            ),
        )
        items.create_assumption(
            self.session,
            pmo,
            AssumptionCreate(
                portfolio_id=self.portfolio.id,
                statement=(
                    "The financial benefits in Appendix B (£830k cumulative by 2025/26) hold once the "
                    "detailed business cases are approved; until then they are estimates (para 4.22)."
                ),
                category="Benefits",
                owner_id=self.uid(FINANCE),
                validate_by=date(2023, 3, 31),
            ),
        )
        pm = self.actor(PM)
        wrong = items.create_assumption(
            self.session,
            pm,
            AssumptionCreate(
                project_id=self.projects[HYBRID_MAIL].id,
                statement=(
                    "Hybrid mail can be bought through an existing framework, without a full tender. "
                    + ILLUSTRATIVE
                ),
                category="Procurement",
                owner_id=self.uid(PM),
                validate_by=date(2022, 7, 31),
            ),
        )
        items.invalidate_assumption(
            self.session,
            pm,
            wrong,
            Invalidate.model_validate(
                {
                    "raise": "risk",
                    "risk": {
                        "title": "Hybrid mail procurement takes longer than planned",
                        "category": "Commercial",
                        "event": "A full tender is needed for hybrid mail.",
                        "effect": "The £40,000 a year of benefits from 2023/24 (Appendix B) start later.",
                        "inherent_likelihood": M,
                        "inherent_impact": M,
                        "residual_likelihood": L,
                        "residual_impact": M,
                        "response_type": "reduce",
                        "owner_id": str(self.uid(PM)),
                    },
                }
            ),
        )

    # Dependencies ---------------------------------------------------------------------------

    def dependencies(self) -> None:
        pm = self.actor(PM)
        items.create_dependency(
            self.session,
            pm,
            DependencyCreate(
                project_id=self.projects[HOUSING_INTEGRATION].id,
                other_project_id=self.projects[HOUSING_RENTS].id,
                direction=DependencyDirection.outbound,
                title="Housing rents information available in My Chesterfield",
                description=(
                    "Customer services can answer housing enquiries first time only once tenants' "
                    "rent information is on the digital platform (ICT Improvement programme). " + ILLUSTRATIVE
                ),
                category="Digital platform",
                owner_id=self.uid(PM),
                needed_by=date(2022, 12, 31),
            ),
        )
        items.create_dependency(
            self.session,
            pm,
            DependencyCreate(
                project_id=self.projects[WARD_REVIEW].id,
                external_party="Local Government Boundary Commission for England",
                direction=DependencyDirection.outbound,
                title="The Commission's final recommendations on warding arrangements",
                description="The review's timetable follows the Commission's. " + ILLUSTRATIVE,
                category="External",
                owner_id=self.uid(PM),
                needed_by=date(2023, 3, 31),
            ),
        )
