"""Many approvals racing for the last of a reserve, from two server processes on PostgreSQL.

Two `uvicorn` processes serve the test database; 60 fully consulted delegated requests of
£1,000.00 each are approved at once, half through each server, against a reserve of
£20,500.00. Exactly 20 may succeed; the other 40 must be refused with a 409 naming what
remains, and the balance, the requests and the audit trail must agree afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from pmo.audit.models import AuditEvent
from pmo.audit.service import verify_chains
from pmo.finance.models import Drawdown, FundingSource
from support.api import API
from support.servers import uvicorn_servers

from .money_support import Money

REQUESTS = 60
AMOUNT_PENCE = 100_000  # £1,000.00
OPENING = "20500.00"  # room for 20 approvals, and £500.00 left over


@pytest.fixture
def servers(engine: Any) -> Iterator[list[str]]:
    """Two server processes on the test database (the environment tests/conftest.py set)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the multi-process race runs on PostgreSQL (set PMO_TEST_DATABASE_URL)")
    with uvicorn_servers(2) as urls:
        yield urls


def test_racing_approvals_never_overdraw_and_never_lose_one(
    money: Money, servers: list[str], engine: Any
) -> None:
    reserve = money.source(OPENING)
    # A per-request rule for this reserve, so that the race is only for the money.
    money.post(
        money.finance,
        "/delegation-rules",
        {
            "name": "Race rule",
            "decider_role": "sponsor",
            "limit": "50000.00",
            "limit_basis": "per_request",
            "funding_source_ids": [reserve["id"]],
            "consultee_roles": ["finance"],
        },
    )
    ids = []
    for _ in range(REQUESTS):
        drawdown = money.request(reserve, "1000.00")
        assert drawdown["route"] == "delegated"
        money.post(money.finance, f"/drawdowns/{drawdown['id']}/consultations", {"view": "supports"})
        ids.append(drawdown["id"])

    results: dict[str, httpx.Response] = {}
    start = threading.Barrier(REQUESTS)

    def approve(index: int, drawdown_id: str) -> None:
        url = servers[index % len(servers)]
        body = {
            "decision": "approve",
            "reason": "Pump priming an approved business case.",
            "alternatives_considered": "Deferral to next year.",
        }
        with httpx.Client(base_url=url, headers=money.sponsor.headers, timeout=60) as http:
            start.wait()
            results[drawdown_id] = http.post(f"{API}/drawdowns/{drawdown_id}/decision", json=body)

    threads = [threading.Thread(target=approve, args=(i, d)) for i, d in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [r.status_code for r in results.values()]
    approved = {d for d, r in results.items() if r.status_code == 200}
    assert len(results) == REQUESTS
    assert statuses.count(200) == 20, statuses
    assert statuses.count(409) == REQUESTS - 20, statuses
    for response in results.values():
        if response.status_code == 409:
            assert "only £500.00 remains" in response.json()["detail"]

    shown = money.get(money.viewer, f"/funding-sources/{reserve['id']}")
    assert (shown["committed"], shown["remaining"]) == ("20000.00", "500.00")
    with Session(engine) as session:
        source = session.get_one(FundingSource, reserve["id"])
        rows = session.execute(select(Drawdown.id, Drawdown.status)).all()
        by_status = {str(row[0]): row[1] for row in rows}
        assert {d for d, s in by_status.items() if s == "approved"} == approved
        assert sum(1 for s in by_status.values() if s == "awaiting_decision") == REQUESTS - 20
        approved_sum = session.execute(
            select(func.sum(Drawdown.amount_pence)).where(Drawdown.status == "approved")
        ).scalar_one()
        assert source.committed_pence == approved_sum == 20 * AMOUNT_PENCE
        # One decision event per approval, one commitment event per approval, nothing for refusals.
        decisions = (
            session.execute(
                select(AuditEvent).where(AuditEvent.record_type == "drawdown", AuditEvent.action == "decide")
            )
            .scalars()
            .all()
        )
        assert sorted(str(e.record_id) for e in decisions) == sorted(approved)
        assert all(e.after and e.after["status"] == "approved" for e in decisions)
        commits = session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.record_type == "funding_source", AuditEvent.action == "commit")
        ).scalar_one()
        assert commits == 20
        checked, breaks = verify_chains(session)
        assert checked > 0
        assert breaks == []


def test_deciders_racing_on_one_request_give_one_decision(
    money: Money, servers: list[str], engine: Any
) -> None:
    reserve = money.source("100000.00")
    drawdown = money.request(reserve, "1000.00")
    money.consult_all(drawdown)
    results: list[httpx.Response] = []
    start = threading.Barrier(10)

    def decide(index: int) -> None:
        body = {
            "decision": "approve" if index % 2 else "reject",
            "reason": "Racing.",
            "alternatives_considered": "Deferral to next year.",
        }
        with httpx.Client(base_url=servers[index % 2], headers=money.sponsor.headers, timeout=60) as http:
            start.wait()
            results.append(http.post(f"{API}/drawdowns/{drawdown['id']}/decision", json=body))

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [200] + [409] * 9
    final = money.get(money.viewer, f"/drawdowns/{drawdown['id']}")
    committed = money.get(money.viewer, f"/funding-sources/{reserve['id']}")["committed"]
    assert committed == ("1000.00" if final["status"] == "approved" else "0.00")
    with Session(engine) as session:
        decisions = session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decide")
        ).scalar_one()
        assert decisions == 1
