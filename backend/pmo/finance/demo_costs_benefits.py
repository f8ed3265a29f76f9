"""Demo cost lines and benefits, loaded through the services (so the audit trail has them).

Chesterfield (seed 002, Cabinet 26 April 2022, Appendix B "Organisational Development
Projects with indicative financial benefits"), figures exactly as the report gives them:

* the ten projects' cashable benefits per financial year, as planned (and forecast) values,
  with "already in the MTFP" on the three the report marks `**` (visitor information, sports
  centres, ward boundary review). Totals: £129,000 / £320,500 / £360,500 / £392,000, £1,202,000
  in all; £372,000 already in the MTFP and £830,000 new (paras 4.21, 6.1, 6.3).
  A "0" in the report is a zero value for that year; a blank is no entry;
* the one-off investment: £90,000 in 2023/24 for printing and postage (the hybrid mail
  project), from capital receipts flexibility. The report's other one-off figures are "tbc"
  (no line) or, for the sports centres' £120,000, "not included in totals above" because it
  comes from the sports centres' reserve and revenue budgets: it is left out here too, so the
  summary's total is the report's £90,000;
* the transformation resources funded from capital receipts: staff already in the MTFP
  (£117,000, £119,000, £121,000 in 2022/23 to 2024/25) and additional staff (£50,000 in
  2023/24) for the customer experience area (para 6.5). The report does not say which
  programme holds them: the first are put on "Developing our people and our use of
  resources", the second on "Customer Experience". With the £90,000 that is the report's
  £497,000 from capital receipts;
* a few non-cashable and qualitative benefits drawn from Appendix A's "how will we know it is
  successful", without money; the ICT one is linked to a KPI if the organisation has one.

The funding source is the organisation's "Capital receipts flexibility" (made by the money
demo) if it exists when this runs; otherwise the lines have none.

Seed 000 (Derbyshire County Council, Cabinet 17 June 2021, Appendix 1) gives resourcing lines
with posts and grades (£773,053 in all, for 2021/22). Derbyshire is neither demo council: its
lines are put on the Dacorum demo's "Operational Efficiency" programme as an illustration of
posts with grades, marked so in each line's description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from pmo.core.money import pence_from_text, pounds_text
from pmo.core.permissions import Actor
from pmo.finance import benefits_service, costs_service
from pmo.finance.benefits_schemas import (
    BenefitClass,
    BenefitCreate,
    BenefitStatus,
    Category,
    ProfileEntryIn,
)
from pmo.finance.costs_schemas import CostKind, CostLineCreate
from pmo.finance.models import Benefit, FundingSource
from pmo.kpis.models import Kpi
from pmo.organisations.models import Organisation, User
from pmo.portfolio.demo import actor_for
from pmo.portfolio.models import Programme, Project

YEARS = ("2022/23", "2023/24", "2024/25", "2025/26")
CAPITAL_RECEIPTS = "capital receipts flexibility"


@dataclass(frozen=True)
class AppendixB:
    project: str  # the demo project's name (pmo.portfolio.demo_data)
    activity: str  # the report's wording
    benefits: tuple[str | None, ...]  # per year of YEARS: pounds, "0" or None (blank)
    in_mtfp: bool = False
    one_off: str | None = None  # pounds, in 2023/24 from capital receipts


APPENDIX_B = (
    AppendixB(
        "Re-procure the contact centre telephony system",
        "Procurement of contact centre telephony system",
        ("44000", "44000", "44000", "44000"),
    ),
    AppendixB(
        "Complete a review of cash collection and payment options",
        "Review of cash management and payment options",
        (None, None, None, "10000"),
    ),
    AppendixB(
        "Integration of housing into customer services functions",
        "Integration of housing into customer services functions",
        (None, "10500", "10500", "22000"),
    ),
    AppendixB(
        "Review and implement a reimagined Visitor Information service",
        "Review of visitor information services",
        ("15000", "40000", "40000", "40000"),
        in_mtfp=True,
    ),
    AppendixB(
        "Introduction of new digital systems and a concierge service at sports centres",
        "Introduction of new digital systems and concierge service at sports centres",
        (None, "30000", "30000", "30000"),
        in_mtfp=True,
    ),
    AppendixB(
        "Reshaping purchase to pay processes",
        "Reshaping purchase to pay processes",
        ("0", "22000", "22000", "22000"),
    ),
    AppendixB(
        "Review of hybrid mail, including the use of reprographics service",
        "Printing and postage - Review of year end billing/ hybrid mail/ reprographics",
        ("0", "40000", "40000", "40000"),
        one_off="90000",
    ),
    AppendixB(
        "ICT transformation programme - additional forecast savings",
        "ICT transformation programme - additional forecast savings",
        (None, None, "40000", "50000"),
    ),
    AppendixB(
        "Implement the Safer Streets initiative",
        "Implement the safer streets initiative",
        ("70000", "85000", "85000", "85000"),
    ),
    AppendixB(
        "Local government ward boundary review",
        "Local government ward boundary review",
        ("0", "49000", "49000", "49000"),
        in_mtfp=True,
    ),
)

# (programme, description, {year: pounds}) funded from capital receipts (Appendix B, para 6.5).
TRANSFORMATION_RESOURCES = (
    (
        "Developing our people and our use of resources",
        "Transformation resources included in the MTFP report (staff)",
        {"2022/23": "117000", "2023/24": "119000", "2024/25": "121000"},
    ),
    (
        "Customer Experience",
        "Transformation resources additional to the MTFP report (staff): customer experience",
        {"2023/24": "50000"},
    ),
)

# (project, title, category, class, baseline, description)
OTHER_BENEFITS = (
    (
        "90% of ICT systems are moved to cloud hosted provision",
        "ICT systems are stable and major incidents reduce",
        Category.efficiency,
        BenefitClass.non_cashable,
        "Major ICT incidents per quarter before the move to cloud hosting.",
        "Appendix A, ICT Improvement: how will we know it is successful.",
    ),
    (
        "Replace the Council website",
        "Residents use online services at times and places that suit them",
        Category.customer,
        BenefitClass.qualitative,
        "",
        "Appendix A, ICT Improvement: what will be different for residents and businesses.",
    ),
    (
        "Complete the People Plan action plan for 2022",
        "Digital talent and skills are developed; change teams become multi-disciplined",
        Category.cultural,
        BenefitClass.qualitative,
        "",
        "Appendix A, ICT Improvement: how will we know it is successful.",
    ),
    (
        "Redesign of Customer Services",
        "Increased satisfaction and feedback from residents, service users and our workforce",
        Category.customer,
        BenefitClass.non_cashable,
        "",
        "Appendix A, New ways of working: how will we know it is successful.",
    ),
)

# Seed 000, Appendix 1, paras 1.2-1.4: (description, grade, pounds, kind), all 2021/22.
DERBYSHIRE_NOTE = " (illustration: Derbyshire County Council, Cabinet 17 June 2021, Appendix 1)"
DERBYSHIRE_LINES = (
    ("Programme Manager (MWOW)", "Grade 14 (tbc)", "51322", CostKind.resourcing),
    ("Property space planning and design officer", "Grade 12", "39574", CostKind.resourcing),
    ("Property Logistics Officer", "Grade 11", "35251", CostKind.resourcing),
    ("Technical support", "Grade 8", "24499", CostKind.resourcing),
    (
        "IT infrastructure, minor building alterations, moves and file storage",
        None,
        "250000",
        CostKind.one_off,
    ),
    ("Programme Manager x 1 (Strategic Transformation Case)", "Grade 14 (tbc)", "51322", CostKind.resourcing),
    ("Business Analysts x 2", "Grade 12", "79148", CostKind.resourcing),
    ("External specialist support", None, "150000", CostKind.one_off),
    ("Communications and engagement", None, "30000", CostKind.one_off),
    ("Project Officer (Enterprising Council)", "Grade 9", "26937", CostKind.resourcing),
    ("Contingency for agency staff in advance of recruitment", None, "35000", CostKind.resourcing),
)
DERBYSHIRE_YEAR = "2021/22"
DERBYSHIRE_PROGRAMME = "Operational Efficiency"


def _project(session: Session, organisation: Organisation, name: str) -> Project:
    project: Project = session.execute(
        select(Project).where(Project.organisation_id == organisation.id, Project.name == name)
    ).scalar_one()
    return project


def _programme(session: Session, organisation: Organisation, name: str) -> Programme | None:
    return session.execute(
        select(Programme).where(Programme.organisation_id == organisation.id, Programme.name == name)
    ).scalar_one_or_none()


def _capital_receipts(session: Session, organisation: Organisation) -> FundingSource | None:
    return session.execute(
        select(FundingSource)
        .where(
            FundingSource.organisation_id == organisation.id,
            func.lower(FundingSource.name).contains(CAPITAL_RECEIPTS),
        )
        .order_by(col(FundingSource.name))
        .limit(1)
    ).scalar_one_or_none()


def _kpi(session: Session, organisation: Organisation) -> Kpi | None:
    """A KPI to link the ICT benefit to: one whose code starts "ICT", else the first."""
    kpis = list(
        session.execute(
            select(Kpi).where(Kpi.organisation_id == organisation.id).order_by(col(Kpi.code))
        ).scalars()
    )
    return next((k for k in kpis if k.code.upper().startswith("ICT")), kpis[0] if kpis else None)


def _pounds(text: str) -> str:
    """ "44000" -> "44000.00", the API's form of money."""
    return pounds_text(pence_from_text(text))


def _chesterfield(session: Session, organisation: Organisation, actor: Actor) -> None:
    source = _capital_receipts(session, organisation)
    source_id = source.id if source else None
    for row in APPENDIX_B:
        project = _project(session, organisation, row.project)
        profile = [
            ProfileEntryIn.model_validate(
                {"financial_year": year, "planned": _pounds(v), "forecast": _pounds(v)}
            )
            for year, v in zip(YEARS, row.benefits, strict=True)
            if v is not None
        ]
        benefits_service.create_benefit(
            session,
            actor,
            BenefitCreate(
                project_id=project.id,
                title=f"Cashable benefits: {row.activity}",
                description=(
                    "Indicative cashable benefits (Appendix B of the Cabinet report of 26 April 2022); "
                    "estimates until the detailed business case is approved (para 4.22)."
                ),
                category=Category.financial,
                benefit_class=BenefitClass.cashable,
                in_mtfp=row.in_mtfp,
                status=BenefitStatus.planned,
                profile=profile,
            ),
        )
        if row.one_off is not None:
            costs_service.create_cost_line(
                session,
                actor,
                CostLineCreate.model_validate(
                    {
                        "project_id": str(project.id),
                        "kind": "one_off",
                        "description": f"One-off investment: {row.activity}",
                        "amount": _pounds(row.one_off),
                        "financial_year": "2023/24",
                        "funding_source_id": str(source_id) if source_id else None,
                    }
                ),
            )
    for programme_name, description, by_year in TRANSFORMATION_RESOURCES:
        programme = _programme(session, organisation, programme_name)
        if programme is None:
            continue
        for year, amount in by_year.items():
            costs_service.create_cost_line(
                session,
                actor,
                CostLineCreate.model_validate(
                    {
                        "programme_id": str(programme.id),
                        "kind": "resourcing",
                        "description": description,
                        "amount": _pounds(amount),
                        "financial_year": year,
                        "funding_source_id": str(source_id) if source_id else None,
                    }
                ),
            )
    kpi = _kpi(session, organisation)
    for project_name, title, category, benefit_class, baseline, description in OTHER_BENEFITS:
        project = _project(session, organisation, project_name)
        is_ict = benefit_class == BenefitClass.non_cashable and "ICT" in title
        benefits_service.create_benefit(
            session,
            actor,
            BenefitCreate(
                project_id=project.id,
                title=title,
                description=description,
                category=category,
                benefit_class=benefit_class,
                baseline=baseline,
                kpi_id=kpi.id if kpi is not None and is_ict else None,
                status=BenefitStatus.identified,
            ),
        )


def _dacorum(session: Session, organisation: Organisation, actor: Actor) -> None:
    programme = _programme(session, organisation, DERBYSHIRE_PROGRAMME)
    if programme is None:
        return
    for description, grade, amount, kind in DERBYSHIRE_LINES:
        costs_service.create_cost_line(
            session,
            actor,
            CostLineCreate.model_validate(
                {
                    "programme_id": str(programme.id),
                    "kind": kind.value,
                    "description": description + DERBYSHIRE_NOTE,
                    "grade": grade,
                    "amount": _pounds(amount),
                    "financial_year": DERBYSHIRE_YEAR,
                }
            ),
        )


def load_costs_benefits_demo(
    session: Session,
    organisation: Organisation,
    users_by_email: Mapping[str, User],
    *,
    author: str = "pmo@demo.test",
    other_organisation: Organisation | None = None,
    other_users: Mapping[str, User] | None = None,
    other_author: str = "pmo@other.test",
) -> bool:
    """Load the demo cost lines and benefits (after the portfolio demo). Returns False,
    changing nothing, if the organisation already has benefits."""
    if session.execute(select(Benefit.id).where(Benefit.organisation_id == organisation.id).limit(1)).first():
        return False
    _chesterfield(session, organisation, actor_for(session, users_by_email[author]))
    if other_organisation is not None and other_users is not None:
        _dacorum(session, other_organisation, actor_for(session, other_users[other_author]))
    session.flush()
    return True
