"""Draw-down decisions, consultations and their notifications with roles held for one programme:
a scoped sponsor decides only when the project is in their scope AND, when the rule names a
directorate, their scope lies in that directorate (README "Scoped roles")."""

from __future__ import annotations

from typing import Any

from pmo.core.permissions import Role
from support.api import API, Api, problem

from .money_support import Money


def _waiting_for(money: Money, who: Any, reference: str) -> bool:
    notes = money.client.get(f"{API}/me/notifications", headers=who.headers).json()["items"]
    return any(reference in n["title"] for n in notes)


def test_a_programme_sponsor_decides_in_their_programme_only(money: Money, factory: Any, org: Any) -> None:
    ours = factory.scoped(org, Role.sponsor, programme_id=money.programme["id"])
    elsewhere = Api(money.client).programme(money.pmo)
    theirs = factory.scoped(org, Role.sponsor, programme_id=elsewhere["id"])
    drawdown = money.request(money.source(), "100.00")
    money.consult_all(drawdown)
    # The notification of the waiting decision reaches the sponsor whose scope covers it only.
    assert _waiting_for(money, ours, drawdown["reference"])
    assert not _waiting_for(money, theirs, drawdown["reference"])
    awaiting = money.get(theirs, "/drawdowns", awaiting_me="true")["items"]
    assert drawdown["reference"] not in {d["reference"] for d in awaiting}
    refused = problem(money.approve(drawdown, theirs), 403)
    assert f"You are sponsor for programme {elsewhere['name']} only" in refused["detail"]
    assert f"in programme {money.programme['name']}" in refused["detail"]
    assert money.approve(drawdown, ours).status_code == 200


def test_a_rule_naming_a_directorate_is_decided_by_a_scope_inside_it(
    money: Money, factory: Any, org: Any
) -> None:
    rule = money.get(money.finance, "/delegation-rules")["items"][0]
    money.patch(
        money.finance, f"/delegation-rules/{rule['id']}", {"decider_directorate_id": money.directorate["id"]}
    )
    # The programme has no lead directorate: a sponsor for it is not "of" the rule's directorate,
    # though the project is in their scope.
    for_programme = factory.scoped(org, Role.sponsor, programme_id=money.programme["id"])
    for_project = factory.scoped(org, Role.sponsor, project_id=money.project["id"])  # led by that directorate
    drawdown = money.request(money.source(), "100.00")
    money.consult_all(drawdown)
    refused = problem(money.approve(drawdown, for_programme), 403)
    assert "for the rule's directorate" in refused["detail"]
    assert money.approve(drawdown, for_project).status_code == 200


def test_a_scoped_finance_officer_is_consulted_on_their_programme_only(
    money: Money, factory: Any, org: Any
) -> None:
    elsewhere = Api(money.client).programme(money.pmo)
    ours = factory.scoped(org, Role.finance, programme_id=money.programme["id"])
    theirs = factory.scoped(org, Role.finance, programme_id=elsewhere["id"])
    drawdown = money.request(money.source(), "100.00")
    assert _waiting_for(money, ours, drawdown["reference"])
    assert not _waiting_for(money, theirs, drawdown["reference"])
    path = f"/drawdowns/{drawdown['id']}/consultations"
    refused = problem(money.call("POST", theirs, path, {"view": "supports"}), 403)
    assert f"You are finance officer for programme {elsewhere['name']} only" in refused["detail"]
    assert money.call("POST", ours, path, {"view": "supports"}).status_code == 201
