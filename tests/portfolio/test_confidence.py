"""Delivery confidence: on the organisation's scale, with a commentary, history kept."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from pmo.organisations.models import Organisation
from support.api import API, problem
from support.database import audit_events


def _assess(client, who, project, rating: str, commentary: str = "Because."):
    return client.post(
        f"{API}/projects/{project['id']}/confidence",
        json={"rating": rating, "commentary": commentary},
        headers=who.headers,
    )


def test_history_newest_first_and_project_confidence(register, pmo, project, client, engine) -> None:
    for rating in ("green", "amber_green", "amber_red"):
        response = _assess(client, pmo, project, rating, f"Now {rating}.")
        assert response.status_code == 201, response.text
        assert response.json()["scale"] == "ipa5"
        assert response.json()["assessed_by_id"] == str(pmo.id)
    history = client.get(f"{API}/projects/{project['id']}/confidence", headers=pmo.headers).json()
    assert [a["rating"] for a in history["items"]] == ["amber_red", "amber_green", "green"]
    assert history["items"][0]["commentary"] == "Now amber_red."
    assert history["total"] == 3
    assert register.get(pmo, f"/projects/{project['id']}")[0]["confidence"] == "amber_red"
    events = audit_events(engine, project["id"])
    assert [e["action"] for e in events] == [
        "create",
        "assess_confidence",
        "assess_confidence",
        "assess_confidence",
    ]
    assert events[-1]["before"]["confidence"] == "amber_green"
    assert events[-1]["after"]["confidence"] == "amber_red"
    assert events[-1]["after"]["assessment"]["commentary"] == "Now amber_red."


def test_setting_confidence_changes_the_etag(register, pmo, project, client) -> None:
    _, tag = register.get(pmo, f"/projects/{project['id']}")
    assert _assess(client, pmo, project, "red").status_code == 201
    stale = client.patch(
        f"{API}/projects/{project['id']}", json={"name": "x"}, headers={**pmo.headers, "If-Match": tag}
    )
    problem(stale, 412)


@pytest.mark.parametrize("commentary", ["", "   "])
def test_commentary_is_required(pmo, project, client, commentary) -> None:
    problem(_assess(client, pmo, project, "green", commentary), 422)
    response = client.post(
        f"{API}/projects/{project['id']}/confidence", json={"rating": "green"}, headers=pmo.headers
    )
    problem(response, 422)


def test_rating_off_the_scale_is_422(pmo, project, client, engine, org) -> None:
    problem(_assess(client, pmo, project, "purple"), 422)
    with Session(engine) as session:
        organisation = session.get_one(Organisation, org.id)
        organisation.confidence_scale = "rag3"
        session.add(organisation)
        session.commit()
    body = problem(_assess(client, pmo, project, "amber_green"), 422)
    assert body["errors"][0]["location"] == ["body", "rating"]
    assert "rag3" in body["detail"]
    ok = _assess(client, pmo, project, "amber")
    assert ok.status_code == 201
    assert ok.json()["scale"] == "rag3"
    history = client.get(f"{API}/projects/{project['id']}/confidence", headers=pmo.headers).json()
    assert [a["rating"] for a in history["items"]] == ["amber"]


def test_other_organisation_is_404(pmo, other_pmo, project, client) -> None:
    problem(_assess(client, other_pmo, project, "green"), 404)
    problem(client.get(f"{API}/projects/{project['id']}/confidence", headers=other_pmo.headers), 404)
    problem(client.get(f"{API}/projects/{uuid.uuid4()}/confidence", headers=pmo.headers), 404)


def test_idempotent_retry(pmo, project, client) -> None:
    headers = {**pmo.headers, "Idempotency-Key": "confidence-1"}
    body = {"rating": "green", "commentary": "Fine."}
    first = client.post(f"{API}/projects/{project['id']}/confidence", json=body, headers=headers)
    again = client.post(f"{API}/projects/{project['id']}/confidence", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert client.get(f"{API}/projects/{project['id']}/confidence", headers=pmo.headers).json()["total"] == 1


def test_an_admin_switches_the_organisation_to_three_point_rag(pmo, admin, project, client) -> None:
    organisation = client.get(f"{API}/organisation", headers=admin.headers)
    assert organisation.json()["confidence_scale"] == "ipa5"
    switched = client.patch(
        f"{API}/organisation",
        json={"confidence_scale": "rag3"},
        headers={**admin.headers, "If-Match": organisation.headers["ETag"]},
    )
    assert switched.status_code == 200, switched.text
    assert switched.json()["confidence_scale"] == "rag3"
    problem(_assess(client, pmo, project, "amber_green"), 422)
    amber = _assess(client, pmo, project, "amber")
    assert amber.status_code == 201, amber.text
    assert amber.json()["scale"] == "rag3"
    # Only the two scales' names are settings; anything else is refused and changes nothing.
    organisation = client.get(f"{API}/organisation", headers=admin.headers)
    refused = client.patch(
        f"{API}/organisation",
        json={"confidence_scale": "five"},
        headers={**admin.headers, "If-Match": organisation.headers["ETag"]},
    )
    problem(refused, 422)
    assert client.get(f"{API}/organisation", headers=admin.headers).json()["confidence_scale"] == "rag3"
