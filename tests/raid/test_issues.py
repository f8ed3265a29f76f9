"""Issues: references, the resolution rule, escalation, filters, history, permissions,
other organisations, audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pmo.core.permissions import Role
from support.api import API, problem
from support.database import audit_actions

from .items_helpers import Items

Person = Any


def test_create_with_reference_defaults_and_audit(
    items: Items, pmo: Person, project: dict[str, Any], engine
) -> None:
    first = items.issue(
        pmo, project, title="Leisure system supplier late", priority="high", severity="critical"
    )
    second = items.issue(pmo, project, issue_type="request_for_change")
    assert (first["reference"], second["reference"]) == ("I-0001", "I-0002")
    assert first["raised_by_id"] == str(pmo.id)
    assert (first["status"], first["issue_type"], first["escalation_level"]) == (
        "open",
        "problem_concern",
        "project",
    )
    assert (first["priority"], first["severity"]) == ("high", "critical")
    assert first["project_id"] == project["id"]
    assert first["risk_id"] is None
    assert first["overdue"] is False
    assert first["raised_on"] == date.today().isoformat()
    assert audit_actions(engine, first["id"]) == [("create", "issue")]


def test_on_a_programme_or_portfolio_and_exactly_one_place(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    on_programme = items.issue(pmo, None, programme_id=programme["id"])
    assert (on_programme["programme_id"], on_programme["project_id"]) == (programme["id"], None)
    on_portfolio = items.issue(pmo, None, portfolio_id=programme["portfolio_id"])
    assert on_portfolio["portfolio_id"] == programme["portfolio_id"]
    problem(items.client.post(f"{API}/issues", json={"title": "Nowhere"}, headers=pmo.headers), 422)
    both = {"title": "Two places", "project_id": project["id"], "programme_id": programme["id"]}
    problem(items.client.post(f"{API}/issues", json=both, headers=pmo.headers), 422)


def test_bad_input_is_422(items: Items, pmo: Person, project: dict[str, Any]) -> None:
    base = {"project_id": project["id"], "title": "x"}
    for bad in (
        {"priority": "urgent"},
        {"severity": "huge"},
        {"issue_type": "gripe"},
        {"status": "done"},
        {"unknown": 1},
        {"due_date": 1700000000},
        {"title": "bad\x00title"},
        {"title": "   "},
    ):
        problem(items.client.post(f"{API}/issues", json={**base, **bad}, headers=pmo.headers), 422)


def test_resolving_needs_a_resolution(items: Items, pmo: Person, project: dict[str, Any], engine) -> None:
    problem(
        items.client.post(
            f"{API}/issues",
            json={"project_id": project["id"], "title": "x", "status": "resolved"},
            headers=pmo.headers,
        ),
        422,
    )
    issue = items.issue(pmo, project)
    path = f"/issues/{issue['id']}"
    body = problem(items.patch(pmo, path, {"status": "resolved"}), 422)
    assert "resolution" in body["detail"]
    problem(items.patch(pmo, path, {"status": "closed", "resolution": "  "}), 422)
    assert items.get(pmo, path)["status"] == "open"
    response = items.patch(pmo, path, {"status": "resolved", "resolution": "Supplier gave a new date."})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    assert response.json()["closed_at"] is not None
    # Clearing the resolution of a resolved issue is refused too.
    problem(items.patch(pmo, path, {"resolution": ""}), 422)
    reopened = items.patch(pmo, path, {"status": "in_progress"}).json()
    assert (reopened["status"], reopened["closed_at"]) == ("in_progress", None)
    assert audit_actions(engine, issue["id"]) == [
        ("create", "issue"),
        ("update", "issue"),
        ("update", "issue"),
    ]


def test_patch_needs_if_match_and_refuses_null_title(
    items: Items, pmo: Person, project: dict[str, Any]
) -> None:
    issue = items.issue(pmo, project, due_date="2030-01-01")
    path = f"{API}/issues/{issue['id']}"
    problem(items.client.patch(path, json={"title": "New"}, headers=pmo.headers), 428)
    problem(
        items.client.patch(path, json={"title": "New"}, headers={**pmo.headers, "If-Match": '"stale"'}), 412
    )
    problem(items.patch(pmo, f"/issues/{issue['id']}", {"title": None}), 422)
    cleared = items.patch(pmo, f"/issues/{issue['id']}", {"due_date": None, "priority": "low"})
    assert cleared.status_code == 200
    assert (cleared.json()["due_date"], cleared.json()["priority"]) == (None, "low")
    tag = items.client.get(path, headers=pmo.headers).headers["ETag"]
    assert items.client.get(path, headers={**pmo.headers, "If-None-Match": tag}).status_code == 304


def test_idempotency_key_creates_once(items: Items, pmo: Person, project: dict[str, Any]) -> None:
    body = {"project_id": project["id"], "title": "Once"}
    headers = {**pmo.headers, "Idempotency-Key": "issue-once"}
    first = items.client.post(f"{API}/issues", json=body, headers=headers)
    again = items.client.post(f"{API}/issues", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert items.get(pmo, "/issues")["total"] == 1


def test_escalate_and_de_escalate(items: Items, pmo: Person, project: dict[str, Any], engine) -> None:
    issue = items.issue(pmo, project)
    path = f"{API}/issues/{issue['id']}"
    problem(items.client.post(f"{path}/escalate", json={"level": "programme"}, headers=pmo.headers), 422)
    problem(
        items.client.post(f"{path}/escalate", json={"level": "project", "reason": "x"}, headers=pmo.headers),
        422,
    )
    up = items.client.post(
        f"{path}/escalate", json={"level": "programme", "reason": "Beyond tolerance"}, headers=pmo.headers
    )
    assert up.status_code == 200, up.text
    assert (up.json()["escalation_level"], up.json()["escalation_reason"]) == (
        "programme",
        "Beyond tolerance",
    )
    # Not above the current level: 409.
    problem(
        items.client.post(
            f"{path}/escalate", json={"level": "programme", "reason": "x"}, headers=pmo.headers
        ),
        409,
    )
    higher = items.client.post(
        f"{path}/escalate", json={"level": "steering_group", "reason": "Cross-cutting"}, headers=pmo.headers
    )
    assert higher.json()["escalation_level"] == "steering_group"
    assert items.refs(pmo, "/issues", escalated=True) == [issue["reference"]]
    assert items.refs(pmo, "/issues", escalation_level="steering_group") == [issue["reference"]]
    down = items.client.post(f"{path}/de-escalate", json={}, headers=pmo.headers)
    assert (down.json()["escalation_level"], down.json()["escalation_reason"]) == ("project", None)
    problem(items.client.post(f"{path}/de-escalate", json={}, headers=pmo.headers), 409)
    assert items.refs(pmo, "/issues", escalated=True) == []
    assert [a for a, _ in audit_actions(engine, issue["id"])] == [
        "create",
        "escalate",
        "escalate",
        "de-escalate",
    ]


def test_history_oldest_first(items: Items, pmo: Person, project: dict[str, Any], viewer: Person) -> None:
    issue = items.issue(pmo, project)
    items.patch(pmo, f"/issues/{issue['id']}", {"priority": "critical"})
    history = items.get(viewer, f"/issues/{issue['id']}/history")["items"]
    assert [(e["action"], e["record_type"]) for e in history] == [("create", "issue"), ("update", "issue")]
    assert history[1]["before"]["priority"] == "medium"
    assert history[1]["after"]["priority"] == "critical"


def test_filters_and_sorting(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any], manager: Person
) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    other_programme = items.programme(pmo)
    elsewhere = items.project(pmo, other_programme)
    late = items.issue(
        pmo, project, due_date=yesterday, priority="low", owner_id=str(manager.id), category="it"
    )
    resolved_late = items.issue(pmo, project, due_date=yesterday, status="resolved", resolution="Done")
    soon = items.issue(pmo, elsewhere, due_date=tomorrow, priority="critical", title="Payroll interface down")
    on_programme = items.issue(pmo, None, programme_id=programme["id"], severity="high")
    refs = (late["reference"], resolved_late["reference"], soon["reference"], on_programme["reference"])
    assert items.refs(pmo, "/issues", overdue=True) == [late["reference"]]
    assert sorted(items.refs(pmo, "/issues", overdue=False)) == sorted(refs[1:])
    assert items.refs(pmo, "/issues", project_id=project["id"]) == list(refs[:2])
    assert items.refs(pmo, "/issues", programme_id=programme["id"]) == [refs[0], refs[1], refs[3]]
    assert items.refs(pmo, "/issues", portfolio_id=other_programme["portfolio_id"]) == [refs[2]]
    assert items.refs(pmo, "/issues", owner_id=str(manager.id)) == [refs[0]]
    assert items.refs(pmo, "/issues", status="resolved") == [refs[1]]
    assert items.refs(pmo, "/issues", category="it") == [refs[0]]
    assert items.refs(pmo, "/issues", priority="critical") == [refs[2]]
    assert items.refs(pmo, "/issues", severity="high") == [refs[3]]
    assert items.refs(pmo, "/issues", q="payroll") == [refs[2]]
    assert items.refs(pmo, "/issues", due_from=date.today().isoformat()) == [refs[2]]
    assert items.refs(pmo, "/issues", due_to=yesterday) == list(refs[:2])
    assert items.refs(pmo, "/issues", sort="-priority")[0] == refs[2]
    assert items.refs(pmo, "/issues", sort="-reference") == list(reversed(refs))
    page = items.get(pmo, "/issues", limit=2, offset=2)
    assert (page["total"], [i["reference"] for i in page["items"]]) == (4, list(refs[2:]))
    assert items.get(pmo, f"/issues/{late['id']}")["overdue"] is True
    problem(items.client.get(f"{API}/issues", params={"sort": "owner"}, headers=pmo.headers), 422)


def test_other_organisation_is_404_everywhere(
    items: Items, pmo: Person, other_pmo: Person, project: dict[str, Any], factory: Any, other_org: Any
) -> None:
    issue = items.issue(pmo, project)
    path = f"{API}/issues/{issue['id']}"
    problem(items.client.get(path, headers=other_pmo.headers), 404)
    problem(items.client.get(f"{path}/history", headers=other_pmo.headers), 404)
    problem(
        items.client.patch(path, json={"title": "x"}, headers={**other_pmo.headers, "If-Match": "*"}), 404
    )
    problem(
        items.client.post(
            f"{path}/escalate", json={"level": "programme", "reason": "x"}, headers=other_pmo.headers
        ),
        404,
    )
    problem(items.client.post(f"{path}/de-escalate", json={}, headers=other_pmo.headers), 404)
    assert items.get(other_pmo, "/issues")["total"] == 0
    # Their project, programme or person named in our body: 404.
    theirs = items.project(other_pmo, items.programme(other_pmo))
    problem(
        items.client.post(
            f"{API}/issues", json={"project_id": theirs["id"], "title": "x"}, headers=pmo.headers
        ),
        404,
    )
    stranger = factory.person(other_org, Role.viewer)
    for field in ("owner_id", "raised_by_id"):
        body = {"project_id": project["id"], "title": "x", field: str(stranger.id)}
        problem(items.client.post(f"{API}/issues", json=body, headers=pmo.headers), 404)
        problem(items.patch(pmo, f"/issues/{issue['id']}", {field: str(stranger.id)}), 404)


def test_permissions_per_role(
    items: Items,
    pmo: Person,
    programme: dict[str, Any],
    project: dict[str, Any],
    manager: Person,
    factory: Any,
    org: Any,
    engine,
) -> None:
    theirs_not = items.project(pmo, programme)  # managed by nobody
    viewer = factory.person(org, Role.viewer)
    finance = factory.person(org, Role.finance)
    sponsor = factory.person(org, Role.sponsor)  # organisation-wide sponsor
    # The manager keeps their own project's log...
    mine = items.issue(manager, project)
    assert items.patch(manager, f"/issues/{mine['id']}", {"priority": "high"}).status_code == 200
    # ...but not another project's, nor a programme's.
    problem(
        items.client.post(
            f"{API}/issues", json={"project_id": theirs_not["id"], "title": "x"}, headers=manager.headers
        ),
        403,
    )
    problem(
        items.client.post(
            f"{API}/issues", json={"programme_id": programme["id"], "title": "x"}, headers=manager.headers
        ),
        403,
    )
    other = items.issue(pmo, theirs_not)
    problem(items.patch(manager, f"/issues/{other['id']}", {"priority": "high"}), 403)
    problem(
        items.client.post(
            f"{API}/issues/{other['id']}/escalate",
            json={"level": "programme", "reason": "x"},
            headers=manager.headers,
        ),
        403,
    )
    # A sponsor for the organisation edits any project's items.
    assert items.patch(sponsor, f"/issues/{other['id']}", {"priority": "low"}).status_code == 200
    # Readers read, and every write is 403.
    for reader in (viewer, finance):
        assert items.get(reader, "/issues")["total"] == 2
        assert items.get(reader, f"/issues/{mine['id']}")["id"] == mine["id"]
        problem(
            items.client.post(
                f"{API}/issues", json={"project_id": project["id"], "title": "x"}, headers=reader.headers
            ),
            403,
        )
        problem(
            items.client.patch(
                f"{API}/issues/{mine['id']}", json={}, headers={**reader.headers, "If-Match": "*"}
            ),
            403,
        )
        problem(
            items.client.post(
                f"{API}/issues/{mine['id']}/escalate",
                json={"level": "programme", "reason": "x"},
                headers=reader.headers,
            ),
            403,
        )
    problem(items.client.get(f"{API}/issues"), 401)
    assert audit_actions(engine, other["id"]) == [("create", "issue"), ("update", "issue")]


def test_an_issue_a_risk_became_shows_the_risk(items: Items, pmo: Person, project: dict[str, Any]) -> None:
    risk = items.post(
        pmo,
        "/risks",
        {
            "project_id": project["id"],
            "title": "Supplier fails",
            "category": "delivery",
            "inherent_likelihood": 3,
            "inherent_impact": 4,
        },
    )
    result = items.post(
        pmo,
        f"/risks/{risk['id']}/occurred",
        {"description": "It failed", "priority": "high", "severity": "high"},
    )
    issue_id = result["issue"]["id"]
    issue = items.get(pmo, f"/issues/{issue_id}")
    assert issue["risk_id"] == risk["id"]
    assert [i["id"] for i in items.get(pmo, "/issues", risk_id=risk["id"])["items"]] == [issue_id]
