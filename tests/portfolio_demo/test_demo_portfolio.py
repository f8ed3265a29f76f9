"""The demo portfolio: Chesterfield's Organisational Development Programme 2022-2025 as the
Cabinet report of 26 April 2022 sets it out (seed 002: paras 4.5-4.17, appendices A to C),
loaded by `pmo demo` through the services, audited, idempotent and visible to the demo people."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from pmo.audit.models import AuditEvent
from pmo.audit.service import verify_chains
from pmo.cli import app
from pmo.core.config import get_settings
from pmo.core.security import create_access_token
from pmo.demo import DEMO_ORGANISATION, OTHER_ORGANISATION, load_demo
from pmo.gates.models import GateDecision, GateReview
from pmo.organisations.models import Directorate, Organisation, RoleAssignment, User
from pmo.portfolio.demo import load_portfolio_demo
from pmo.portfolio.models import (
    ConfidenceAssessment,
    GovernanceBody,
    GovernanceBodyMember,
    Milestone,
    Portfolio,
    Programme,
    Project,
)

API = "/api/v1"
runner = CliRunner()

PROGRAMMES = {
    "ICT Improvement": 14,
    "Customer Experience": 15,
    "Developing our people and our use of resources": 22,
    "New ways of working": 24,
}
# Appendix B: every project it gives a stage for, by its Appendix C name.
APPENDIX_B_STAGES = {
    "Re-procure the contact centre telephony system": "delivery",
    "Complete a review of cash collection and payment options": "design_develop",
    "Integration of housing into customer services functions": "design_develop",
    "Review and implement a reimagined Visitor Information service": "design_develop",
    "Introduction of new digital systems and a concierge service at sports centres": "design_develop",
    "Reshaping purchase to pay processes": "delivery",
    "Review of hybrid mail, including the use of reprographics service": "design_develop",
    "ICT transformation programme - additional forecast savings": "delivery",
    "Implement the Safer Streets initiative": "design_develop",
    "Local government ward boundary review": "delivery",
}
BOARDS = {
    "Organisational Development Steering Group",
    "Cabinet",
    "OD Directorate Programme Board: Cross Cutting",
    "OD Directorate Programme Board: Corporate",
    "OD Directorate Programme Board: Digital, HR and Customer Services",
    "OD Directorate Programme Board: Finance",
    "OD Directorate Programme Board: Economic Growth",
    "OD Directorate Programme Board: Housing",
    "OD Directorate Programme Board: Leisure, Culture and Community Wellbeing",
}
TABLES = (
    Organisation,
    Directorate,
    User,
    RoleAssignment,
    Portfolio,
    GovernanceBody,
    GovernanceBodyMember,
    Programme,
    Project,
    Milestone,
    ConfidenceAssessment,
    GateReview,
    GateDecision,
    AuditEvent,
)


def _organisation(session: Session, name: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.name == name)).one()


def _projects(session: Session, organisation: Organisation) -> dict[str, Project]:
    rows = session.exec(select(Project).where(Project.organisation_id == organisation.id)).all()
    return {p.name: p for p in rows}


def _counts(session: Session) -> dict[str, int]:
    def count(model: type[SQLModel]) -> int:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())

    return {model.__name__: count(model) for model in TABLES}


def _headers(session: Session, email: str) -> dict[str, str]:
    user = session.exec(select(User).where(User.email == email)).one()
    roles = session.exec(select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)).all()
    token, _ = create_access_token(
        get_settings(),
        subject=user.id,
        subject_type="user",
        organisation_id=user.organisation_id,
        roles=list(roles),
        scopes=[],
    )
    return {"Authorization": f"Bearer {token}"}


def test_the_portfolio_and_its_four_programmes(engine, demo):
    with Session(engine) as session:
        chesterfield = _organisation(session, DEMO_ORGANISATION)
        portfolio = session.exec(select(Portfolio).where(Portfolio.organisation_id == chesterfield.id)).one()
        assert portfolio.name == "Organisational Development Programme 2022-2025"
        assert (portfolio.start_date, portfolio.end_date) == (dt.date(2022, 4, 1), dt.date(2026, 3, 31))

        programmes = session.exec(select(Programme).where(Programme.portfolio_id == portfolio.id)).all()
        assert {p.name for p in programmes} == set(PROGRAMMES)
        projects = _projects(session, chesterfield)
        assert len(projects) == sum(PROGRAMMES.values()) == 75
        per_programme = Counter(p.programme_id for p in projects.values())
        assert {p.name: per_programme[p.id] for p in programmes} == PROGRAMMES

        steering = session.exec(
            select(GovernanceBody).where(GovernanceBody.name == "Organisational Development Steering Group")
        ).one()
        sponsor = session.exec(select(User).where(User.email == "sponsor@demo.test")).one()
        for programme in programmes:
            assert programme.governance_body_id == steering.id  # paras 4.11-4.12
            assert programme.sro_id == sponsor.id
            assert len(programme.strategic_outcomes) == 7  # Appendix A ticks all seven outcomes
        ict = next(p for p in programmes if p.name == "ICT Improvement")
        assert "personalised customer portal" in ict.ambition
        assert "Cyber security accreditations are easily achieved" in ict.success_measures
        new_ways = next(p for p in programmes if p.name == "New ways of working")
        assert new_ways.phase == "Design and Develop"
        assert "Services will be less tied to physical locations" in new_ways.resident_outcomes

        # Every project has an SRO and a lead directorate; pm@demo.test manages several.
        assert all(p.sro_id == sponsor.id and p.lead_directorate_id for p in projects.values())
        pm = session.exec(select(User).where(User.email == "pm@demo.test")).one()
        assert sum(p.project_manager_id == pm.id for p in projects.values()) == 10


def test_stages_from_appendix_b(engine, demo):
    with Session(engine) as session:
        projects = _projects(session, _organisation(session, DEMO_ORGANISATION))
        for name, stage in APPENDIX_B_STAGES.items():
            assert projects[name].stage == stage, name
        stages = Counter(p.stage for p in projects.values())
        assert stages == {"discover_define": 65, "design_develop": 6, "delivery": 4}

        # The stages were reached through approved gate reviews, never by editing the stage.
        approved = session.exec(select(GateReview).where(GateReview.status == "approved")).all()
        assert Counter(r.to_stage for r in approved) == {"design_develop": 10, "delivery": 4}
        assert all(r.requested_by_id not in {d.decider_id for d in _decisions(session, r)} for r in approved)


def _decisions(session: Session, review: GateReview) -> list[GateDecision]:
    return list(session.exec(select(GateDecision).where(GateDecision.review_id == review.id)).all())


def test_directorates_and_boards_from_appendix_c(engine, demo):
    with Session(engine) as session:
        chesterfield = _organisation(session, DEMO_ORGANISATION)
        bodies = session.exec(
            select(GovernanceBody).where(GovernanceBody.organisation_id == chesterfield.id)
        ).all()
        assert {b.name for b in bodies} == BOARDS
        by_id = {b.id: b.name for b in bodies}
        directorates = {
            d.id: d.name
            for d in session.exec(select(Directorate).where(Directorate.organisation_id == chesterfield.id))
        }
        projects = _projects(session, chesterfield)

        def where(name: str) -> tuple[str, str]:
            project = projects[name]
            assert project.governance_body_id is not None
            assert project.lead_directorate_id is not None
            return directorates[project.lead_directorate_id], by_id[project.governance_body_id]

        board = "OD Directorate Programme Board: "
        assert where("Replace the Leisure Management System") == (
            "Leisure, Culture and Community Wellbeing",
            board + "Leisure, Culture and Community Wellbeing",
        )
        assert where("Local government ward boundary review") == ("Corporate", board + "Corporate")
        assert where("Complete a redesign of the finance service") == ("Finance", board + "Finance")
        assert where("Voids review and redesign") == ("Housing", board + "Housing")
        assert where("Introduce corporate landlord") == ("Economic Growth", board + "Economic Growth")
        assert where("Development of the Programme Management Office") == (
            "Digital, HR and Customer Services",
            board + "Cross Cutting",
        )
        per_board = Counter(by_id[p.governance_body_id] for p in projects.values() if p.governance_body_id)
        assert per_board[board + "Housing"] == 8
        assert per_board[board + "Finance"] == 3

        steering = next(b for b in bodies if b.name == "Organisational Development Steering Group")
        members = session.exec(
            select(User.email, GovernanceBodyMember.role)
            .join(GovernanceBodyMember, GovernanceBodyMember.user_id == User.id)
            .where(GovernanceBodyMember.body_id == steering.id)
        ).all()
        assert set(members) == {
            ("sponsor@demo.test", "chair"),
            ("pmo@demo.test", "member"),
            ("finance@demo.test", "member"),
        }


def test_milestones_by_quarter_from_appendix_a(engine, demo):
    with Session(engine) as session:
        chesterfield = _organisation(session, DEMO_ORGANISATION)
        projects = _projects(session, chesterfield)
        milestones = session.exec(select(Milestone).where(Milestone.organisation_id == chesterfield.id)).all()
        assert len(milestones) == 68
        assert all(m.planned_quarter for m in milestones)

        def plan(project: str) -> list[tuple[str, str | None, dt.date]]:
            return sorted(
                (m.title, m.planned_quarter, m.due_date)
                for m in milestones
                if m.project_id == projects[project].id
            )

        assert plan("Integrate licensing services into the digital platform") == [
            ("Integrate licensing services into the digital platform", "2022/23 Q2", dt.date(2022, 9, 30))
        ]
        assert plan("Replace the Leisure Management System") == [
            ("Replace the leisure management system", "2022/23 Q1", dt.date(2022, 6, 30))
        ]
        assert plan("90% of ICT systems are moved to cloud hosted provision") == [
            (
                "90% of ICT applications are moved to cloud hosted provision",
                "2022/23 Q4",
                dt.date(2023, 3, 31),
            )
        ]
        assert plan("Migrate the finance system to SaaS and upgrade to the latest version") == [
            (
                "Migrate the council's finance system to SaaS (not hosted on premise)",
                "2021/22 Q4",
                dt.date(2022, 3, 31),
            ),
            ("Upgrade the finance system from ERP7 to ERPx", "2023/24 Q4", dt.date(2024, 3, 31)),
        ]
        # ICT Improvement's Appendix A table: its five quarter columns.
        ict = session.exec(select(Programme).where(Programme.name == "ICT Improvement")).one()
        ict_projects = {p.id for p in projects.values() if p.programme_id == ict.id}
        quarters = Counter(m.planned_quarter for m in milestones if m.project_id in ict_projects)
        assert quarters == {
            "2021/22 Q4": 3,
            "2022/23 Q1": 5,
            "2022/23 Q2": 1,
            "2022/23 Q3": 3,
            "2022/23 Q4": 1,
        }


def test_the_audit_trail_records_it_all_and_verifies(engine, demo):
    with Session(engine) as session:
        checked, breaks = verify_chains(session)
        assert breaks == []
        chesterfield = _organisation(session, DEMO_ORGANISATION)
        events = session.exec(select(AuditEvent).where(AuditEvent.organisation_id == chesterfield.id)).all()
        assert checked >= len(events)
        made = Counter(e.record_type for e in events if e.action == "create")
        assert made["project"] == 75
        assert made["milestone"] == 68
        assert made["programme"] == 4
        assert made["governance_body"] == 9
        # The register is the PMO's doing, on the record, not an anonymous system write.
        pmo = session.exec(select(User).where(User.email == "pmo@demo.test")).one()
        project_creators = {
            (e.actor_type, e.actor_id) for e in events if e.record_type == "project" and e.action == "create"
        }
        assert project_creators == {("user", pmo.id)}


def test_loading_twice_changes_nothing(engine, demo):
    with Session(engine) as session:
        before = _counts(session)
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0, again.output
    assert "already present" in again.stdout
    with Session(engine, expire_on_commit=False) as session:
        assert load_demo(session) is False
        chesterfield = _organisation(session, DEMO_ORGANISATION)
        assert load_portfolio_demo(session, chesterfield, {}, {}) is False
        session.commit()
        assert _counts(session) == before


def test_pending_gate_reviews_wait_for_a_decision(client, engine, demo):
    with Session(engine) as session:
        headers = {email: _headers(session, email) for email in _EMAILS}
        programme = session.exec(
            select(Programme).where(Programme.name == "Developing our people and our use of resources")
        ).one()

    dashboard = _get(client, f"{API}/programmes/{programme.id}/dashboard", headers["viewer@demo.test"])
    assert dashboard["projects"] == 22
    assert dashboard["projects_by_stage"] == {"delivery": 1, "design_develop": 1, "discover_define": 20}
    pending = {(r["project_name"], r["to_stage"]) for r in dashboard["gate_reviews_pending"]}
    assert pending == {
        ("Review of hybrid mail, including the use of reprographics service", "delivery"),
        ("Complete a redesign of the finance service", "design_develop"),
    }
    assert dashboard["milestones_overdue"]  # the appendix's quarters are past

    # The Service Director sits on both boards; the councillor decides only the delivery gate.
    sponsor = _get(client, f"{API}/me/work", headers["sponsor@demo.test"])
    assert {r["project_name"] for r in sponsor["gate_reviews_to_decide"]} == {
        "Review of hybrid mail, including the use of reprographics service",
        "Complete a redesign of the finance service",
    }
    member = _get(client, f"{API}/me/work", headers["member@demo.test"])
    assert [r["to_stage"] for r in member["gate_reviews_to_decide"]] == ["delivery"]

    # The project manager asked for both, so decides neither; their milestones are due.
    pm = _get(client, f"{API}/me/work", headers["pm@demo.test"])
    assert pm["gate_reviews_to_decide"] == []
    assert len(pm["milestones_due"]) >= 10
    assert {m["planned_quarter"] for m in pm["milestones_due"]} >= {"2021/22 Q4", "2022/23 Q1"}


_EMAILS = ("viewer@demo.test", "sponsor@demo.test", "member@demo.test", "pm@demo.test", "pmo@other.test")


def _get(client: Any, url: str, headers: dict[str, str]) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_dacorum_has_its_own_small_register(client, engine, demo):
    with Session(engine) as session:
        dacorum = _organisation(session, OTHER_ORGANISATION)
        assert set(_projects(session, dacorum)) == {"Leadership Review", "Communications Audit and Strategy"}
        chesterfield_programme = session.exec(
            select(Programme).where(Programme.name == "ICT Improvement")
        ).one()
        other = _headers(session, "pmo@other.test")
        viewer = _headers(session, "viewer@demo.test")

    theirs = _get(client, f"{API}/programmes", other)
    assert [p["name"] for p in theirs["items"]] == ["Operational Efficiency"]
    assert (
        client.get(f"{API}/programmes/{chesterfield_programme.id}/dashboard", headers=other).status_code
        == 404
    )
    ours = _get(client, f"{API}/programmes", viewer)
    assert "Operational Efficiency" not in {p["name"] for p in ours["items"]}
    assert ours["total"] == 4
