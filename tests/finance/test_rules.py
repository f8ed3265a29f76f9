"""Delegation rules: the default rule, validation, versions, who manages them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from pmo.core.periods import today
from pmo.core.permissions import Role
from pmo.finance import drawdowns_service
from pmo.finance.models import DelegationRule
from pmo.finance.rules_service import install_default_rule
from support.api import API, problem

from .money_support import Money


def _rule(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Finance Service Director",
        "decider_role": "finance",
        "limit": "25000.00",
        "limit_basis": "per_request",
        "consultee_roles": ["member"],
        **fields,
    }


def test_every_new_organisation_has_the_default_rule(money: Money) -> None:
    rules = money.get(money.viewer, "/delegation-rules")["items"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["name"] == "Service Director delegation"
    assert (rule["decider_role"], rule["decider_directorate_id"]) == ("sponsor", None)
    assert (rule["limit"], rule["limit_basis"]) == ("50000.00", "cumulative_per_project_per_year")
    assert rule["consultee_roles"] == ["finance", "member"]
    assert (rule["referral_body"], rule["council_limit"], rule["funding_source_ids"]) == ("cabinet", None, [])
    assert rule["version"] == 1
    assert rule["is_active"]
    versions = money.get(money.viewer, f"/delegation-rules/{rule['id']}/versions")["items"]
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["rule"]["limit"] == "50000.00"


def test_installing_the_default_again_changes_nothing(money: Money, engine: Any) -> None:
    with Session(engine) as session:
        install_default_rule(session, money.finance.organisation.id)
        session.commit()
        rules = session.execute(
            select(DelegationRule).where(DelegationRule.organisation_id == money.finance.organisation.id)
        ).all()
    assert len(rules) == 1


def test_finance_and_admin_manage_rules(money: Money, factory: Any, org: Any) -> None:
    for who in (money.pmo, money.sponsor, money.member, money.viewer):
        problem(money.call("POST", who, "/delegation-rules", _rule()), 403)
    created = money.post(money.finance, "/delegation-rules", _rule())
    assert (created["limit"], created["version"]) == ("25000.00", 1)
    admin = factory.person(org, Role.admin)
    assert money.call("POST", admin, "/delegation-rules", _rule(name="Another")).status_code == 201


def test_rule_validation(money: Money, factory: Any, other_org: Any) -> None:
    bad = [
        _rule(decider_role="member"),  # members are consulted, they do not decide
        _rule(decider_role="project_manager"),
        _rule(consultee_roles=["democratic_services"]),
        _rule(consultee_roles=["member", "member"]),
        _rule(limit="0.00"),
        _rule(limit="-5.00"),
        _rule(limit=50000),
        _rule(limit="50000.001"),
        _rule(council_limit="25000.00"),  # not above the limit
        _rule(limit_basis="per_week"),
        _rule(unknown="x"),
    ]
    for body in bad:
        problem(money.call("POST", money.finance, "/delegation-rules", body), 422)
    other_finance = factory.person(other_org, Role.finance)
    theirs = money.post(
        other_finance, "/funding-sources", {"name": "R", "kind": "reserve", "opening_balance": "9.00"}
    )
    problem(
        money.call("POST", money.finance, "/delegation-rules", _rule(funding_source_ids=[theirs["id"]])), 404
    )
    directorate = money.post(factory.person(other_org, Role.admin), "/directorates", {"name": "Elsewhere"})
    problem(
        money.call(
            "POST", money.finance, "/delegation-rules", _rule(decider_directorate_id=directorate["id"])
        ),
        404,
    )
    money.post(money.finance, "/delegation-rules", _rule())
    problem(
        money.call("POST", money.finance, "/delegation-rules", _rule(name="finance service director")), 409
    )


def test_a_change_makes_a_new_version(money: Money) -> None:
    rule = money.post(money.finance, "/delegation-rules", _rule())
    path = f"/delegation-rules/{rule['id']}"
    changed = money.patch(money.finance, path, {"limit": "30000.00", "council_limit": "500000.00"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["limit"], changed.json()["version"]) == ("30000.00", 2)
    problem(money.patch(money.finance, path, {"council_limit": "30000.00"}), 422)
    same = money.patch(money.finance, path, {"limit": "30000.00"})
    assert same.json()["version"] == 2  # nothing changed, no new version
    versions = money.get(money.viewer, f"{path}/versions")["items"]
    assert [(v["version"], v["rule"]["limit"]) for v in versions] == [(2, "30000.00"), (1, "25000.00")]
    cleared = money.patch(money.finance, path, {"council_limit": None})
    assert cleared.json()["council_limit"] is None
    assert cleared.json()["version"] == 3
    problem(money.client.patch(f"{API}{path}", json={"limit": "1.00"}, headers=money.finance.headers), 428)


def test_another_organisations_rule_is_not_found(money: Money, factory: Any, other_org: Any) -> None:
    other_finance = factory.person(other_org, Role.finance)
    theirs = money.get(other_finance, "/delegation-rules")["items"][0]
    problem(money.call("GET", money.finance, f"/delegation-rules/{theirs['id']}"), 404)
    problem(money.call("GET", money.finance, f"/delegation-rules/{theirs['id']}/versions"), 404)
    response = money.client.patch(
        f"{API}/delegation-rules/{theirs['id']}",
        json={"limit": "1.00"},
        headers={**money.finance.headers, "If-Match": "*"},
    )
    problem(response, 404)


def test_a_rule_naming_the_source_beats_one_covering_all(money: Money) -> None:
    reserve, other = money.source("900000.00"), money.source("900000.00")
    money.post(
        money.finance,
        "/delegation-rules",
        _rule(limit="10000.00", funding_source_ids=[reserve["id"]], consultee_roles=[]),
    )
    specific = money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "20000.00"), status=200)
    general = money.post(money.pm, "/drawdowns/route-preview", money.body(other, "20000.00"), status=200)
    assert (specific["route"], specific["rule_name"]) == ("cabinet", "Finance Service Director")
    assert (general["route"], general["rule_name"]) == ("delegated", "Service Director delegation")


def test_no_active_rule_refers_to_cabinet(money: Money) -> None:
    rule = money.get(money.finance, "/delegation-rules")["items"][0]
    assert (
        money.patch(money.finance, f"/delegation-rules/{rule['id']}", {"is_active": False}).status_code == 200
    )
    reserve = money.source()
    created = money.request(reserve, "1.00")
    assert (created["route"], created["status"], created["rule_version_id"]) == ("cabinet", "referred", None)
    assert "No active delegation rule" in created["route_reason"]


# Effective dates --------------------------------------------------------------------------


def _scheduled(money: Money) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A source with its own rule (25,000 per request, no consultation) and that rule's path."""
    reserve = money.source("900000.00")
    rule = money.post(
        money.finance,
        "/delegation-rules",
        _rule(funding_source_ids=[reserve["id"]], consultee_roles=[]),
    )
    return reserve, rule, f"/delegation-rules/{rule['id']}"


def test_a_version_is_in_force_from_its_effective_date(money: Money, monkeypatch: Any) -> None:
    reserve, _, path = _scheduled(money)
    tomorrow = today() + timedelta(days=1)
    changed = money.patch(money.finance, path, {"limit": "10000.00", "effective_from": tomorrow.isoformat()})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["limit"], changed.json()["version"]) == ("10000.00", 2)

    versions = money.get(money.viewer, f"{path}/versions")["items"]
    assert [(v["version"], v["effective_from"]) for v in versions] == [
        (2, tomorrow.isoformat()),
        (1, today().isoformat()),
    ]
    assert versions[0]["changed"] == ["limit"]
    assert versions[0]["created_by_name"] == money.finance.user.display_name
    assert "limit" in versions[1]["changed"]  # the first version sets everything

    # Submitted today, a request is routed by version 1 (limit 25,000): delegated.
    now = money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "20000.00"), status=200)
    assert (now["route"], now["rule_version"]) == ("delegated", 1)
    submitted = money.request(reserve, "20000.00")
    assert submitted["route"] == "delegated"

    # From tomorrow version 2 (limit 10,000) routes the same request to Cabinet.
    monkeypatch.setattr(drawdowns_service, "today", lambda: tomorrow)
    later = money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "20000.00"), status=200)
    assert (later["route"], later["rule_version"]) == ("cabinet", 2)
    # The request submitted today keeps the version it was routed by.
    kept = money.get(money.viewer, f"/drawdowns/{submitted['id']}")
    assert kept["route"] == "delegated"
    assert kept["rule_version"]["version"] == 1


def test_a_rule_switched_off_later_still_routes_until_then(money: Money, monkeypatch: Any) -> None:
    reserve, _, path = _scheduled(money)
    tomorrow = today() + timedelta(days=1)
    money.patch(money.finance, path, {"is_active": False, "effective_from": tomorrow.isoformat()})
    assert (
        money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "20000.00"), status=200)[
            "rule_name"
        ]
        == "Finance Service Director"
    )
    monkeypatch.setattr(drawdowns_service, "today", lambda: tomorrow)
    # Off from tomorrow: the default rule covering every source takes over.
    assert (
        money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "20000.00"), status=200)[
            "rule_name"
        ]
        == "Service Director delegation"
    )


def test_effective_dates_in_the_past_or_out_of_order_are_refused(money: Money) -> None:
    _, _, path = _scheduled(money)
    yesterday, later = today() - timedelta(days=1), today() + timedelta(days=40)

    def refused(body: dict[str, Any]) -> str:
        found = problem(money.patch(money.finance, path, body), 422)
        assert [e["location"] for e in found["errors"]] == [["body", "effective_from"]]
        return str(found["errors"][0]["message"])

    assert refused({"limit": "1.00", "effective_from": yesterday.isoformat()}) == (
        "The date the version takes effect must be today or in the future"
    )
    refused({"limit": "1.00", "effective_from": "2026-02-30"})
    money.patch(money.finance, path, {"limit": "2.00", "effective_from": later.isoformat()})
    # Versions take effect in the order they are made: not before version 2's date.
    message = refused({"limit": "3.00", "effective_from": today().isoformat()})
    assert message == (
        f"The date the version takes effect must be on or after {later:%-d %B %Y}, "
        "when version 2 takes effect"
    )
    # Without a date a new version follows the latest one.
    money.patch(money.finance, path, {"limit": "3.00"})
    versions = money.get(money.viewer, f"{path}/versions")["items"]
    assert [(v["version"], v["effective_from"]) for v in versions[:2]] == [
        (3, later.isoformat()),
        (2, later.isoformat()),
    ]
    back_dated = _rule(name="Back-dated", effective_from=yesterday.isoformat())
    created = money.call("POST", money.finance, "/delegation-rules", back_dated)
    assert problem(created, 422)["errors"][0]["location"] == ["body", "effective_from"]
    # Who may not manage rules cannot schedule a version either.
    for who in (money.pmo, money.sponsor, money.viewer):
        problem(money.patch(who, path, {"limit": "4.00", "effective_from": later.isoformat()}), 403)
    assert money.get(money.viewer, path)["version"] == 3
