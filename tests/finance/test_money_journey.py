"""The issue's journey, through the API alone: a finance officer and a Service Director take a
£30k request through consultation to a delegated approval, a £75k request goes to a recorded
Cabinet decision, and both show on the reserve and the programme's financial summary, to the
penny."""

from __future__ import annotations

from decimal import Decimal

from support.api import problem

from .money_support import Money


def test_thirty_thousand_delegated_and_seventy_five_thousand_to_cabinet(money: Money) -> None:
    reserve = money.source("555000.00", name="Service Redesign Reserve", first_year="2022/23")

    # £30,000.00: the project manager sees the route first, then submits.
    body = money.body(reserve, "30000.00", purpose="Pump priming the website replacement")
    preview = money.post(money.pm, "/drawdowns/route-preview", body, status=200)
    assert (preview["route"], preview["decider_role"]) == ("delegated", "sponsor")
    small = money.post(money.pm, "/drawdowns", body)
    assert (small["status"], small["consultees_outstanding"]) == ("consultation", ["finance", "member"])
    problem(money.approve(small), 409)  # not yet consulted
    money.post(
        money.finance,
        f"/drawdowns/{small['id']}/consultations",
        {"view": "supports", "comment": "S151: yes."},
    )
    answer = {"view": "supports", "conflict_of_interest": False}
    money.post(money.member, f"/drawdowns/{small['id']}/consultations", answer)
    approved = money.approve(small)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    # £75,000.00: referred to Cabinet, decided there, recorded by democratic services.
    large = money.request(reserve, "75000.00", project_id=money.project_of()["id"])
    assert (large["route"], large["status"]) == ("cabinet", "referred")
    assert "£75,000.00" in large["route_reason"]
    assert "above the £50,000.00 limit of rule 'Service Director delegation' v1" in large["route_reason"]
    problem(money.approve(large), 403)
    recorded = money.cabinet(large)
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json()["status"], recorded.json()["meeting_body"]) == ("approved", "cabinet")

    source = money.get(money.viewer, f"/funding-sources/{reserve['id']}")
    assert (source["opening_balance"], source["committed"], source["pending"], source["remaining"]) == (
        "555000.00",
        "105000.00",
        "0.00",
        "450000.00",
    )
    listed = money.get(money.viewer, "/drawdowns", status="approved", funding_source_id=reserve["id"])[
        "items"
    ]
    assert sum(Decimal(d["amount"]) for d in listed) == Decimal(source["committed"])

    # Both on the programme's financial summary, whose totals are the sums of its lines.
    summary = money.get(money.viewer, f"/programmes/{money.programme['id']}/financial-summary")
    lines = {line["reference"]: line for line in summary["drawdowns"]}
    assert (lines[small["reference"]]["status"], lines[large["reference"]]["status"]) == (
        "approved",
        "approved",
    )
    assert summary["drawdowns_approved"] == "105000.00"
    approved_lines = [
        Decimal(line["amount"]) for line in summary["drawdowns"] if line["status"] == "approved"
    ]
    assert sum(approved_lines) == Decimal(summary["drawdowns_approved"])
