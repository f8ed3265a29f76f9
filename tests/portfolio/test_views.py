"""The programme dashboard and "my work"."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from pmo.core.db import utcnow
from pmo.core.periods import today
from pmo.core.permissions import Role
from pmo.gates.models import GateDecision, GateReview
from pmo.portfolio.models import Project
from pmo.raid.models import Risk, RiskAction
from support.api import API, problem


def _review(
    engine: Any, project: dict[str, Any], requester: Any, deciders: list[Any], status: str = "pending"
) -> uuid.UUID:
    """A gate review row, as the gates domain writes it."""
    with Session(engine) as session:
        stored = session.get_one(Project, uuid.UUID(project["id"]))
        review = GateReview(
            organisation_id=stored.organisation_id,
            project_id=stored.id,
            lifecycle_id=stored.lifecycle_id,
            gate_key="discover_define_to_design_develop",
            from_stage="discover_define",
            to_stage="design_develop",
            status=status,
            requested_by_id=requester.id,
            requested_at=utcnow(),
            answers=[],
            decider_ids=[str(d.id) for d in deciders],
            approval="any",
        )
        session.add(review)
        session.commit()
        return review.id


def _decide(engine: Any, review_id: uuid.UUID, decider: Any) -> None:
    with Session(engine) as session:
        session.add(
            GateDecision(
                organisation_id=decider.organisation.id,
                review_id=review_id,
                decider_id=decider.id,
                decision="defer",
                reason="More data.",
                decided_at=utcnow(),
            )
        )
        session.commit()


def _milestone(
    client: Any, who: Any, project: dict[str, Any], title: str, days: int, **fields: Any
) -> dict[str, Any]:
    response = client.post(
        f"{API}/projects/{project['id']}/milestones",
        json={"title": title, "planned_date": (today() + timedelta(days=days)).isoformat(), **fields},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_programme_dashboard(register, pmo, org, client, engine) -> None:
    programme = register.programme(pmo)
    elsewhere = register.programme(pmo)
    first, second, third = (register.project(pmo, programme) for _ in range(3))
    outside = register.project(pmo, elsewhere)
    for project, rating in ((first, "green"), (second, "green"), (third, "red")):
        client.post(
            f"{API}/projects/{project['id']}/confidence",
            json={"rating": rating, "commentary": "c"},
            headers=pmo.headers,
        )
    # Project two is in Design and Develop (as if its gate had been approved).
    with Session(engine) as session:
        stored = session.get_one(Project, uuid.UUID(second["id"]))
        stored.stage = "design_develop"
        session.add(stored)
        session.commit()
    soon = _milestone(client, pmo, first, "Soon", 10)
    _milestone(client, pmo, first, "Edge", 90)
    _milestone(client, pmo, first, "Too far", 91)
    _milestone(client, pmo, second, "Done soon", 5, status="done")
    late = _milestone(client, pmo, third, "Late", -1)
    _milestone(client, pmo, third, "Missed", -20, status="missed")
    _milestone(client, pmo, outside, "Other programme", 3)
    requester = register.factory.person(org, Role.project_manager)
    pending = _review(engine, first, requester, [pmo])
    _review(engine, third, requester, [pmo], status="approved")
    _review(engine, outside, requester, [pmo])

    dashboard, tag = register.get(pmo, f"/programmes/{programme['id']}/dashboard")
    assert dashboard["projects"] == 3
    assert dashboard["projects_by_stage"] == {"design_develop": 1, "discover_define": 2}
    assert dashboard["projects_by_confidence"] == {"green": 2, "red": 1}
    assert [m["title"] for m in dashboard["milestones_due"]] == ["Soon", "Edge"]
    assert dashboard["milestones_due"][0] == soon
    assert [m["title"] for m in dashboard["milestones_overdue"]] == ["Late"]
    assert dashboard["milestones_overdue"][0]["overdue"] is True
    assert late["overdue"] is True
    assert [r["id"] for r in dashboard["gate_reviews_pending"]] == [str(pending)]
    assert dashboard["gate_reviews_pending"][0]["project_reference"] == first["reference"]
    assert (
        client.get(
            f"{API}/programmes/{programme['id']}/dashboard", headers={**pmo.headers, "If-None-Match": tag}
        ).status_code
        == 304
    )

    fresh = register.programme(pmo)
    register.project(pmo, fresh)
    empty = register.get(pmo, f"/programmes/{fresh['id']}/dashboard")[0]
    assert empty["projects_by_confidence"] == {"not_assessed": 1}
    assert empty["milestones_due"] == empty["milestones_overdue"] == empty["gate_reviews_pending"] == []


def test_dashboard_of_another_organisation_is_404(register, pmo, other_pmo, client) -> None:
    programme = register.programme(pmo)
    problem(client.get(f"{API}/programmes/{programme['id']}/dashboard", headers=other_pmo.headers), 404)


def test_portfolio_overview_is_every_programme_dashboard_in_one(
    register, pmo, viewer, other_pmo, org, client, engine
) -> None:
    first_programme, second_programme = register.programme(pmo), register.programme(pmo)
    first = register.project(pmo, first_programme)
    second, third = register.project(pmo, second_programme), register.project(pmo, second_programme)
    client.post(
        f"{API}/projects/{second['id']}/confidence",
        json={"rating": "amber", "commentary": "c"},
        headers=pmo.headers,
    )
    _milestone(client, pmo, first, "Soon", 10)
    _milestone(client, pmo, third, "Later", 30)
    _milestone(client, pmo, second, "Late", -2)
    _milestone(client, pmo, third, "Missed", -20, status="missed")
    requester = register.factory.person(org, Role.project_manager)
    pending = [_review(engine, first, requester, [pmo]), _review(engine, third, requester, [pmo])]
    # Another council's programme and its project are never in it.
    register.project(other_pmo, register.programme(other_pmo))

    overview, tag = register.get(pmo, "/portfolio/overview")
    dashboards = {
        p["id"]: register.get(pmo, f"/programmes/{p['id']}/dashboard")[0]
        for p in (first_programme, second_programme)
    }
    assert [p["programme_id"] for p in overview["programmes"]] == [
        p["id"] for p in sorted((first_programme, second_programme), key=lambda p: p["name"])
    ]
    for line in overview["programmes"]:
        dashboard = dashboards[line["programme_id"]]
        assert line["projects"] == dashboard["projects"]
        assert line["projects_by_stage"] == dashboard["projects_by_stage"]
        assert line["projects_by_confidence"] == dashboard["projects_by_confidence"]
    second_line = next(p for p in overview["programmes"] if p["programme_id"] == second_programme["id"])
    assert second_line["projects_by_confidence"] == {"amber": 1, "not_assessed": 1}
    assert [m["title"] for m in overview["milestones_due"]] == ["Soon", "Later"]
    assert [m["title"] for m in overview["milestones_overdue"]] == ["Late"]
    assert (overview["milestones_due_count"], overview["milestones_overdue_count"]) == (2, 1)
    assert sorted(r["id"] for r in overview["gate_reviews_pending"]) == sorted(str(r) for r in pending)
    revalidated = client.get(f"{API}/portfolio/overview", headers={**pmo.headers, "If-None-Match": tag})
    assert revalidated.status_code == 304

    # Whoever may read the register may read it, each milestone saying what the reader may do
    # to it; the other council sees only its own.
    as_viewer = register.get(viewer, "/portfolio/overview")[0]
    assert {m["allowed_actions"] == [] for m in as_viewer["milestones_due"]} == {True}
    assert {"edit", "complete"} <= set(overview["milestones_due"][0]["allowed_actions"])
    for view in (as_viewer, overview):
        for milestone in view["milestones_due"] + view["milestones_overdue"]:
            milestone.pop("allowed_actions")
    assert as_viewer == overview
    theirs = register.get(other_pmo, "/portfolio/overview")[0]
    assert [p["projects"] for p in theirs["programmes"]] == [1]
    assert theirs["milestones_due"] == theirs["gate_reviews_pending"] == []
    problem(client.get(f"{API}/portfolio/overview"), 401)


def test_my_work(register, pmo, org, client, engine) -> None:
    programme = register.programme(pmo)
    project = register.project(pmo, programme)
    me = register.factory.person(org, Role.sponsor)
    colleague = register.factory.person(org, Role.sponsor)
    requester = register.factory.person(org, Role.project_manager)
    to_decide = _review(engine, project, requester, [me, colleague])
    decided = _review(engine, project, requester, [me])
    _decide(engine, decided, me)
    _review(engine, project, requester, [colleague])  # not mine
    _review(engine, project, requester, [me], status="withdrawn")
    _review(engine, project, me, [me])  # my own request: never mine to decide

    _milestone(client, pmo, project, "Overdue", -5, owner_id=str(me.id))
    _milestone(client, pmo, project, "Due", 30, owner_id=str(me.id))
    _milestone(client, pmo, project, "Later", 31, owner_id=str(me.id))
    _milestone(client, pmo, project, "Done", -2, owner_id=str(me.id), status="done")
    _milestone(client, pmo, project, "Someone else's", 1, owner_id=str(colleague.id))

    work = register.get(me, "/me/work")[0]
    assert [r["id"] for r in work["gate_reviews_to_decide"]] == [str(to_decide)]
    assert work["gate_reviews_to_decide"][0]["project_name"] == project["name"]
    assert [m["title"] for m in work["milestones_due"]] == ["Overdue", "Due"]
    assert [m["overdue"] for m in work["milestones_due"]] == [True, False]

    # Colleague decides the shared review: it is still mine until I decide.
    _decide(engine, to_decide, colleague)
    assert len(register.get(me, "/me/work")[0]["gate_reviews_to_decide"]) == 1
    nothing = register.get(requester, "/me/work")[0]
    assert [nothing[k] for k in ("gate_reviews_to_decide", "milestones_due", "actions_due")] == [[], [], []]
    assert nothing["counts"]["gate_reviews_to_decide"] == nothing["counts"]["milestones_due"] == 0


def _risk(register: Any, who: Any, **where: str) -> dict[str, Any]:
    return register.post(
        who,
        "/risks",
        {
            **where,
            "title": f"Risk {uuid.uuid4().hex[:6]}",
            "category": "Financial",
            "inherent_likelihood": 3,
            "inherent_impact": 4,
        },
    )


def _action(
    register: Any, who: Any, risk: dict[str, Any], text: str, days: int, **fields: Any
) -> dict[str, Any]:
    due = (today() + timedelta(days=days)).isoformat()
    return register.post(
        who, f"/risks/{risk['id']}/actions", {"description": text, "due_date": due, **fields}
    )


def test_my_actions_due(register, pmo, org, client, engine) -> None:
    programme = register.programme(pmo)
    me = register.factory.person(org, Role.project_manager)
    colleague = register.factory.person(org, Role.pmo)
    project = register.project(pmo, programme, project_manager_id=str(me.id))
    risk = _risk(register, pmo, project_id=project["id"])
    programme_risk = _risk(register, pmo, programme_id=programme["id"])
    mine = {"actionee_id": str(me.id)}
    _action(register, pmo, risk, "Overdue", -3, **mine)
    _action(register, pmo, risk, "Due", 30, **mine, status="in_progress")
    # A project manager cannot change a programme's risk (its actions' route refuses them).
    _action(register, pmo, programme_risk, "On the programme's risk", 2, **mine)
    _action(register, pmo, risk, "Later", 31, **mine)
    _action(register, pmo, risk, "Done", -1, **mine, status="done")
    _action(register, pmo, risk, "Cancelled", 1, **mine, status="cancelled")
    _action(register, pmo, risk, "Someone else's", 1, actionee_id=str(colleague.id))
    register.post(pmo, f"/risks/{risk['id']}/actions", {"description": "No date", **mine})
    closed = _risk(register, pmo, project_id=project["id"])
    _action(register, pmo, closed, "On a closed risk", 1, **mine)
    assert (
        client.post(
            f"{API}/risks/{closed['id']}/close", json={"reason": "Gone."}, headers=pmo.headers
        ).status_code
        == 200
    )

    actions = register.get(me, "/me/work")[0]["actions_due"]
    assert [a["description"] for a in actions] == ["Overdue", "Due"]
    overdue, due = actions
    assert overdue["overdue"] is True
    assert due["overdue"] is False
    assert overdue["due_date"] == (today() - timedelta(days=3)).isoformat()
    assert overdue["risk_reference"] == risk["reference"]
    assert overdue["risk_title"] == risk["title"]
    assert (overdue["project_id"], overdue["project_name"]) == (project["id"], project["name"])
    assert overdue["project_reference"] == project["reference"]
    assert due["status"] == "in_progress"
    assert due["project_id"] == project["id"]
    assert [a["description"] for a in register.get(colleague, "/me/work")[0]["actions_due"]] == [
        "Someone else's"
    ]


def test_another_organisations_actions_never_appear(register, pmo, other_pmo, org, engine) -> None:
    me = register.factory.person(org, Role.project_manager)
    theirs = _risk(
        register, other_pmo, project_id=register.project(other_pmo, register.programme(other_pmo))["id"]
    )
    # The API refuses an actionee of another organisation, so write the row as a bad import might.
    with Session(engine) as session:
        stored = session.get_one(Risk, uuid.UUID(theirs["id"]))
        session.add(
            RiskAction(
                organisation_id=stored.organisation_id,
                risk_id=stored.id,
                description="Not yours",
                actionee_id=me.id,
                due_date=today(),
            )
        )
        session.commit()
    assert register.get(me, "/me/work")[0]["actions_due"] == []
