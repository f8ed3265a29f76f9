"""A decided gate review, and the project moving stage, raise webhook events."""

from __future__ import annotations

from typing import Any

from pmo.core.config import get_settings
from pmo.core.permissions import Role
from support.webhooks import Hooks, outbox


def test_a_decision_and_the_stage_change_are_in_the_outbox(
    setup, org, project, pmo, chair, factory, engine: Any
):
    hooks = Hooks(setup.client)
    admin = factory.person(org, Role.admin)
    hooks.listening(admin, ("portfolio:read",), "gate_review.decided", "project.stage_changed")
    deferred = setup.request(pmo, project).json()
    assert setup.decide(chair, deferred["id"], "defer", reason="More evidence.").status_code == 201
    approved = setup.request(pmo, project).json()
    assert setup.decide(chair, approved["id"]).status_code == 201

    events = outbox(engine)
    assert [t for t, _ in events] == ["gate_review.decided", "gate_review.decided", "project.stage_changed"]
    assert [d["outcome"] for t, d in events[:2]] == ["deferred", "approved"]
    moved = events[2][1]
    assert (moved["project_id"], moved["from_stage"], moved["to_stage"]) == (
        str(project.id),
        "discover_define",
        setup.stage_of(project),
    )
    assert moved["url"] == f"{get_settings().public_url}/api/v1/projects/{project.id}"
