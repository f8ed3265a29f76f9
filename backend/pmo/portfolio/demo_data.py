"""The demo portfolio: Chesterfield's Organisational Development Programme 2022-2025, as plain data.

Source: Chesterfield Borough Council, Cabinet, 26 April 2022, "The Organisational Development
Programme 2022 - 2025" (key decision 1093), `shared/seeds/002_b0fde1b3bf46e7ba.txt`:
paragraphs 4.5 to 4.17 (design process and governance), 4.18 to 4.19 (the four strategic areas
of focus), Appendix A (the programme: ambition, what changes, measures, outcomes and the
projects and change activity by quarter), Appendix B (projects with indicative financial
benefits: stage and service area) and Appendix C (the Directorate Programme Boards: which
project sits under which board and programme).

The source is a PDF extraction; its tables are flattened. Where a reading had to be chosen,
the comment at that place says how it was read. `pmo.portfolio.demo` loads this through the
services so that the audit trail records every record. People are the demo users of
`pmo.demo` (the report's named officers are not copied: every SRO is `sponsor@demo.test`).

A small Dacorum programme (seed 004, "Future Dacorum", paragraph 3.1) is at the end, so that
the isolation between organisations shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# People (the demo users made by pmo.demo.load_demo).
SPONSOR = "sponsor@demo.test"
PMO = "pmo@demo.test"
PM = "pm@demo.test"
FINANCE = "finance@demo.test"
MEMBER = "member@demo.test"

# Stage keys of the built-in Chesterfield lifecycle (pmo.gates.templates.CHESTERFIELD).
DISCOVER = "discover_define"
DESIGN = "design_develop"
DELIVERY = "delivery"

# Directorates (pmo.demo.DIRECTORATES). Appendices B and C name "Leisure, Culture and
# Community Wellbeing", the directorate's name in 2022.
DHR = "Digital, HR and Customer Services"
FINANCE_DIRECTORATE = "Finance"
CORPORATE = "Corporate"
LEISURE = "Leisure, Culture and Community Wellbeing"
HOUSING = "Housing"
ECONOMIC_GROWTH = "Economic Growth"


@dataclass(frozen=True)
class Member:
    email: str
    role: str = "member"  # "chair" or "member"


@dataclass(frozen=True)
class BodySpec:
    key: str
    name: str
    kind: str  # a GovernanceBodyKind value
    description: str
    members: tuple[Member, ...]
    directorate: str | None = None


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    quarter: str  # a financial quarter, "2022/23 Q2"
    description: str = ""


@dataclass(frozen=True)
class ConfidenceSpec:
    rating: str  # the IPA five-point scale: green, amber_green, amber, amber_red, red
    commentary: str


@dataclass(frozen=True)
class GateRequestSpec:
    """A gate review left pending, so that the dashboards show a decision waiting."""

    requested_by: str
    summary: str
    answers: dict[str, str]  # criterion key -> answer
    business_case: dict[str, str] | None = None


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    directorate: str  # lead directorate
    board: str  # BodySpec.key of the overseeing Directorate Programme Board
    source: str  # where in the report it comes from
    stage: str = DISCOVER
    description: str = ""
    sro: str = SPONSOR
    project_manager: str | None = None
    milestones: tuple[MilestoneSpec, ...] = ()
    confidence: ConfidenceSpec | None = None
    gate_request: GateRequestSpec | None = None


@dataclass(frozen=True)
class ProgrammeSpec:
    name: str
    ambition: str
    resident_outcomes: str
    success_measures: str
    strategic_outcomes: tuple[str, ...]
    board: str
    lead_directorate: str
    phase: str
    planned_start: date
    planned_end: date
    projects: tuple[ProjectSpec, ...]
    sro: str = SPONSOR


@dataclass(frozen=True)
class PortfolioSpec:
    name: str
    description: str
    start_date: date
    end_date: date
    bodies: tuple[BodySpec, ...]
    programmes: tuple[ProgrammeSpec, ...] = field(default_factory=tuple)


def quarter(period: str, title: str) -> MilestoneSpec:
    """A milestone Appendix A places in a named quarter."""
    return MilestoneSpec(title=title, quarter=period, description=f"Appendix A: planned for {period}.")


def year(financial_year: str, title: str) -> MilestoneSpec:
    """A milestone Appendix A places in a financial year without naming a quarter.

    Read as due by the end of that year (its fourth quarter)."""
    return MilestoneSpec(
        title=title,
        quarter=f"{financial_year} Q4",
        description=(
            f"Appendix A: planned for {financial_year} (no quarter given; due by the end of the year)."
        ),
    )


def bullets(*lines: str) -> str:
    return "\n".join(f"- {line}" for line in lines)


# The seven Organisational Development outcomes (paragraph 4.4). Appendix A ticks all seven
# for every programme; its column headings shorten two of them ("Customer Access" for Access to
# Services, "Strategy, Planning and Governance" for Strategy, Policy & Governance): the names
# of the approved strategy, as in paragraph 4.4, are used here.
OD_OUTCOMES: tuple[str, ...] = (
    "People & Culture",
    "Finance & Commercial",
    "Access to Services",
    "Digital & Data Capability",
    "Strategy, Policy & Governance",
    "Programme & Performance Management",
    "Engagement & Communication",
)


# Governance -------------------------------------------------------------------------------
# Paragraphs 4.11-4.13 and 4.15-4.16: an OD Steering Group chaired by an Executive Director,
# with the Chief Executive, Executive Directors and Service Directors as members; each Service
# Director chairs an OD Directorate Programme Board with representatives from finance, HR and
# other support services; the PMO supports every board (4.15); performance goes to Cabinet and
# Council (4.16). The demo has no Executive Director user: the Service Director
# (sponsor@demo.test) chairs the Steering Group and every board.

_BOARD_MEMBERS = (Member(SPONSOR, "chair"), Member(FINANCE), Member(PMO))


def _board(key: str, title: str, directorate: str | None, description: str) -> BodySpec:
    return BodySpec(
        key=key,
        name=f"OD Directorate Programme Board: {title}",
        kind="programme_board",
        directorate=directorate,
        description=description,
        members=_BOARD_MEMBERS,
    )


BODIES: tuple[BodySpec, ...] = (
    # Paragraphs 4.11-4.12 and diagram 1.
    BodySpec(
        key="steering",
        name="Organisational Development Steering Group",
        kind="steering_group",
        description=(
            "Chaired by one of the Council's Executive Directors; the Chief Executive, Executive "
            "Directors and Service Directors are its members (paras 4.11-4.12). Oversees the "
            "progress of the programme, is the escalation route for strategic risks and issues, "
            "gives advice and direction to projects, assures quality and objectives and tracks "
            "overall investment and the realisation of benefits. Agrees which discovery reports "
            "go on to a detailed business case and recommends detailed business cases for "
            "delivery (diagram 1)."
        ),
        members=(Member(SPONSOR, "chair"), Member(PMO), Member(FINANCE)),
    ),
    # Paragraph 4.16 and diagram 1 (elected members approve the move to delivery where the
    # constitution requires); paragraph 6.9 (draw-downs of £51k or more go to Cabinet).
    BodySpec(
        key="cabinet",
        name="Cabinet",
        kind="cabinet",
        description=(
            "Receives the programme's performance through the regular Council Plan and MTFP "
            "monitoring reports (para 4.16); formally approves projects into delivery where the "
            "constitution requires (diagram 1) and decides draw-downs of £51k or more (para 6.9)."
        ),
        members=(Member(MEMBER),),
    ),
    # Appendix C, row by row. Para 4.13: projects spanning several directorates are sponsored
    # by the Service Director for Digital, HR and Customer Services.
    _board(
        "cross_cutting",
        "Cross Cutting",
        None,
        "Projects spanning several directorates, sponsored by the Service Director for Digital, HR "
        "and Customer Services (para 4.13, Appendix C).",
    ),
    _board(
        "corporate",
        "Corporate",
        CORPORATE,
        "Chaired by the Service Director for Corporate (Appendix C).",
    ),
    _board(
        "digital",
        DHR,
        DHR,
        "Chaired by the Service Director for Digital, HR and Customer Services (Appendix C).",
    ),
    # Appendix C: this row's directorate label is lost in the extraction ("SRO - ..." only);
    # its projects are all the Finance Service's, so it is read as the Finance board.
    _board(
        "finance",
        "Finance",
        FINANCE_DIRECTORATE,
        "Chaired by the Service Director for Finance (Appendix C).",
    ),
    _board(
        "economic_growth",
        "Economic Growth",
        ECONOMIC_GROWTH,
        "Chaired by the Service Director for Economic Growth (Appendix C).",
    ),
    _board("housing", "Housing", HOUSING, "Chaired by the Service Director for Housing (Appendix C)."),
    _board(
        "leisure",
        LEISURE,
        LEISURE,
        "Chaired by the Service Director for Leisure, Culture and Community Wellbeing (Appendix C).",
    ),
)


# Shared text ---------------------------------------------------------------------------------

# Appendix A, ICT Improvement: "Reshaping Customers, Revenues and Benefits" (2022/23 Q1) is one
# activity that Appendix C splits into two projects; both carry the milestone.
_RESHAPE_CRB = quarter("2022/23 Q1", "Reshaping Customers, Revenues and Benefits")
# Appendix A, Developing our people, 2023/24: one line for three workstreams; each of the three
# workstream projects carries it.
_WORKSTREAMS_2023_24 = year(
    "2023/24",
    "Deliver the 2023/24 milestones identified in the People, Procurement and Asset Management workstreams",
)

# Pending gate review 1: a Design and Develop project asks to move into Delivery. The business
# case draws on Appendix B (investment and benefits) and paragraphs 6.5 and 6.9.
_PRINTING_GATE = GateRequestSpec(
    requested_by=PM,
    summary=(
        "Detailed business case for the review of year-end billing, hybrid mail and reprographics: "
        "£90,000 one-off investment from capital receipts flexibility for £40,000 a year of "
        "cashable benefits from 2023/24."
    ),
    answers={
        "business_case_complete": (
            "The detailed business case below sets out scope, costs, benefits, resource "
            "requirements, key risks and dependencies, with a delivery plan (para 4.8)."
        ),
        "approval_route": (
            "The one-off cost is £90,000, above the £50k delegated limit, so the draw-down is "
            "referred to Cabinet (para 6.9); Cabinet approved the use of capital receipts "
            "flexibility for it on 26 April 2022 (recommendation 2.3, para 6.5)."
        ),
    },
    business_case={
        "scope": (
            "Re-design the Council's printing and postage processes and systems: year-end "
            "billing, hybrid mail and the reprographics service (Appendix A, Appendix B, para 6.5)."
        ),
        "costs": "One-off investment £90,000 in 2023/24, from capital receipts flexibility (Appendix B).",
        "benefits": (
            "Cashable benefits of £40,000 a year in 2023/24, 2024/25 and 2025/26: £120,000 in "
            "total, not yet in the MTFP (Appendix B)."
        ),
        "resource_requirements": (
            "Organisational Development team resources funded from capital receipts (paras 6.5, 8.2)."
        ),
        "key_risks": (
            "Costs and benefits are estimates until the business case is approved (para 4.22); "
            "changes to the establishment follow the restructure policy (para 8.4)."
        ),
        "dependencies": "The digital platform and e-billing in Council Tax and Business Rates (Appendix A).",
        "delivery_plan": "Review of hybrid mail in 2022/23; benefits from 2023/24 (Appendix A, Appendix B).",
    },
)

# Pending gate review 2: a Discover and Define project asks to be developed to a detailed
# business case. Paragraphs 2.4 and 6.8 fund the specialist work for exactly this.
_FINANCE_GATE = GateRequestSpec(
    requested_by=PM,
    summary=(
        "Discovery report for the redesign of the Finance Service: up to £200k from the Service "
        "Redesign Reserve for specialist support to develop the detailed business case and a "
        "transformational road map (paras 2.4, 6.8)."
    ),
    answers={
        "council_priorities": (
            "Supports Council Plan priority three, delivering value for money services (paras 4.20, 9.1), "
            "and the Finance & Commercial outcome (para 4.4)."
        ),
        "improves_outcomes": (
            "Redesigns the finance service so that better data is available to support ongoing "
            "service delivery and strengthens how Finance engages with other services (Appendix A)."
        ),
        "costed_resourced_viable": (
            "Up to £200k from the Service Redesign Reserve for specialist expertise, approved by "
            "Cabinet on 26 April 2022 (recommendation 2.4, para 6.8); £555k remains in the reserve "
            "(para 6.7)."
        ),
        "evidenced_rationale": (
            "The review of financial processes, monitoring and reporting (Appendix A) and the need "
            "for external interim support (para 8.3)."
        ),
    },
)


# The programmes ---------------------------------------------------------------------------------
# Appendix A gives each programme's ambition, what will be different, how success is known and
# the outcomes it serves, in these words (obvious extraction slips are mended, noted in place).
# Appendix C gives the projects: its columns are the four programmes ("Customer services" is
# Customer Experience, "People and resources" is Developing our people), its rows the boards.
# Milestones are Appendix A's "Projects and change activity" lines matched to those projects.
# Stages are Appendix B's where it gives one; the report gives none for the other projects,
# which start in Discover and Define (para 4.22: many projects are still at discovery).

ICT_IMPROVEMENT = ProgrammeSpec(
    # Appendix A, ICT Improvement; para 4.19 ("Delivering the final year of our ICT Improvement
    # Programme").
    name="ICT Improvement",
    ambition=(
        "Strengthening our ICT infrastructure, cyber security and digital skills and implementing "
        "our digital platform.\n\n"
        "This programme will improve the technology that the Council uses to deliver its "
        "services. It will deliver the digital platform (including a new customer relationship "
        "management (CRM) system and a personalised customer portal) which underpins our services "
        "being able to continuously change and innovate. This programme will provide better "
        "networks, storage and hardware so that our workforce has the right tools to enable them "
        "to do their jobs professionally and it will enable us to strengthen our ICT security, "
        "reducing the risk of cyber attacks. The ICT service will be insourced. Digital skills "
        "will be developed across the council."
    ),
    resident_outcomes=bullets(
        "Being able to access a range of services online, at times and places that suit them",
        "Being able to access personalised information online, such as council tax, benefits and "
        "housing rent information",
        "Our service delivery will be resilient and online access will be secure",
    ),
    # "ICS systems" in the extraction: read as ICT.
    success_measures=bullets(
        "ICT systems are stable, and the number of major incidents reduce",
        "Cyber security accreditations are easily achieved",
        "Customers will actively use online services to access council information",
        "We achieve reduced costs of service delivery, through automation, self service and service redesign",
        "Digital talent and skills are actively developed and change teams become multi-disciplined",
    ),
    strategic_outcomes=OD_OUTCOMES,
    board="steering",
    lead_directorate=DHR,
    phase="Delivery: the final year of the ICT Improvement Programme",
    # Appendix A's columns run from 2021/22 Q4 to 2022/23 Q4.
    planned_start=date(2022, 1, 1),
    planned_end=date(2023, 3, 31),
    projects=(
        # Appendix C, Cross Cutting row, ICT Improvement column.
        ProjectSpec(
            name="Implement the staff caution list on the digital platform",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2021/22 Q4",
            milestones=(
                quarter(
                    "2021/22 Q4", "Redesign and implement the staff caution list on the digital platform"
                ),
            ),
        ),
        ProjectSpec(
            name="Redesign the complaints policy and include on the digital platform",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23 Q1",
            milestones=(
                quarter("2022/23 Q1", "Redesign the complaints policy and include on the digital platform"),
            ),
        ),
        ProjectSpec(
            name="Replace the commercial billing system",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23 Q3",
            milestones=(quarter("2022/23 Q3", "Replace the commercial billing system"),),
        ),
        ProjectSpec(
            name="Review and reduce printing and posting costs",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23 Q1",
            milestones=(quarter("2022/23 Q1", "Review and reduce printing and postage costs"),),
        ),
        # Appendix C's first row runs the Cross Cutting and Corporate rows together; member
        # casework (democratic services) is read as Corporate's.
        ProjectSpec(
            name="Implement member casework on the digital platform",
            directorate=CORPORATE,
            board="corporate",
            source="Appendix C (Cross Cutting / Corporate); Appendix A 2022/23 Q3",
            milestones=(quarter("2022/23 Q3", "Implement member casework on the digital platform"),),
        ),
        # Appendix C, Digital, HR and Customer Services row, ICT Improvement column.
        ProjectSpec(
            name="Implement housing rents information in My Chesterfield",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2021/22 Q4",
            project_manager=PM,
            milestones=(
                quarter("2021/22 Q4", "Begin to implement Housing Rents information in My Chesterfield"),
            ),
        ),
        ProjectSpec(
            name="Redesign of Customer Services",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23 Q1",
            milestones=(_RESHAPE_CRB,),
        ),
        ProjectSpec(
            name="Reshaping Revenues and Benefits",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23 Q1",
            milestones=(_RESHAPE_CRB,),
        ),
        ProjectSpec(
            name="90% of ICT systems are moved to cloud hosted provision",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23 Q4",
            milestones=(
                quarter("2022/23 Q4", "90% of ICT applications are moved to cloud hosted provision"),
            ),
        ),
        # Appendix B lists this under "People and Corporate Resources", at Delivery, with no
        # service area and no Appendix C entry; read as the ICT Improvement Programme's own
        # savings (para 6.1), led by Digital, HR and Customer Services.
        ProjectSpec(
            name="ICT transformation programme - additional forecast savings",
            directorate=DHR,
            board="digital",
            source="Appendix B (People and Corporate Resources, Delivery)",
            stage=DELIVERY,
            description=(
                "Appendix B: additional forecast cashable savings of £40,000 in 2024/25 and £50,000 "
                "in 2025/26 (£90,000), on top of the ICT Improvement Programme benefits already in "
                "the MTFP (para 6.1)."
            ),
            confidence=ConfidenceSpec(
                "amber",
                "The savings fall late (2024/25 and 2025/26) and are estimates until approved "
                "through the MTFP (Appendix B, para 4.22).",
            ),
        ),
        # Appendix C, Economic Growth row, ICT Improvement column.
        ProjectSpec(
            name=(
                "Implement technology improvements within the planning service so that efficiencies are "
                "achieved"
            ),
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth); Appendix A 2022/23 Q3",
            milestones=(
                quarter(
                    "2022/23 Q3",
                    "Implement technology improvements within the planning service so that "
                    "efficiencies are achieved",
                ),
            ),
        ),
        # Appendix C, Housing row, ICT Improvement column.
        ProjectSpec(
            name="Include Private Sector Housing processes on the digital platform",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A 2021/22 Q4",
            milestones=(
                quarter("2021/22 Q4", "Include Private Sector Housing processes on the digital platform"),
            ),
        ),
        # Appendix C, Leisure, Culture and Community Wellbeing row, ICT Improvement column.
        ProjectSpec(
            name="Replace the Leisure Management System",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23 Q1",
            project_manager=PM,
            milestones=(quarter("2022/23 Q1", "Replace the leisure management system"),),
        ),
        ProjectSpec(
            name="Integrate licensing services into the digital platform",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23 Q2",
            milestones=(quarter("2022/23 Q2", "Integrate licensing services into the digital platform"),),
        ),
    ),
)


CUSTOMER_EXPERIENCE = ProgrammeSpec(
    # Appendix A, Customer Experience; para 4.19.
    name="Customer Experience",
    ambition=(
        "Residents remain satisfied with the services we provide and our services become more "
        "accessible.\n\n"
        "The programme aims to build on the experience customers have when dealing with the "
        "Council, be that through online services or contact with a staff member in our buildings "
        "or in the community. The programme will focus on areas where people contact the council "
        "for help and support, making sure it is seamless, easy and automated where possible for "
        "speed and simplicity. At the same time we will ensure that the most vulnerable in our "
        "communities can always access what they need. The Council's website will be modernised "
        "and use of social media channels will continue to be developed in line with customer "
        "expectations. Our front line staff will be supported to fact find and problem solve at "
        "the 1st point of contact."
    ),
    resident_outcomes=bullets(
        "It will be easy to contact the council, whatever the issue",
        "More support and information will be accessible online 24/7 or through webchat or "
        "chatbots, providing a quicker resolution, especially for routine enquiries and advice and "
        "information.",
        "People with specific needs and support will receive the right help and support 1st time",
        "Frontline staff can dedicate more time to the people they support.",
        "Our Leisure teams will use technology to deliver some services in different ways",
        "Our visitor information centre and the way we deliver events will be reimagined in line "
        "with our recently adopted visitor economy strategy",
    ),
    success_measures=bullets(
        "Residents report they are satisfied with the customer service they receive",
        "Automation is used widely and effectively to improve services",
        "We have fully established a 'single front door' for contact with the council",
        "Systems and processes for interactions with residents are joined up across all parts of the council",
        "Efficiencies drive targeted cashable savings within this programme",
    ),
    strategic_outcomes=OD_OUTCOMES,
    board="steering",
    lead_directorate=DHR,
    phase="",
    # Appendix A's columns: 2021/22 Q4, 2022/23, 2023/24.
    planned_start=date(2022, 1, 1),
    planned_end=date(2024, 3, 31),
    projects=(
        # Appendix C, Cross Cutting row, Customer services column.
        ProjectSpec(
            name="Replace the Council website",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23",
            project_manager=PM,
            milestones=(year("2022/23", "Replace the Council Website"),),
        ),
        # Appendix C, Digital, HR and Customer Services row, Customer services column.
        ProjectSpec(
            name="Re-procure the contact centre telephony system",
            directorate=DHR,
            board="digital",
            source=(
                "Appendix C (Digital, HR and Customer Services); Appendix A 2022/23; Appendix B (Delivery)"
            ),
            stage=DELIVERY,
            project_manager=PM,
            description=(
                'Appendix B, "Procurement of contact centre telephony system": no one-off '
                "investment; cashable benefits of £44,000 a year from 2022/23 to 2025/26 "
                "(£176,000), enabling a reduction in the number of telephone lines we use "
                "(Appendix A)."
            ),
            milestones=(
                year(
                    "2022/23",
                    "Reprocure the contact centre telephony system enabling a reduction in the "
                    "number of telephone lines we use",
                ),
            ),
            confidence=ConfidenceSpec(
                "amber_green",
                "In delivery with no one-off investment; the first £44,000 of cashable benefit "
                "is due in 2022/23 (Appendix B).",
            ),
        ),
        ProjectSpec(
            name="Complete a review of cash collection and payment options",
            directorate=DHR,
            board="digital",
            source=(
                "Appendix C (Digital, HR and Customer Services); Appendix A 2023/24; Appendix B (Design and "
                "develop)"
            ),
            stage=DESIGN,
            description=(
                'Appendix B, "Review of cash management and payment options": no one-off '
                "investment; cashable benefit of £10,000 in 2025/26."
            ),
            milestones=(year("2023/24", "Complete a review of cash collection and payment options"),),
        ),
        ProjectSpec(
            name="Integration of housing into customer services functions",
            directorate=DHR,
            board="digital",
            source=(
                "Appendix C (Digital, HR and Customer Services); Appendix A 2022/23; Appendix B (Design and "
                "develop)"
            ),
            stage=DESIGN,
            project_manager=PM,
            description=(
                "Appendix B: no one-off investment; cashable benefits of £10,500 in 2023/24, "
                "£10,500 in 2024/25 and £22,000 in 2025/26 (£43,000)."
            ),
            milestones=(year("2022/23", "Integration of housing services into customer services functions"),),
            confidence=ConfidenceSpec(
                "amber",
                "The detailed business case is still being developed; benefits are estimates "
                "until it is approved (para 4.22).",
            ),
        ),
        ProjectSpec(
            name="Provide assisted digital provision in the Customer Service Centre",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2021/22 Q4",
            milestones=(
                quarter("2021/22 Q4", "Provide assisted digital provision in our customer service centre"),
            ),
        ),
        # Appendix C: at the top of its second page, in the Customer services column, before the
        # Finance row; read as the end of the Digital, HR and Customer Services row.
        ProjectSpec(
            name="Implement the kickstart initiative within the Contact Centre",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services, continued); Appendix A 2021/22 Q4",
            milestones=(
                quarter(
                    "2021/22 Q4",
                    "Implement the Kickstart initiative within the Contact Centre, providing "
                    "employment experience for young people",
                ),
            ),
        ),
        # Appendix A lists these two under Customer Experience for 2022/23, but Appendix C has no
        # project for them: kept as projects of the Customer Service Centre's board.
        ProjectSpec(
            name="Engage with customers to review opening hours within our Customer Service Centre",
            directorate=DHR,
            board="digital",
            source="Appendix A 2022/23 (not in Appendix C)",
            milestones=(
                year(
                    "2022/23",
                    "Engage with customers to review opening hours within our Customer Service Centre",
                ),
            ),
        ),
        ProjectSpec(
            name="Consider the introduction of an appointments service in our Customer Services Centre",
            directorate=DHR,
            board="digital",
            source="Appendix A 2022/23 (not in Appendix C)",
            milestones=(
                year(
                    "2022/23",
                    "Consider the introduction of an appointments service in our Customer Services Centre",
                ),
            ),
        ),
        # Appendix C, Economic Growth row, Customer services column. Appendix A's one events
        # line ("Review the events programme and our approach to delivery") matches the
        # Leisure row's project word for word and is placed there.
        ProjectSpec(
            name="Review and reshape the events service",
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth)",
        ),
        # Appendix C, Housing row, Customer services column.
        ProjectSpec(
            name="Complete the digital switch in Careline and introduce improved digital access channels",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A 2023/24",
            milestones=(
                year(
                    "2023/24",
                    "Complete the digital switch in Careline and introduce improved digital access channels",
                ),
            ),
        ),
        # Appendix C, Leisure, Culture and Community Wellbeing row, Customer services column.
        ProjectSpec(
            name="Review and implement a reimagined Visitor Information service",
            directorate=LEISURE,
            board="leisure",
            source=(
                "Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23; Appendix B "
                "(Design and develop)"
            ),
            stage=DESIGN,
            description=(
                'Appendix B, "Review of visitor information services": one-off investment tbc; '
                "cashable benefits of £15,000 in 2022/23 and £40,000 a year from 2023/24 "
                "(£135,000), already in the MTFP (para 6.2)."
            ),
            milestones=(year("2022/23", "Review and implement a reimagined visitor information service"),),
            confidence=ConfidenceSpec(
                "amber",
                "Benefits from 2022/23 are already in the MTFP while the one-off investment is "
                "still to be confirmed (Appendix B).",
            ),
        ),
        ProjectSpec(
            name="Introduction of new digital systems and a concierge service at sports centres",
            directorate=LEISURE,
            board="leisure",
            source=(
                "Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2021/22 Q4; Appendix B "
                "(Design and develop)"
            ),
            stage=DESIGN,
            description=(
                "Appendix B: one-off investment £120,000, proposed to be funded from the sports "
                "centres reserve renewal fund and existing revenue budgets; cashable benefits of "
                "£30,000 a year from 2023/24 (£90,000), already in the MTFP (para 6.2)."
            ),
            milestones=(
                quarter(
                    "2021/22 Q4",
                    (
                        "Begin to introduce new digital systems and a leisure concierge service at our "
                        "sports centres"
                    ),
                ),
            ),
            confidence=ConfidenceSpec(
                "amber_green",
                "Funding for the £120,000 investment is identified (sports centres reserve "
                "renewal fund and revenue budgets) and its benefits are already in the MTFP.",
            ),
        ),
        ProjectSpec(
            name="Review the provision of telephony services within our sports centres",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23",
            milestones=(
                year("2022/23", "Review the provision of telephony services within our sports centres"),
            ),
        ),
        ProjectSpec(
            name="Buy and implement a new ticketing solution for our theatres",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2021/22 Q4",
            milestones=(
                quarter("2021/22 Q4", "Buy and implement a new ticketing solution for our theatres"),
            ),
        ),
        # Appendix C, third page, Leisure row continued.
        ProjectSpec(
            name="Review the events programme and our approach to delivery",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing, continued); Appendix A 2022/23",
            milestones=(year("2022/23", "Review the events programme and our approach to delivery"),),
        ),
    ),
)


DEVELOPING_PEOPLE = ProgrammeSpec(
    # Appendix A, Developing our people and our use of resources; para 4.19.
    name="Developing our people and our use of resources",
    ambition=(
        "Reviewing and reshaping our internal services and delivering our people plan, procurement "
        "and asset management strategies.\n\n"
        "This programme will focus on reviewing and reshaping our Corporate Services, centralising "
        "them where appropriate, whilst using technology to reduce duplication and the cost of "
        "service delivery. Our workforce will receive the appropriate support, training and "
        "development to enable creative, flexible and productive ways of working and an "
        "appropriate reward and recognition strategy will be developed and implemented. We will "
        "work towards centralising our communications and marketing activity and will implement a "
        "corporate landlord approach to the management of our property portfolio. We will redesign "
        "our finance service so that better data is available to support ongoing service delivery "
        "and our Health and Safety provision will be reviewed to ensure it is fit for purpose with "
        "changing legislative requirements and the increased demands from the Coronavirus pandemic."
    ),
    # Appendix A asks "What will be different for employees?" for this programme. "Viewill" and
    # "Figuration" are extraction slips, read as "We will" and "Financial information".
    resident_outcomes="What will be different for employees:\n"
    + bullets(
        "Many of our corporate services will be centralised, with the provision of a business "
        "partner approach in HR & OD, ICT and Finance services and the introduction of a corporate "
        "landlord for our property portfolio.",
        "Our procurement service will be transformed using category management and technology to "
        "deliver improved governance, social value, 'green' procurement and financial savings",
        "Our managers will be supported to lead effectively through change",
        "We will develop the capacity and skills of our workforce, supporting their health and "
        "wellbeing and ensuring appropriate recognition and reward",
        "Financial information and forecasting tools will be easily available",
    ),
    success_measures=bullets(
        "The outcomes set out in our people plan and procurement strategies will be delivered on time",
        (
            "Efficiencies and customer benefits identified through the Corporate Services change programmes "
            "are realised."
        ),
        "The Corporate Asset Management Strategy will be developed, adopted and implemented",
        "We will have improved our financial processes and the financial data that is available to "
        "us and strengthened how the Finance Service engages with other service areas.",
        "New Health and safety legislation will be understood and embedded across the organisation",
    ),
    strategic_outcomes=OD_OUTCOMES,
    board="steering",
    lead_directorate=DHR,
    phase="",
    # Appendix A's columns: 2021/22 (printed "2021722"), 2022/23, 2023/24.
    planned_start=date(2022, 1, 1),
    planned_end=date(2024, 3, 31),
    projects=(
        # Appendix C, Cross Cutting row, People and resources column. Appendix A's first column
        # is headed "2021722" in the extraction: read as 2021/22 Q4, like the other programmes'
        # first columns.
        ProjectSpec(
            name="Review of hybrid mail, including the use of reprographics service",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23; Appendix B (Design and develop)",
            stage=DESIGN,
            project_manager=PM,
            # Appendix B's "Printing and postage - Review of year end billing/ hybrid mail/
            # reprographics" sits under People and Corporate Resources: read as this project.
            description=(
                'Appendix B, "Printing and postage - Review of year end billing/ hybrid mail/ '
                'reprographics": one-off investment £90,000 from capital receipts flexibility '
                "(para 6.5); cashable benefits of £40,000 a year from 2023/24 (£120,000)."
            ),
            milestones=(
                year(
                    "2022/23",
                    "Complete a review of hybrid mail, including the use of the reprographics service",
                ),
            ),
            confidence=ConfidenceSpec(
                "amber_green",
                "Detailed business case complete and submitted for approval; the £90,000 is "
                "provided for from capital receipts (para 6.5).",
            ),
            gate_request=_PRINTING_GATE,
        ),
        ProjectSpec(
            name="Development of the Programme Management Office",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2021/22; para 4.15",
            milestones=(quarter("2021/22 Q4", "Start the development of the Programme Management Office"),),
        ),
        ProjectSpec(
            name="Complete the People Plan action plan for 2022",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2021/22",
            milestones=(quarter("2021/22 Q4", "Complete the People Plan delivery plan"),),
        ),
        ProjectSpec(
            name="Develop a refreshed People Plan 2023 - 2026",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23 and 2023/24",
            milestones=(
                year("2022/23", "Refresh and approve the People Plan 2023 - 2026"),
                _WORKSTREAMS_2023_24,
            ),
        ),
        ProjectSpec(
            name=(
                "Deliver the procurement strategy actions and the procurement savings in savings action plan"
            ),
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2021/22 and 2023/24",
            milestones=(
                quarter(
                    "2021/22 Q4",
                    "Deliver the procurement strategy actions and the savings in the procurement action plan",
                ),
                _WORKSTREAMS_2023_24,
            ),
        ),
        ProjectSpec(
            name="Redesign the communications and marketing functions",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23",
            milestones=(year("2022/23", "Redesign the Communications and Marketing functions"),),
        ),
        ProjectSpec(
            name="Complete a review of our Health and Safety approach",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2021/22",
            description=(
                "Complete a review of our Health and Safety approach, exploring the use of digital "
                "technology to improve provision and reshape the H&S service (Appendix C)."
            ),
            milestones=(
                quarter(
                    "2021/22 Q4",
                    "Begin to undertake a review of our Health and Safety approach, exploring the use "
                    "of digital technology to improve provision and reshape the Health and Safety service",
                ),
            ),
        ),
        # Cross Cutting / Corporate run together (see above): legal, and policy and
        # partnerships, are read as Corporate's.
        ProjectSpec(
            name="Reshape legal services, providing additional admin support",
            directorate=CORPORATE,
            board="corporate",
            source="Appendix C (Cross Cutting / Corporate); Appendix A 2021/22",
            milestones=(
                quarter("2021/22 Q4", "Reshape legal services to provide additional administrative support"),
            ),
        ),
        ProjectSpec(
            name="Review and reshape Policy and Partnerships service",
            directorate=CORPORATE,
            board="corporate",
            source="Appendix C (Cross Cutting / Corporate); Appendix A 2022/23",
            milestones=(year("2022/23", "Review and reshape the policy and partnerships service"),),
        ),
        ProjectSpec(
            name="Improve the integration of Council plan, MTFP, service business planning and OD activity",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23",
            milestones=(
                year(
                    "2022/23",
                    "Improve the integration of the Council plan, MTFP, service business planning "
                    "and Organisational Development",
                ),
            ),
        ),
        # Appendix C, Digital, HR and Customer Services row, People and resources column.
        ProjectSpec(
            name="Reshaping purchase to pay processes",
            directorate=DHR,
            board="digital",
            source=(
                "Appendix C (Digital, HR and Customer Services); Appendix A 2021/22; Appendix B (Delivery)"
            ),
            stage=DELIVERY,
            project_manager=PM,
            description=(
                "Appendix B: no one-off investment; cashable benefits of £22,000 a year from "
                "2023/24 (£66,000), reducing paper and increasing automation (Appendix A)."
            ),
            milestones=(
                quarter(
                    "2021/22 Q4",
                    "Begin to review and scope the redesign of purchase to pay activities within the "
                    "council, reducing paper and increasing automation",
                ),
            ),
            confidence=ConfidenceSpec(
                "amber",
                "In delivery; the £22,000 a year from 2023/24 depends on the automation landing "
                "before the end of 2022/23 (Appendix B).",
            ),
        ),
        ProjectSpec(
            name="Review and reshape Support Services",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23",
            milestones=(year("2022/23", "Review and reshape Support Services"),),
        ),
        ProjectSpec(
            name="Implement HR technology improvements",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2023/24",
            milestones=(year("2023/24", "Implement HR technology improvements"),),
        ),
        ProjectSpec(
            name="Develop a new ICT strategy",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23",
            milestones=(year("2022/23", "Develop a new ICT strategy"),),
        ),
        # Appendix C, Finance row (label lost, see the board), People and resources column.
        ProjectSpec(
            name="Complete a redesign of the finance service",
            directorate=FINANCE_DIRECTORATE,
            board="finance",
            source="Appendix C (Finance); Appendix A 2022/23; paras 2.4, 6.6, 6.8, 8.3",
            project_manager=PM,
            milestones=(year("2022/23", "Complete a redesign of the Finance Service"),),
            gate_request=_FINANCE_GATE,
        ),
        ProjectSpec(
            name="Review of financial processes, monitoring and reporting",
            directorate=FINANCE_DIRECTORATE,
            board="finance",
            source="Appendix C (Finance); Appendix A 2022/23",
            milestones=(
                year("2022/23", "Complete a review of financial processes, monitoring and reporting"),
            ),
        ),
        ProjectSpec(
            name="Migrate the finance system to SaaS and upgrade to the latest version",
            directorate=FINANCE_DIRECTORATE,
            board="finance",
            source="Appendix C (Finance); Appendix A 2021/22 and 2023/24",
            milestones=(
                quarter("2021/22 Q4", "Migrate the council's finance system to SaaS (not hosted on premise)"),
                year("2023/24", "Upgrade the finance system from ERP7 to ERPx"),
            ),
        ),
        # Appendix C, Economic Growth row, People and resources column.
        ProjectSpec(
            name="Redesign of property and technical services",
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth); Appendix A 2022/23; paras 2.4, 6.8",
            milestones=(year("2022/23", "Redesign Property and Technical Services"),),
        ),
        ProjectSpec(
            name="Develop and approve the asset management strategy and delivery plan",
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth); Appendix A 2021/22 and 2023/24",
            milestones=(
                quarter("2021/22 Q4", "Begin to develop the Asset Management Strategy and delivery plan"),
                _WORKSTREAMS_2023_24,
            ),
        ),
        ProjectSpec(
            name="Introduce corporate landlord",
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth); Appendix A 2022/23",
            milestones=(year("2022/23", "Introduce Corporate Landlord"),),
        ),
        ProjectSpec(
            name="Develop 10-year maintenance plans and climate change carbon assessments",
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth); Appendix A 2022/23",
            milestones=(
                year("2022/23", "Develop 10 year maintenance plans and climate change carbon assessments"),
            ),
        ),
        ProjectSpec(
            name="Review and develop short-term facilities improvements at Stonegravels Depot",
            directorate=ECONOMIC_GROWTH,
            board="economic_growth",
            source="Appendix C (Economic Growth); Appendix A 2022/23",
            milestones=(
                year(
                    "2022/23", "Review and develop short term facilities improvements at Stonegravels Depot"
                ),
            ),
        ),
    ),
)


NEW_WAYS_OF_WORKING = ProgrammeSpec(
    # Appendix A, New ways of working; para 4.19. Its page alone shows the phase marker
    # "Transformation Phase (2) Design and Develop".
    name="New ways of working",
    ambition=(
        "Rethinking and modernising our services, so we are more efficient.\n\n"
        "This programme will enable services to work creatively, efficiently and at lower costs so "
        "that we can secure our finances and support growth in Chesterfield. It will build on the "
        "new ways of working that have emerged through the coronavirus pandemic, including "
        "embedding a hybrid working environment in the Council. Opportunities to work closely with "
        "partner organisations to deliver more joined up services will be actively progressed. "
        "Technology will be utilised to improve our efficiency and productivity. This programme "
        "will be regularly refreshed to incorporate external change projects such as the Local "
        "Government Boundary Review, changes to service delivery brought about by legislative or "
        "policy changes, organisational changes resulting from Vision Derbyshire or other local "
        "government reforms and changes brought about through consultation and engagement with "
        "our communities."
    ),
    resident_outcomes=bullets(
        "The programme will improve many key processes that will free up staff time and capacity",
        "Services will continue to provide good value for money",
        "The council will continue to work with partner organisations to deliver joined up services",
        "Services will be less tied to physical locations",
        "We will minimise the amount of space which is occupied by our workforce and maximise the "
        "space available for partner accommodation or alternative uses",
        "Many of the improvements will enable staff to work more flexibly and efficiently but may "
        "not be visible outside of the council",
    ),
    success_measures=bullets(
        "We will have updated and refreshed many of our business processes and our ways of working",
        "We will see increased satisfaction and feedback from residents, service users and our workforce",
        "We will realise financial, efficiency and customer benefits",
        "We will have identified new opportunities to secure income which will protect our vital services",
    ),
    strategic_outcomes=OD_OUTCOMES,
    board="steering",
    lead_directorate=DHR,
    phase="Design and Develop",
    # Appendix A's columns: 2022/23, 2022/23 (a second column with the same heading), 2023/24.
    # Both 2022/23 columns are read as "during 2022/23".
    planned_start=date(2022, 4, 1),
    planned_end=date(2024, 3, 31),
    projects=(
        # Appendix C, Cross Cutting row, New ways of working column.
        ProjectSpec(
            name="Develop and implement our approach to Hybrid working",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting)",
        ),
        ProjectSpec(
            name="Complete the digital switch across our corporate estate",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2023/24",
            milestones=(year("2023/24", "Complete the digital switch within our Corporate estate"),),
        ),
        # Appendix A's one line "Implement a corporate asset management system" is read as this
        # cross-cutting project's, not the Housing row's "Implementation of asset management
        # system".
        ProjectSpec(
            name="Replace the asset management system",
            directorate=DHR,
            board="cross_cutting",
            source="Appendix C (Cross Cutting); Appendix A 2022/23",
            milestones=(year("2022/23", "Implement a corporate asset management system"),),
        ),
        # Appendix B gives the service area: Corporate.
        ProjectSpec(
            name="Local government ward boundary review",
            directorate=CORPORATE,
            board="corporate",
            source=(
                "Appendix C (Cross Cutting / Corporate); Appendix A 2022/23; Appendix B (Delivery, Corporate)"
            ),
            stage=DELIVERY,
            project_manager=PM,
            description=(
                "Appendix B: no one-off investment; cashable benefits of £49,000 a year from "
                "2023/24 (£147,000), already in the MTFP (para 6.2)."
            ),
            milestones=(year("2022/23", "Implement the Local government boundary review"),),
            confidence=ConfidenceSpec(
                "green",
                "In delivery; its benefits are well understood and already in the MTFP (para 6.2).",
            ),
        ),
        ProjectSpec(
            name="Review of approach to supporting voluntary and community sector services",
            directorate=CORPORATE,
            board="corporate",
            source="Appendix C (Cross Cutting / Corporate)",
        ),
        ProjectSpec(
            name="Review and reshape Democratic and Elections services",
            directorate=CORPORATE,
            board="corporate",
            source="Appendix C (Cross Cutting / Corporate); Appendix A 2022/23",
            milestones=(year("2022/23", "Review and reshape Democratic and Elections services"),),
        ),
        # Appendix C, Digital, HR and Customer Services row, New ways of working column.
        ProjectSpec(
            name="Rents process redesign",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services)",
        ),
        ProjectSpec(
            name="Implement the use of analytics in debt recovery",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23",
            milestones=(year("2022/23", "Implement the use of data analytics within debt recovery"),),
        ),
        ProjectSpec(
            name="Use behavioural insights to improve debt recovery",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23",
            milestones=(year("2022/23", "Use behavioural insights to improve debt recovery"),),
        ),
        ProjectSpec(
            name="Automate direct debits to support rent collection and increase efficiency",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2022/23",
            milestones=(
                year("2022/23", "Automate direct debit collection in rents to increase efficiency levels."),
            ),
        ),
        ProjectSpec(
            name="Explore opportunities for shared services",
            directorate=DHR,
            board="digital",
            source="Appendix C (Digital, HR and Customer Services); Appendix A 2023/24",
            milestones=(
                year(
                    "2023/24",
                    "Explore opportunities to deliver further shared services in Revenues and Benefits teams",
                ),
            ),
        ),
        # Appendix C, Housing row, New ways of working column. Appendix A lists "Reshape of
        # Housing - phase 1" and "Complete a review of VOIDs processes" as the focus for the next
        # phase, without a quarter: no milestone.
        ProjectSpec(
            name="Reshape the Housing Directorate",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A focus for the next phase",
        ),
        ProjectSpec(
            name="Complete a review and reshape of the Stores function",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A 2022/23",
            milestones=(year("2022/23", "Complete a review and reshape of the stores function"),),
        ),
        ProjectSpec(
            name="Voids review and redesign",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A focus for the next phase",
        ),
        ProjectSpec(
            name="Implementation of asset management system",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing)",
        ),
        ProjectSpec(
            name="Review housing repairs processes and implement technology improvements",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A 2022/23",
            milestones=(
                year("2022/23", "Review the housing repairs process and implement technology improvements"),
            ),
        ),
        ProjectSpec(
            name="Integrate tenancy management into the digital platform",
            directorate=HOUSING,
            board="housing",
            source="Appendix C (Housing); Appendix A 2022/23",
            milestones=(year("2022/23", "Integrate Tenancy Management into the digital platform"),),
        ),
        # Appendix C, Leisure, Culture and Community Wellbeing row, New ways of working column.
        ProjectSpec(
            name="Implement the Safer Streets initiative",
            directorate=LEISURE,
            board="leisure",
            source=(
                "Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23; Appendix B "
                "(Design and develop)"
            ),
            stage=DESIGN,
            project_manager=PM,
            description=(
                "Appendix B: one-off investment tbc (main investment from the Safer Streets grant); "
                "cashable benefits of £70,000 in 2022/23 and £85,000 a year from 2023/24 (£325,000)."
            ),
            milestones=(year("2022/23", "Implement the Safer Streets initiative"),),
            confidence=ConfidenceSpec(
                "amber",
                "The largest forecast benefit in the programme (£325,000) with the investment "
                "still to be confirmed (Appendix B).",
            ),
        ),
        ProjectSpec(
            name="Complete a review of commercial catering",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23",
            milestones=(year("2022/23", "Complete a review of commercial catering"),),
        ),
        ProjectSpec(
            name="Complete a review of building cleaning",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing); Appendix A 2022/23",
            milestones=(year("2022/23", "Complete a review of building cleaning"),),
        ),
        ProjectSpec(
            name="Review and reshape Environmental Services",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing)",
        ),
        ProjectSpec(
            name="Review and update the Anti-social behaviour policy and supporting processes",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing)",
        ),
        # Appendix C, third page, Leisure row continued.
        ProjectSpec(
            name=(
                "Review and scope the implementation of technology which prevents drowning in our swimming "
                "pools"
            ),
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing, continued)",
        ),
        ProjectSpec(
            name="Review the use of technology within Environmental Services",
            directorate=LEISURE,
            board="leisure",
            source="Appendix C (Leisure, Culture and Community Wellbeing, continued); Appendix A 2022/23",
            milestones=(year("2022/23", "Review the use of technology within Environmental Services"),),
        ),
    ),
)


# Paragraphs 1.1, 3.1, 4.18-4.19 and the title: approved by Cabinet on 26 April 2022; Appendix
# A is headed "2022/23 to 2025/26", the MTFP period of the benefits (Appendix B).
CHESTERFIELD_PORTFOLIO = PortfolioSpec(
    name="Organisational Development Programme 2022-2025",
    description=(
        "A single Organisational Development Programme drawing together the change activities the "
        "Council will undertake over the medium term to achieve the seven outcomes of its "
        "Organisational Development Strategy, grouped around four strategic areas of focus (paras "
        "4.18-4.19). Approved by Cabinet on 26 April 2022 (key decision 1093). Reviewed and "
        "refreshed every six months (para 4.10)."
    ),
    start_date=date(2022, 4, 1),
    end_date=date(2026, 3, 31),
    bodies=BODIES,
    programmes=(ICT_IMPROVEMENT, CUSTOMER_EXPERIENCE, DEVELOPING_PEOPLE, NEW_WAYS_OF_WORKING),
)


# Dacorum (seed 004, Cabinet 22 June 2021, "Transformation Programme - Phase 2 and beyond"):
# one work-stream of Future Dacorum and two of its Phase 2 activities (paras 3.1, 4.2-4.7), so
# that another organisation's register exists beside Chesterfield's.
DACORUM_DIRECTORATE = "Corporate and Contracted Services"
DACORUM_PORTFOLIO = PortfolioSpec(
    name="Future Dacorum",
    description=(
        "The Council-wide Transformation Programme, in phases: Phase 1 December 2020 to March "
        "2021, Phase 2 April to August 2021, Phase 3 September 2021 to March 2022 (paras 2.2-2.3)."
    ),
    start_date=date(2020, 12, 1),
    end_date=date(2022, 3, 31),
    bodies=(
        BodySpec(
            key="transformation_board",
            name="Transformation Board",
            kind="transformation_board",
            description=(
                "The Transformation Programme reports to the Transformation Board (risk implications)."
            ),
            members=(),
        ),
    ),
    programmes=(
        ProgrammeSpec(
            name="Operational Efficiency",
            ambition=(
                "Our leadership layer is more efficiently designed to meet the new challenges of a "
                "post-COVID world."
            ),
            resident_outcomes="",
            success_measures="",
            strategic_outcomes=("Ensuring efficient, effective and modern service delivery",),
            board="transformation_board",
            lead_directorate=DACORUM_DIRECTORATE,
            phase="Phase 2",
            planned_start=date(2021, 4, 1),
            planned_end=date(2021, 8, 31),
            sro="",
            projects=(
                ProjectSpec(
                    name="Leadership Review",
                    directorate=DACORUM_DIRECTORATE,
                    board="transformation_board",
                    source="Seed 004, paras 4.2-4.5",
                    sro="",
                    description="EELGA is conducting a Leadership Review of DBC with the CEO (para 4.2).",
                ),
                ProjectSpec(
                    name="Communications Audit and Strategy",
                    directorate=DACORUM_DIRECTORATE,
                    board="transformation_board",
                    source="Seed 004, paras 4.6-4.7",
                    sro="",
                    description=(
                        "An audit of the current communications strategy and plan, a revised "
                        "strategy and an action plan with a timetable for implementation (para 4.7)."
                    ),
                ),
            ),
        ),
    ),
)


def all_projects(portfolio: PortfolioSpec) -> list[ProjectSpec]:
    return [project for programme in portfolio.programmes for project in programme.projects]
