"""Milestones: by date or by financial quarter, status, overdue worked out, never typed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from pmo.core.periods import today
from pmo.core.permissions import Role
from support.api import API, problem
from support.database import audit_events


def _create(client, who, project, **body):
    return client.post(f"{API}/projects/{project['id']}/milestones", json=body, headers=who.headers)


def test_planned_by_quarter_is_due_on_its_last_day(pmo, project, client) -> None:
    response = _create(client, pmo, project, title="Business case approved", planned_quarter="2022/23 Q2")
    assert response.status_code == 201, response.text
    milestone = response.json()
    assert milestone["planned_quarter"] == "2022/23 Q2"
    assert milestone["planned_date"] is None
    assert milestone["due_date"] == "2022-09-30"
    assert milestone["status"] == "planned"
    assert milestone["overdue"] is True  # 2022 is long gone and it is not done
    q4 = _create(client, pmo, project, title="Go live", planned_quarter="2023/24 Q4").json()
    assert (q4["planned_quarter"], q4["due_date"]) == ("2023/24 Q4", "2024-03-31")
    machine = _create(client, pmo, project, title="Go live", planned_quarter="2023-24-Q4")
    assert machine.status_code == 422
    assert machine.json()["errors"][0]["message"] == "Enter a financial quarter, like 2026/27 Q2"


def test_planned_by_date(pmo, project, client) -> None:
    later = (today() + timedelta(days=10)).isoformat()
    milestone = _create(client, pmo, project, title="Launch", planned_date=later).json()
    assert (milestone["planned_date"], milestone["due_date"], milestone["planned_quarter"]) == (
        later,
        later,
        None,
    )
    assert milestone["overdue"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Neither"},
        {"title": "Both", "planned_date": "2022-09-30", "planned_quarter": "2022/23 Q2"},
        {"title": "Bad quarter", "planned_quarter": "2022/24 Q2"},
        {"title": "Bad quarter", "planned_quarter": "2022/23 Q5"},
        {"title": "Bad date", "planned_date": "30/09/2022"},
        {"title": "Typed overdue", "planned_date": "2022-09-30", "overdue": True},
        {"title": "Typed due", "planned_date": "2022-09-30", "due_date": "2022-09-30"},
        {"title": "Bad status", "planned_date": "2022-09-30", "status": "late"},
        {"title": "Completed but planned", "planned_date": "2022-09-30", "completed_on": "2022-09-01"},
    ],
)
def test_bad_milestones_are_422(pmo, project, client, body) -> None:
    problem(_create(client, pmo, project, **body), 422)


def test_status_and_completion(register, pmo, project, client, engine) -> None:
    past = (today() - timedelta(days=3)).isoformat()
    milestone = _create(client, pmo, project, title="Procure", planned_date=past).json()
    assert milestone["overdue"] is True
    path = f"/milestones/{milestone['id']}"
    started = register.patch(pmo, path, {"status": "in_progress"}).json()
    assert started["overdue"] is True
    done = register.patch(pmo, path, {"status": "done"}).json()
    assert (done["status"], done["completed_on"], done["overdue"]) == ("done", today().isoformat(), False)
    problem(register.patch(pmo, path, {"status": "planned", "completed_on": "2022-01-01"}), 422)
    reopened = register.patch(pmo, path, {"status": "in_progress"}).json()
    assert reopened["completed_on"] is None
    assert reopened["overdue"] is True
    missed = register.patch(pmo, path, {"status": "missed"}).json()
    assert missed["overdue"] is False
    reopened = register.patch(pmo, path, {"status": "planned"}).json()
    assert reopened["overdue"] is True
    # Moving the plan is a re-baseline with a reason (tests/portfolio/test_milestone_baselines.py),
    # not an edit.
    problem(register.patch(pmo, path, {"planned_date": "2031-01-15"}), 422)
    problem(register.patch(pmo, path, {"overdue": False}), 422)
    assert client.delete(f"{API}{path}", headers=pmo.headers).status_code == 204
    problem(client.get(f"{API}{path}", headers=pmo.headers), 404)
    actions = [e["action"] for e in audit_events(engine, milestone["id"])]
    assert actions == ["create", "update", "update", "update", "update", "update", "delete"]


def test_done_with_a_date(pmo, project, client) -> None:
    milestone = _create(
        client,
        pmo,
        project,
        title="Done",
        planned_date="2022-06-01",
        status="done",
        completed_on="2022-05-30",
    ).json()
    assert (milestone["completed_on"], milestone["overdue"]) == ("2022-05-30", False)


def test_list_and_filters(pmo, project, client) -> None:
    _create(client, pmo, project, title="B", planned_quarter="2022/23 Q3")
    _create(client, pmo, project, title="A", planned_quarter="2022/23 Q1", status="done")
    _create(client, pmo, project, title="C", planned_date="2022-08-15")
    listed = client.get(f"{API}/projects/{project['id']}/milestones", headers=pmo.headers).json()
    assert [m["title"] for m in listed["items"]] == ["A", "C", "B"]
    done = client.get(
        f"{API}/projects/{project['id']}/milestones", params={"status": "done"}, headers=pmo.headers
    )
    assert [m["title"] for m in done.json()["items"]] == ["A"]
    by_title = client.get(
        f"{API}/projects/{project['id']}/milestones", params={"sort": "-title"}, headers=pmo.headers
    )
    assert [m["title"] for m in by_title.json()["items"]] == ["C", "B", "A"]


def test_milestone_in_another_organisations_project_is_404(register, pmo, other_pmo, project, client) -> None:
    milestone = _create(client, pmo, project, title="Ours", planned_date="2030-01-01").json()
    path = f"{API}/milestones/{milestone['id']}"
    problem(client.get(path, headers=other_pmo.headers), 404)
    problem(client.patch(path, json={"title": "x"}, headers={**other_pmo.headers, "If-Match": "*"}), 404)
    problem(client.delete(path, headers=other_pmo.headers), 404)
    problem(_create(client, other_pmo, project, title="Theirs", planned_date="2030-01-01"), 404)
    problem(client.get(f"{API}/projects/{project['id']}/milestones", headers=other_pmo.headers), 404)
    # An owner from another organisation is not found either.
    problem(
        _create(client, pmo, project, title="x", planned_date="2030-01-01", owner_id=str(other_pmo.id)), 404
    )
    problem(register.patch(pmo, f"/milestones/{milestone['id']}", {"owner_id": str(other_pmo.id)}), 404)
    problem(client.get(f"{API}/milestones/{uuid.uuid4()}", headers=pmo.headers), 404)
    assert register.get(pmo, f"/milestones/{milestone['id']}")[0]["title"] == "Ours"


def test_milestone_edits_need_if_match(register, pmo, project, client, org) -> None:
    milestone = _create(client, pmo, project, title="Ours", planned_date="2030-01-01").json()
    path = f"{API}/milestones/{milestone['id']}"
    problem(client.patch(path, json={"title": "x"}, headers=pmo.headers), 428)
    problem(client.patch(path, json={"title": "x"}, headers={**pmo.headers, "If-Match": '"old"'}), 412)
    owner = register.factory.person(org, Role.project_manager)
    assert register.patch(pmo, f"/milestones/{milestone['id']}", {"owner_id": str(owner.id)}).json()[
        "owner_id"
    ] == str(owner.id)
