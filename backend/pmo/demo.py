"""Demo data for the embedded default: two councils, their directorates, one user per role and
their change portfolios (`pmo.portfolio.demo_data`).

Every demo password is `demo-password`. Never load this into a production database.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from pmo.core.permissions import Role
from pmo.core.security import hash_password
from pmo.finance.demo import load_money_demo
from pmo.finance.demo_costs_benefits import load_costs_benefits_demo
from pmo.kpis.demo import load_kpi_demo
from pmo.organisations import service
from pmo.organisations.models import Directorate, Organisation, User
from pmo.organisations.schemas import DirectorateCreate, RoleAssignmentCreate, UserCreate
from pmo.portfolio.demo import load_portfolio_demo
from pmo.portfolio.demo_data import DACORUM_DIRECTORATE, DACORUM_PORTFOLIO
from pmo.portfolio.models import Programme, Project
from pmo.raid.demo import load_raid_demo
from pmo.reports.highlights_demo import load_highlights_demo

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential
DEMO_ORGANISATION = "Chesterfield Borough Council (demo)"
OTHER_ORGANISATION = "Dacorum Borough Council (demo)"

# Chesterfield's directorates at the time of its 2022 Organisational Development Programme.
DIRECTORATES = [
    ("Digital, HR and Customer Services", "Service Director: Digital, HR and Customer Services."),
    ("Finance", "Service Director: Finance, with the Section 151 officer."),
    ("Corporate", "Service Director: Corporate: legal, democratic and regulatory services."),
    (
        "Leisure, Culture and Community Wellbeing",
        "Service Director: Leisure, Culture and Community Wellbeing.",
    ),
    ("Housing", "Service Director: Housing."),
    ("Economic Growth", "Service Director: Economic Growth."),
    ("Commercial Services", "Service Director: Commercial Services."),
]

USERS = [
    ("admin@demo.test", "Alex Admin", Role.admin),
    ("pmo@demo.test", "Priya Patel (PMO)", Role.pmo),
    ("sponsor@demo.test", "Sam Sponsor (Service Director)", Role.sponsor),
    ("pm@demo.test", "Morgan Project-Manager", Role.project_manager),
    ("finance@demo.test", "Fran Finance (Section 151)", Role.finance),
    ("member@demo.test", "Cllr Jordan Member", Role.member),
    ("democratic@demo.test", "Dee Democratic Services", Role.democratic_services),
    ("viewer@demo.test", "Vic Viewer (Internal Audit)", Role.viewer),
]

# One person per scopable role whose role is held for part of the portfolio only (README
# "Roles and permissions"): email, name, role, and the programme (or project reference) it is for.
SCOPED_USERS = [
    ("pm-ict@demo.test", "Casey Scoped (PM, ICT Improvement)", Role.project_manager, "ICT Improvement", None),
    (
        "sponsor-cx@demo.test",
        "Robin Scoped (Sponsor, Customer Experience)",
        Role.sponsor,
        "Customer Experience",
        None,
    ),
    ("finance-ict@demo.test", "Kim Scoped (Finance, one project)", Role.finance, "ICT Improvement", "first"),
]


def _add_scoped_users(session: Session, organisation: Organisation, password_hash: str) -> None:
    """The scoped demo people: a programme's (or its first project's) role only."""
    for email, name, role, programme_name, project in SCOPED_USERS:
        data = UserCreate(email=email, display_name=name, password=DEMO_PASSWORD)
        user = service.create_user(session, None, organisation.id, data, password_hash=password_hash)
        programme = session.execute(
            select(Programme).where(
                Programme.organisation_id == organisation.id, Programme.name == programme_name
            )
        ).scalar_one()
        scope: dict[str, uuid.UUID] = {"programme_id": programme.id}
        if project is not None:
            first = (
                session.execute(
                    select(Project.id)
                    .where(Project.programme_id == programme.id)
                    .order_by(col(Project.reference))
                )
                .scalars()
                .first()
            )
            scope = {"project_id": first} if first is not None else scope
        service.assign_role(
            session, None, organisation.id, RoleAssignmentCreate(user_id=user.id, role=role, **scope)
        )


def load_demo(session: Session) -> bool:
    """Create the demo organisations once. Returns False if they were already there."""
    if session.execute(select(Organisation.id).where(Organisation.name == DEMO_ORGANISATION)).first():
        return False
    password_hash = hash_password(DEMO_PASSWORD)

    def add_user(organisation: Organisation, email: str, name: str, role: Role) -> User:
        data = UserCreate(email=email, display_name=name, password=DEMO_PASSWORD)
        user = service.create_user(session, None, organisation.id, data, password_hash=password_hash)
        service.assign_role(session, None, organisation.id, RoleAssignmentCreate(user_id=user.id, role=role))
        return user

    chesterfield = service.create_organisation(session, DEMO_ORGANISATION)
    directorates: dict[str, Directorate] = {}
    for name, description in DIRECTORATES:
        directorates[name] = service.create_directorate(
            session, None, chesterfield.id, DirectorateCreate(name=name, description=description)
        )
    users = {email: add_user(chesterfield, email, name, role) for email, name, role in USERS}
    # The Organisational Development Programme 2022-2025 (pmo.portfolio.demo_data).
    load_portfolio_demo(session, chesterfield, users, directorates)
    # Its RAID log: the report's risk table, and illustrative issues, assumptions, dependencies.
    load_raid_demo(session, chesterfield, users)
    # Its KPIs, from Appendix A's success measures, with two years of values (pmo.kpis.demo).
    load_kpi_demo(session, chesterfield, users)
    # Its reserves, the delegation rule and draw-downs in each state (pmo.finance.demo).
    load_money_demo(session, chesterfield, users, directorates)
    # Highlight reports of the last two months in every state (pmo.reports.highlights_demo).
    load_highlights_demo(session, chesterfield, users)
    # People whose role is held for one programme or project only.
    _add_scoped_users(session, chesterfield, password_hash)

    dacorum = service.create_organisation(session, OTHER_ORGANISATION)
    other_directorate = service.create_directorate(
        session, None, dacorum.id, DirectorateCreate(name=DACORUM_DIRECTORATE)
    )
    other_users = {
        "admin@other.test": add_user(dacorum, "admin@other.test", "Ola Other-Admin", Role.admin),
        "pmo@other.test": add_user(dacorum, "pmo@other.test", "Pat Other-PMO", Role.pmo),
    }
    # A small register of its own, so that the isolation between organisations shows.
    load_portfolio_demo(
        session,
        dacorum,
        other_users,
        {DACORUM_DIRECTORATE: other_directorate},
        spec=DACORUM_PORTFOLIO,
        author="pmo@other.test",
    )
    # Appendix B's cost lines and cashable benefits (after both registers and the reserves),
    # and seed 000's posts with grades on Dacorum's programme (pmo.finance.demo_costs_benefits).
    load_costs_benefits_demo(
        session, chesterfield, users, other_organisation=dacorum, other_users=other_users
    )
    return True
