"""The key decisions forward plan (DOMAIN.md section 10): key decisions by the organisation's
thresholds, notice counted in clear days, and the Cabinet outcome refused without 28 clear
days' notice, the general exception or special urgency. Boundaries as the regulations write
them: 27, 28 and 29 clear days; 4, 5 and 6 for the general exception's notice."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest

from pmo.core.permissions import Role
from pmo.decisions.forward_plan_service import clear_days
from support.api import problem
from support.documents import docx_header_rows, docx_tables, pdf_tags, pdf_text

from .money_support import Money

MEETING = date(2022, 6, 14)


@pytest.fixture
def plan(money: Money, factory: Any) -> Money:
    """Key decisions above £60,000.00 of spending (the default is £500,000.00)."""
    admin = factory.person(money.pmo.organisation, Role.admin)
    changed = money.patch(admin, "/decision-settings", {"key_decision_spending_threshold": "60000.00"})
    assert changed.status_code == 200, changed.text
    return money


def referral(money: Money, amount: str = "75000.00") -> dict[str, Any]:
    drawdown = money.request(money.source("900000.00"), amount, project_id=money.project_of()["id"])
    assert drawdown["route"] == "cabinet"
    return drawdown


def listed(money: Money, drawdown: dict[str, Any], days: int, **fields: Any) -> dict[str, Any]:
    """On the plan `days` clear days before the meeting."""
    body = {
        "drawdown_id": drawdown["id"],
        "meeting_date": MEETING.isoformat(),
        "published_on": (MEETING - timedelta(days=days + 1)).isoformat(),
        **fields,
    }
    return money.post(money.democratic, "/forward-plan", body)


def cabinet(money: Money, drawdown: dict[str, Any]) -> Any:
    body = {
        "body": "cabinet",
        "meeting_date": MEETING.isoformat(),
        "key_decision_reference": "KD 2022/14",
        "outcome": "approved",
    }
    return money.call("POST", money.democratic, f"/drawdowns/{drawdown['id']}/committee-decision", body)


def test_clear_days_leave_out_the_day_of_publication_and_of_the_meeting() -> None:
    assert clear_days(date(2022, 3, 1), date(2022, 3, 30)) == 28
    assert clear_days(date(2022, 3, 1), date(2022, 3, 3)) == 1
    assert clear_days(date(2022, 3, 1), date(2022, 3, 2)) == 0


@pytest.mark.parametrize(("days", "allowed"), [(27, False), (28, True), (29, True)])
def test_28_clear_days_notice(plan: Money, days: int, allowed: bool) -> None:
    drawdown = referral(plan)
    entry = listed(plan, drawdown, days)
    assert entry["clear_days"] == days
    assert entry["is_key_decision"] is True
    assert "£75,000.00 is above the £60,000.00 threshold" in entry["key_decision_reason"]
    assert entry["may_be_taken"] is allowed
    answer = cabinet(plan, drawdown)
    if allowed:
        assert entry["notice_warning"] is None
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "approved"
        return
    assert entry["notice_warning"].startswith("Only 27 clear days' notice")
    detail = problem(answer, 409)["detail"]
    assert "listed on the forward plan 27 clear days before the meeting of 2022-06-14" in detail
    assert "general exception" in detail
    assert "special urgency" in detail
    shown = plan.get(plan.viewer, f"/drawdowns/{drawdown['id']}")
    assert (shown["status"], shown["decision"]) == ("referred", None)  # nothing was recorded
    assert shown["forward_plan_entry_id"] == entry["id"]


@pytest.mark.parametrize(("notice_days", "allowed"), [(4, False), (5, True), (6, True)])
def test_the_general_exception_needs_5_clear_days_public_notice(
    plan: Money, notice_days: int, allowed: bool
) -> None:
    drawdown = referral(plan)
    entry = listed(plan, drawdown, 20)
    exception = {
        "kind": "general_exception",
        "reasons": "The supplier's offer lapses on 30 June.",
        "scrutiny_chair_name": "Cllr Jean Innes",
        "scrutiny_chair_date": (MEETING - timedelta(days=10)).isoformat(),
        "notice_published_on": (MEETING - timedelta(days=notice_days + 1)).isoformat(),
    }
    recorded = plan.post(plan.democratic, f"/forward-plan/{entry['id']}/exception", exception, status=200)
    assert recorded["exception"] == "general_exception"
    assert recorded["exception_notice_clear_days"] == notice_days
    assert recorded["may_be_taken"] is allowed
    assert recorded["notice_warning"] is not None  # still less than 28 days: the exception says why
    answer = cabinet(plan, drawdown)
    if allowed:
        assert answer.status_code == 200, answer.text
    else:
        assert "gave 4 clear days, and it needs 5" in problem(answer, 409)["detail"]


def test_special_urgency_with_the_scrutiny_chairs_agreement(plan: Money) -> None:
    drawdown = referral(plan)
    entry = listed(plan, drawdown, 2)
    problem(cabinet(plan, drawdown), 409)
    urgency = {
        "kind": "special_urgency",
        "reasons": "The roof failed in the storm; the building cannot open until it is repaired.",
        "scrutiny_chair_name": "Cllr Jean Innes",
        "scrutiny_chair_date": (MEETING - timedelta(days=1)).isoformat(),
    }
    recorded = plan.post(plan.democratic, f"/forward-plan/{entry['id']}/exception", urgency, status=200)
    assert (recorded["exception"], recorded["may_be_taken"]) == ("special_urgency", True)
    assert recorded["scrutiny_chair_name"] == "Cllr Jean Innes"
    assert cabinet(plan, drawdown).status_code == 200
    # Decided: no more exceptions.
    problem(plan.call("POST", plan.democratic, f"/forward-plan/{entry['id']}/exception", urgency), 409)


def test_exceptions_must_be_complete_and_needed(plan: Money) -> None:
    drawdown = referral(plan)
    entry = listed(plan, drawdown, 10)
    path = f"/forward-plan/{entry['id']}/exception"
    base = {"reasons": "Urgent.", "scrutiny_chair_name": "Cllr Innes", "scrutiny_chair_date": "2022-06-01"}
    for bad in (
        {**base, "kind": "general_exception"},  # no public notice date
        {**base, "kind": "special_urgency", "notice_published_on": "2022-06-01"},
        {**base, "kind": "special_urgency", "reasons": "  "},
        {**base, "kind": "special_urgency", "scrutiny_chair_name": ""},
        {**base, "kind": "special_urgency", "scrutiny_chair_date": "2022-06-15"},  # after the meeting
        {**base, "kind": "general_exception", "notice_published_on": "2022-06-14"},  # the meeting day
        {**base, "kind": "urgent"},
        {**base, "kind": "special_urgency", "approved": True},
    ):
        problem(plan.call("POST", plan.democratic, path, bad), 422)
    # A key decision listed with 28 days needs none; neither does a decision that is not key.
    on_time = listed(plan, referral(plan), 28)
    body = {**base, "kind": "special_urgency"}
    problem(plan.call("POST", plan.democratic, f"/forward-plan/{on_time['id']}/exception", body), 409)
    small = listed(plan, referral(plan, "55000.00"), 3)
    assert small["is_key_decision"] is False
    problem(plan.call("POST", plan.democratic, f"/forward-plan/{small['id']}/exception", body), 409)


def test_a_referral_not_on_the_plan(plan: Money) -> None:
    key = referral(plan)
    detail = problem(cabinet(plan, key), 409)["detail"]
    assert "is a key decision" in detail
    assert "not on the forward plan" in detail
    # At or below the threshold, and not significant for two wards: not a key decision.
    assert cabinet(plan, referral(plan, "60000.00")).status_code == 200


def test_wards_make_a_key_decision(plan: Money) -> None:
    one = listed(
        plan, referral(plan, "55000.00"), 3, wards_affected=["Brimington North"], significant_in_wards=True
    )
    assert one["is_key_decision"] is False
    two = listed(
        plan,
        referral(plan, "55000.00"),
        3,
        wards_affected=["Brimington North", "Hollingwood and Inkersall"],
        significant_in_wards=True,
    )
    assert two["is_key_decision"] is True
    assert "significant for the communities of 2 wards" in two["key_decision_reason"]
    assert two["notice_warning"] is not None
    not_significant = listed(
        plan, referral(plan, "55000.00"), 3, wards_affected=["Dunston", "Linacre"], significant_in_wards=False
    )
    assert not_significant["is_key_decision"] is False
    saving = listed(plan, referral(plan, "55000.00"), 3, saving="500000.01")
    assert saving["is_key_decision"] is True
    assert "saving of £500,000.01" in saving["key_decision_reason"]


def test_what_can_go_on_the_plan(plan: Money) -> None:
    delegated = plan.request(plan.source("100000.00"), "1000.00")
    body = {"drawdown_id": delegated["id"], "meeting_date": "2022-06-14", "published_on": "2022-05-01"}
    assert problem(plan.call("POST", plan.democratic, "/forward-plan", body), 422)["errors"]
    council = plan.request(plan.source("900000.00"), "75000.00", project_id=plan.project_of()["id"])
    drawdown = referral(plan)
    good = {**body, "drawdown_id": drawdown["id"]}
    for bad in (
        {**good, "published_on": "2022-06-14"},  # the day of the meeting
        {**good, "published_on": "2022-06-20"},
        {**good, "meeting_date": "14/06/2022"},
        {**good, "wards_affected": ["Dunston", "Dunston"]},
        {**good, "wards_affected": ["x" * 101]},
        {**good, "saving": 1000},
        {**good, "is_key_decision": False},
    ):
        problem(plan.call("POST", plan.democratic, "/forward-plan", bad), 422)
    plan.post(plan.democratic, "/forward-plan", good)
    problem(plan.call("POST", plan.democratic, "/forward-plan", good), 409)  # listed already
    assert council["route"] == "cabinet"


def test_who_keeps_the_plan(plan: Money, factory: Any, other_org: Any) -> None:
    drawdown = referral(plan)
    body = {"drawdown_id": drawdown["id"], "meeting_date": "2022-06-14", "published_on": "2022-05-01"}
    for who in (plan.pmo, plan.pm, plan.finance, plan.sponsor, plan.member, plan.viewer):
        problem(plan.call("POST", who, "/forward-plan", body), 403)
    entry = plan.post(plan.democratic, "/forward-plan", body)
    exception = {
        "kind": "special_urgency",
        "reasons": "Urgent.",
        "scrutiny_chair_name": "Cllr Innes",
        "scrutiny_chair_date": "2022-06-01",
    }
    problem(plan.call("POST", plan.pmo, f"/forward-plan/{entry['id']}/exception", exception), 403)
    # Everyone in the organisation reads it; another organisation sees nothing of it.
    assert plan.get(plan.viewer, f"/forward-plan/{entry['id']}")["reference"] == "FP-0001"
    outsider = factory.person(other_org, Role.democratic_services)
    problem(plan.call("GET", outsider, f"/forward-plan/{entry['id']}"), 404)
    assert plan.get(outsider, "/forward-plan")["items"] == []
    problem(plan.call("POST", outsider, f"/forward-plan/{entry['id']}/exception", exception), 404)
    problem(plan.call("POST", outsider, "/forward-plan", body), 404)  # not their draw-down
    problem(plan.client.get("/api/v1/forward-plan"), 401)
    problem(plan.client.get("/api/v1/forward-plan/export.csv"), 401)


def test_the_list_and_the_csv(plan: Money) -> None:
    late = listed(plan, referral(plan), 27, title='=HYPERLINK("http://evil")', wards_affected=["Dunston"])
    listed(plan, referral(plan, "55000.00"), 40, title="Hollingwood hub", meeting_date="2022-07-19")
    shown = plan.get(plan.viewer, "/forward-plan")
    assert [e["meeting_date"] for e in shown["items"]] == ["2022-06-14", "2022-07-19"]
    assert plan.get(plan.viewer, "/forward-plan", key_only="true")["items"][0]["id"] == late["id"]
    assert len(plan.get(plan.viewer, "/forward-plan", meeting_from="2022-07-01")["items"]) == 1
    for bad in ("0", "1656633600", "01/07/2022"):  # ISO 8601 only: a number is not taken as a time
        problem(plan.call("GET", plan.viewer, "/forward-plan", meeting_from=bad), 422)
        problem(plan.call("GET", plan.viewer, "/officer-decisions", decided_from=bad), 422)
    response = plan.client.get("/api/v1/forward-plan/export.csv", headers=plan.viewer.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:6] == [
        "Reference",
        "Decision",
        "Decision maker",
        "Meeting date",
        "Published on",
        "Clear days' notice",
    ]
    assert rows[1][:8] == [
        "FP-0001",
        '\'=HYPERLINK("http://evil")',
        "Cabinet",
        "2022-06-14",
        "2022-05-17",
        "27",
        "Yes",
        "Dunston",
    ]
    assert rows[2][0] == "FP-0002"
    assert rows[2][6] == "No"


def test_the_docx_and_pdf(plan: Money) -> None:
    listed(plan, referral(plan), 27, title="Hollingwood hub refurbishment", wards_affected=["Dunston"])
    listed(plan, referral(plan, "55000.00"), 40, title="Queen's Park café", meeting_date="2022-07-19")
    word = plan.client.get("/api/v1/forward-plan/export.docx", headers=plan.viewer.headers)
    assert word.status_code == 200, word.text
    assert (
        word.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    (table,) = docx_tables(word.content)
    assert table[0][:6] == [
        "Reference",
        "Decision",
        "Decision maker",
        "Meeting date",
        "Published on",
        "Clear days' notice",
    ]
    assert table[1][:7] == [
        "FP-0001",
        "Hollingwood hub refurbishment",
        "Cabinet",
        "2022-06-14",
        "2022-05-17",
        "27",
        "Yes",
    ]
    assert table[2][:7] == ["FP-0002", "Queen's Park café", "Cabinet", "2022-07-19", "2022-05-04", "75", "No"]
    assert docx_header_rows(word.content) == [True]
    pdf = plan.client.get("/api/v1/forward-plan/export.pdf", headers=plan.viewer.headers)
    assert pdf.headers["content-type"] == "application/pdf"
    tags = pdf_tags(pdf.content)
    assert (tags.tagged, tags.language) == (True, "en-GB")
    assert "Table" in tags.structure
    text = " ".join(pdf_text(pdf.content).split())
    assert "Hollingwood hub refurbishment" in text
    assert "Queen's Park café" in text
    assert "28 clear days" in text


def test_the_list_shows_the_amounts_the_entry_shows(plan: Money) -> None:
    """The list once turned its page into JSON and back, and showed a hundredth of each amount."""
    entry = listed(plan, referral(plan, "75000.00"), 30, saving="1234.56")
    assert (entry["spending"], entry["saving"]) == ("75000.00", "1234.56")
    [item] = plan.get(plan.viewer, "/forward-plan")["items"]
    assert item == plan.get(plan.viewer, f"/forward-plan/{entry['id']}")
