"""GET /programmes/{id}/roadmap: the projects' milestones by financial quarter, baseline
against forecast, as the committee report's appendix A lays them out (seed 002)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from support.api import API, Api, problem


def roadmap(client: TestClient, who: Any, programme_id: str) -> Any:
    response = client.get(f"{API}/programmes/{programme_id}/roadmap", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_milestones_by_quarter_with_baseline_against_forecast(
    client: TestClient, pmo: Any, viewer: Any, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    api = Api(client)
    second = api.project(pmo, programme, name="Reshaping Customers, Revenues and Benefits")
    caution = api.post(
        pmo,
        f"/projects/{project['id']}/milestones",
        {"title": "Staff caution list", "planned_quarter": "2021/22 Q4"},
    )
    complaints = api.post(
        pmo,
        f"/projects/{project['id']}/milestones",
        {"title": "Complaints policy", "planned_quarter": "2022/23 Q1"},
    )
    api.post(
        pmo, f"/projects/{second['id']}/milestones", {"title": "Printing costs", "planned_date": "2022-11-15"}
    )
    # The complaints policy is now expected two quarters late; the caution list is on time.
    moved = api.patch(pmo, f"/milestones/{complaints['id']}", {"forecast_date": "2022-12-01"})
    assert moved.status_code == 200, moved.text

    body = roadmap(client, viewer, programme["id"])

    assert body["programme_name"] == programme["name"]
    assert [q["label"] for q in body["quarters"]] == [
        "2021/22 Q4",
        "2022/23 Q1",
        "2022/23 Q2",
        "2022/23 Q3",
    ]
    assert body["quarters"][0] | {"start": "2022-01-01", "end": "2022-03-31"} == body["quarters"][0]
    rows = {row["id"]: row for row in body["projects"]}
    placed = {m["title"]: m for m in rows[project["id"]]["milestones"]}
    assert placed["Staff caution list"]["id"] == caution["id"]
    assert (placed["Staff caution list"]["quarter"], placed["Staff caution list"]["slip_quarters"]) == (
        "2021-22-Q4",
        0,
    )
    complaint = placed["Complaints policy"]
    assert (complaint["quarter"], complaint["baseline_quarter"], complaint["slip_quarters"]) == (
        "2022-23-Q3",
        "2022-23-Q1",
        2,
    )
    assert (complaint["baseline_date"], complaint["forecast_date"]) == ("2022-06-30", "2022-12-01")
    assert [m["title"] for m in rows[second["id"]]["milestones"]] == ["Printing costs"]
    assert rows[second["id"]]["milestones"][0]["quarter"] == "2022-23-Q3"


def test_a_programme_without_milestones_has_its_projects_and_no_quarters(
    client: TestClient, viewer: Any, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    body = roadmap(client, viewer, programme["id"])
    assert body["quarters"] == []
    assert [(row["id"], row["milestones"]) for row in body["projects"]] == [(project["id"], [])]


def test_another_organisations_programme_is_not_found(
    client: TestClient, other_pmo: Any, programme: dict[str, Any]
) -> None:
    problem(client.get(f"{API}/programmes/{programme['id']}/roadmap", headers=other_pmo.headers), 404)
    problem(client.get(f"{API}/programmes/{uuid.uuid4()}/roadmap", headers=other_pmo.headers), 404)


def test_bad_id_and_signed_out_are_refused(
    client: TestClient, viewer: Any, programme: dict[str, Any]
) -> None:
    body = problem(client.get(f"{API}/programmes/not-an-id/roadmap", headers=viewer.headers), 422)
    assert ["path", "programme_id"] in [e["location"] for e in body["errors"]]
    problem(client.get(f"{API}/programmes/{programme['id']}/roadmap"), 401)
