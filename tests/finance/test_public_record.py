"""The settings of the public record, and the record read without signing in: only where
the organisation turns it on, only what is published, rate limited per address."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest

from pmo.core import ratelimit
from pmo.core.permissions import Role
from pmo.decisions import public_router
from support.api import API, problem
from support.documents import pdf_text

from .money_support import Money

DECISION = {
    "decision": "approve",
    "reason": "An approved business case.",
    "alternatives_considered": "Deferring to 2023/24: rejected.",
}


@pytest.fixture
def admin(money: Money, factory: Any) -> Any:
    return factory.person(money.pmo.organisation, Role.admin)


def public(money: Money, path: str = "") -> str:
    return f"{API}/public/organisations/{money.pmo.organisation.id}{path}"


def publish(money: Money, admin: Any, **switches: bool) -> None:
    response = money.patch(admin, "/decision-settings", switches)
    assert response.status_code == 200, response.text


def test_the_settings(money: Money, admin: Any, factory: Any, other_org: Any) -> None:
    shown = money.get(money.viewer, "/decision-settings")
    assert shown == {
        "key_decision_spending_threshold": "500000.00",
        "key_decision_saving_threshold": "500000.00",
        "key_decision_min_wards": 2,
        "publish_officer_decisions": False,
        "publish_forward_plan": False,
    }
    body = {
        "key_decision_spending_threshold": "250000.00",
        "key_decision_min_wards": 3,
        "publish_forward_plan": True,
    }
    for who in (money.pmo, money.democratic, money.finance, money.viewer):
        problem(money.patch(who, "/decision-settings", body), 403)
    tag = money.client.get(f"{API}/decision-settings", headers=admin.headers).headers["ETag"]
    no_tag = money.client.patch(f"{API}/decision-settings", json=body, headers=admin.headers)
    problem(no_tag, 428)
    for bad in (
        {"key_decision_spending_threshold": 250000},
        {"key_decision_spending_threshold": "0.00"},
        {"key_decision_min_wards": 0},
        {"publish_everything": True},
    ):
        headers = {**admin.headers, "If-Match": tag}
        problem(money.client.patch(f"{API}/decision-settings", json=bad, headers=headers), 422)
    changed = money.patch(admin, "/decision-settings", body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["key_decision_spending_threshold"] == "250000.00"
    stale = money.client.patch(
        f"{API}/decision-settings",
        json={"publish_forward_plan": False},
        headers={**admin.headers, "If-Match": tag},
    )
    problem(stale, 412)
    # Each organisation has its own.
    outsider = factory.person(other_org, Role.admin)
    assert money.get(outsider, "/decision-settings")["publish_forward_plan"] is False


def test_nothing_is_public_until_published(money: Money, admin: Any, other_org: Any) -> None:
    paths = ("/officer-decisions", "/forward-plan", "/forward-plan/export.csv", "/forward-plan/export.pdf")
    for path in paths:
        assert (
            problem(money.client.get(public(money, path)), 404)["detail"]
            == "Nothing is published at this address."
        )
    publish(money, admin, publish_officer_decisions=True)
    assert money.client.get(public(money, "/officer-decisions")).status_code == 200
    problem(money.client.get(public(money, "/forward-plan")), 404)  # that one is still off
    publish(money, admin, publish_forward_plan=True)
    assert money.client.get(public(money, "/forward-plan")).status_code == 200
    # An organisation that has not published, or none at all: the same 404.
    for organisation_id in (other_org.id, "00000000-0000-0000-0000-000000000000"):
        problem(money.client.get(f"{API}/public/organisations/{organisation_id}/officer-decisions"), 404)
    publish(money, admin, publish_officer_decisions=False)
    problem(money.client.get(public(money, "/officer-decisions")), 404)


def test_the_published_record_shows_only_what_is_public(money: Money, admin: Any) -> None:
    publish(money, admin, publish_officer_decisions=True, publish_forward_plan=True)
    drawdown = money.consult_all(money.request(money.source("555000.00"), "30000.00"))
    path = f"/drawdowns/{drawdown['id']}/decision"
    record_id = money.call("POST", money.sponsor, path, DECISION).json()["officer_decision_id"]
    listed = money.client.get(public(money, "/officer-decisions"))
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item["id"] == record_id
    assert item["reasons"] == "An approved business case."
    assert item["alternatives_considered"] == "Deferring to 2023/24: rejected."
    assert {c["role"] for c in item["consultations"]} == {"finance", "member"}
    for internal in ("drawdown_id", "decided_by_id", "exempt_information", "organisation_id"):
        assert internal not in item
    assert str(money.sponsor.id) not in listed.text
    one = money.client.get(public(money, f"/officer-decisions/{record_id}"))
    assert one.json() == item
    # The forward plan: nothing internal either.
    referred = money.request(money.source("900000.00"), "75000.00", project_id=money.project_of()["id"])
    entry = {"drawdown_id": referred["id"], "meeting_date": "2022-06-14", "published_on": "2022-05-01"}
    money.post(money.democratic, "/forward-plan", entry)
    plan = money.client.get(public(money, "/forward-plan"))
    assert plan.json()["organisation"] == "Chesterfield Borough Council"
    (listing,) = plan.json()["items"]
    assert (listing["reference"], listing["clear_days"], listing["is_key_decision"]) == ("FP-0001", 43, False)
    assert referred["id"] not in plan.text
    pdf = money.client.get(public(money, "/forward-plan/export.pdf"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert "FP-0001" in pdf_text(pdf.content)
    exported = money.client.get(public(money, "/forward-plan/export.csv"))
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.text.splitlines()[1].startswith("FP-0001,")


def test_the_rest_stays_closed(money: Money, admin: Any) -> None:
    """Publication opens the public routes only: every other route still needs a token, and
    the public routes take no writes."""
    publish(money, admin, publish_officer_decisions=True, publish_forward_plan=True)
    for path in ("/officer-decisions", "/forward-plan", "/drawdowns", "/decision-settings", "/projects"):
        problem(money.client.get(f"{API}{path}"), 401)
    problem(money.client.post(f"{API}/forward-plan", json={}), 401)
    for method in ("POST", "PATCH", "DELETE"):
        answer = money.client.request(method, public(money, "/forward-plan"))
        assert answer.status_code == 405
    # Another organisation's records are not reached through this organisation's address.
    problem(money.client.get(public(money, "/officer-decisions/00000000-0000-0000-0000-000000000000")), 404)


def test_public_requests_are_rate_limited_per_address(
    money: Money, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(money, admin, publish_officer_decisions=True)
    monkeypatch.setattr(public_router, "get_settings", lambda: SimpleNamespace(public_requests_per_minute=3))
    # One fixed moment, so the requests cannot straddle two windows.
    moment = time.time()
    hit = ratelimit.hit
    monkeypatch.setattr(ratelimit, "hit", lambda session, key, window: hit(session, key, window, now=moment))
    answers = [money.client.get(public(money, "/officer-decisions")) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit"].split(";")[1] for a in answers] == ["r=2", "r=1", "r=0"]
    refused = money.client.get(public(money, "/forward-plan"))  # a 404 would count too: same address
    body = problem(refused, 429)
    assert "At most 3 requests a minute" in body["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Policy"] == '"public";q=3;w=60'
    assert refused.headers["RateLimit"].startswith('"public";r=0;t=')
    # Signed-in routes are not counted against it.
    assert money.client.get(f"{API}/officer-decisions", headers=money.viewer.headers).status_code == 200
