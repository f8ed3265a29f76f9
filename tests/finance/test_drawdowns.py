"""Draw-down requests: routing, consultation, delegated decisions, Cabinet/Council decisions,
limits exactly as written, and every refusal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from pmo.core.permissions import Role
from pmo.finance.models import Drawdown, FundingSource
from support.api import API, problem

from .money_support import Money


def committed_matches_approved(engine: Any) -> None:
    """The source's committed amount is always the sum of its approved draw-downs."""
    with Session(engine) as session:
        for source in session.execute(select(FundingSource)).scalars():
            approved = session.execute(
                select(func.coalesce(func.sum(Drawdown.amount_pence), 0)).where(
                    Drawdown.funding_source_id == source.id, Drawdown.status == "approved"
                )
            ).scalar_one()
            assert source.committed_pence == approved
            assert 0 <= source.committed_pence <= source.opening_balance_pence


def test_delegated_request_through_consultation_to_approval(money: Money, engine: Any) -> None:
    reserve = money.source("555000.00")
    created = money.request(reserve, "30000.00")
    assert created["reference"] == "DD-0001"
    assert (created["route"], created["status"]) == ("delegated", "consultation")
    assert (created["decider_role"], created["consultee_roles"]) == ("sponsor", ["finance", "member"])
    assert created["consultees_outstanding"] == ["finance", "member"]
    assert created["rule_version"]["version"] == 1
    assert "£30,000.00" in created["route_reason"]
    assert "£50,000.00 limit" in created["route_reason"]
    path = f"/drawdowns/{created['id']}"
    # Deciding before consultation.
    assert "finance, member" in problem(money.approve(created), 409)["detail"]
    # A consultee who is not required: a sponsor may be consulted in general, but not here.
    problem(money.call("POST", money.sponsor, f"{path}/consultations", {"view": "supports"}), 403)
    # Roles without the consult permission at all.
    for who in (money.pm, money.viewer, money.democratic):
        problem(money.call("POST", who, f"{path}/consultations", {"view": "supports"}), 403)
    money.post(money.finance, f"{path}/consultations", {"view": "supports", "comment": "Within the MTFP."})
    problem(money.call("POST", money.finance, f"{path}/consultations", {"view": "objects"}), 409)
    problem(money.approve(created), 409)
    answer = {"view": "comment", "comment": "Fine.", "conflict_of_interest": False}
    consulted = money.post(money.member, f"{path}/consultations", answer)
    assert (consulted["status"], consulted["consultees_outstanding"]) == ("awaiting_decision", [])
    assert [(c["role"], c["view"]) for c in consulted["consultations"]] == [
        ("finance", "supports"),
        ("member", "comment"),
    ]
    # Only the rule's decider decides: finance may decide draw-downs in general, not under this rule.
    assert "sponsor" in problem(money.approve(created, money.finance), 403)["detail"]
    for who in (money.pm, money.member, money.viewer):
        problem(money.approve(created, who), 403)
    decided = money.approve(created)
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["decision"]) == ("approved", "approved")
    assert decided.json()["decided_by_id"] == str(money.sponsor.id)
    source = money.get(money.viewer, f"/funding-sources/{reserve['id']}")
    assert (source["committed"], source["remaining"]) == ("30000.00", "525000.00")
    # A decision on a decided request.
    problem(money.approve(created), 409)
    problem(
        money.call(
            "POST",
            money.sponsor,
            f"{path}/decision",
            {"decision": "reject", "reason": "x", "alternatives_considered": "Deferral to next year."},
        ),
        409,
    )
    problem(money.call("POST", money.member, f"{path}/consultations", {"view": "supports"}), 409)
    committed_matches_approved(money_engine := engine)
    assert money_engine is engine


def test_limits_exactly_as_written(money: Money) -> None:
    reserve = money.source("900000.00")
    at_limit = money.request(reserve, "50000.00", project_id=money.project_of()["id"])
    over = money.request(reserve, "50000.01", project_id=money.project_of()["id"])
    assert at_limit["route"] == "delegated"
    assert (over["route"], over["status"], over["consultee_roles"]) == ("cabinet", "referred", [])
    assert over["route_reason"].endswith(
        "makes £50,000.01, which is above the £50,000.00 limit of rule 'Service Director delegation' v1: "
        "referred to Cabinet."
    )


def test_a_need_cannot_be_split_under_the_cumulative_limit(money: Money) -> None:
    reserve = money.source("900000.00")
    first = money.request(reserve, "30000.00")
    money.consult_all(first)
    assert money.approve(first).status_code == 200
    preview = money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "20000.01"), status=200)
    assert (preview["route"], preview["approved_delegated_total"]) == ("cabinet", "30000.00")
    second = money.request(reserve, "20000.01")
    assert second["route"] == "cabinet"
    assert (
        "with £30,000.00 already approved for the project in 2022/23 makes £50,000.01"
        in second["route_reason"]
    )
    third = money.request(reserve, "20000.00")
    assert third["route"] == "delegated"
    # Another financial year starts again at zero.
    assert money.request(reserve, "50000.00", financial_year="2023/24")["route"] == "delegated"


def test_the_cumulative_limit_is_checked_again_at_approval(money: Money, engine: Any) -> None:
    reserve = money.source("900000.00")
    first, second = money.request(reserve, "30000.00"), money.request(reserve, "30000.00")
    assert first["route"] == second["route"] == "delegated"  # nothing approved when they were submitted
    money.consult_all(first)
    money.consult_all(second)
    assert money.approve(first).status_code == 200
    detail = problem(money.approve(second), 403)["detail"]
    assert "rule 'Service Director delegation' v1" in detail
    assert "Withdraw it" in detail
    # Rejecting it is still possible: it commits nothing.
    body = {
        "decision": "reject",
        "reason": "Resubmit for Cabinet.",
        "alternatives_considered": "Deferral to next year.",
    }
    assert money.call("POST", money.sponsor, f"/drawdowns/{second['id']}/decision", body).status_code == 200
    committed_matches_approved(engine)


def test_a_referred_request_is_decided_by_cabinet(money: Money, engine: Any) -> None:
    reserve = money.source("555000.00")
    referred = money.request(reserve, "75000.00")
    assert (referred["route"], referred["status"]) == ("cabinet", "referred")
    assert "Cabinet" in referred["next_step"]
    detail = problem(money.approve(referred), 403)["detail"]
    assert "rule 'Service Director delegation' v1" in detail
    assert "Cabinet" in detail
    path = f"/drawdowns/{referred['id']}/committee-decision"
    decision = {"body": "cabinet", "meeting_date": "2022-06-14", "outcome": "approved"}
    problem(money.call("POST", money.democratic, path, decision), 422)  # no minute or key decision reference
    problem(money.cabinet(referred, body="council"), 422)  # not the body it was referred to
    for who in (money.sponsor, money.finance, money.pmo):
        problem(money.call("POST", who, path, {**decision, "minute_reference": "Min 12"}), 403)
    recorded = money.cabinet(referred)
    assert recorded.status_code == 200, recorded.text
    body = recorded.json()
    assert (body["status"], body["meeting_body"], body["meeting_date"]) == (
        "approved",
        "cabinet",
        "2022-06-14",
    )
    assert body["minute_reference"] == "Cabinet minute 12 (2022/23)"
    assert money.get(money.viewer, f"/funding-sources/{reserve['id']}")["remaining"] == "480000.00"
    problem(money.cabinet(referred), 409)
    committed_matches_approved(engine)


def test_council_above_the_council_limit(money: Money) -> None:
    rule = money.get(money.finance, "/delegation-rules")["items"][0]
    money.patch(money.finance, f"/delegation-rules/{rule['id']}", {"council_limit": "250000.00"})
    reserve = money.source("900000.00")
    assert money.request(reserve, "250000.00")["route"] == "cabinet"
    to_council = money.request(reserve, "250000.01", project_id=money.project_of()["id"])
    assert to_council["route"] == "council"
    assert "Council" in to_council["route_reason"]
    problem(money.cabinet(to_council), 422)
    assert money.cabinet(to_council, body="council", outcome="rejected").json()["status"] == "rejected"


def test_committee_decision_on_a_delegated_request_is_409(money: Money) -> None:
    delegated = money.request(money.source(), "10.00")
    problem(money.cabinet(delegated), 409)


def test_nobody_decides_their_own_request(money: Money, factory: Any, org: Any) -> None:
    reserve = money.source()
    own = money.request(reserve, "1000.00", by=money.sponsor)
    money.consult_all(own)
    assert "someone else" in problem(money.approve(own, money.sponsor), 403)["detail"]
    # A requester who also holds a consultee role is not consulted on their own request.
    finance_sponsor = factory.person(org, Role.finance, Role.sponsor)
    theirs = money.request(reserve, "1000.00", by=finance_sponsor)
    problem(
        money.call("POST", finance_sponsor, f"/drawdowns/{theirs['id']}/consultations", {"view": "supports"}),
        403,
    )
    referred = money.request(reserve, "90000.00", by=money.sponsor, project_id=money.project_of()["id"])
    democratic_sponsor = factory.person(org, Role.democratic_services, Role.sponsor)
    own_referred = money.request(
        reserve, "90000.00", by=democratic_sponsor, project_id=money.project_of()["id"]
    )
    problem(
        money.call(
            "POST",
            democratic_sponsor,
            f"/drawdowns/{own_referred['id']}/committee-decision",
            {
                "body": "cabinet",
                "meeting_date": "2022-06-14",
                "minute_reference": "M1",
                "outcome": "approved",
            },
        ),
        403,
    )
    assert money.cabinet(referred).status_code == 200
    another_sponsor = factory.person(org, Role.sponsor)
    assert money.approve(own, another_sponsor).status_code == 200


def test_overdrawing_is_409_naming_the_remaining_balance(money: Money, engine: Any) -> None:
    reserve = money.source("40000.00")
    first, second = (
        money.request(reserve, "30000.00"),
        money.request(reserve, "10000.01", project_id=money.project_of()["id"]),
    )
    for drawdown in (first, second):
        money.consult_all(drawdown)
    assert money.approve(first).status_code == 200
    body = problem(money.approve(second), 409)
    assert "only £10,000.00 remains" in body["detail"]
    assert body["remaining"] == "10000.00"
    assert money.get(money.viewer, f"/drawdowns/{second['id']}")["status"] == "awaiting_decision"
    referred = money.request(reserve, "60000.00", project_id=money.project_of()["id"])
    assert "£10,000.00" in problem(money.cabinet(referred), 409)["detail"]
    committed_matches_approved(engine)


def test_reject_and_withdraw_commit_nothing(money: Money, engine: Any) -> None:
    reserve = money.source("1000.00")
    rejected, withdrawn = money.request(reserve, "600.00"), money.request(reserve, "600.00")
    money.consult_all(rejected)
    body = {
        "decision": "reject",
        "reason": "Not value for money.",
        "alternatives_considered": "Deferral to next year.",
    }
    response = money.call("POST", money.sponsor, f"/drawdowns/{rejected['id']}/decision", body)
    assert (response.json()["status"], response.json()["decision_reason"]) == (
        "rejected",
        "Not value for money.",
    )
    # Only the requester or the PMO withdraws.
    problem(money.call("POST", money.sponsor, f"/drawdowns/{withdrawn['id']}/withdraw"), 403)
    problem(money.call("POST", money.viewer, f"/drawdowns/{withdrawn['id']}/withdraw"), 403)
    assert money.post(money.pm, f"/drawdowns/{withdrawn['id']}/withdraw", status=200)["status"] == "withdrawn"
    problem(money.call("POST", money.pm, f"/drawdowns/{withdrawn['id']}/withdraw"), 409)
    problem(money.call("POST", money.pmo, f"/drawdowns/{rejected['id']}/withdraw"), 409)
    by_pmo = money.request(reserve, "1.00")
    assert money.post(money.pmo, f"/drawdowns/{by_pmo['id']}/withdraw", status=200)["status"] == "withdrawn"
    shown = money.get(money.viewer, f"/funding-sources/{reserve['id']}")
    assert (shown["committed"], shown["pending"], shown["remaining"]) == ("0.00", "0.00", "1000.00")
    committed_matches_approved(engine)


def test_bad_amounts_are_422_and_change_nothing(money: Money) -> None:
    reserve = money.source()
    for amount in ("-1.00", "0", "0.00", "100.001", "a lot", "1,000.00", 30000, 30000.0, 0.1, None):
        problem(money.call("POST", money.pm, "/drawdowns", money.body(reserve, amount)), 422)  # type: ignore[arg-type]
        problem(money.call("POST", money.pm, "/drawdowns/route-preview", money.body(reserve, amount)), 422)  # type: ignore[arg-type]
    body = problem(money.call("POST", money.pm, "/drawdowns", money.body(reserve, 30000.5)), 422)  # type: ignore[arg-type]
    assert body["errors"][0]["location"] == ["body", "amount"]
    assert "not a JSON number" in body["errors"][0]["message"]
    for missing in ({"business_case_reference": ""}, {"purpose": "  "}, {"financial_year": "2022/24"}):
        problem(money.call("POST", money.pm, "/drawdowns", money.body(reserve, "1.00", **missing)), 422)
    assert money.get(money.viewer, "/drawdowns")["total"] == 0


def test_other_organisations_records_are_404(money: Money, factory: Any, other_org: Any) -> None:
    other_finance = factory.person(other_org, Role.finance)
    theirs = money.post(
        other_finance, "/funding-sources", {"name": "R", "kind": "reserve", "opening_balance": "9.00"}
    )
    problem(money.call("POST", money.pm, "/drawdowns", money.body(theirs, "1.00")), 404)
    problem(money.call("POST", money.pm, "/drawdowns/route-preview", money.body(theirs, "1.00")), 404)
    mine = money.request(money.source(), "1.00")
    other_pmo = factory.person(other_org, Role.pmo, Role.sponsor, Role.finance, Role.democratic_services)
    problem(money.call("POST", other_pmo, "/drawdowns", money.body(theirs, "1.00")), 404)  # our project
    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/consultations", {"view": "supports"}),
        (
            "POST",
            "/decision",
            {"decision": "approve", "reason": "x", "alternatives_considered": "Deferral to next year."},
        ),
        ("POST", "/withdraw", None),
        (
            "POST",
            "/committee-decision",
            {"body": "cabinet", "meeting_date": "2022-06-14", "minute_reference": "1", "outcome": "approved"},
        ),
    ):
        problem(money.call(method, other_pmo, f"/drawdowns/{mine['id']}{suffix}", body), 404)
    assert money.get(other_pmo, "/drawdowns")["total"] == 0


def test_who_may_request(money: Money, factory: Any, org: Any) -> None:
    reserve = money.source()
    for who in (money.viewer, money.finance, money.member, money.democratic):
        problem(money.call("POST", who, "/drawdowns", money.body(reserve, "1.00")), 403)
    someone_elses = money.project_of(project_manager_id=None)
    detail = problem(
        money.call(
            "POST", money.pm, "/drawdowns", money.body(reserve, "1.00", project_id=someone_elses["id"])
        ),
        403,
    )["detail"]
    assert someone_elses["reference"] in detail
    assert (
        money.request(reserve, "1.00", by=money.pmo, project_id=someone_elses["id"])["status"]
        == "consultation"
    )


def test_the_gate_review_link_must_be_an_approved_review_of_the_project(money: Money) -> None:
    reserve = money.source()
    board = money.post(
        money.pmo, "/governance-bodies", {"name": "OD Steering Group", "kind": "steering_group"}
    )
    money.post(money.pmo, f"/governance-bodies/{board['id']}/members", {"user_id": str(money.sponsor.id)})
    project = money.project_of(governance_body_id=board["id"])
    review = money.post(
        money.pm,
        f"/projects/{project['id']}/gate-reviews",
        {
            "summary": "Discovery",
            "answers": [
                {"criterion": key, "answer": "Yes."}
                for key in (
                    "council_priorities",
                    "improves_outcomes",
                    "costed_resourced_viable",
                    "evidenced_rationale",
                )
            ],
        },
    )
    body = money.body(
        reserve, "1.00", project_id=project["id"], gate_review_id=review["id"], business_case_reference=""
    )
    problem_body = problem(money.call("POST", money.pm, "/drawdowns", body), 422)
    assert problem_body["errors"][0]["location"] == ["body", "gate_review_id"]
    problem(money.call("POST", money.pm, "/drawdowns", {**body, "gate_review_id": project["id"]}), 404)
    money.post(
        money.sponsor, f"/gate-reviews/{review['id']}/decisions", {"decision": "approve", "reason": "Good."}
    )
    assert money.post(money.pm, "/drawdowns", body)["gate_review_id"] == review["id"]
    # An approved review of another project is not this project's business case.
    other = {**body, "project_id": money.project["id"]}
    problem(money.call("POST", money.pm, "/drawdowns", other), 422)


def test_a_rule_change_does_not_reroute_a_waiting_request(money: Money) -> None:
    """Documented: a request keeps the route and rule version it was given when submitted."""
    reserve = money.source()
    waiting = money.request(reserve, "40000.00")
    rule = money.get(money.finance, "/delegation-rules")["items"][0]
    changed = money.patch(
        money.finance,
        f"/delegation-rules/{rule['id']}",
        {"limit": "10000.00", "consultee_roles": ["finance"]},
    )
    assert changed.json()["version"] == 2
    shown = money.get(money.viewer, f"/drawdowns/{waiting['id']}")
    assert (shown["route"], shown["rule_version"]["version"], shown["consultee_roles"]) == (
        "delegated",
        1,
        ["finance", "member"],
    )
    money.consult_all(waiting)
    assert money.approve(waiting).json()["status"] == "approved"  # under v1's £50,000.00 limit
    later = money.request(reserve, "40000.00", project_id=money.project_of()["id"])
    assert later["route"] == "cabinet"
    assert "v2" in later["route_reason"]


def test_a_scoped_rule_is_decided_only_within_its_directorate(money: Money, factory: Any, org: Any) -> None:
    other = money.post(factory.person(org, Role.admin), "/directorates", {"name": "Housing"})
    rule = money.get(money.finance, "/delegation-rules")["items"][0]
    money.patch(
        money.finance, f"/delegation-rules/{rule['id']}", {"decider_directorate_id": money.directorate["id"]}
    )
    drawdown = money.request(money.source(), "100.00")
    money.consult_all(drawdown)
    housing_sponsor = factory.person(org, Role.admin)
    with Session(factory.engine) as session:
        from pmo.organisations import service as org_service
        from pmo.organisations.schemas import RoleAssignmentCreate

        org_service.assign_role(
            session,
            None,
            org.id,
            RoleAssignmentCreate(user_id=housing_sponsor.id, role=Role.sponsor, directorate_id=other["id"]),
        )
        session.commit()
    problem(money.approve(drawdown, housing_sponsor), 403)
    assert money.approve(drawdown).status_code == 200


def test_awaiting_me_and_filters(money: Money) -> None:
    reserve = money.source()
    consulting = money.request(reserve, "100.00")
    referred = money.request(reserve, "60000.00", project_id=money.project_of()["id"])
    deciding = money.request(reserve, "200.00")
    money.consult_all(deciding)

    def awaiting(who: Any) -> set[str]:
        return {d["reference"] for d in money.get(who, "/drawdowns", awaiting_me="true")["items"]}

    assert awaiting(money.finance) == {consulting["reference"]}
    assert awaiting(money.member) == {consulting["reference"]}
    assert awaiting(money.sponsor) == {deciding["reference"]}
    assert awaiting(money.democratic) == {referred["reference"]}
    assert awaiting(money.pm) == set()
    listed = money.get(money.viewer, "/drawdowns", route="cabinet")["items"]
    assert [d["reference"] for d in listed] == [referred["reference"]]
    by_amount = money.get(money.viewer, "/drawdowns", sort="-amount", limit=2)
    assert [d["amount"] for d in by_amount["items"]] == ["60000.00", "200.00"]
    assert by_amount["total"] == 3
    assert money.get(money.viewer, "/drawdowns", status="awaiting_decision")["total"] == 1
    assert money.get(money.viewer, "/drawdowns", programme_id=money.programme["id"])["total"] == 3
    assert money.get(money.viewer, "/drawdowns", financial_year="2023/24")["total"] == 0
    problem(money.call("GET", money.viewer, "/drawdowns", financial_year="2023"), 422)


def test_route_preview_writes_nothing(money: Money) -> None:
    reserve = money.source()
    preview = money.post(money.pm, "/drawdowns/route-preview", money.body(reserve, "30000.00"), status=200)
    assert (preview["route"], preview["decider_role"], preview["consultee_roles"]) == (
        "delegated",
        "sponsor",
        ["finance", "member"],
    )
    assert preview["rule_name"] == "Service Director delegation"
    assert preview["rule_version"] == 1
    assert money.get(money.viewer, "/drawdowns")["total"] == 0
    problem(money.call("POST", money.viewer, "/drawdowns/route-preview", money.body(reserve, "1.00")), 403)


def test_the_trail_records_each_step(money: Money) -> None:
    drawdown = money.request(money.source(), "30000.00")
    money.consult_all(drawdown)
    money.approve(drawdown)
    admin_events = money.client.get(
        f"{API}/audit-events", params={"record_id": drawdown["id"], "limit": 50}, headers=money.pmo.headers
    )
    assert admin_events.status_code == 200, admin_events.text
    actions = [e["action"] for e in admin_events.json()["items"]]
    assert "create" in actions
    assert "decide" in actions
