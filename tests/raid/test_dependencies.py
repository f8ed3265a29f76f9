"""Dependencies: the other end (project or external party), self and duplicate rules, both
sides across programmes, filters, escalation, permissions, other organisations, audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pmo.core.permissions import Role
from support.api import API, problem
from support.database import audit_actions

from .items_helpers import Items

Person = Any


def _post(items: Items, who: Person, body: dict[str, Any]) -> Any:
    return items.client.post(f"{API}/dependencies", json=body, headers=who.headers)


def test_create_with_project_or_external_party(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any], engine
) -> None:
    other = items.project(pmo, programme)
    first = items.dependency(pmo, project, other, needed_by="2030-03-31", title="Data platform live")
    second = items.dependency(pmo, project, external_party="Derbyshire County Council", direction="inbound")
    assert (first["reference"], second["reference"]) == ("D-0001", "D-0002")
    assert (first["other_project_id"], first["external_party"], first["direction"]) == (
        other["id"],
        None,
        "outbound",
    )
    assert (second["other_project_id"], second["external_party"]) == (None, "Derbyshire County Council")
    assert (first["status"], first["escalation_level"]) == ("open", "project")
    assert audit_actions(engine, first["id"]) == [("create", "dependency")]


def test_exactly_one_other_end_and_not_itself(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    other = items.project(pmo, programme)
    base = {"project_id": project["id"], "title": "x", "direction": "outbound"}
    problem(_post(items, pmo, base), 422)
    problem(_post(items, pmo, {**base, "other_project_id": other["id"], "external_party": "DCC"}), 422)
    body = problem(_post(items, pmo, {**base, "other_project_id": project["id"]}), 422)
    assert "itself" in str(body)
    problem(_post(items, pmo, {**base, "external_party": "DCC", "direction": "sideways"}), 422)
    problem(_post(items, pmo, {**base, "external_party": "DCC", "programme_id": programme["id"]}), 422)
    no_project = {k: v for k, v in base.items() if k != "project_id"}
    problem(_post(items, pmo, {**no_project, "external_party": "DCC"}), 422)
    # Updating into the same shapes is refused too.
    dependency = items.dependency(pmo, project, other)
    path = f"/dependencies/{dependency['id']}"
    problem(items.patch(pmo, path, {"other_project_id": project["id"]}), 422)
    problem(items.patch(pmo, path, {"other_project_id": None}), 422)
    problem(items.patch(pmo, path, {"other_project_id": other["id"], "external_party": "DCC"}), 422)
    switched = items.patch(pmo, path, {"external_party": "Network Rail"})
    assert switched.status_code == 200, switched.text
    assert (switched.json()["other_project_id"], switched.json()["external_party"]) == (None, "Network Rail")


def test_duplicate_is_409_until_closed(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    other = items.project(pmo, programme)
    first = items.dependency(pmo, project, other)
    base = {
        "project_id": project["id"],
        "other_project_id": other["id"],
        "title": "Again",
        "direction": "outbound",
    }
    problem(_post(items, pmo, base), 409)
    # The same dependency recorded from the other side is the same one.
    mirror = {**base, "project_id": other["id"], "other_project_id": project["id"], "direction": "inbound"}
    problem(_post(items, pmo, mirror), 409)
    # The opposite direction is a different dependency.
    reverse = items.dependency(pmo, project, other, direction="inbound")
    problem(items.patch(pmo, f"/dependencies/{reverse['id']}", {"direction": "outbound"}), 409)
    # Closed ones do not count.
    assert items.patch(pmo, f"/dependencies/{first['id']}", {"status": "closed"}).status_code == 200
    assert _post(items, pmo, base).status_code == 201


def test_across_programmes_visible_on_both_projects(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    other_programme = items.programme(pmo)
    giver = items.project(pmo, other_programme)
    needs = items.dependency(pmo, project, giver, title="Needs the CRM")
    external = items.dependency(pmo, giver, external_party="Supplier", direction="inbound")
    mine = items.get(pmo, f"/projects/{project['id']}/dependencies")["items"]
    assert [(d["reference"], d["direction_seen"], d["counterpart_project_id"]) for d in mine] == [
        (needs["reference"], "outbound", giver["id"])
    ]
    theirs = items.get(pmo, f"/projects/{giver['id']}/dependencies")["items"]
    assert [(d["reference"], d["direction"], d["direction_seen"]) for d in theirs] == [
        (needs["reference"], "outbound", "inbound"),
        (external["reference"], "inbound", "inbound"),
    ]
    assert theirs[0]["counterpart_project_id"] == project["id"]
    assert theirs[1]["counterpart_external_party"] == "Supplier"
    assert all(d["seen_from_project_id"] == giver["id"] for d in theirs)
    # Filters of the project view: direction as seen from it.
    assert items.refs(pmo, f"/projects/{giver['id']}/dependencies", direction="outbound") == []
    assert items.refs(pmo, f"/projects/{project['id']}/dependencies", direction="outbound") == [
        needs["reference"]
    ]
    # The log's project_id, programme_id and portfolio_id match either end.
    assert items.refs(pmo, "/dependencies", project_id=giver["id"]) == [
        needs["reference"],
        external["reference"],
    ]
    assert items.refs(pmo, "/dependencies", project_id=project["id"]) == [needs["reference"]]
    assert items.refs(pmo, "/dependencies", programme_id=programme["id"]) == [needs["reference"]]
    assert items.refs(pmo, "/dependencies", programme_id=other_programme["id"]) == [
        needs["reference"],
        external["reference"],
    ]
    assert items.refs(pmo, "/dependencies", portfolio_id=other_programme["portfolio_id"]) == [
        needs["reference"],
        external["reference"],
    ]


def test_filters_and_sorting(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any], manager: Person
) -> None:
    other = items.project(pmo, programme)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    late = items.dependency(pmo, project, other, needed_by=yesterday, owner_id=str(manager.id), category="it")
    met = items.dependency(pmo, project, external_party="DCC", needed_by=yesterday, status="met")
    later = items.dependency(
        pmo, other, external_party="Supplier", needed_by="2031-01-01", direction="inbound", title="Hardware"
    )
    assert items.refs(pmo, "/dependencies", overdue=True) == [late["reference"]]
    assert items.refs(pmo, "/dependencies", external=True) == [met["reference"], later["reference"]]
    assert items.refs(pmo, "/dependencies", external=False) == [late["reference"]]
    assert items.refs(pmo, "/dependencies", direction="inbound") == [later["reference"]]
    assert items.refs(pmo, "/dependencies", other_project_id=other["id"]) == [late["reference"]]
    assert items.refs(pmo, "/dependencies", owner_id=str(manager.id)) == [late["reference"]]
    assert items.refs(pmo, "/dependencies", status="met") == [met["reference"]]
    assert items.refs(pmo, "/dependencies", category="it") == [late["reference"]]
    assert items.refs(pmo, "/dependencies", q="hardware") == [later["reference"]]
    assert items.refs(pmo, "/dependencies", due_from="2030-01-01") == [later["reference"]]
    assert items.refs(pmo, "/dependencies", sort="-needed_by")[0] == later["reference"]
    assert items.get(pmo, f"/dependencies/{met['id']}")["closed_at"] is not None


def test_escalation_and_history(items: Items, pmo: Person, project: dict[str, Any], engine) -> None:
    dependency = items.dependency(pmo, project)
    path = f"{API}/dependencies/{dependency['id']}"
    up = items.client.post(
        f"{path}/escalate", json={"level": "steering_group", "reason": "Blocks go-live"}, headers=pmo.headers
    )
    assert up.status_code == 200, up.text
    assert up.json()["escalation_level"] == "steering_group"
    problem(
        items.client.post(
            f"{path}/escalate", json={"level": "programme", "reason": "x"}, headers=pmo.headers
        ),
        409,
    )
    assert items.refs(pmo, "/dependencies", escalated=True) == [dependency["reference"]]
    down = items.client.post(
        f"{path}/de-escalate", json={"level": "programme", "reason": "Agreed plan"}, headers=pmo.headers
    )
    assert (down.json()["escalation_level"], down.json()["escalation_reason"]) == ("programme", "Agreed plan")
    history = items.get(pmo, f"/dependencies/{dependency['id']}/history")["items"]
    assert [e["action"] for e in history] == ["create", "escalate", "de-escalate"]
    assert audit_actions(engine, dependency["id"]) == [
        ("create", "dependency"),
        ("escalate", "dependency"),
        ("de-escalate", "dependency"),
    ]


def test_other_organisation_is_404_including_the_other_end(
    items: Items, pmo: Person, other_pmo: Person, project: dict[str, Any], factory: Any, other_org: Any
) -> None:
    theirs = items.project(other_pmo, items.programme(other_pmo))
    base = {"project_id": project["id"], "title": "x", "direction": "outbound"}
    problem(_post(items, pmo, {**base, "other_project_id": theirs["id"]}), 404)
    problem(_post(items, pmo, {**base, "project_id": theirs["id"], "external_party": "DCC"}), 404)
    stranger = factory.person(other_org, Role.viewer)
    problem(_post(items, pmo, {**base, "external_party": "DCC", "owner_id": str(stranger.id)}), 404)
    dependency = items.dependency(pmo, project)
    path = f"{API}/dependencies/{dependency['id']}"
    problem(items.patch(pmo, f"/dependencies/{dependency['id']}", {"other_project_id": theirs["id"]}), 404)
    problem(items.client.get(path, headers=other_pmo.headers), 404)
    problem(items.client.get(f"{path}/history", headers=other_pmo.headers), 404)
    problem(items.client.patch(path, json={}, headers={**other_pmo.headers, "If-Match": "*"}), 404)
    problem(
        items.client.post(
            f"{path}/escalate", json={"level": "programme", "reason": "x"}, headers=other_pmo.headers
        ),
        404,
    )
    problem(items.client.get(f"{API}/projects/{project['id']}/dependencies", headers=other_pmo.headers), 404)
    assert items.get(other_pmo, "/dependencies")["total"] == 0


def test_permissions_per_role(
    items: Items,
    pmo: Person,
    programme: dict[str, Any],
    project: dict[str, Any],
    manager: Person,
    factory: Any,
    org: Any,
) -> None:
    unmanaged = items.project(pmo, programme)
    other_manager = factory.person(org, Role.project_manager)
    giver = items.project(pmo, programme, project_manager_id=str(other_manager.id))
    viewer = factory.person(org, Role.viewer)
    # The manager records their own project's dependencies, on any other project...
    mine = items.dependency(manager, project, giver)
    # ...but not on a project they do not manage.
    problem(
        _post(
            items,
            manager,
            {"project_id": unmanaged["id"], "title": "x", "direction": "outbound", "external_party": "DCC"},
        ),
        403,
    )
    # The manager at the other end may update it (it is on their project too); others not.
    response = items.patch(other_manager, f"/dependencies/{mine['id']}", {"status": "at_risk"})
    assert response.status_code == 200, response.text
    theirs = items.dependency(pmo, unmanaged, external_party="DCC")
    problem(items.patch(manager, f"/dependencies/{theirs['id']}", {"status": "met"}), 403)
    problem(
        items.client.post(
            f"{API}/dependencies/{theirs['id']}/escalate",
            json={"level": "programme", "reason": "x"},
            headers=manager.headers,
        ),
        403,
    )
    # Viewers read both views and change nothing.
    assert items.get(viewer, "/dependencies")["total"] == 2
    assert items.get(viewer, f"/projects/{giver['id']}/dependencies")["total"] == 1
    problem(
        _post(
            items,
            viewer,
            {"project_id": project["id"], "title": "x", "direction": "outbound", "external_party": "DCC"},
        ),
        403,
    )
    problem(
        items.client.patch(
            f"{API}/dependencies/{mine['id']}", json={}, headers={**viewer.headers, "If-Match": "*"}
        ),
        403,
    )
    problem(
        items.client.post(f"{API}/dependencies/{mine['id']}/de-escalate", json={}, headers=viewer.headers),
        403,
    )
