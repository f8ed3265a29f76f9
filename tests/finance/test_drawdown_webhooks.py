"""Draw-downs raise webhook events: requested, and decided (delegated or by Cabinet)."""

from __future__ import annotations

from typing import Any

from pmo.core.config import get_settings
from pmo.core.permissions import Role
from support.webhooks import Hooks, outbox

from .money_support import Money


def test_requested_and_decided_draw_downs_are_in_the_outbox(
    money: Money, client: Any, engine: Any, factory: Any
):
    hooks = Hooks(client)
    admin = factory.person(money.pmo.organisation, Role.admin)
    hooks.listening(admin, ("finance:read",), "drawdown.requested", "drawdown.decided")
    reserve = money.source("555000.00")
    delegated = money.request(reserve, "30000.00")
    money.consult_all(delegated)
    assert money.approve(delegated).status_code == 200
    referred = money.request(reserve, "200000.00")
    assert money.cabinet(referred, outcome="rejected").status_code == 200

    events = outbox(engine)
    assert [t for t, _ in events] == [
        "drawdown.requested",
        "drawdown.decided",
        "drawdown.requested",
        "drawdown.decided",
    ]
    requested, approved, _, rejected = (data for _, data in events)
    assert (requested["reference"], requested["amount"], requested["route"]) == (
        "DD-0001",
        "30000.00",
        "delegated",
    )
    assert requested["url"] == f"{get_settings().public_url}/api/v1/drawdowns/{delegated['id']}"
    assert (approved["outcome"], rejected["outcome"]) == ("approved", "rejected")
    assert rejected["reference"] == "DD-0002"


def test_a_client_with_finance_read_reads_the_draw_down_it_was_told_of(
    money: Money, client: Any, factory: Any
):
    admin = factory.person(money.pmo.organisation, Role.admin)
    system = Hooks(client).integrator(admin, "finance:read")
    created = money.request(money.source(), "1000.00")
    assert Hooks(client).get(system, f"/drawdowns/{created['id']}")["reference"] == created["reference"]
