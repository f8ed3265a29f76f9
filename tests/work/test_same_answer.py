"""`GET /me/work` reads rows of the columns it shows, and the policies over them (issue 16): the
answer must be the one the ORM-object path gave, byte for byte, for every person. The old path
is kept in `legacy_work` as the oracle; both run on the same session and the same day."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from pmo.cli import app
from pmo.organisations.models import User
from pmo.portfolio.demo import actor_for
from pmo.work import work_service
from work import legacy_work


def _compare_everyone(engine: Engine, email_suffix: str, limit: int) -> int:
    """Compare for everyone; some section of someone's list holds at least `limit` items."""
    with Session(engine) as session:
        users = list(session.execute(select(User).where(User.email.endswith(email_suffix))).scalars())
        actors = [actor_for(session, user) for user in users]
    assert actors
    listed = 0
    counts: list[int] = []
    for actor in actors:
        with Session(engine) as session:
            before = legacy_work.my_work(session, actor).model_dump_json()
        with Session(engine) as session:
            after = work_service.my_work(session, actor).model_dump_json()
        assert after == before, actor.label
        listed += len(before)
        counts.append(max(json.loads(before)["counts"].values()))
    assert max(counts) >= limit
    return listed


def test_same_answer_as_before_for_every_demo_person(engine: Engine, demo: None) -> None:
    assert _compare_everyone(engine, "@demo.test", 50) > 10_000


def test_same_answer_as_before_at_a_twentieth_of_the_scale_council(engine: Engine) -> None:
    """100 projects, 2,000 risks: the sections reach their 200-item limit for the project manager."""
    result = CliRunner().invoke(app, ["demo", "--scale", "large", "--factor", "0.05"])
    assert result.exit_code == 0, result.output
    assert _compare_everyone(engine, "@scale.test", 200) > 100_000
