"""The demo RAID log: the Chesterfield report's three risks on its H/M/L scale (section 12.0),
loaded through the services with the demo people as actors, audited and idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from pmo.audit.models import AuditEvent
from pmo.audit.service import verify_chains
from pmo.cli import app
from pmo.demo import DEMO_ORGANISATION, load_demo
from pmo.organisations.models import Organisation, User
from pmo.portfolio.models import Portfolio, Project
from pmo.raid.demo import load_raid_demo
from pmo.raid.models import Assumption, Dependency, Issue, Risk, RiskAction

runner = CliRunner()
TABLES = (Risk, RiskAction, Issue, Assumption, Dependency, AuditEvent)

# Section 12.0: (impact, likelihood) before and after mitigation, H=3, M=2, L=1 on hml3.
REPORT = {
    "Failure to develop a fit for purpose programme of work": ((3, 2), (2, 1)),
    "Failure to resource the priorities set out in the programme": ((2, 2), (2, 1)),
    "The OD Programme does not realise the benefits identified": ((3, 2), (3, 1)),
}


def _counts(session: Session) -> dict[str, int]:
    return {
        m.__name__: int(session.execute(select(func.count()).select_from(m)).scalar_one()) for m in TABLES
    }


def _org(session: Session) -> Organisation:
    return session.execute(select(Organisation).where(Organisation.name == DEMO_ORGANISATION)).scalar_one()


def test_the_report_risks_with_their_before_and_after_ratings(engine, demo):
    with Session(engine) as session:
        organisation = _org(session)
        assert organisation.risk_scale == "hml3"
        portfolio = session.execute(
            select(Portfolio).where(Portfolio.organisation_id == organisation.id)
        ).scalar_one()
        risks = {
            r.title: r
            for r in session.execute(select(Risk).where(Risk.organisation_id == organisation.id)).scalars()
        }
        for title, ((impact, likelihood), (impact_after, likelihood_after)) in REPORT.items():
            risk = risks[title]
            assert risk.portfolio_id == portfolio.id
            assert risk.scale == "hml3"
            assert (risk.inherent_impact, risk.inherent_likelihood) == (impact, likelihood)
            assert (risk.residual_impact, risk.residual_likelihood) == (impact_after, likelihood_after)
            assert risk.inherent_score == impact * likelihood
            assert risk.residual_score == impact_after * likelihood_after
            assert risk.response_type == "reduce"
            actions = session.execute(select(RiskAction).where(RiskAction.risk_id == risk.id)).scalars().all()
            assert len(actions) == 2
            assert all(a.actionee_id for a in actions)
        benefits = risks["The OD Programme does not realise the benefits identified"]
        assert benefits.escalation_level == "steering_group"
        assert benefits.escalation_reason
        assert sorted(r.escalation_level for r in risks.values()).count("steering_group") == 1


def test_issues_assumptions_and_dependencies(engine, demo):
    with Session(engine) as session:
        organisation = _org(session)
        issues = (
            session.execute(select(Issue).where(Issue.organisation_id == organisation.id)).scalars().all()
        )
        from_risk = [i for i in issues if i.risk_id]
        assert len(from_risk) == 1
        assert session.get_one(Risk, from_risk[0].risk_id).status == "occurred"
        assert len(issues) >= 3
        assumptions = (
            session.execute(select(Assumption).where(Assumption.organisation_id == organisation.id))
            .scalars()
            .all()
        )
        invalid = [a for a in assumptions if a.status == "invalid"]
        assert len(invalid) == 1
        assert invalid[0].raised_risk_id is not None
        assert {a.status for a in assumptions} >= {"valid", "unvalidated", "invalid"}
        dependencies = (
            session.execute(select(Dependency).where(Dependency.organisation_id == organisation.id))
            .scalars()
            .all()
        )
        external = [d for d in dependencies if d.external_party]
        assert len(external) == 1
        crossing = [d for d in dependencies if d.other_project_id]
        assert len(crossing) == 1
        one = session.get_one(Project, crossing[0].project_id)
        other = session.get_one(Project, crossing[0].other_project_id)
        assert one.programme_id != other.programme_id


def test_audited_as_the_demo_people_and_the_chain_verifies(engine, demo):
    with Session(engine) as session:
        _, breaks = verify_chains(session)
        assert breaks == []
        organisation = _org(session)
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.organisation_id == organisation.id))
            .scalars()
            .all()
        )
        made = Counter(e.record_type for e in events if e.action == "create")
        assert made["risk"] == session.execute(select(func.count()).select_from(Risk)).scalar_one() == 5
        assert made["risk_action"] >= 7
        users = {u.id: u.email for u in session.execute(select(User)).scalars()}
        raid_actors = {
            users.get(e.actor_id)
            for e in events
            if e.record_type in ("risk", "issue", "assumption", "dependency")
        }
        assert raid_actors == {"pmo@demo.test", "pm@demo.test"}
        assert any(e.action == "escalate" and e.record_type == "risk" for e in events)


def test_loading_twice_changes_nothing(engine, demo):
    with Session(engine) as session:
        before = _counts(session)
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0, again.output
    with Session(engine, expire_on_commit=False) as session:
        assert load_demo(session) is False
        organisation = _org(session)
        users = {u.email: u for u in session.execute(select(User)).scalars()}
        assert load_raid_demo(session, organisation, users) is False
        session.commit()
        assert _counts(session) == before
