"""The record of officer decisions (regulation 13(4) of the 2012 Regulations, DOMAIN.md
section 10): what the decision and the consultation must give, the record written in the
decision's own transaction, exempt information, retention, and who sees what."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from pmo.core.permissions import Role
from pmo.decisions import officer_decisions_service
from pmo.decisions.models import OfficerDecision
from pmo.worker.jobs import JOBS
from support.api import API, problem
from support.documents import pdf_tags, pdf_text

from .money_support import Money

ALTERNATIVES = "Funding it from the ICT revenue budget: rejected, that budget is fully committed."


def decision(**fields: Any) -> dict[str, Any]:
    return {
        "decision": "approve",
        "reason": "An approved business case; within the reserve's purpose.",
        "alternatives_considered": ALTERNATIVES,
        **fields,
    }


def awaiting(money: Money, amount: str = "30000.00") -> dict[str, Any]:
    """A delegated request with every view in, waiting for the sponsor's decision."""
    drawdown = money.request(money.source("555000.00"), amount)
    return money.consult_all(drawdown)


def decide(money: Money, drawdown: dict[str, Any], body: dict[str, Any]) -> Any:
    return money.call("POST", money.sponsor, f"/drawdowns/{drawdown['id']}/decision", body)


def records(engine: Any) -> list[OfficerDecision]:
    with Session(engine) as session:
        return list(session.execute(select(OfficerDecision)).scalars())


def test_a_decision_without_reasons_or_alternatives_is_refused(money: Money, engine: Any) -> None:
    drawdown = awaiting(money)
    bodies = {
        "no reasons": {k: v for k, v in decision().items() if k != "reason"},
        "blank reasons": decision(reason="   "),
        "no alternatives": {k: v for k, v in decision().items() if k != "alternatives_considered"},
        "blank alternatives": decision(alternatives_considered=" \n "),
    }
    for label, body in bodies.items():
        answer = problem(decide(money, drawdown, body), 422)
        field = "reason" if "reasons" in label else "alternatives_considered"
        assert ["body", field] in [e["location"] for e in answer["errors"]], label
    # Nothing half written: still waiting, no record, nothing committed.
    assert money.get(money.viewer, f"/drawdowns/{drawdown['id']}")["status"] == "awaiting_decision"
    assert records(engine) == []


def test_the_approval_writes_the_record_in_its_transaction(money: Money) -> None:
    drawdown = money.request(money.source("555000.00"), "30000.00")
    path = f"/drawdowns/{drawdown['id']}/consultations"
    money.post(money.finance, path, {"view": "supports", "comment": "S151: affordable."})
    money.post(
        money.member,
        path,
        {
            "view": "supports",
            "conflict_of_interest": True,
            "conflict_of_interest_details": "A relative works for the supplier shortlisted.",
            "dispensation_granted_by": "Huw Bowen, Chief Executive",
            "dispensation_granted_on": "2022-05-03",
            "dispensation_details": "May be consulted; may not vote on the contract award.",
        },
    )
    decided = decide(money, drawdown, decision())
    assert decided.status_code == 200, decided.text
    record_id = decided.json()["officer_decision_id"]
    record = money.get(money.viewer, f"/officer-decisions/{record_id}")
    assert record["reference"] == "OD-0001"
    assert record["drawdown_id"] == drawdown["id"]
    assert record["decision"] == "approved"
    assert record["decision_text"].startswith("Approve the draw-down of £30,000.00 from 'Reserve ")
    assert record["reasons"] == "An approved business case; within the reserve's purpose."
    assert record["alternatives_considered"] == ALTERNATIVES
    assert record["decided_by_id"] == str(money.sponsor.id)
    assert record["decided_under"] == "rule 'Service Director delegation' v1"
    decided_on = date.fromisoformat(record["decided_on"])
    assert decided_on == date.today()
    assert record["retain_until"] == decided_on.replace(year=decided_on.year + 6).isoformat()
    by_role = {c["role"]: c for c in record["consultations"]}
    assert by_role["finance"]["conflict_of_interest"] is None  # not an executive member: not asked
    member = by_role["member"]
    assert member["conflict_of_interest"] is True
    assert member["conflict_of_interest_details"] == "A relative works for the supplier shortlisted."
    assert (member["dispensation_granted_by"], member["dispensation_granted_on"]) == (
        "Huw Bowen, Chief Executive",
        "2022-05-03",
    )
    assert record["exempt_paragraph"] is None
    assert record["withheld_notice"] is None
    listed = money.get(money.viewer, "/officer-decisions")
    assert [r["id"] for r in listed["items"]] == [record_id]


def test_a_rejection_is_recorded_too(money: Money) -> None:
    drawdown = awaiting(money)
    decided = decide(money, drawdown, decision(decision="reject", reason="Not value for money."))
    assert decided.status_code == 200, decided.text
    record = money.get(money.pmo, f"/officer-decisions/{decided.json()['officer_decision_id']}")
    assert record["decision"] == "rejected"
    assert record["decision_text"].startswith("Refuse the draw-down of £30,000.00")


def test_a_failed_approval_leaves_no_record(money: Money, engine: Any) -> None:
    reserve = money.source("20000.00")
    drawdown = money.consult_all(money.request(reserve, "30000.00"))
    problem(decide(money, drawdown, decision()), 409)  # would overdraw the source
    assert records(engine) == []
    assert money.get(money.viewer, f"/drawdowns/{drawdown['id']}")["officer_decision_id"] is None


def test_the_executive_member_is_asked_for_a_conflict_of_interest(money: Money) -> None:
    drawdown = money.request(money.source("555000.00"), "30000.00")
    path = f"/drawdowns/{drawdown['id']}/consultations"
    answer = problem(money.call("POST", money.member, path, {"view": "supports"}), 422)
    assert answer["errors"][0]["location"] == ["body", "conflict_of_interest"]
    bad = {
        "declared without details": {"view": "supports", "conflict_of_interest": True},
        "dispensation with no conflict": {
            "view": "supports",
            "conflict_of_interest": False,
            "dispensation_granted_by": "Chief Executive",
            "dispensation_granted_on": "2022-05-03",
        },
        "dispensation without its date": {
            "view": "supports",
            "conflict_of_interest": True,
            "conflict_of_interest_details": "Shareholder",
            "dispensation_granted_by": "Chief Executive",
        },
        "a date that is not ISO": {
            "view": "supports",
            "conflict_of_interest": True,
            "conflict_of_interest_details": "Shareholder",
            "dispensation_granted_by": "Chief Executive",
            "dispensation_granted_on": "3 May 2022",
        },
    }
    for label, body in bad.items():
        assert problem(money.call("POST", money.member, path, body), 422)["errors"], label
    # None of them was recorded: the member can still answer.
    shown = money.post(money.member, path, {"view": "supports", "conflict_of_interest": False})
    assert [c["role"] for c in shown["consultations"]] == ["member"]
    assert shown["consultations"][0]["conflict_of_interest"] is False


def test_exempt_information_is_withheld_from_the_public_version(money: Money, factory: Any) -> None:
    drawdown = awaiting(money)
    for bad in (
        decision(exempt_paragraph=8, exempt_information="x"),
        decision(exempt_paragraph=0, exempt_information="x"),
        decision(exempt_paragraph=3),
        decision(exempt_information="The supplier's day rate is £1,150."),
    ):
        problem(decide(money, drawdown, bad), 422)
    body = decision(exempt_paragraph=3, exempt_information="The supplier's day rate is £1,150.")
    record_id = decide(money, drawdown, body).json()["officer_decision_id"]
    full = money.get(money.viewer, f"/officer-decisions/{record_id}")
    assert full["exempt_information"] == "The supplier's day rate is £1,150."
    assert "paragraph 3 of Part 1 of Schedule 12A" in full["withheld_notice"]
    admin = factory.person(money.pmo.organisation, Role.admin)
    assert money.patch(admin, "/decision-settings", {"publish_officer_decisions": True}).status_code == 200
    public = f"/api/v1/public/organisations/{money.pmo.organisation.id}/officer-decisions/{record_id}"
    shown = money.client.get(public)
    assert shown.status_code == 200, shown.text
    published = shown.json()
    assert "£1,150" not in shown.text
    assert "exempt_information" not in published
    assert published["withheld_notice"] == (
        "Part of this record is withheld: it is exempt information under paragraph 3 of Part 1 of "
        "Schedule 12A to the Local Government Act 1972 (information relating to the financial or "
        "business affairs of any particular person (including the authority holding that information))."
    )
    assert published["reasons"] == full["reasons"]


def test_records_of_other_organisations_are_not_found(money: Money, factory: Any, other_org: Any) -> None:
    record_id = decide(money, awaiting(money), decision()).json()["officer_decision_id"]
    outsider = factory.person(other_org, Role.pmo)
    problem(money.call("GET", outsider, f"/officer-decisions/{record_id}"), 404)
    assert money.get(outsider, "/officer-decisions")["items"] == []
    problem(money.call("GET", money.pmo, "/officer-decisions/not-a-uuid"), 422)
    problem(money.client.get("/api/v1/officer-decisions"), 401)


def test_the_worker_removes_records_past_six_years(money: Money, engine: Any) -> None:
    record_id = decide(money, awaiting(money), decision()).json()["officer_decision_id"]
    job = JOBS["purge-officer-decisions"]
    with Session(engine) as session:
        kept_until = session.get_one(OfficerDecision, uuid.UUID(record_id)).retain_until
        last_day = datetime.combine(kept_until, time(23, 59), tzinfo=UTC)
        assert job.run(session, last_day) == 0  # kept to the end of its last day
        assert job.run(session, last_day + timedelta(minutes=1)) == 1
        session.commit()
    problem(money.call("GET", money.pmo, f"/officer-decisions/{record_id}"), 404)


def test_six_years_from_29_february() -> None:
    assert officer_decisions_service.retain_until(date(2024, 2, 29)) == date(2030, 2, 28)
    assert officer_decisions_service.retain_until(date(2022, 5, 3)) == date(2028, 5, 3)


def test_the_record_as_a_pdf(money: Money, factory: Any) -> None:
    drawdown = money.request(money.source("555000.00"), "30000.00")
    path = f"/drawdowns/{drawdown['id']}/consultations"
    money.post(money.finance, path, {"view": "supports"})
    conflict = {
        "view": "supports",
        "conflict_of_interest": True,
        "conflict_of_interest_details": "Governor of the school in the scheme.",
        "dispensation_granted_by": "Huw Bowen",
        "dispensation_granted_on": "2022-05-03",
    }
    money.post(money.member, path, conflict)
    body = decision(exempt_paragraph=3, exempt_information="Day rate £1,150.")
    record_id = decide(money, drawdown, body).json()["officer_decision_id"]
    staff = money.client.get(
        f"{API}/officer-decisions/{record_id}/document.pdf", headers=money.viewer.headers
    )
    assert staff.status_code == 200, staff.text
    assert staff.headers["content-type"] == "application/pdf"
    assert staff.headers["content-disposition"] == 'attachment; filename="od-0001-officer-decision.pdf"'
    tags = pdf_tags(staff.content)
    assert (tags.tagged, tags.language) == (True, "en-GB")
    assert "H1" in tags.structure
    assert "Table" in tags.structure
    text = " ".join(pdf_text(staff.content).split())
    for shown in (
        "OD-0001",
        "Approve the draw-down of £30,000.00",
        "An approved business case; within the reserve's purpose.",
        "Funding it from the ICT revenue budget: rejected",
        "Governor of the school in the scheme.",
        "Granted by Huw Bowen on 2022-05-03.",
        "Not for publication: paragraph 3",
        "Day rate £1,150.",
    ):
        assert shown in text, shown
    admin = factory.person(money.pmo.organisation, Role.admin)
    money.patch(admin, "/decision-settings", {"publish_officer_decisions": True})
    address = (
        f"{API}/public/organisations/{money.pmo.organisation.id}/officer-decisions/{record_id}/document.pdf"
    )
    published = money.client.get(address)
    assert published.status_code == 200, published.text
    public_text = " ".join(pdf_text(published.content).split())
    assert "Day rate" not in public_text
    assert "exempt information under paragraph 3 of Part 1 of Schedule 12A" in public_text
    assert "Governor of the school in the scheme." in public_text
    # Others: not found; without a token: 401.
    outsider = factory.person(factory.organisation(), Role.pmo)
    problem(
        money.client.get(f"{API}/officer-decisions/{record_id}/document.pdf", headers=outsider.headers), 404
    )
    problem(money.client.get(f"{API}/officer-decisions/{record_id}/document.pdf"), 401)
