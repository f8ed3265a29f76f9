"""Portfolios, programmes and governance bodies: CRUD, references, conflicts, audit."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from pmo.core.permissions import Role
from support.api import API, problem
from support.database import audit_count, audit_events


def test_portfolio_crud(register, pmo, client, engine) -> None:
    created = register.post(
        pmo, "/portfolios", {"name": "OD Programme", "start_date": "2022-04-01", "end_date": "2025-03-31"}
    )
    assert created["end_date"] == "2025-03-31"
    problem(client.post(f"{API}/portfolios", json={"name": "od programme"}, headers=pmo.headers), 409)
    problem(
        client.post(
            f"{API}/portfolios",
            json={"name": "Bad", "start_date": "2025-01-01", "end_date": "2024-01-01"},
            headers=pmo.headers,
        ),
        422,
    )
    listed = client.get(f"{API}/portfolios", params={"q": "od"}, headers=pmo.headers).json()
    assert [p["name"] for p in listed["items"]] == ["OD Programme"]
    path = f"/portfolios/{created['id']}"
    updated = register.patch(pmo, path, {"description": "Seven outcomes."})
    assert updated.status_code == 200
    assert updated.json()["description"] == "Seven outcomes."
    problem(register.patch(pmo, path, {"end_date": "2020-01-01"}), 422)
    programme = register.programme(pmo, created)
    problem(client.delete(f"{API}{path}", headers=pmo.headers), 409)
    assert client.delete(f"{API}/programmes/{programme['id']}", headers=pmo.headers).status_code == 204
    assert client.delete(f"{API}{path}", headers=pmo.headers).status_code == 204
    problem(client.get(f"{API}{path}", headers=pmo.headers), 404)
    assert [e["action"] for e in audit_events(engine, created["id"])] == ["create", "update", "delete"]


def test_programme_fields_and_references(register, factory, pmo, other_pmo, org, client, engine) -> None:
    portfolio = register.portfolio(pmo)
    sro = register.factory.person(org, Role.sponsor)
    directorate = factory.directorate(org)
    board = register.post(pmo, "/governance-bodies", {"name": "Steering Group", "kind": "steering_group"})
    body = {
        "portfolio_id": portfolio["id"],
        "name": "ICT Improvement",
        "ambition": "Modern, resilient ICT.",
        "resident_outcomes": "Services online, any time.",
        "success_measures": "Channel shift.",
        "strategic_outcomes": ["Digital first", "Modern ways of working"],
        "sro_id": str(sro.id),
        "governance_body_id": board["id"],
        "lead_directorate_id": str(directorate.id),
        "phase": "Delivery",
        "planned_start": "2022-04-01",
        "planned_end": "2025-03-31",
    }
    programme = register.post(pmo, "/programmes", body)
    assert {k: programme[k] for k in body} == body
    problem(
        client.post(f"{API}/programmes", json={**body, "name": "ict improvement"}, headers=pmo.headers), 409
    )
    problem(
        client.post(
            f"{API}/programmes",
            json={**body, "name": "x", "strategic_outcomes": ["o"] * 31},
            headers=pmo.headers,
        ),
        422,
    )
    theirs = register.portfolio(other_pmo)
    for field, value in (
        ("portfolio_id", theirs["id"]),
        ("sro_id", str(other_pmo.id)),
        ("lead_directorate_id", str(factory.directorate(other_pmo.organisation).id)),
    ):
        problem(
            client.post(f"{API}/programmes", json={**body, "name": "y", field: value}, headers=pmo.headers),
            404,
        )
        problem(register.patch(pmo, f"/programmes/{programme['id']}", {field: value}), 404)
    listed = client.get(
        f"{API}/programmes",
        params={"portfolio_id": portfolio["id"], "sro_id": str(sro.id)},
        headers=pmo.headers,
    ).json()
    assert [p["name"] for p in listed["items"]] == ["ICT Improvement"]
    assert client.get(f"{API}/programmes", headers=other_pmo.headers).json()["total"] == 0
    problem(client.get(f"{API}/programmes/{programme['id']}", headers=other_pmo.headers), 404)
    updated = register.patch(
        pmo, f"/programmes/{programme['id']}", {"phase": "Closing", "strategic_outcomes": []}
    )
    assert updated.json()["phase"] == "Closing"
    assert updated.json()["strategic_outcomes"] == []
    register.project(pmo, programme)
    problem(client.delete(f"{API}/programmes/{programme['id']}", headers=pmo.headers), 409)
    problem(client.delete(f"{API}/governance-bodies/{board['id']}", headers=pmo.headers), 409)
    assert [e["action"] for e in audit_events(engine, programme["id"])] == ["create", "update"]


def test_governance_bodies_and_members(register, factory, pmo, other_pmo, org, client, engine) -> None:
    directorate = factory.directorate(org)
    board = register.post(
        pmo,
        "/governance-bodies",
        {"name": "Digital Programme Board", "kind": "programme_board", "directorate_id": str(directorate.id)},
    )
    assert board["members"] == []
    chair = register.factory.person(org, Role.sponsor)
    member = register.factory.person(org, Role.member)
    path = f"{API}/governance-bodies/{board['id']}"
    added = register.post(
        pmo, f"/governance-bodies/{board['id']}/members", {"user_id": str(chair.id), "role": "chair"}
    )
    assert added["role"] == "chair"
    assert added["user_id"] == str(chair.id)
    register.post(pmo, f"/governance-bodies/{board['id']}/members", {"user_id": str(member.id)})
    problem(client.post(f"{path}/members", json={"user_id": str(member.id)}, headers=pmo.headers), 409)
    problem(client.post(f"{path}/members", json={"user_id": str(other_pmo.id)}, headers=pmo.headers), 404)
    problem(
        client.post(f"{path}/members", json={"user_id": str(member.id), "role": "king"}, headers=pmo.headers),
        422,
    )
    got, tag = register.get(pmo, f"/governance-bodies/{board['id']}")
    assert [(m["user_id"], m["role"]) for m in got["members"]] == [
        (str(chair.id), "chair"),
        (str(member.id), "member"),
    ]
    assert client.delete(f"{path}/members/{member.id}", headers=pmo.headers).status_code == 204
    problem(client.delete(f"{path}/members/{member.id}", headers=pmo.headers), 404)
    # Membership is part of the representation: the tag moved.
    assert register.get(pmo, f"/governance-bodies/{board['id']}")[1] != tag
    listed = client.get(
        f"{API}/governance-bodies", params={"kind": "programme_board"}, headers=pmo.headers
    ).json()
    assert [b["name"] for b in listed["items"]] == ["Digital Programme Board"]
    assert len(listed["items"][0]["members"]) == 1
    updated = register.patch(
        pmo, f"/governance-bodies/{board['id']}", {"kind": "steering_group", "name": "Steering"}
    )
    assert updated.status_code == 200
    assert updated.json()["kind"] == "steering_group"
    problem(client.get(path, headers=other_pmo.headers), 404)
    problem(
        client.post(f"{path}/members", json={"user_id": str(other_pmo.id)}, headers=other_pmo.headers), 404
    )
    events_before = audit_count(engine)
    assert client.delete(path, headers=pmo.headers).status_code == 204
    assert audit_count(engine) == events_before + 1
    deleted = audit_events(engine, board["id"])[-1]
    assert deleted["action"] == "delete"
    assert deleted["before"]["members"][0]["user_id"] == str(chair.id)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/portfolios", {"name": "P"}),
        ("post", "/governance-bodies", {"name": "B", "kind": "cabinet"}),
    ],
)
@pytest.mark.parametrize("role", [Role.sponsor, Role.project_manager, Role.member, Role.viewer, Role.admin])
def test_only_the_pmo_manages_the_register(factory, org, client, method, path, body, role) -> None:
    person = factory.person(org, role)
    problem(getattr(client, method)(f"{API}{path}", json=body, headers=person.headers), 403)


def test_every_change_is_audited_once(register, pmo, client, engine) -> None:
    counts: list[int] = [audit_count(engine)]

    def step(response: Any, status: int) -> None:
        assert response.status_code == status, response.text
        counts.append(audit_count(engine))

    portfolio = register.portfolio(pmo)
    counts.append(audit_count(engine))
    programme = register.programme(pmo, portfolio)
    counts.append(audit_count(engine))
    project = register.project(pmo, programme)
    counts.append(audit_count(engine))
    step(register.patch(pmo, f"/projects/{project['id']}", {"name": "Renamed"}), 200)
    step(
        client.post(
            f"{API}/projects/{project['id']}/confidence",
            json={"rating": "green", "commentary": "On track."},
            headers=pmo.headers,
        ),
        201,
    )
    step(
        client.post(
            f"{API}/projects/{project['id']}/milestones",
            json={"title": "Go live", "planned_quarter": "2022/23 Q2"},
            headers=pmo.headers,
        ),
        201,
    )
    assert [b - a for a, b in itertools.pairwise(counts)] == [1, 1, 1, 1, 1, 1]
