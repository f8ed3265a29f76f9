"""Migration b1e5c0a9d3f7 gives every milestone that existed before it its first baseline."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import Session

from contract.test_migrations import downgrade, scratch_engine  # noqa: F401 - the fixture
from pmo.core.permissions import Role
from pmo.migrations import upgrade
from pmo.organisations import service as organisations
from pmo.organisations.schemas import RoleAssignmentCreate, UserCreate
from pmo.portfolio import milestones_service, portfolios_service, programmes_service, projects_service
from pmo.portfolio.demo import actor_for
from pmo.portfolio.milestones_schemas import MilestoneCreate
from pmo.portfolio.portfolios_schemas import PortfolioCreate
from pmo.portfolio.programmes_schemas import ProgrammeCreate
from pmo.portfolio.projects_schemas import ProjectCreate

# The revision before this one, whatever the merge makes it.
BEFORE = "b1e5c0a9d3f7-1"


def test_existing_milestones_get_their_first_baseline(scratch_engine: Engine) -> None:  # noqa: F811
    # Milestones made through the services, then the schema taken back to before baselines
    # (which drops them) and brought up again: the migration must give each its first one.
    upgrade(scratch_engine)
    with Session(scratch_engine) as session:
        organisation = organisations.create_organisation(session, "Migration Council")
        user = organisations.create_user(
            session,
            None,
            organisation.id,
            UserCreate(email="pmo@migration.test", display_name="PMO", password="a long enough pass phrase"),
        )
        organisations.assign_role(
            session, None, organisation.id, RoleAssignmentCreate(user_id=user.id, role=Role.pmo)
        )
        actor = actor_for(session, user)
        made = portfolios_service.create_portfolio(session, actor, PortfolioCreate(name="ODP"))
        programme = programmes_service.create_programme(
            session, actor, ProgrammeCreate(portfolio_id=made.id, name="ICT")
        )
        project = projects_service.create_project(
            session, actor, ProjectCreate(programme_id=programme.id, name="Cloud")
        )
        for title, plan in (("A", {"planned_quarter": "2022/23 Q2"}), ("B", {"planned_date": "2023-01-15"})):
            milestones_service.create_milestone(session, actor, project, MilestoneCreate(title=title, **plan))
        session.commit()

    downgrade(scratch_engine, BEFORE)
    upgrade(scratch_engine)

    with scratch_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT m.title, b.number, b.planned_quarter, b.due_date, b.reason, m.baseline_number "
                "FROM milestone_baselines b JOIN milestones m ON m.id = b.milestone_id ORDER BY m.title"
            )
        ).all()
    assert [(r[0], r[1], r[2], str(r[3]), r[4], r[5]) for r in rows] == [
        ("A", 1, "2022/23 Q2", "2022-09-30", "", 1),
        ("B", 1, None, "2023-01-15", "", 1),
    ]
