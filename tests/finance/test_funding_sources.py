"""Funding sources: balances worked out from draw-downs, years, finance manages, isolation."""

from __future__ import annotations

from typing import Any

from pmo.core.permissions import Role
from support.api import API, problem

from .money_support import Money


def test_finance_creates_a_reserve_and_everyone_reads_it(money: Money) -> None:
    created = money.source(
        "555000.00", name="Service Redesign Reserve", first_year="2022/23", last_year="2024/25"
    )
    assert created["opening_balance"] == "555000.00"
    assert (created["committed"], created["pending"], created["remaining"]) == ("0.00", "0.00", "555000.00")
    assert (created["first_year"], created["last_year"]) == ("2022/23", "2024/25")
    assert created["status"] == "open"
    for who in (money.viewer, money.pm, money.member):
        listed = money.get(who, "/funding-sources")
        assert [s["name"] for s in listed["items"]] == ["Service Redesign Reserve"]
    one = money.call("GET", money.viewer, f"/funding-sources/{created['id']}")
    assert one.status_code == 200
    assert one.headers["ETag"]
    again = money.client.get(
        f"{API}/funding-sources/{created['id']}",
        headers={**money.viewer.headers, "If-None-Match": one.headers["ETag"]},
    )
    assert again.status_code == 304


def test_only_finance_manages_sources(money: Money) -> None:
    body = {
        "name": "Capital receipts flexibility",
        "kind": "capital_receipts",
        "opening_balance": "500000.00",
    }
    for who in (money.pmo, money.sponsor, money.viewer, money.pm):
        assert "finance" in problem(money.call("POST", who, "/funding-sources", body), 403)["detail"]
    source = money.post(money.finance, "/funding-sources", body)
    assert money.patch(money.pmo, f"/funding-sources/{source['id']}", {"description": "x"}).status_code == 403


def test_bad_amounts_are_refused(money: Money) -> None:
    for amount in ("-1.00", "0", "0.00", "10.001", "ten pounds", "1e5", "", 100, 100.5, None, True):
        body = {"name": "Reserve", "kind": "reserve", "opening_balance": amount}
        problem(money.call("POST", money.finance, "/funding-sources", body), 422)
    assert money.get(money.finance, "/funding-sources")["total"] == 0


def test_years_must_be_financial_years_in_order(money: Money) -> None:
    for first, last in (("2022/24", None), ("2022", None), ("2024/25", "2022/23")):
        body = {
            "name": "R",
            "kind": "reserve",
            "opening_balance": "1.00",
            "first_year": first,
            "last_year": last,
        }
        problem(money.call("POST", money.finance, "/funding-sources", body), 422)


def test_names_are_unique_in_the_organisation(money: Money, factory: Any, other_org: Any) -> None:
    money.source(name="Service Redesign Reserve")
    body = {"name": "service redesign reserve", "kind": "reserve", "opening_balance": "1.00"}
    problem(money.call("POST", money.finance, "/funding-sources", body), 409)
    other_finance = factory.person(other_org, Role.finance)
    assert money.call("POST", other_finance, "/funding-sources", body).status_code == 201


def test_another_organisations_source_is_not_found(money: Money, factory: Any, other_org: Any) -> None:
    other_finance = factory.person(other_org, Role.finance)
    theirs = money.post(
        other_finance, "/funding-sources", {"name": "R", "kind": "reserve", "opening_balance": "9.00"}
    )
    assert money.get(money.finance, "/funding-sources")["total"] == 0
    for method in ("GET", "DELETE"):
        problem(money.call(method, money.finance, f"/funding-sources/{theirs['id']}"), 404)
    response = money.client.patch(
        f"{API}/funding-sources/{theirs['id']}",
        json={"name": "Mine"},
        headers={**money.finance.headers, "If-Match": "*"},
    )
    problem(response, 404)


def test_balances_follow_the_drawdowns(money: Money) -> None:
    source = money.source("100000.00")
    approved = money.request(source, "30000.00")
    money.consult_all(approved)
    assert money.approve(approved).status_code == 200
    money.request(source, "10000.00")  # waiting for consultation
    withdrawn = money.request(source, "5000.00")
    money.post(money.pm, f"/drawdowns/{withdrawn['id']}/withdraw", status=200)
    shown = money.get(money.viewer, f"/funding-sources/{source['id']}")
    assert (shown["committed"], shown["pending"], shown["remaining"]) == ("30000.00", "10000.00", "70000.00")


def test_opening_balance_never_below_committed(money: Money) -> None:
    source = money.source("100000.00")
    drawdown = money.request(source, "40000.00")
    money.consult_all(drawdown)
    assert money.approve(drawdown).status_code == 200
    path = f"/funding-sources/{source['id']}"
    detail = problem(money.patch(money.finance, path, {"opening_balance": "39999.99"}), 409)["detail"]
    assert "£40,000.00" in detail
    changed = money.patch(money.finance, path, {"opening_balance": "40000.00"})
    assert changed.status_code == 200
    assert changed.json()["remaining"] == "0.00"
    assert problem(
        money.client.patch(f"{API}{path}", json={"description": "x"}, headers=money.finance.headers), 428
    )
    stale = money.client.patch(
        f"{API}{path}", json={"description": "x"}, headers={**money.finance.headers, "If-Match": '"old"'}
    )
    problem(stale, 412)


def test_closed_source_takes_no_new_requests(money: Money) -> None:
    source = money.source("100000.00")
    waiting = money.request(source, "1000.00")
    money.consult_all(waiting)
    assert (
        money.patch(money.finance, f"/funding-sources/{source['id']}", {"status": "closed"}).status_code
        == 200
    )
    assert (
        "closed"
        in problem(money.call("POST", money.pm, "/drawdowns", money.body(source, "1.00")), 409)["detail"]
    )
    assert "closed" in problem(money.approve(waiting), 409)["detail"]


def test_delete_only_when_never_drawn(money: Money) -> None:
    unused, used = money.source("1.00"), money.source("1000.00")
    money.request(used, "10.00")
    assert money.call("DELETE", money.finance, f"/funding-sources/{unused['id']}").status_code == 204
    problem(money.call("DELETE", money.finance, f"/funding-sources/{used['id']}"), 409)


def test_drawdown_year_outside_the_sources_years_is_422(money: Money) -> None:
    source = money.source("1000.00", first_year="2022/23", last_year="2023/24")
    for year in ("2021/22", "2024/25"):
        body = problem(
            money.call("POST", money.pm, "/drawdowns", money.body(source, "1.00", financial_year=year)), 422
        )
        assert body["errors"][0]["location"] == ["body", "financial_year"]
    assert money.request(source, "1.00", financial_year="2023/24")["status"] == "consultation"
