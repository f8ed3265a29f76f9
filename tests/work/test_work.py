"""`GET /me/work` on the demo data, role by role: each list holds what the person may act on
(the step it names succeeds, and the item then leaves the list), nothing of another
organisation, and the whole list costs a bounded number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from pmo.core.periods import period_containing, today
from pmo.core.permissions import Role
from pmo.demo import DEMO_PASSWORD
from support.api import API, sign_in
from support.plans import sqlite_plan, statements_while

SECTIONS = (
    "gate_reviews_to_decide",
    "milestones_due",
    "actions_due",
    "my_projects",
    "my_programmes",
    "drawdowns_awaiting_me",
    "kpi_values_due",
    "kpi_values_to_verify",
    "risk_reviews_due",
    "late_highlight_reports",
    "highlight_reports_to_review",
)


def _work(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"{API}/me/work", headers=headers)
    assert response.status_code == 200, response.text
    work: dict[str, Any] = response.json()
    assert set(work["counts"]) == set(SECTIONS)
    for section in SECTIONS:  # lists here are short: each shows all it counts
        assert work["counts"][section] == len(work[section]), section
    return work


def _refs(items: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(item["reference"], item["action"]) for item in items]


def _as(client: TestClient, who: str) -> dict[str, str]:
    return sign_in(client, f"{who}@demo.test", DEMO_PASSWORD)


def test_draw_down_steps_listed_are_the_ones_each_role_may_take(client: TestClient, demo: None) -> None:
    finance, member, democratic, viewer = (
        _as(client, w) for w in ("finance", "member", "democratic", "viewer")
    )
    consult = _work(client, finance)["drawdowns_awaiting_me"]
    assert _refs(consult) == [("DD-0003", "consult")]
    assert consult[0]["link"] == f"/drawdowns/{consult[0]['id']}"
    assert consult[0]["api_url"] == f"{API}/drawdowns/{consult[0]['id']}"
    assert _refs(_work(client, member)["drawdowns_awaiting_me"]) == [("DD-0003", "consult")]
    assert _refs(_work(client, democratic)["drawdowns_awaiting_me"]) == [("DD-0002", "record_decision")]
    assert _work(client, viewer)["counts"] == dict.fromkeys(SECTIONS, 0)

    # The listed step succeeds, and the request leaves the consultee's list but not the other's.
    response = client.post(
        f"{consult[0]['api_url']}/consultations", json={"view": "supports"}, headers=finance
    )
    assert response.status_code == 201, response.text
    assert _work(client, finance)["drawdowns_awaiting_me"] == []
    assert _refs(_work(client, member)["drawdowns_awaiting_me"]) == [("DD-0003", "consult")]


def test_kpi_values_to_enter_and_the_pmo_queue(client: TestClient, demo: None) -> None:
    pm, pmo, sponsor = (_as(client, w) for w in ("pm", "pmo", "sponsor"))
    due = _work(client, pm)["kpi_values_due"]
    assert _refs(due) == [("CX-03", "enter_value")]
    kpi = due[0]
    quarter = period_containing("quarterly", today()).previous
    assert kpi["detail"] == f"No value submitted for {quarter.label}."
    # The sponsor may submit for CX-03 too, but neither owns it nor manages its project.
    assert _work(client, sponsor)["kpi_values_due"] == []

    value = client.post(
        f"{kpi['api_url']}/values", json={"period_code": quarter.code, "actual": "71"}, headers=pm
    )
    assert value.status_code == 201, value.text
    assert _refs(_work(client, pm)["kpi_values_due"]) == [("CX-03", "enter_value")]  # a draft is not done
    submitted = client.post(f"{API}/kpi-values/{value.json()['id']}/submit", headers=pm)
    assert submitted.status_code == 200, submitted.text
    assert _work(client, pm)["kpi_values_due"] == []

    queue = _work(client, pmo)["kpi_values_to_verify"]
    assert ("CX-03", "verify") in _refs(queue)
    mine = next(i for i in queue if i["id"] == value.json()["id"])
    assert client.post(f"{mine['api_url']}/verify", headers=pmo).status_code == 200
    after = {i["id"]: i["action"] for i in _work(client, pmo)["kpi_values_to_verify"]}
    assert after[mine["id"]] == "publish"
    assert _work(client, pm)["kpi_values_to_verify"] == []  # the queue is the PMO's


def test_each_role_sees_its_own_sections(client: TestClient, demo: None) -> None:
    pm, pmo, sponsor, admin = (_as(client, w) for w in ("pm", "pmo", "sponsor", "admin"))
    managed = _work(client, pm)
    assert managed["my_projects"]
    assert {i["action"] for i in managed["my_projects"]} == {"manage"}
    # The stage in words, as the lifecycle names it, never its key ("discover_define").
    stages = {re.sub(r".*; stage ", "", i["detail"]) for i in managed["my_projects"]}
    assert stages <= {"Discover and Define.", "Design and Develop.", "Delivery."}, stages
    assert managed["late_highlight_reports"] == []  # the late list is for the PMO and admins
    sponsored = _work(client, sponsor)
    assert {i["action"] for i in sponsored["my_projects"]} == {"sponsor"}
    assert sponsored["my_programmes"]
    assert all(i["link"] == f"/programmes/{i['id']}" for i in sponsored["my_programmes"])
    oversight = _work(client, pmo)
    assert oversight["late_highlight_reports"]
    assert {i["action"] for i in oversight["late_highlight_reports"]} == {"chase_report"}
    assert all(i["overdue"] for i in oversight["late_highlight_reports"])
    late = client.get(f"{API}/highlight-reports/late", headers=pmo).json()["items"]
    assert [i["reference"] for i in oversight["late_highlight_reports"]] == [
        i["project_reference"] for i in late
    ]
    assert _work(client, admin)["counts"]["late_highlight_reports"] == len(late)
    assert {i["action"] for i in oversight["risk_reviews_due"]} <= {"review"}


def test_highlight_reports_wait_for_the_sponsors_review(client: TestClient, demo: None) -> None:
    sponsor, pm, pmo = (_as(client, w) for w in ("sponsor", "pm", "pmo"))
    waiting = _work(client, sponsor)["highlight_reports_to_review"]
    submitted = client.get(f"{API}/highlight-reports", headers=pmo, params={"status": "submitted"}).json()
    assert [i["id"] for i in waiting] == [r["id"] for r in submitted["items"]]
    assert len(waiting) == 1
    item = waiting[0]
    assert (item["kind"], item["action"]) == ("highlight_report", "review_report")
    assert item["link"] == f"/highlight-reports/{item['id']}"
    assert item["detail"].startswith("Submitted on ")
    # Only sponsors review: the project manager who submitted it and the PMO do not see it.
    assert _work(client, pm)["highlight_reports_to_review"] == []
    assert _work(client, pmo)["highlight_reports_to_review"] == []

    # The step the list names succeeds, and the report leaves the list.
    tag = client.get(item["api_url"], headers=sponsor).headers["ETag"]
    reviewed = client.post(
        f"{item['api_url']}/review", json={"outcome": "accepted"}, headers={**sponsor, "If-Match": tag}
    )
    assert reviewed.status_code == 200, reviewed.text
    assert _work(client, sponsor)["highlight_reports_to_review"] == []


def test_another_organisation_sees_none_of_it(client: TestClient, demo: None, factory: Any) -> None:
    elsewhere = factory.organisation("Dacorum Borough Council")
    people = [factory.person(elsewhere, role) for role in Role]
    for person in people:
        assert _work(client, person.headers)["counts"] == dict.fromkeys(SECTIONS, 0), person.user.email


def test_bounded_queries(client: TestClient, demo: None, engine: Engine) -> None:
    """The PMO's list (the longest: 74 late reports, queues, reviews) in a fixed number of queries."""
    pmo = _as(client, "pmo")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        work = _work(client, pmo)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert work["counts"]["late_highlight_reports"] > 50
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    print(f"me/work for the demo PMO: {len(selects)} SELECTs")
    assert len(selects) <= 30, len(selects)


def test_actions_due_are_read_in_due_date_order(client: TestClient, demo: None, engine: Engine) -> None:
    """A person's risk actions are read from `ix_risk_actions_actionee_due` in due-date order,
    so the read stops at the list's limit rather than sorting all of them (10.9 to 2.6 ms for
    3,334 actions at the scale council). SQLite only: PostgreSQL's choice of index follows its
    statistics, and bench/aims.py gives its figure at scale."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the planner's choice is shown at scale by bench/aims.py on PostgreSQL")
    manager = _as(client, "pm")
    statements = statements_while(engine, lambda: _work(client, manager))
    [(statement, parameters)] = [(s, p) for s, p in statements if "FROM risk_actions JOIN risks" in s]
    plan = sqlite_plan(engine, statement, parameters)
    assert plan[0] == (
        "SEARCH risk_actions USING INDEX ix_risk_actions_actionee_due "
        "(actionee_id=? AND due_date>? AND due_date<?)"
    ), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # only the ties of a day are sorted


def test_open_drawdowns_are_read_by_status(client: TestClient, demo: None, engine: Engine) -> None:
    """The draw-downs awaiting a person are read from `ix_drawdowns_organisation_status`, the
    open ones only, not every draw-down of every project (9.5 to 5.3 ms for 20,000 draw-downs at
    the scale council). SQLite only, as above."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the planner's choice is shown at scale by bench/aims.py on PostgreSQL")
    manager = _as(client, "pm")
    statements = statements_while(engine, lambda: _work(client, manager))
    [(statement, parameters)] = [
        (s, p) for s, p in statements if "FROM drawdowns JOIN projects" in s and "json_each" in s
    ]
    plan = sqlite_plan(engine, statement, parameters)
    assert plan[0] == (
        "SEARCH drawdowns USING INDEX ix_drawdowns_organisation_status (organisation_id=? AND status=?)"
    ), plan
