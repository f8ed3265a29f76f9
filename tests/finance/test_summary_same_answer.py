"""The financial summary sums its cost lines in SQL (issue 16): the answer must be the one the
Python grouping gave, byte for byte, for every portfolio and programme, each basis, both forms.
The old path is kept in `legacy_summary` as the oracle; both run on the same session."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from finance import legacy_summary
from pmo.cli import app
from pmo.finance import summary_service
from pmo.finance.summary_schemas import Basis, SummaryLines
from pmo.organisations.models import User
from pmo.portfolio.demo import actor_for
from pmo.portfolio.models import Portfolio, Programme


def _compare_every_scope(engine: Engine, pmo_email: str) -> tuple[int, int]:
    """Compare every scope; returns how many cost rows and summary rows the answers listed."""
    costs = rows = 0
    with Session(engine) as session:
        actor = actor_for(session, session.execute(select(User).where(User.email == pmo_email)).scalar_one())
        scopes = [
            *(
                (legacy_summary.portfolio_summary, summary_service.portfolio_summary, p.id)
                for p in session.execute(
                    select(Portfolio).where(Portfolio.organisation_id == actor.organisation_id)
                ).scalars()
            ),
            *(
                (legacy_summary.programme_summary, summary_service.programme_summary, p.id)
                for p in session.execute(
                    select(Programme).where(Programme.organisation_id == actor.organisation_id)
                ).scalars()
            ),
        ]
    assert len(scopes) >= 2
    for before_of, after_of, scope_id in scopes:
        for basis in Basis:
            for lines in SummaryLines:
                with Session(engine) as session:
                    before = before_of(session, actor, scope_id, basis, lines).model_dump_json()
                with Session(engine) as session:
                    after = after_of(session, actor, scope_id, basis, lines).model_dump_json()
                assert after == before, (scope_id, basis, lines)
                answer = json.loads(after)
                costs += len(answer["costs"])
                rows += len(answer["rows"])
    return costs, rows


def test_same_answer_as_before_for_every_demo_scope(engine: Engine, demo: None) -> None:
    costs, rows = _compare_every_scope(engine, "pmo@demo.test")
    assert costs >= 10
    assert rows >= 10


def test_same_answer_as_before_at_a_twentieth_of_the_scale_council(engine: Engine) -> None:
    """100 projects with their cost lines and 1,000 draw-downs."""
    result = CliRunner().invoke(app, ["demo", "--scale", "large", "--factor", "0.05"])
    assert result.exit_code == 0, result.output
    costs, rows = _compare_every_scope(engine, "pmo@scale.test")
    assert costs >= 100
    assert rows >= 100
