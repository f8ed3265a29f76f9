"""Risks: scoring on the organisation's scale, response types, escalation, closing, actions,
turning into an issue, permissions, other organisations, audit."""

from __future__ import annotations

from typing import Any

from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from support.api import API, problem

from .risks_helpers import Raid

Person = Any


def test_create_works_out_scores_and_bands(raid: Raid, pmo: Person, project: dict[str, Any], engine) -> None:
    first = raid.risk(pmo, project, target_likelihood=1, target_impact=2, response_type="reduce")
    second = raid.risk(
        pmo, project, inherent_likelihood=1, inherent_impact=3, residual_likelihood=None, residual_impact=None
    )
    assert (first["reference"], second["reference"]) == ("R-0001", "R-0002")
    assert (first["scale"], first["inherent_score"], first["inherent_band"]) == ("5x5", 16, "red")
    assert (first["residual_score"], first["residual_band"]) == (6, "amber")
    assert (first["target_score"], first["target_band"]) == (2, "green")
    assert (first["status"], first["escalation_level"], first["nature"]) == ("open", "project", "threat")
    # Residual defaults to inherent.
    assert (second["residual_likelihood"], second["residual_impact"], second["residual_score"]) == (1, 3, 3)
    assert first["actions"] == []
    assert first["issue"] is None
    # The band boundaries of the 5x5 scale: 1-4 green, 5-12 amber, 15-25 red.
    for (lk, im), band in {
        (2, 2): "green",
        (1, 5): "amber",
        (3, 4): "amber",
        (3, 5): "red",
        (5, 5): "red",
    }.items():
        risk = raid.risk(pmo, project, inherent_likelihood=lk, inherent_impact=im)
        assert risk["inherent_band"] == band, (lk, im)


def test_likelihood_or_impact_outside_5x5_is_422(
    raid: Raid, pmo: Person, project: dict[str, Any], client
) -> None:
    for field, value in (
        ("inherent_likelihood", 6),
        ("inherent_impact", 0),
        ("residual_impact", 7),
        ("target_likelihood", 9),
    ):
        body = {
            "project_id": project["id"],
            "title": "x",
            "category": "c",
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            field: value,
        }
        problem(client.post(f"{API}/risks", json=body, headers=pmo.headers), 422)
    risk = raid.risk(pmo, project)
    problem(raid.patch(pmo, f"/risks/{risk['id']}", {"residual_likelihood": 6}), 422)


def test_hml3_scale_scores_and_refuses_points_above_3(
    raid: Raid, pmo: Person, admin: Person, project: dict[str, Any], client
) -> None:
    response = raid.patch(admin, "/organisation", {"risk_scale": "hml3"})
    assert response.status_code == 200, response.text
    assert response.json()["risk_scale"] == "hml3"
    risk = raid.risk(
        pmo, project, inherent_likelihood=3, inherent_impact=2, residual_likelihood=1, residual_impact=2
    )
    assert (risk["scale"], risk["inherent_score"], risk["inherent_band"]) == ("hml3", 6, "red")
    assert (risk["residual_score"], risk["residual_band"]) == (2, "green")
    assert raid.risk(pmo, project, inherent_likelihood=2, inherent_impact=2)["inherent_band"] == "amber"
    assert raid.risk(pmo, project, inherent_likelihood=1, inherent_impact=3)["inherent_band"] == "amber"
    body = {
        "project_id": project["id"],
        "title": "x",
        "category": "c",
        "inherent_likelihood": 4,
        "inherent_impact": 1,
    }
    assert problem(client.post(f"{API}/risks", json=body, headers=pmo.headers), 422)["errors"][0][
        "location"
    ] == ["body", "inherent_likelihood"]
    problem(raid.patch(pmo, f"/risks/{risk['id']}", {"inherent_impact": 4}), 422)
    heat = raid.get(pmo, "/risks/heat-map")
    assert (heat["scale"], heat["points"], len(heat["cells"])) == ("hml3", 3, 9)


def test_scale_change_refused_while_risks_exist(raid: Raid, pmo: Person, admin: Person, project) -> None:
    raid.risk(pmo, project)
    body = problem(raid.patch(admin, "/organisation", {"risk_scale": "hml3"}), 409)
    assert "risks" in body["detail"]
    assert raid.get(admin, "/organisation")["risk_scale"] == "5x5"
    # Not changing it is fine.
    assert raid.patch(admin, "/organisation", {"risk_scale": "5x5"}).status_code == 200


def test_response_type_must_fit_the_nature(raid: Raid, pmo: Person, project: dict[str, Any], client) -> None:
    for nature, response_type in (
        ("threat", "exploit"),
        ("threat", "enhance"),
        ("opportunity", "avoid"),
        ("opportunity", "accept"),
    ):
        body = {
            "project_id": project["id"],
            "title": "x",
            "category": "c",
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            "nature": nature,
            "response_type": response_type,
        }
        errors = problem(client.post(f"{API}/risks", json=body, headers=pmo.headers), 422)["errors"]
        assert errors[0]["location"] == ["body", "response_type"]
    problem(
        client.post(
            f"{API}/risks",
            json={
                "project_id": project["id"],
                "title": "x",
                "category": "c",
                "inherent_likelihood": 3,
                "inherent_impact": 3,
                "response_type": "panic",
            },
            headers=pmo.headers,
        ),
        422,
    )
    assert (
        raid.risk(pmo, project, nature="opportunity", response_type="enhance")["response_type"] == "enhance"
    )
    assert raid.risk(pmo, project, nature="opportunity", response_type="share")["nature"] == "opportunity"
    threat = raid.risk(pmo, project, response_type="reduce")
    # Turning it into an opportunity while its response is "reduce" does not fit.
    problem(raid.patch(pmo, f"/risks/{threat['id']}", {"nature": "opportunity"}), 422)
    ok = raid.patch(pmo, f"/risks/{threat['id']}", {"nature": "opportunity", "response_type": "exploit"})
    assert ok.status_code == 200, ok.text


def test_update_rescores_and_needs_if_match(raid: Raid, pmo: Person, project, client, engine) -> None:
    risk = raid.risk(pmo, project)
    response = raid.patch(
        pmo,
        f"/risks/{risk['id']}",
        {
            "residual_likelihood": 5,
            "residual_impact": 5,
            "owner_id": str(pmo.id),
            "review_date": "2030-01-01",
        },
    )
    assert response.status_code == 200, response.text
    assert (response.json()["residual_score"], response.json()["residual_band"]) == (25, "red")
    assert response.json()["owner_id"] == str(pmo.id)
    problem(client.patch(f"{API}/risks/{risk['id']}", json={"title": "y"}, headers=pmo.headers), 428)
    problem(
        client.patch(
            f"{API}/risks/{risk['id']}", json={"title": "y"}, headers={**pmo.headers, "If-Match": '"stale"'}
        ),
        412,
    )
    problem(raid.patch(pmo, f"/risks/{risk['id']}", {"scale": "hml3"}), 422)  # unknown field
    history = raid.get(pmo, f"/risks/{risk['id']}/history")["items"]
    assert [(e["action"], e["record_type"]) for e in history] == [("create", "risk"), ("update", "risk")]


def test_attached_to_exactly_one(raid: Raid, pmo: Person, project, programme, client) -> None:
    base = {"title": "x", "category": "c", "inherent_likelihood": 3, "inherent_impact": 3}
    problem(client.post(f"{API}/risks", json=base, headers=pmo.headers), 422)
    both = {**base, "project_id": project["id"], "programme_id": programme["id"]}
    problem(client.post(f"{API}/risks", json=both, headers=pmo.headers), 422)
    on_programme = raid.post(pmo, "/risks", {**base, "programme_id": programme["id"]})
    assert (on_programme["programme_id"], on_programme["project_id"]) == (programme["id"], None)
    on_portfolio = raid.post(pmo, "/risks", {**base, "portfolio_id": programme["portfolio_id"]})
    assert on_portfolio["portfolio_id"] == programme["portfolio_id"]


def test_other_organisation_is_not_found(
    raid: Raid, pmo: Person, project, factory, other_org, client
) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    stranger = factory.person(other_org, Role.project_manager)
    theirs = raid.risk(other_pmo, raid.project(other_pmo, raid.programme(other_pmo)))
    mine = raid.risk(pmo, project)
    problem(client.get(f"{API}/risks/{theirs['id']}", headers=pmo.headers), 404)
    problem(client.get(f"{API}/risks/{theirs['id']}/history", headers=pmo.headers), 404)
    problem(client.get(f"{API}/risks/{theirs['id']}/actions", headers=pmo.headers), 404)
    problem(client.post(f"{API}/risks/{theirs['id']}/close", json={"reason": "x"}, headers=pmo.headers), 404)
    problem(
        client.post(
            f"{API}/risks/{theirs['id']}/escalate",
            json={"level": "programme", "reason": "x"},
            headers=pmo.headers,
        ),
        404,
    )
    problem(
        client.patch(
            f"{API}/risks/{theirs['id']}", json={"title": "x"}, headers={**pmo.headers, "If-Match": "*"}
        ),
        404,
    )
    base = {"title": "x", "category": "c", "inherent_likelihood": 3, "inherent_impact": 3}
    their_project = raid.get(other_pmo, "/projects")["items"][0]
    problem(
        client.post(f"{API}/risks", json={**base, "project_id": their_project["id"]}, headers=pmo.headers),
        404,
    )
    problem(
        client.post(
            f"{API}/risks",
            json={**base, "project_id": project["id"], "owner_id": str(stranger.id)},
            headers=pmo.headers,
        ),
        404,
    )
    problem(raid.patch(pmo, f"/risks/{mine['id']}", {"owner_id": str(stranger.id)}), 404)
    problem(
        client.post(
            f"{API}/risks/{mine['id']}/actions",
            json={"description": "d", "actionee_id": str(stranger.id)},
            headers=pmo.headers,
        ),
        404,
    )
    problem(
        client.post(
            f"{API}/risks/{mine['id']}/occurred",
            json={"description": "d", "priority": "high", "severity": "high", "owner_id": str(stranger.id)},
            headers=pmo.headers,
        ),
        404,
    )
    action = raid.post(other_pmo, f"/risks/{theirs['id']}/actions", {"description": "theirs"})
    problem(client.get(f"{API}/risk-actions/{action['id']}", headers=pmo.headers), 404)
    problem(client.delete(f"{API}/risk-actions/{action['id']}", headers=pmo.headers), 404)
    assert [r["id"] for r in raid.get(pmo, "/risks")["items"]] == [mine["id"]]
    assert raid.get(pmo, "/risks/heat-map")["total"] == 1


def test_escalation_and_only_pmo_or_sponsor_close_an_escalated_risk(
    raid: Raid, pmo: Person, manager: Person, project, factory, org, client, engine
) -> None:
    sponsor = factory.person(org, Role.sponsor)
    risk = raid.risk(manager, project)
    path = f"{API}/risks/{risk['id']}"
    problem(client.post(f"{path}/escalate", json={"level": "programme"}, headers=manager.headers), 422)
    problem(
        client.post(f"{path}/escalate", json={"level": "project", "reason": "x"}, headers=manager.headers),
        409,
    )
    up = client.post(
        f"{path}/escalate",
        json={"level": "programme", "reason": "Outside tolerance"},
        headers=manager.headers,
    )
    assert up.status_code == 200, up.text
    assert (up.json()["escalation_level"], up.json()["escalation_reason"]) == (
        "programme",
        "Outside tolerance",
    )
    problem(
        client.post(f"{path}/escalate", json={"level": "programme", "reason": "x"}, headers=pmo.headers), 409
    )
    top = client.post(
        f"{path}/escalate", json={"level": "steering_group", "reason": "Cross-programme"}, headers=pmo.headers
    )
    assert top.json()["escalation_level"] == "steering_group"
    assert [r["id"] for r in raid.get(pmo, "/risks", escalated="true")["items"]] == [risk["id"]]
    assert raid.get(pmo, "/risks", escalation_level="steering_group")["total"] == 1
    # A project manager may not close an escalated risk.
    body = problem(client.post(f"{path}/close", json={"reason": "Gone"}, headers=manager.headers), 403)
    assert "sponsor" in body["detail"]
    problem(
        client.post(
            f"{path}/de-escalate", json={"level": "steering_group", "reason": "x"}, headers=pmo.headers
        ),
        409,
    )
    down = client.post(
        f"{path}/de-escalate", json={"level": "programme", "reason": "Back in tolerance"}, headers=pmo.headers
    )
    assert down.status_code == 200
    assert down.json()["escalation_level"] == "programme"
    closed = client.post(f"{path}/close", json={"reason": "Contract signed"}, headers=sponsor.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"]
    problem(client.post(f"{path}/close", json={"reason": "again"}, headers=pmo.headers), 409)
    problem(raid.patch(pmo, f"/risks/{risk['id']}", {"title": "changed"}), 409)
    history = raid.get(pmo, f"/risks/{risk['id']}/history")["items"]
    assert [e["action"] for e in history] == ["create", "escalate", "escalate", "de-escalate", "close"]
    assert history[-1]["after"]["reason"] == "Contract signed"
    # A project manager closes a risk that is not escalated.
    other = raid.risk(manager, project)
    ok = client.post(f"{API}/risks/{other['id']}/close", json={"reason": "Passed"}, headers=manager.headers)
    assert ok.status_code == 200, ok.text


def test_permissions_per_role(
    raid: Raid, pmo: Person, manager: Person, project, programme, factory, org, client
) -> None:
    risk = raid.risk(pmo, project)
    viewer = factory.person(org, Role.viewer)
    finance = factory.person(org, Role.finance)
    for reader in (viewer, finance):
        assert raid.get(reader, "/risks")["total"] == 1
        assert raid.get(reader, f"/risks/{risk['id']}")["id"] == risk["id"]
        assert raid.get(reader, "/risks/heat-map")["total"] == 1
        problem(
            client.post(
                f"{API}/risks",
                json={
                    "project_id": project["id"],
                    "title": "x",
                    "category": "c",
                    "inherent_likelihood": 1,
                    "inherent_impact": 1,
                },
                headers=reader.headers,
            ),
            403,
        )
        problem(
            client.patch(
                f"{API}/risks/{risk['id']}", json={"title": "x"}, headers={**reader.headers, "If-Match": "*"}
            ),
            403,
        )
        problem(
            client.post(f"{API}/risks/{risk['id']}/close", json={"reason": "x"}, headers=reader.headers), 403
        )
        problem(
            client.post(
                f"{API}/risks/{risk['id']}/actions", json={"description": "x"}, headers=reader.headers
            ),
            403,
        )
    # A project manager edits the risks of the projects they manage, not others'.
    assert raid.patch(manager, f"/risks/{risk['id']}", {"title": "Mine"}).status_code == 200
    other_manager = factory.person(org, Role.project_manager)
    problem(raid.patch(other_manager, f"/risks/{risk['id']}", {"title": "Not mine"}), 403)
    problem(
        client.post(
            f"{API}/risks",
            json={
                "project_id": project["id"],
                "title": "x",
                "category": "c",
                "inherent_likelihood": 1,
                "inherent_impact": 1,
            },
            headers=other_manager.headers,
        ),
        403,
    )
    # Programme items: the PMO, or the sponsor who is the programme's SRO.
    on_programme = raid.post(
        pmo,
        "/risks",
        {
            "programme_id": programme["id"],
            "title": "p",
            "category": "c",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        },
    )
    problem(raid.patch(manager, f"/risks/{on_programme['id']}", {"title": "x"}), 403)
    sro = factory.person(org, Role.sponsor)
    assert raid.patch(pmo, f"/programmes/{programme['id']}", {"sro_id": str(sro.id)}).status_code == 200
    assert raid.patch(sro, f"/risks/{on_programme['id']}", {"title": "SRO's"}).status_code == 200


def test_response_actions(raid: Raid, pmo: Person, manager: Person, project, client, engine) -> None:
    risk = raid.risk(manager, project)
    action = raid.post(
        manager,
        f"/risks/{risk['id']}/actions",
        {"description": "Agree the contract", "actionee_id": str(manager.id), "due_date": "2020-01-01"},
    )
    assert (action["status"], action["overdue"], action["risk_id"]) == ("open", True, risk["id"])
    second = raid.post(
        manager, f"/risks/{risk['id']}/actions", {"description": "Later", "due_date": "2099-01-01"}
    )
    listed = raid.get(manager, f"/risks/{risk['id']}/actions")
    assert [a["id"] for a in listed["items"]] == [action["id"], second["id"]]
    assert [a["id"] for a in raid.get(manager, f"/risks/{risk['id']}")["actions"]] == [
        action["id"],
        second["id"],
    ]
    done = raid.patch(manager, f"/risk-actions/{action['id']}", {"status": "done"})
    assert done.status_code == 200
    assert done.json()["overdue"] is False
    problem(
        client.patch(f"{API}/risk-actions/{action['id']}", json={"status": "open"}, headers=manager.headers),
        428,
    )
    problem(raid.patch(manager, f"/risk-actions/{action['id']}", {"status": "finished"}), 422)
    assert client.delete(f"{API}/risk-actions/{second['id']}", headers=manager.headers).status_code == 204
    problem(client.get(f"{API}/risk-actions/{second['id']}", headers=manager.headers), 404)
    history = raid.get(pmo, f"/risks/{risk['id']}/history")["items"]
    assert [(e["action"], e["record_type"]) for e in history] == [
        ("create", "risk"),
        ("create", "risk_action"),
        ("create", "risk_action"),
        ("update", "risk_action"),
        ("delete", "risk_action"),
    ]
    assert history == sorted(history, key=lambda e: e["seq"])


def test_occurred_becomes_an_issue_linked_both_ways(
    raid: Raid, pmo: Person, manager: Person, project, client, engine
) -> None:
    risk = raid.risk(manager, project, owner_id=str(manager.id))
    body = {
        "description": "The supplier went into administration",
        "priority": "high",
        "severity": "critical",
    }
    response = client.post(f"{API}/risks/{risk['id']}/occurred", json=body, headers=manager.headers)
    assert response.status_code == 201, response.text
    result = response.json()
    issue = result["issue"]
    assert issue["reference"] == "I-0001"
    assert issue["risk_id"] == risk["id"]
    assert (issue["title"], issue["priority"], issue["severity"]) == (risk["title"], "high", "critical")
    assert response.headers["Location"] == public_url_of(f"/api/v1/issues/{issue['id']}")
    assert result["risk"]["status"] == "occurred"
    detail = raid.get(manager, f"/risks/{risk['id']}")
    assert detail["status"] == "occurred"
    assert detail["issue"]["id"] == issue["id"]
    problem(client.post(f"{API}/risks/{risk['id']}/occurred", json=body, headers=manager.headers), 409)
    from sqlmodel import Session

    from pmo.raid.models import Issue

    with Session(engine) as session:
        stored = session.get(Issue, __import__("uuid").UUID(issue["id"]))
        assert stored is not None
        assert (str(stored.project_id), str(stored.owner_id), stored.status) == (
            project["id"],
            str(manager.id),
            "open",
        )
    history = raid.get(pmo, f"/risks/{risk['id']}/history")["items"]
    assert [e["action"] for e in history] == ["create", "occurred"]
    # Idempotent retry returns the first result.
    other = raid.risk(manager, project)
    headers = {**manager.headers, "Idempotency-Key": "once"}
    first = client.post(f"{API}/risks/{other['id']}/occurred", json=body, headers=headers)
    again = client.post(f"{API}/risks/{other['id']}/occurred", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"


def test_one_audit_event_per_change(raid: Raid, pmo: Person, project, engine) -> None:
    from sqlalchemy import text

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one())

    before = count()
    risk = raid.risk(pmo, project)
    assert count() == before + 1
    raid.patch(pmo, f"/risks/{risk['id']}", {"title": "New title", "residual_impact": 1})
    assert count() == before + 2
    raid.post(pmo, f"/risks/{risk['id']}/actions", {"description": "Do it"})
    assert count() == before + 3
    raid.post(
        pmo, f"/risks/{risk['id']}/occurred", {"description": "d", "priority": "low", "severity": "low"}
    )
    assert count() == before + 5  # the issue created, the risk changed
