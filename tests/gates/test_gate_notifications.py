"""A gate review request tells its deciders (not its requester); its outcome tells the requester."""

from __future__ import annotations

from typing import Any

from support.api import API


def _kinds(setup: Any, who: Any) -> list[tuple[str, str]]:
    response = setup.client.get(f"{API}/me/notifications", headers=who.headers)
    assert response.status_code == 200, response.text
    return [(n["kind"], n["link"]) for n in response.json()["items"]]


def test_deciders_then_the_requester_are_told(setup, project, pmo, chair, deputy, viewer) -> None:  # type: ignore[no-untyped-def]
    response = setup.request(pmo, project)
    assert response.status_code == 201, response.text
    link = f"/gate-reviews/{response.json()['id']}"
    assert _kinds(setup, chair) == [("decision_waiting", link)]
    assert _kinds(setup, deputy) == [("decision_waiting", link)]
    assert _kinds(setup, pmo) == []
    assert _kinds(setup, viewer) == []
    decided = setup.decide(chair, response.json()["id"], "defer", reason="More evidence.")
    assert decided.status_code in (200, 201), decided.text
    assert _kinds(setup, pmo) == [("request_decided", link)]
    told = setup.client.get(f"{API}/me/notifications", headers=pmo.headers).json()["items"][0]
    assert told["title"].endswith("your gate review was deferred")
