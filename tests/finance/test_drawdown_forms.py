"""What a person reads on the draw-down forms: the route preview counts the requests still
pending on the same project and year, a Cabinet decision cannot be dated in the future, and
bad amounts are refused in plain words by their field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pmo.core.periods import today
from support.api import problem

from .money_support import Money


def _preview(money: Money, source: dict[str, Any], amount: str, **fields: Any) -> Any:
    return money.post(money.pm, "/drawdowns/route-preview", money.body(source, amount, **fields), status=200)


def test_the_preview_counts_pending_requests_on_the_same_project_and_year(money: Money) -> None:
    reserve = money.source("900000.00")
    alone = _preview(money, reserve, "20000.00")
    assert (alone["pending_requests"], alone["pending_note"]) == ([], None)
    assert (alone["route"], alone["route_with_pending"], alone["year_total_with_pending"]) == (
        "delegated",
        "delegated",
        "20000.00",
    )
    pending = money.request(reserve, "42000.00")
    assert pending["status"] == "consultation"
    preview = _preview(money, reserve, "20000.00")
    # On its own it is within the £50,000.00 limit; with the pending one approved first it is not.
    assert preview["route"] == "delegated"
    assert preview["route_with_pending"] == "cabinet"
    assert preview["year_total_with_pending"] == "62000.00"
    assert [(p["reference"], p["amount"], p["status"]) for p in preview["pending_requests"]] == [
        (pending["reference"], "42000.00", "consultation")
    ]
    assert preview["pending_note"] == (
        f"With the pending request {pending['reference']} this brings the year to £62,000.00: "
        "Cabinet decides."
    )


def test_approved_and_pending_requests_are_counted_together(money: Money) -> None:
    reserve = money.source("900000.00")
    approved = money.request(reserve, "10000.00")
    money.consult_all(approved)
    assert money.approve(approved).status_code == 200
    first, second = money.request(reserve, "5000.00"), money.request(reserve, "6000.00")
    preview = _preview(money, reserve, "1000.00")
    assert preview["year_total_with_pending"] == "22000.00"  # 10,000 approved + 11,000 pending + 1,000
    assert preview["route_with_pending"] == "delegated"
    assert preview["pending_note"] == (
        f"With the pending requests {first['reference']} and {second['reference']} this brings the year to "
        "£22,000.00: decided within delegation."
    )


def test_other_years_projects_and_decided_requests_are_not_pending(money: Money) -> None:
    reserve = money.source("900000.00")
    money.request(reserve, "40000.00", financial_year="2023/24")
    money.request(reserve, "40000.00", project_id=money.project_of()["id"])
    withdrawn = money.request(reserve, "40000.00")
    money.post(money.pm, f"/drawdowns/{withdrawn['id']}/withdraw", status=200)
    rejected = money.request(reserve, "45000.00")
    money.consult_all(rejected)
    body = {"decision": "reject", "reason": "Not now.", "alternatives_considered": "Deferral to next year."}
    assert money.call("POST", money.sponsor, f"/drawdowns/{rejected['id']}/decision", body).status_code == 200
    preview = _preview(money, reserve, "20000.00")
    assert (preview["pending_requests"], preview["pending_note"]) == ([], None)
    assert preview["route_with_pending"] == "delegated"


def test_a_referred_pending_request_is_named_too(money: Money) -> None:
    reserve = money.source("900000.00")
    referred = money.request(reserve, "75000.00")
    assert referred["status"] == "referred"
    preview = _preview(money, reserve, "1000.00")
    assert preview["pending_requests"][0]["route"] == "cabinet"
    assert preview["year_total_with_pending"] == "76000.00"
    assert preview["pending_note"].startswith(f"With the pending request {referred['reference']} ")


def test_the_preview_of_another_organisations_project_is_404(
    money: Money, factory: Any, other_org: Any
) -> None:
    from pmo.core.permissions import Role

    reserve = money.source("900000.00")
    money.request(reserve, "42000.00")
    stranger = factory.person(other_org, Role.project_manager)
    response = money.call("POST", stranger, "/drawdowns/route-preview", money.body(reserve, "1000.00"))
    body = problem(response, 404)
    assert "DD-" not in response.text
    assert "42,000" not in body["detail"]


def _committee(money: Money, drawdown: dict[str, Any], **fields: Any) -> Any:
    decision = {
        "body": "cabinet",
        "meeting_date": "2022-06-14",
        "minute_reference": "Cabinet minute 12 (2022/23)",
        "outcome": "approved",
        **fields,
    }
    return money.call("POST", money.democratic, f"/drawdowns/{drawdown['id']}/committee-decision", decision)


def test_a_cabinet_decision_cannot_be_recorded_with_a_future_date(money: Money) -> None:
    reserve = money.source("555000.00")
    referred = money.request(reserve, "75000.00")
    # Two days ahead: tomorrow in England whatever the test machine's time zone.
    ahead = (today() + timedelta(days=2)).isoformat()
    body = problem(_committee(money, referred, meeting_date=ahead), 422)
    assert body["errors"] == [
        {
            "location": ["body", "meeting_date"],
            "message": "Meeting date must be today or in the past",
            "type": "date_not_future",
        }
    ]
    assert money.get(money.viewer, f"/drawdowns/{referred['id']}")["status"] == "referred"
    # Today is allowed: the meeting may have been this morning.
    recorded = _committee(money, referred, meeting_date=today().isoformat())
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["meeting_date"] == today().isoformat()


def test_the_committee_form_names_its_fields(money: Money) -> None:
    referred = money.request(money.source("555000.00"), "75000.00")
    body = problem(
        _committee(money, referred, minute_reference=None, meeting_date="14/06/2022", outcome="yes"), 422
    )
    assert {tuple(e["location"]): e["message"] for e in body["errors"]} == {
        ("body", "meeting_date"): "Meeting date must be a real date",
        ("body", "outcome"): "Select the outcome",
    }
    # The rule across two fields is shown by the first of them.
    body = problem(_committee(money, referred, minute_reference=None), 422)
    assert body["errors"][0]["location"] == ["body", "minute_reference"]
    assert (
        body["errors"][0]["message"] == "Enter the minute reference or the key decision reference (or both)"
    )


@pytest.mark.parametrize(
    ("amount", "kind", "message"),
    [
        ("a lot", "money", "Enter an amount in pounds and pence, like 49,999.99"),
        ("1,000.00", "money", "Enter an amount in pounds and pence, like 49,999.99"),
        ("100.001", "money", "Enter an amount in pounds and pence, like 49,999.99"),
        ("0.00", "money_not_positive", "Amount must be more than £0"),
        ("-1.00", "money_not_positive", "Amount must be more than £0"),
        ("10000000000000.00", "money", "Enter an amount in pounds and pence, like 49,999.99"),
        (
            30000.5,
            "money_json_number",
            'Send amount as text in pounds and pence, like "49999.99", not a JSON number',
        ),
        (
            None,
            "money_json_number",
            'Send amount as text in pounds and pence, like "49999.99", not a JSON number',
        ),
    ],
)
def test_bad_amounts_get_plain_messages_by_the_field(
    money: Money, amount: Any, kind: str, message: str
) -> None:
    reserve = money.source()
    for path in ("/drawdowns", "/drawdowns/route-preview"):
        body = problem(money.call("POST", money.pm, path, money.body(reserve, amount)), 422)
        assert body["errors"] == [{"location": ["body", "amount"], "message": message, "type": kind}]
    assert money.get(money.viewer, "/drawdowns")["total"] == 0


def test_a_missing_business_case_is_shown_by_its_field(money: Money) -> None:
    body = problem(
        money.call(
            "POST", money.pm, "/drawdowns", money.body(money.source(), "1.00", business_case_reference="")
        ),
        422,
    )
    assert body["errors"][0]["location"] == ["body", "business_case_reference"]
    assert body["errors"][0]["message"].startswith("Enter where the approved business case is")
