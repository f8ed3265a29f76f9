"""Milestones: baseline and forecast dates, re-baselining with a reason, and the history of
baselines (issue 14 item 1)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from pmo.portfolio.models import Milestone, MilestoneBaseline
from support.api import API, problem
from support.database import audit_events


def _create(client, who, project, **body):
    response = client.post(f"{API}/projects/{project['id']}/milestones", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _rebaseline(register, who, milestone, body):
    path = f"/milestones/{milestone['id']}"
    _, tag = register.get(who, path)
    return register.client.post(
        f"{API}{path}/rebaseline", json=body, headers={**who.headers, "If-Match": tag}
    )


def test_a_new_milestone_is_on_its_first_baseline(pmo, project, client) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_quarter="2030/31 Q2")
    assert milestone["baseline_date"] == milestone["due_date"] == "2030-09-30"
    assert (milestone["baseline_number"], milestone["forecast_date"]) == (1, None)
    assert milestone["expected_date"] == "2030-09-30"
    history = client.get(f"{API}/milestones/{milestone['id']}/baselines", headers=pmo.headers).json()
    assert [
        (b["number"], b["planned_quarter"], b["due_date"], b["reason"], b["current"]) for b in history
    ] == [(1, "2030/31 Q2", "2030-09-30", "", True)]
    assert history[0]["set_by_id"] == str(pmo.id)


def test_rebaseline_keeps_the_history_with_reasons(register, pmo, project, client, engine) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_quarter="2030/31 Q2")
    moved = _rebaseline(
        register, pmo, milestone, {"planned_quarter": "2030/31 Q4", "reason": "Board agreed 3 March"}
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["due_date"], moved.json()["baseline_number"]) == ("2031-03-31", 2)
    again = _rebaseline(
        register, pmo, milestone, {"planned_date": "2031-06-15", "reason": "  Supplier delay  "}
    ).json()
    assert (again["planned_date"], again["planned_quarter"], again["due_date"]) == (
        "2031-06-15",
        None,
        "2031-06-15",
    )
    history = client.get(f"{API}/milestones/{milestone['id']}/baselines", headers=pmo.headers).json()
    assert [(b["number"], b["due_date"], b["reason"], b["current"]) for b in history] == [
        (1, "2030-09-30", "", False),
        (2, "2031-03-31", "Board agreed 3 March", False),
        (3, "2031-06-15", "Supplier delay", True),
    ]
    assert [e["action"] for e in audit_events(engine, milestone["id"])] == [
        "create",
        "rebaseline",
        "rebaseline",
    ]


def test_forecast_is_set_and_cleared_and_a_met_forecast_goes(register, pmo, project, client) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_date="2030-05-01")
    path = f"/milestones/{milestone['id']}"
    forecast = register.patch(pmo, path, {"forecast_date": "2030-07-01"}).json()
    assert (forecast["forecast_date"], forecast["expected_date"], forecast["due_date"]) == (
        "2030-07-01",
        "2030-07-01",
        "2030-05-01",
    )
    cleared = register.patch(pmo, path, {"forecast_date": None}).json()
    assert (cleared["forecast_date"], cleared["expected_date"]) == (None, "2030-05-01")
    register.patch(pmo, path, {"forecast_date": "2030-07-01"})
    rebased = _rebaseline(register, pmo, milestone, {"planned_date": "2030-07-01", "reason": "Agreed"}).json()
    assert (rebased["forecast_date"], rebased["due_date"]) == (None, "2030-07-01")
    done = register.patch(pmo, path, {"status": "done", "completed_on": "2030-06-30"}).json()
    assert (done["status"], done["completed_on"]) == ("done", "2030-06-30")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"planned_date": "2031-01-01"}, ["body", "reason"]),
        ({"planned_date": "2031-01-01", "reason": "   "}, ["body", "reason"]),
        ({"reason": "No date"}, ["body"]),
        ({"planned_date": "2031-01-01", "planned_quarter": "2030/31 Q1", "reason": "Both"}, ["body"]),
        ({"planned_quarter": "2030/31 Q5", "reason": "Bad"}, ["body", "planned_quarter"]),
        ({"planned_date": "2031-01-01", "reason": "x" * 2001}, ["body", "reason"]),
        ({"planned_date": "2031-01-01", "reason": "ok", "due_date": "2031-01-01"}, ["body", "due_date"]),
    ],
)
def test_bad_rebaselines_are_422_and_change_nothing(register, pmo, project, client, body, where) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_date="2030-05-01")
    found = problem(_rebaseline(register, pmo, milestone, body), 422)
    assert where in [e["location"] for e in found["errors"]], found
    history = client.get(f"{API}/milestones/{milestone['id']}/baselines", headers=pmo.headers).json()
    assert len(history) == 1


def test_a_stale_if_match_is_412(pmo, project, client) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_date="2030-05-01")
    response = client.post(
        f"{API}/milestones/{milestone['id']}/rebaseline",
        json={"planned_date": "2031-01-01", "reason": "x"},
        headers={**pmo.headers, "If-Match": '"stale"'},
    )
    problem(response, 412)


def test_who_may_rebaseline_and_read_the_history(register, pmo, viewer, other_pmo, project, client) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_date="2030-05-01")
    body = {"planned_date": "2031-01-01", "reason": "x"}
    problem(_rebaseline(register, viewer, milestone, body), 403)
    # The viewer reads the history; another council finds neither the milestone nor its history.
    assert (
        client.get(f"{API}/milestones/{milestone['id']}/baselines", headers=viewer.headers).status_code == 200
    )
    problem(client.get(f"{API}/milestones/{milestone['id']}/baselines", headers=other_pmo.headers), 404)
    problem(
        client.post(
            f"{API}/milestones/{milestone['id']}/rebaseline",
            json=body,
            headers={**other_pmo.headers, "If-Match": "*"},
        ),
        404,
    )
    history = client.get(f"{API}/milestones/{milestone['id']}/baselines", headers=pmo.headers).json()
    assert len(history) == 1


def test_deleting_a_milestone_deletes_its_baselines(pmo, project, client, engine) -> None:
    milestone = _create(client, pmo, project, title="Go live", planned_date="2030-05-01")
    assert client.delete(f"{API}/milestones/{milestone['id']}", headers=pmo.headers).status_code == 204
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(MilestoneBaseline)).one() == 0


def test_the_demo_milestones_are_baselined_on_their_planned_quarter(engine, demo) -> None:
    with Session(engine) as session:
        milestones = session.exec(select(Milestone)).all()
        baselines = {b.milestone_id: b for b in session.exec(select(MilestoneBaseline)).all()}
    assert len(milestones) >= 68
    for milestone in milestones:
        first = baselines[milestone.id]
        assert (first.number, first.due_date, first.planned_quarter) == (
            1,
            milestone.due_date,
            milestone.planned_quarter,
        )
        assert milestone.forecast_date is None
