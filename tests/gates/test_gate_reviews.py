"""Gate reviews: requesting with evidence, deciding, and the only way a project's stage moves."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from sqlmodel import Session, col, select

from pmo.audit.models import AuditEvent
from pmo.core.permissions import Role
from support.api import API

from .helpers import BUSINESS_CASE, DESIGN_ANSWERS, DISCOVER_ANSWERS
from .test_lifecycles import CUSTOM


def _events(engine, organisation_id, after_seq=0) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.organisation_id == organisation_id, col(AuditEvent.seq) > after_seq)
                .order_by(col(AuditEvent.seq))
            ).all()
        )


def _last_seq(engine, organisation_id) -> int:  # type: ignore[no-untyped-def]
    events = _events(engine, organisation_id)
    return events[-1].seq if events else 0


def _created(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _problem(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def test_the_full_journey_to_delivery(client, engine, setup, org, project, pmo, chair, deputy, factory):
    councillor = factory.person(org, Role.member)
    assert setup.stage_of(project) == "discover_define"

    first = _created(setup.request(pmo, project))
    assert first["status"] == "pending"
    assert (first["gate_key"], first["from_stage"], first["to_stage"]) == (
        "design_develop_entry",
        "discover_define",
        "design_develop",
    )
    assert set(first["decider_ids"]) == {str(chair.id), str(deputy.id)}
    assert first["approval"] == "any"
    assert first["unanswered"] == []
    assert setup.stage_of(project) == "discover_define"

    decided = _created(setup.decide(chair, first["id"]))
    assert decided["status"] == "approved"
    assert decided["decided_at"] is not None
    assert decided["outcome_reason"] == "The criteria are met."
    assert [d["decider_id"] for d in decided["decisions"]] == [str(chair.id)]
    assert setup.stage_of(project) == "design_develop"

    # The detailed business case: the steering group, or elected members, approve it.
    second = _created(
        setup.request(
            pmo,
            project,
            {"summary": "Detailed business case.", "answers": DESIGN_ANSWERS, "business_case": BUSINESS_CASE},
        )
    )
    assert second["gate_key"] == "delivery_entry"
    assert set(second["decider_ids"]) == {str(chair.id), str(deputy.id), str(councillor.id)}
    assert second["business_case"] == BUSINESS_CASE
    _created(
        setup.decide(councillor, second["id"], "approve_with_conditions", conditions="Report back in Q3.")
    )
    assert setup.stage_of(project) == "delivery"

    history = client.get(f"{API}/projects/{project.id}/gate-reviews", headers=chair.headers).json()
    assert [(r["gate_key"], r["status"]) for r in history["items"]] == [
        ("delivery_entry", "approved_with_conditions"),
        ("design_develop_entry", "approved"),
    ]
    assert history["items"][0]["conditions"] == "Report back in Q3."
    stage_changes = [e for e in _events(engine, org.id) if e.action == "stage_change"]
    assert [(e.before["stage"], e.after["stage"]) for e in stage_changes if e.before and e.after] == [
        ("discover_define", "design_develop"),
        ("design_develop", "delivery"),
    ]
    assert [e.actor_id for e in stage_changes] == [chair.id, councillor.id]
    assert all(e.record_type == "project" and e.record_id == project.id for e in stage_changes)


def test_the_project_moves_only_when_approved(setup, project, pmo, chair, deputy):
    review = _created(setup.request(pmo, project))
    assert setup.stage_of(project) == "discover_define"
    assert (
        _created(setup.decide(chair, review["id"], "defer", reason="More evidence."))["status"] == "deferred"
    )
    assert setup.stage_of(project) == "discover_define"
    review = _created(setup.request(pmo, project))
    assert (
        _created(setup.decide(deputy, review["id"], "reject", reason="Not a priority."))["status"]
        == "rejected"
    )
    assert setup.stage_of(project) == "discover_define"
    review = _created(setup.request(pmo, project))
    setup.client.post(f"{API}/gate-reviews/{review['id']}/withdraw", headers=pmo.headers)
    assert setup.stage_of(project) == "discover_define"


def test_a_request_and_a_decision_write_their_audit_events(engine, setup, org, project, pmo, chair):
    seq = _last_seq(engine, org.id)
    review = _created(setup.request(pmo, project))
    events = _events(engine, org.id, seq)
    assert [(e.action, e.record_type, str(e.record_id)) for e in events] == [
        ("create", "gate_review", review["id"])
    ]
    assert events[0].actor_id == pmo.id

    seq = events[-1].seq
    decided = _created(setup.decide(chair, review["id"]))
    events = _events(engine, org.id, seq)
    assert [(e.action, e.record_type) for e in events] == [
        ("create", "gate_decision"),
        ("update", "gate_review"),
        ("stage_change", "project"),
    ]
    assert str(events[0].record_id) == decided["decisions"][0]["id"]
    assert events[1].before["status"] == "pending"
    assert events[1].after["status"] == "approved"
    assert events[2].before["version"] + 1 == events[2].after["version"]  # type: ignore[index]
    assert {e.actor_id for e in events} == {chair.id}


def test_deciding_your_own_review_is_forbidden(setup, org, factory, pmo, chair):
    # The requester sits on the board: they are left out of the deciders, and refused.
    body = setup.body(org, pmo, chair)
    project = setup.project(org, body=body)
    review = _created(setup.request(pmo, project))
    assert review["decider_ids"] == [str(chair.id)]
    assert "four-eyes" in _problem(setup.decide(pmo, review["id"]), 403)
    assert setup.stage_of(project) == "discover_define"


def test_nobody_else_to_decide_is_a_conflict(setup, org, factory, pmo):
    lonely = setup.project(org, body=setup.body(org, pmo))
    detail = _problem(setup.request(pmo, lonely), 409)
    assert "Set them up" in detail
    ungoverned = setup.project(org)
    assert "governance body" in _problem(setup.request(pmo, ungoverned), 409)
    assert (
        setup.client.get(f"{API}/projects/{ungoverned.id}/gate-reviews", headers=pmo.headers).json()["total"]
        == 0
    )


def test_the_projects_own_body_comes_before_its_programmes(setup, org, factory, pmo, steering_group):
    board_member = factory.person(org, Role.viewer)
    board = setup.body(org, board_member, name="Directorate Programme Board")
    project = setup.project(org, body=board, programme_body=steering_group)
    assert _created(setup.request(pmo, project))["decider_ids"] == [str(board_member.id)]


def test_inactive_people_do_not_decide(client, setup, org, factory, pmo, admin):
    gone = factory.person(org, Role.viewer)
    here = factory.person(org, Role.viewer)
    project = setup.project(org, body=setup.body(org, gone, here))
    assert client.post(f"{API}/users/{gone.id}/deactivate", headers=admin.headers).status_code == 200
    assert _created(setup.request(pmo, project))["decider_ids"] == [str(here.id)]


def test_deciders_are_fixed_when_the_review_is_requested(engine, setup, org, factory, project, pmo):
    review = _created(setup.request(pmo, project))
    latecomer = factory.person(org, Role.viewer)
    with Session(engine) as session:
        from pmo.core.db import utcnow
        from pmo.portfolio.models import GovernanceBodyMember

        session.add(
            GovernanceBodyMember(
                organisation_id=org.id,
                body_id=project.governance_body_id or _body_of(engine, project),
                user_id=latecomer.id,
                created_at=utcnow(),
            )
        )
        session.commit()
    assert "not one of the deciders" in _problem(setup.decide(latecomer, review["id"]), 403)


def _body_of(engine, project) -> uuid.UUID:  # type: ignore[no-untyped-def]
    from pmo.portfolio.models import Programme

    with Session(engine) as session:
        body_id = session.get_one(Programme, project.programme_id).governance_body_id
        assert body_id is not None
        return body_id


def test_approving_with_a_criterion_unanswered_is_refused(setup, project, pmo, chair, deputy):
    answers = copy.deepcopy(DISCOVER_ANSWERS)
    answers.pop()  # evidenced_rationale missing
    answers[0]["answer"] = "   "  # council_priorities blank
    review = _created(setup.request(pmo, project, {"summary": "Early.", "answers": answers}))
    assert review["unanswered"] == ["council_priorities", "evidenced_rationale"]
    for decision, extra in (("approve", {}), ("approve_with_conditions", {"conditions": "Find the data."})):
        detail = _problem(setup.decide(chair, review["id"], decision, **extra), 422)
        assert "council_priorities" in detail
        assert "evidenced_rationale" in detail
    assert setup.stage_of(project) == "discover_define"
    # It can still be deferred.
    assert (
        _created(setup.decide(deputy, review["id"], "defer", reason="Answer every criterion."))["status"]
        == "deferred"
    )


def test_a_decision_by_someone_not_a_decider_is_forbidden(setup, org, factory, project, pmo):
    review = _created(setup.request(pmo, project))
    for role in (Role.viewer, Role.sponsor, Role.admin, Role.member):
        outsider = factory.person(org, role)
        assert "not one of the deciders" in _problem(setup.decide(outsider, review["id"]), 403)
    # Another PMO officer is not a decider either, unless named.
    assert _problem(setup.decide(factory.person(org, Role.pmo), review["id"]), 403)


def test_a_decision_on_a_closed_review_is_a_conflict(setup, project, pmo, chair, deputy):
    review = _created(setup.request(pmo, project))
    _created(setup.decide(chair, review["id"], "reject", reason="No."))
    assert "rejected" in _problem(setup.decide(deputy, review["id"]), 409)
    withdrawn = _created(setup.request(pmo, project))
    assert (
        setup.client.post(f"{API}/gate-reviews/{withdrawn['id']}/withdraw", headers=pmo.headers).status_code
        == 200
    )
    assert "withdrawn" in _problem(setup.decide(chair, withdrawn["id"]), 409)


def test_a_stage_jump_is_a_conflict(setup, project, pmo):
    body = {
        "gate_key": "delivery_entry",
        "summary": "Skip ahead.",
        "answers": DESIGN_ANSWERS,
        "business_case": BUSINESS_CASE,
    }
    assert "one stage at a time" in _problem(setup.request(pmo, project, body), 409)
    body = {"gate_key": "closure", "summary": "Skip ahead."}
    _problem(setup.request(pmo, project, body), 409)
    body = {"gate_key": "no_such_gate", "summary": "?"}
    _problem(setup.request(pmo, project, body), 422)
    # Naming the right gate is fine.
    body = {"gate_key": "design_develop_entry", "summary": "Next.", "answers": DISCOVER_ANSWERS}
    _created(setup.request(pmo, project, body))


def test_no_gate_after_the_last_stage(engine, setup, org, project, pmo):
    from pmo.portfolio.models import Project

    with Session(engine) as session:
        row = session.get_one(Project, project.id)
        row.stage = "closed"
        session.add(row)
        session.commit()
    assert "last stage" in _problem(setup.request(pmo, project), 409)


BAD_REQUESTS = {
    "an answer to another gate's criterion": {
        "summary": "x",
        "answers": [{"criterion": "business_case_complete", "answer": "y"}],
    },
    "a criterion answered twice": {"summary": "x", "answers": [DISCOVER_ANSWERS[0], DISCOVER_ANSWERS[0]]},
    "a business case this gate does not ask for": {"summary": "x", "business_case": {"scope": "y"}},
    "no summary": {"answers": DISCOVER_ANSWERS},
    "a blank summary": {"summary": "  "},
    "an unknown field": {"summary": "x", "stage": "delivery"},
    "a bad criterion key": {"summary": "x", "answers": [{"criterion": "Not A Key", "answer": "y"}]},
}


@pytest.mark.parametrize("body", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_bad_request_is_refused(setup, project, pmo, body):
    _problem(setup.request(pmo, project, body), 422)
    assert (
        setup.client.get(f"{API}/projects/{project.id}/gate-reviews", headers=pmo.headers).json()["total"]
        == 0
    )


def _to_design_develop(setup, project, pmo, chair) -> None:  # type: ignore[no-untyped-def]
    _created(setup.decide(chair, _created(setup.request(pmo, project))["id"]))


def test_the_business_case_needs_every_section(setup, project, pmo, chair):
    _to_design_develop(setup, project, pmo, chair)
    partial = {k: v for k, v in BUSINESS_CASE.items() if k != "key_risks"}
    for business_case in (None, partial, {**BUSINESS_CASE, "costs": "  "}):
        body = {"summary": "Business case.", "answers": DESIGN_ANSWERS, "business_case": business_case}
        response = setup.request(pmo, project, body)
        _problem(response, 422)
        assert any(p["location"][:2] == ["body", "business_case"] for p in response.json()["errors"])
    assert setup.stage_of(project) == "design_develop"


def test_other_organisations_projects_and_reviews_are_not_found(
    client, setup, org, other_org, factory, project, pmo, chair
):
    review = _created(setup.request(pmo, project))
    their_pmo = factory.person(other_org, Role.pmo)
    their_viewer = factory.person(other_org, Role.viewer)
    _problem(setup.request(their_pmo, project), 404)
    _problem(client.get(f"{API}/projects/{project.id}/gate-reviews", headers=their_viewer.headers), 404)
    _problem(client.get(f"{API}/gate-reviews/{review['id']}", headers=their_viewer.headers), 404)
    _problem(setup.decide(their_viewer, review["id"]), 404)
    _problem(client.post(f"{API}/gate-reviews/{review['id']}/withdraw", headers=their_pmo.headers), 404)
    assert client.get(f"{API}/gate-reviews", headers=their_viewer.headers).json()["total"] == 0
    _problem(setup.request(pmo, project.model_copy(update={"id": uuid.uuid4()})), 404)


def _custom_project(client, setup, org, pmo, body, approval="all"):  # type: ignore[no-untyped-def]
    lifecycle_body = copy.deepcopy(CUSTOM)
    lifecycle_body["gates"][0]["approval"] = approval
    lifecycle = _created(client.post(f"{API}/lifecycles", json=lifecycle_body, headers=pmo.headers))
    return setup.project(org, body=body, lifecycle_id=uuid.UUID(lifecycle["id"]))


GO = {"summary": "Worth it.", "answers": [{"criterion": "worth_it", "answer": "Saves 40k a year."}]}


def test_all_must_approve(client, setup, org, pmo, chair, deputy, steering_group):
    project = _custom_project(client, setup, org, pmo, steering_group)
    review = _created(setup.request(pmo, project, GO))
    assert review["approval"] == "all"
    after_one = _created(setup.decide(chair, review["id"]))
    assert after_one["status"] == "pending"
    assert setup.stage_of(project) == "idea"
    # Deciding twice is a conflict.
    assert "already decided" in _problem(setup.decide(chair, review["id"]), 409)
    after_two = _created(
        setup.decide(deputy, review["id"], "approve_with_conditions", conditions="Quarterly report.")
    )
    assert after_two["status"] == "approved_with_conditions"
    assert after_two["conditions"] == "Quarterly report."
    assert len(after_two["decisions"]) == 2
    assert setup.stage_of(project) == "build"


def test_under_all_one_defer_settles_it(client, setup, org, pmo, chair, deputy, steering_group):
    project = _custom_project(client, setup, org, pmo, steering_group)
    review = _created(setup.request(pmo, project, GO))
    _created(setup.decide(chair, review["id"]))
    assert (
        _created(setup.decide(deputy, review["id"], "defer", reason="Wait for the budget."))["status"]
        == "deferred"
    )
    assert setup.stage_of(project) == "idea"


def test_under_any_the_first_decision_settles_it(client, setup, org, pmo, chair, deputy, steering_group):
    project = _custom_project(client, setup, org, pmo, steering_group, approval="any")
    review = _created(setup.request(pmo, project, GO))
    assert _created(setup.decide(chair, review["id"], "reject", reason="No."))["status"] == "rejected"
    assert "rejected" in _problem(setup.decide(deputy, review["id"]), 409)


def test_role_deciders_are_scoped_to_the_lead_directorate(
    client, setup, org, factory, pmo, chair, steering_group
):
    housing = factory.directorate(org, "Housing")
    leisure = factory.directorate(org, "Leisure")
    housing_sponsor = factory.scoped(org, Role.sponsor, housing)
    leisure_sponsor = factory.scoped(org, Role.sponsor, leisure)
    chief = factory.person(org, Role.sponsor)
    project = _custom_project(client, setup, org, pmo, steering_group, approval="any")
    with Session(setup.engine) as session:
        from pmo.portfolio.models import Project

        row = session.get_one(Project, project.id)
        row.lead_directorate_id = housing.id
        session.add(row)
        session.commit()
    _created(setup.decide(chair, _created(setup.request(pmo, project, GO))["id"]))
    finish = {"summary": "Done.", "answers": [{"criterion": "delivered", "answer": "Live since May."}]}
    review = _created(setup.request(pmo, project, finish))
    assert set(review["decider_ids"]) == {str(housing_sponsor.id), str(chief.id)}
    _problem(setup.decide(leisure_sponsor, review["id"]), 403)
    _created(setup.decide(housing_sponsor, review["id"]))
    assert setup.stage_of(project) == "done"


def test_withdrawn_and_superseded_reviews_are_kept(client, engine, org, setup, project, pmo, chair, factory):
    first = _created(setup.request(pmo, project))
    second = _created(setup.request(pmo, project))
    assert (
        client.get(f"{API}/gate-reviews/{first['id']}", headers=chair.headers).json()["status"]
        == "superseded"
    )
    _problem(setup.decide(chair, first["id"]), 409)
    # Only the requester or the PMO withdraws.
    manager = factory.person(org, Role.project_manager)
    _problem(client.post(f"{API}/gate-reviews/{second['id']}/withdraw", headers=manager.headers), 403)
    withdrawn = client.post(f"{API}/gate-reviews/{second['id']}/withdraw", headers=pmo.headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    _problem(client.post(f"{API}/gate-reviews/{second['id']}/withdraw", headers=pmo.headers), 409)
    history = client.get(f"{API}/projects/{project.id}/gate-reviews", headers=chair.headers).json()
    assert {(r["id"], r["status"]) for r in history["items"]} == {
        (first["id"], "superseded"),
        (second["id"], "withdrawn"),
    }
    superseded = client.get(
        f"{API}/projects/{project.id}/gate-reviews?status=superseded", headers=chair.headers
    ).json()
    assert [r["id"] for r in superseded["items"]] == [first["id"]]
    changes = [
        (e.action, e.after["status"])
        for e in _events(engine, org.id)
        if e.record_type == "gate_review" and e.after
    ]
    assert changes == [
        ("create", "pending"),
        ("update", "superseded"),
        ("create", "pending"),
        ("update", "withdrawn"),
    ]


def test_reviews_awaiting_me(client, setup, org, project, pmo, chair, deputy, factory):
    review = _created(setup.request(pmo, project))

    def awaiting(who) -> list[str]:  # type: ignore[no-untyped-def]
        response = client.get(f"{API}/gate-reviews?awaiting_me=true", headers=who.headers)
        assert response.status_code == 200
        return [r["id"] for r in response.json()["items"]]

    assert awaiting(chair) == [review["id"]]
    assert awaiting(deputy) == [review["id"]]
    assert awaiting(pmo) == []
    assert awaiting(factory.person(org, Role.viewer)) == []
    _created(setup.decide(chair, review["id"]))
    assert awaiting(chair) == []
    assert awaiting(deputy) == []


def test_list_filters_and_sorting(client, setup, org, pmo, chair, steering_group):
    one = setup.project(org, programme_body=steering_group)
    two = setup.project(org, programme_body=steering_group)
    first = _created(setup.request(pmo, one))
    second = _created(setup.request(pmo, two))
    _created(setup.decide(chair, first["id"]))

    def ids(**params: Any) -> list[str]:
        response = client.get(f"{API}/gate-reviews", params=params, headers=chair.headers)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids() == [second["id"], first["id"]]
    assert ids(sort="requested_at") == [first["id"], second["id"]]
    assert ids(status="pending") == [second["id"]]
    assert ids(status="approved") == [first["id"]]
    assert ids(project_id=str(one.id)) == [first["id"]]
    assert ids(programme_id=str(two.programme_id)) == [second["id"]]
    assert ids(limit=1, offset=1) == [first["id"]]
    assert client.get(f"{API}/gate-reviews?sort=colour", headers=chair.headers).status_code == 422
    assert client.get(f"{API}/gate-reviews?status=maybe", headers=chair.headers).status_code == 422


def test_review_detail_has_the_gate_and_an_etag(client, setup, project, pmo, chair):
    review = _created(setup.request(pmo, project))
    response = client.get(f"{API}/gate-reviews/{review['id']}", headers=chair.headers)
    assert response.status_code == 200
    detail = response.json()
    assert [c["key"] for c in detail["gate"]["criteria"]] == [a["criterion"] for a in DISCOVER_ANSWERS]
    assert detail["decisions"] == []
    cached = client.get(
        f"{API}/gate-reviews/{review['id']}",
        headers={**chair.headers, "If-None-Match": response.headers["ETag"]},
    )
    assert cached.status_code == 304


BAD_DECISIONS = {
    "no reason": {"decision": "approve"},
    "a blank reason": {"decision": "approve", "reason": "   "},
    "conditions missing": {"decision": "approve_with_conditions", "reason": "ok"},
    "conditions with a plain approval": {"decision": "approve", "reason": "ok", "conditions": "x"},
    "an unknown decision": {"decision": "maybe", "reason": "ok"},
    "an unknown field": {"decision": "approve", "reason": "ok", "stage": "delivery"},
}


@pytest.mark.parametrize("body", BAD_DECISIONS.values(), ids=BAD_DECISIONS.keys())
def test_a_bad_decision_is_refused(client, setup, project, pmo, chair, body):
    review = _created(setup.request(pmo, project))
    response = client.post(f"{API}/gate-reviews/{review['id']}/decisions", json=body, headers=chair.headers)
    _problem(response, 422)
    assert setup.stage_of(project) == "discover_define"


def test_a_retried_decision_with_its_key_is_not_a_second_decision(client, setup, project, pmo, chair):
    review = _created(setup.request(pmo, project))
    headers = {**chair.headers, "Idempotency-Key": "decide-1"}
    body = {"decision": "approve", "reason": "Yes."}
    first = client.post(f"{API}/gate-reviews/{review['id']}/decisions", json=body, headers=headers)
    again = client.post(f"{API}/gate-reviews/{review['id']}/decisions", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert setup.stage_of(project) == "design_develop"


# Who may request ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.viewer, Role.member, Role.finance, Role.admin, Role.democratic_services]
)
def test_readers_can_read_but_not_request(client, setup, org, factory, project, pmo, role):
    person = factory.person(org, role)
    review = _created(setup.request(pmo, project))
    assert client.get(f"{API}/gate-reviews", headers=person.headers).status_code == 200
    assert client.get(f"{API}/gate-reviews/{review['id']}", headers=person.headers).status_code == 200
    assert client.get(f"{API}/projects/{project.id}/gate-reviews", headers=person.headers).status_code == 200
    assert "gate_reviews:request" in _problem(setup.request(person, project), 403)
    _problem(client.post(f"{API}/gate-reviews/{review['id']}/withdraw", headers=person.headers), 403)


def test_project_managers_request_for_the_projects_they_manage(setup, org, factory, steering_group):
    manager = factory.person(org, Role.project_manager)
    theirs = setup.project(org, programme_body=steering_group, project_manager_id=manager.id)
    other = setup.project(org, programme_body=steering_group)
    _created(setup.request(manager, theirs))
    _problem(setup.request(manager, other), 403)


def test_sponsors_request_within_their_directorate_or_as_sro(setup, org, factory, steering_group):
    housing = factory.directorate(org, "Housing")
    leisure = factory.directorate(org, "Leisure")
    sponsor = factory.scoped(org, Role.sponsor, housing)
    in_scope = setup.project(org, programme_body=steering_group, lead_directorate_id=housing.id)
    out_of_scope = setup.project(org, programme_body=steering_group, lead_directorate_id=leisure.id)
    as_sro = setup.project(
        org, programme_body=steering_group, lead_directorate_id=leisure.id, sro_id=sponsor.id
    )
    _created(setup.request(sponsor, in_scope))
    _problem(setup.request(sponsor, out_of_scope), 403)
    _created(setup.request(sponsor, as_sro))
    chief = factory.person(org, Role.sponsor)  # for the whole organisation
    _created(setup.request(chief, out_of_scope))


def test_requesting_needs_a_token(client, project):
    assert client.post(f"{API}/projects/{project.id}/gate-reviews", json={"summary": "x"}).status_code == 401
