"""Two tabs renewing with the same refresh token at the same moment: both stay signed in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlmodel import Session

from conftest import is_postgres
from pmo.auth.models import RefreshToken

from .helpers import ME_URL, bearer

EMAIL = "member@chesterfield.test"
CLAIM = "UPDATE refresh_tokens SET used_at"


@pytest.fixture
def member(factory, org):
    return factory.person(org, email=EMAIL)


@pytest.fixture
def claims_meet(engine) -> Iterator[None]:
    """On PostgreSQL, hold each request at the UPDATE that claims the token until the other
    has reached it too, so both run it at once (one waits for the other's row lock). SQLite
    serialises writers at BEGIN, so there the second simply queues behind the first."""
    if not is_postgres():
        yield
        return
    barrier = threading.Barrier(2, timeout=10)

    def meet(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(CLAIM):
            barrier.wait()

    event.listen(engine, "before_cursor_execute", meet)
    yield
    event.remove(engine, "before_cursor_execute", meet)


@pytest.mark.parametrize("round_", range(3))
def test_two_simultaneous_refreshes_both_succeed(client, login, refresh, member, engine, claims_meet, round_):
    first = login(EMAIL).json()

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(refresh, [first["refresh_token"]] * 2))

    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    pairs = [r.json() for r in responses]
    assert pairs[0]["refresh_token"] != pairs[1]["refresh_token"]
    for pair in pairs:
        assert client.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200
    with Session(engine) as session:
        tokens = (
            session.execute(select(RefreshToken).where(RefreshToken.user_id == member.id)).scalars().all()
        )
    # The first token and two siblings, one family, none revoked.
    assert len(tokens) == 3
    assert len({t.family_id for t in tokens}) == 1
    assert all(t.revoked_at is None for t in tokens)
