"""Assumptions: references, statuses, the validation-due filter, and an invalid assumption
raising a risk or an issue in one step (or nothing at all)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from pmo.organisations.models import Organisation
from support.api import API, problem
from support.database import audit_actions, count

from .items_helpers import Items

Person = Any
RISK = {
    "title": "Savings not delivered",
    "category": "financial",
    "inherent_likelihood": 4,
    "inherent_impact": 5,
    "residual_likelihood": 3,
    "residual_impact": 3,
}


def test_create_update_and_audit(
    items: Items, pmo: Person, project: dict[str, Any], manager: Person, engine
) -> None:
    first = items.assumption(
        pmo,
        project,
        statement="Staff will be released for training",
        validate_by="2030-06-30",
        category="people",
    )
    second = items.assumption(pmo, project)
    assert (first["reference"], second["reference"]) == ("A-0001", "A-0002")
    assert (first["status"], first["validation_due"], first["raised_risk_id"], first["raised_issue_id"]) == (
        "unvalidated",
        False,
        None,
        None,
    )
    path = f"/assumptions/{first['id']}"
    valid = items.patch(pmo, path, {"status": "valid", "owner_id": str(manager.id)})
    assert valid.status_code == 200, valid.text
    assert (valid.json()["status"], valid.json()["owner_id"]) == ("valid", str(manager.id))
    assert valid.json()["closed_at"] is not None
    # Plain PATCH to invalid is allowed: it raises nothing.
    invalid = items.patch(pmo, path, {"status": "invalid"}).json()
    assert (invalid["status"], invalid["raised_risk_id"], invalid["raised_issue_id"]) == (
        "invalid",
        None,
        None,
    )
    assert audit_actions(engine, first["id"]) == [
        ("create", "assumption"),
        ("update", "assumption"),
        ("update", "assumption"),
    ]
    history = items.get(pmo, f"{path}/history")["items"]
    assert [e["action"] for e in history] == ["create", "update", "update"]
    problem(items.patch(pmo, path, {"statement": None}), 422)
    problem(items.patch(pmo, path, {"status": "maybe"}), 422)
    problem(items.client.patch(f"{API}{path}", json={"category": "x"}, headers=pmo.headers), 428)


def test_validation_due_filter_and_others(
    items: Items, pmo: Person, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    today = date.today()
    due = items.assumption(pmo, project, validate_by=today.isoformat())
    past = items.assumption(pmo, project, validate_by=(today - timedelta(days=3)).isoformat())
    later = items.assumption(
        pmo, None, programme_id=programme["id"], validate_by=(today + timedelta(days=5)).isoformat()
    )
    done = items.assumption(pmo, project, validate_by=(today - timedelta(days=3)).isoformat(), status="valid")
    assert items.refs(pmo, "/assumptions", validation_due=True) == [due["reference"], past["reference"]]
    assert items.refs(pmo, "/assumptions", validation_due=False) == [later["reference"], done["reference"]]
    assert items.get(pmo, f"/assumptions/{due['id']}")["validation_due"] is True
    assert items.refs(pmo, "/assumptions", status="valid") == [done["reference"]]
    assert items.refs(pmo, "/assumptions", project_id=project["id"]) == [
        due["reference"],
        past["reference"],
        done["reference"],
    ]
    assert len(items.refs(pmo, "/assumptions", programme_id=programme["id"])) == 4
    assert items.refs(pmo, "/assumptions", due_from=(today + timedelta(days=1)).isoformat()) == [
        later["reference"]
    ]
    assert items.refs(pmo, "/assumptions", q=later["statement"].lower()) == [later["reference"]]
    by_date = items.refs(pmo, "/assumptions", sort="validate_by")
    assert set(by_date[:2]) == {past["reference"], done["reference"]}
    assert by_date[2:] == [due["reference"], later["reference"]]


def test_invalidate_raises_an_issue_in_one_step(
    items: Items, pmo: Person, project: dict[str, Any], manager: Person, engine
) -> None:
    assumption = items.assumption(pmo, project, owner_id=str(manager.id))
    body = {
        "raise": "issue",
        "issue": {"title": "Training cannot start", "priority": "high", "severity": "medium"},
    }
    response = items.client.post(
        f"{API}/assumptions/{assumption['id']}/invalidate", json=body, headers=pmo.headers
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["raised"], result["raised_reference"]) == ("issue", "I-0001")
    assert response.headers["Location"] == public_url_of(f"/api/v1/issues/{result['raised_id']}")
    assert result["assumption"]["status"] == "invalid"
    assert result["assumption"]["raised_issue_id"] == result["raised_id"]
    issue = items.get(pmo, f"/issues/{result['raised_id']}")
    assert (issue["project_id"], issue["owner_id"], issue["priority"]) == (
        project["id"],
        str(manager.id),
        "high",
    )
    assert assumption["reference"] in issue["description"]
    assert audit_actions(engine, assumption["id"]) == [("create", "assumption"), ("invalidate", "assumption")]
    assert audit_actions(engine, issue["id"]) == [("create", "issue")]
    # Once raised, not again.
    problem(
        items.client.post(f"{API}/assumptions/{assumption['id']}/invalidate", json=body, headers=pmo.headers),
        409,
    )


def test_invalidate_raises_a_scored_risk(
    items: Items, pmo: Person, programme: dict[str, Any], engine
) -> None:
    assumption = items.assumption(pmo, None, programme_id=programme["id"])
    body = {"raise": "risk", "risk": RISK}
    response = items.client.post(
        f"{API}/assumptions/{assumption['id']}/invalidate", json=body, headers=pmo.headers
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["raised"], result["raised_reference"]) == ("risk", "R-0001")
    assert result["assumption"]["raised_risk_id"] == result["raised_id"]
    risk = items.get(pmo, f"/risks/{result['raised_id']}")
    assert (risk["programme_id"], risk["inherent_score"], risk["residual_score"]) == (programme["id"], 20, 9)
    assert audit_actions(engine, result["raised_id"]) == [("create", "risk")]


def test_invalid_raised_item_writes_nothing(
    items: Items, pmo: Person, project: dict[str, Any], engine, factory: Any, other_org: Any
) -> None:
    assumption = items.assumption(pmo, project)
    path = f"{API}/assumptions/{assumption['id']}/invalidate"
    stranger = factory.person(other_org, Role.viewer)
    with Session(engine) as session:
        organisation = session.get(Organisation, pmo.organisation.id)
        assert organisation is not None
        organisation.risk_scale = "hml3"
        session.add(organisation)
        session.commit()
    audit_before = count(engine, "audit_events")
    for body, status in (
        ({"raise": "risk"}, 422),  # no risk given
        ({"raise": "issue", "risk": RISK}, 422),  # the wrong one given
        ({"raise": "issue", "issue": {"title": "x"}, "risk": RISK}, 422),
        ({"raise": "problem", "issue": {"title": "x"}}, 422),
        ({"raise": "issue", "issue": {"title": "x", "priority": "urgent"}}, 422),
        ({"raise": "risk", "risk": {**RISK, "inherent_likelihood": 9}}, 422),
        # Off the organisation's 3-point scale: refused by the service, after validation.
        ({"raise": "risk", "risk": RISK}, 422),
        ({"raise": "issue", "issue": {"title": "x", "owner_id": str(stranger.id)}}, 404),
    ):
        problem(items.client.post(path, json=body, headers=pmo.headers), status)
    assert items.get(pmo, f"/assumptions/{assumption['id']}")["status"] == "unvalidated"
    assert count(engine, "risks") == count(engine, "raid_issues") == 0
    assert count(engine, "audit_events") == audit_before
    # The next one that works gets the first numbers: none were used.
    low = {
        **RISK,
        "inherent_likelihood": 3,
        "inherent_impact": 2,
        "residual_likelihood": 1,
        "residual_impact": 1,
    }
    ok = items.client.post(path, json={"raise": "risk", "risk": low}, headers=pmo.headers)
    assert ok.status_code == 201, ok.text
    assert ok.json()["raised_reference"] == "R-0001"


def test_invalidate_permissions_and_other_organisation(
    items: Items,
    pmo: Person,
    other_pmo: Person,
    project: dict[str, Any],
    manager: Person,
    factory: Any,
    org: Any,
) -> None:
    assumption = items.assumption(pmo, project)
    path = f"{API}/assumptions/{assumption['id']}"
    body = {"raise": "issue", "issue": {"title": "x"}}
    problem(items.client.post(f"{path}/invalidate", json=body, headers=other_pmo.headers), 404)
    problem(items.client.get(path, headers=other_pmo.headers), 404)
    problem(items.client.get(f"{path}/history", headers=other_pmo.headers), 404)
    theirs = items.project(other_pmo, items.programme(other_pmo))
    problem(
        items.client.post(
            f"{API}/assumptions", json={"project_id": theirs["id"], "statement": "x"}, headers=pmo.headers
        ),
        404,
    )
    viewer = factory.person(org, Role.viewer)
    problem(items.client.post(f"{path}/invalidate", json=body, headers=viewer.headers), 403)
    problem(
        items.client.post(
            f"{API}/assumptions", json={"project_id": project["id"], "statement": "x"}, headers=viewer.headers
        ),
        403,
    )
    problem(items.client.patch(path, json={}, headers={**viewer.headers, "If-Match": "*"}), 403)
    assert items.get(viewer, "/assumptions")["total"] == 1
    other_project = items.project(pmo, items.programme(pmo))
    elsewhere = items.assumption(pmo, other_project)
    problem(
        items.client.post(
            f"{API}/assumptions/{elsewhere['id']}/invalidate", json=body, headers=manager.headers
        ),
        403,
    )
    problem(items.patch(manager, f"/assumptions/{elsewhere['id']}", {"status": "valid"}), 403)
    # The manager of the project may do both.
    assert items.client.post(f"{path}/invalidate", json=body, headers=manager.headers).status_code == 201
