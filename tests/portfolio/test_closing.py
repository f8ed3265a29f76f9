"""Closing programmes and portfolios: kept, read-only for new work, and open again on request."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from pmo.core.periods import today
from pmo.core.permissions import Role
from pmo.gates.models import Lifecycle
from pmo.portfolio.models import Project
from support.api import Api, problem
from support.database import audit_events


def _to_last_stage(engine: Any, project: dict[str, Any]) -> None:
    """Set-up: the project has passed its last gate (the gate journey is tested in tests/gates)."""
    with Session(engine) as session:
        record = session.get_one(Project, uuid.UUID(project["id"]))
        record.stage = session.get_one(Lifecycle, record.lifecycle_id).stages[-1]["key"]
        session.add(record)
        session.commit()


def test_a_programme_closes_once_its_projects_have(client, engine, pmo, manager, viewer) -> None:
    api = Api(client)
    programme = api.programme(pmo)
    path = f"/programmes/{programme['id']}"
    assert (programme["status"], programme["closed_on"]) == ("active", None)
    first, second = api.project(pmo, programme), api.project(pmo, programme)
    _to_last_stage(engine, first)

    refused = problem(api.patch(pmo, path, {"status": "closed"}), 409)
    assert second["reference"] in refused["detail"]
    assert first["reference"] not in refused["detail"]
    assert api.get(viewer, path)["status"] == "active"  # nothing half written

    _to_last_stage(engine, second)
    for who in (manager, viewer):  # only who manages the portfolio closes a programme
        problem(api.patch(who, path, {"status": "closed"}, reader=pmo), 403)
    closed = api.patch(pmo, path, {"status": "closed"})
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("closed", today().isoformat())
    assert audit_events(engine, programme["id"])[-1]["after"]["status"] == "closed"

    # Closed: kept, listed as closed, and takes no new project, nor one moved in.
    listed = api.get(viewer, "/programmes", status="closed", portfolio_id=programme["portfolio_id"])
    assert [p["id"] for p in listed["items"]] == [programme["id"]]
    active = api.get(viewer, "/programmes", status="active", portfolio_id=programme["portfolio_id"])
    assert active["total"] == 0
    body = {"programme_id": programme["id"], "name": "Too late"}
    assert "closed" in problem(client.post("/api/v1/projects", json=body, headers=pmo.headers), 409)["detail"]
    elsewhere = api.project(pmo, api.programme(pmo))
    problem(api.patch(pmo, f"/projects/{elsewhere['id']}", {"programme_id": programme["id"]}), 409)

    reopened = api.patch(pmo, path, {"status": "active"})
    assert (reopened.json()["status"], reopened.json()["closed_on"]) == ("active", None)
    api.project(pmo, programme)


def test_a_portfolio_closes_once_its_programmes_have(client, pmo, viewer) -> None:
    api = Api(client)
    programme = api.programme(pmo)
    portfolio_path = f"/portfolios/{programme['portfolio_id']}"
    refused = problem(api.patch(pmo, portfolio_path, {"status": "closed"}), 409)
    assert "1 active programme" in refused["detail"]
    assert api.patch(pmo, f"/programmes/{programme['id']}", {"status": "closed"}).status_code == 200
    problem(api.patch(viewer, portfolio_path, {"status": "closed"}), 403)
    closed = api.patch(pmo, portfolio_path, {"status": "closed"})
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("closed", today().isoformat())

    # A closed portfolio takes no programme, new or reopened.
    body = {"portfolio_id": programme["portfolio_id"], "name": f"Programme {uuid.uuid4().hex[:6]}"}
    problem(client.post("/api/v1/programmes", json=body, headers=pmo.headers), 409)
    problem(api.patch(pmo, f"/programmes/{programme['id']}", {"status": "active"}), 409)
    problem(api.patch(pmo, portfolio_path, {"status": "archived"}), 422)


def test_another_organisations_programme_is_not_found(client, factory, other_org, pmo) -> None:
    api = Api(client)
    theirs = api.programme(factory.person(other_org, Role.pmo))
    response = client.patch(
        f"/api/v1/programmes/{theirs['id']}",
        json={"status": "closed"},
        headers={**pmo.headers, "If-Match": "*"},
    )
    problem(response, 404)
