"""The issue's "done means", through the API alone: a PMO officer sets up a programme and its
projects, a project manager takes one project from Discover and Define to Delivery through
two gate reviews that the sponsor approves, and the dashboard shows it move."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from pmo.core.permissions import Role

BUSINESS_CASE = {
    "scope": "Replace the leisure management system at all four sites.",
    "costs": "One-off £120,000; running costs £18,000 a year.",
    "benefits": "Online booking for residents; £40,000 a year saved from 2023/24.",
    "resource_requirements": "A project manager for 12 months; ICT and leisure staff time.",
    "key_risks": "Data migration from the old system; staff training before go-live.",
    "dependencies": "The new payments platform must be live first.",
    "delivery_plan": "Procure in 2022/23 Q2, build in Q3, go live in 2022/23 Q4.",
}


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_project_moves_from_discover_and_define_to_delivery(client: TestClient, factory, org) -> None:
    pmo = factory.person(org, Role.pmo)
    sponsor = factory.person(org, Role.sponsor)
    pm = factory.person(org, Role.project_manager)

    # The PMO sets up the register: a portfolio, the steering group, a programme, two projects.
    portfolio = _created(
        client.post(
            "/api/v1/portfolios", json={"name": "Organisational Development 2022-2025"}, headers=pmo.headers
        )
    )
    steering_group = _created(
        client.post(
            "/api/v1/governance-bodies",
            json={"name": "OD Steering Group", "kind": "steering_group"},
            headers=pmo.headers,
        )
    )
    _created(
        client.post(
            f"/api/v1/governance-bodies/{steering_group['id']}/members",
            json={"user_id": str(sponsor.id), "role": "chair"},
            headers=pmo.headers,
        )
    )
    programme = _created(
        client.post(
            "/api/v1/programmes",
            json={
                "portfolio_id": portfolio["id"],
                "name": "Customer Experience",
                "ambition": "Residents can do more online, at a time that suits them.",
                "sro_id": str(sponsor.id),
                "governance_body_id": steering_group["id"],
            },
            headers=pmo.headers,
        )
    )
    project = _created(
        client.post(
            "/api/v1/projects",
            json={
                "programme_id": programme["id"],
                "name": "Replace the Leisure Management System",
                "sro_id": str(sponsor.id),
                "project_manager_id": str(pm.id),
            },
            headers=pmo.headers,
        )
    )
    _created(
        client.post(
            "/api/v1/projects",
            json={"programme_id": programme["id"], "name": "Hybrid mail"},
            headers=pmo.headers,
        )
    )
    assert project["reference"].startswith("P-")
    assert project["stage"] == "discover_define"

    def dashboard() -> dict[str, Any]:
        response = client.get(f"/api/v1/programmes/{programme['id']}/dashboard", headers=pmo.headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    assert dashboard()["projects_by_stage"].get("discover_define") == 2

    # The stage cannot simply be edited.
    current = client.get(f"/api/v1/projects/{project['id']}", headers=pm.headers)
    jump = client.patch(
        f"/api/v1/projects/{project['id']}",
        json={"stage": "delivery"},
        headers={**pm.headers, "If-Match": current.headers["ETag"]},
    )
    assert jump.status_code == 409

    # Gate 1: the project manager asks to develop a detailed business case.
    lifecycle = client.get(f"/api/v1/lifecycles/{project['lifecycle_id']}", headers=pm.headers).json()
    first_gate = next(g for g in lifecycle["gates"] if g["from_stage"] == "discover_define")
    review = _created(
        client.post(
            f"/api/v1/projects/{project['id']}/gate-reviews",
            json={
                "summary": "Discovery report: the current system is out of support in 2023.",
                "answers": [
                    {"criterion": c["key"], "answer": f"Evidence for: {c['text']}"}
                    for c in first_gate["criteria"]
                ],
            },
            headers=pm.headers,
        )
    )
    # The sponsor sees it in their work and decides it.
    work = client.get("/api/v1/me/work", headers=sponsor.headers).json()
    assert review["id"] in [r["id"] for r in work["gate_reviews_to_decide"]]
    assert [r["id"] for r in dashboard()["gate_reviews_pending"]] == [review["id"]]
    _created(
        client.post(
            f"/api/v1/gate-reviews/{review['id']}/decisions",
            json={"decision": "approve", "reason": "Meets all four entry criteria."},
            headers=sponsor.headers,
        )
    )
    assert (
        client.get(f"/api/v1/projects/{project['id']}", headers=pm.headers).json()["stage"]
        == "design_develop"
    )
    board = dashboard()
    assert board["projects_by_stage"].get("design_develop") == 1
    assert board["gate_reviews_pending"] == []

    # Gate 2: the detailed business case goes to the steering group.
    second_gate = next(g for g in lifecycle["gates"] if g["from_stage"] == "design_develop")
    review = _created(
        client.post(
            f"/api/v1/projects/{project['id']}/gate-reviews",
            json={
                "summary": "Detailed business case for approval.",
                "answers": [
                    {"criterion": c["key"], "answer": "Done; see the business case."}
                    for c in second_gate["criteria"]
                ],
                "business_case": BUSINESS_CASE,
            },
            headers=pm.headers,
        )
    )
    # The project manager cannot approve their own request.
    own = client.post(
        f"/api/v1/gate-reviews/{review['id']}/decisions",
        json={"decision": "approve", "reason": "Looks good to me."},
        headers=pm.headers,
    )
    assert own.status_code == 403
    _created(
        client.post(
            f"/api/v1/gate-reviews/{review['id']}/decisions",
            json={
                "decision": "approve_with_conditions",
                "reason": "Affordable within the reserve.",
                "conditions": "Report progress to the steering group monthly.",
            },
            headers=sponsor.headers,
        )
    )
    assert client.get(f"/api/v1/projects/{project['id']}", headers=pm.headers).json()["stage"] == "delivery"
    board = dashboard()
    assert board["projects_by_stage"].get("delivery") == 1
    assert board["projects_by_stage"].get("discover_define") == 1

    # The history keeps both reviews, and the audit trail has the two stage changes.
    history = client.get(f"/api/v1/projects/{project['id']}/gate-reviews", headers=pm.headers).json()
    assert sorted(r["status"] for r in history["items"]) == ["approved", "approved_with_conditions"]
    events = client.get(
        "/api/v1/audit-events",
        params={"record_id": project["id"], "action": "stage_change"},
        headers=pmo.headers,
    ).json()
    assert [(e["before"]["stage"], e["after"]["stage"]) for e in reversed(events["items"])] == [
        ("discover_define", "design_develop"),
        ("design_develop", "delivery"),
    ]
