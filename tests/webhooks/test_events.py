"""What the services put in the outbox: the event, with its data and absolute URL, in the
change's transaction; only for subscriptions that want it, whose client holds the scope, in
the change's own organisation. (Draw-downs and gate reviews: tests/finance and tests/gates.)"""

from __future__ import annotations

from kpis.kpi_helpers import Kpis
from pmo.core.config import get_settings
from raid.risks_helpers import Raid
from support.webhooks import Hooks, outbox

BASE = get_settings().public_url + "/api/v1"


def test_publishing_and_correcting_a_kpi_value(hooks: Hooks, client, engine, admin, pmo):
    hooks.listening(admin, ("kpis:read",), "kpi.value.published")
    kpis = Kpis(client)
    kpi = kpis.kpi(pmo)
    value = kpis.value(pmo, kpi, "2023-24-Q1", "70")
    for step in ("submit", "verify"):
        value = kpis.step(pmo, value, step)
    assert outbox(engine) == []  # not published yet
    kpis.step(pmo, value, "publish")
    corrected = kpis.patch(pmo, f"/kpi-values/{value['id']}", {"actual": "71.5", "reason": "late return"})
    assert corrected.status_code == 200, corrected.text

    [(first_type, first), (second_type, second)] = outbox(engine)
    assert first_type == second_type == "kpi.value.published"
    assert (first["kpi_code"], first["period_code"], first["actual"]) == (kpi["code"], "2023-24-Q1", "70.0")
    assert second["actual"] == "71.5"
    assert second["version"] > first["version"]
    assert first["url"] == f"{BASE}/kpi-values/{value['id']}"


def test_escalating_a_risk(hooks: Hooks, client, engine, admin, pmo, project):
    hooks.listening(admin, ("portfolio:read",), "risk.escalated")
    raid = Raid(client)
    risk = raid.risk(pmo, project)
    raid.post(
        pmo, f"/risks/{risk['id']}/escalate", {"level": "programme", "reason": "Blocks go-live"}, status=200
    )
    raid.post(pmo, f"/risks/{risk['id']}/de-escalate", {"level": "project", "reason": "Resolved"}, status=200)

    [(event_type, data)] = outbox(engine)  # de-escalation raises none
    assert event_type == "risk.escalated"
    assert (data["reference"], data["escalation_level"]) == (risk["reference"], "programme")
    assert data["url"] == f"{BASE}/risks/{risk['id']}"


def test_a_milestone_made_or_recorded_missed(hooks: Hooks, engine, admin, pmo, project):
    hooks.listening(admin, ("portfolio:read",), "milestone.missed")
    path = f"/projects/{project['id']}/milestones"
    born_missed = hooks.post(
        pmo, path, {"title": "Consultation", "planned_date": "2026-01-31", "status": "missed"}
    )
    later = hooks.post(pmo, path, {"title": "Go live", "planned_quarter": "2026/27 Q1"})
    assert hooks.patch(pmo, f"/milestones/{later['id']}", {"title": "Go live (phase 1)"}).status_code == 200
    assert hooks.patch(pmo, f"/milestones/{later['id']}", {"status": "missed"}).status_code == 200
    # Saying it again is no new event.
    assert hooks.patch(pmo, f"/milestones/{later['id']}", {"description": "Slipped"}).status_code == 200

    assert [(t, d["milestone_id"]) for t, d in outbox(engine)] == [
        ("milestone.missed", born_missed["id"]),
        ("milestone.missed", later["id"]),
    ]
    assert outbox(engine)[1][1]["due_date"] == "2026-06-30"


def test_only_subscriptions_of_the_organisation_whose_client_holds_the_scope(
    hooks: Hooks, engine, factory, admin, other_admin, pmo, project
):
    theirs = hooks.listening(other_admin, ("portfolio:read",), "milestone.missed")
    lost_scope = hooks.listening(admin, ("portfolio:read",), "milestone.missed")
    revoked = hooks.listening(admin, ("portfolio:read",), "milestone.missed")
    disabled = hooks.listening(admin, ("portfolio:read",), "milestone.missed")
    hooks.patch(admin, f"/api-clients/{lost_scope['api_client_id']}", {"scopes": ["webhooks:manage"]})
    hooks.post(admin, f"/api-clients/{revoked['api_client_id']}/revoke", status=200)
    hooks.patch(admin, f"/webhook-subscriptions/{disabled['id']}", {"enabled": False})
    wanted = hooks.listening(admin, ("portfolio:read",), "milestone.missed")

    milestone = hooks.post(
        pmo, f"/projects/{project['id']}/milestones", {"title": "Go", "planned_date": "2026-01-31"}
    )
    hooks.patch(pmo, f"/milestones/{milestone['id']}", {"status": "missed"})

    assert len(outbox(engine)) == 1
    [delivery] = hooks.get(admin, f"/webhook-subscriptions/{wanted['id']}/deliveries")["items"]
    assert delivery["event_type"] == "milestone.missed"
    assert hooks.get(other_admin, f"/webhook-subscriptions/{theirs['id']}/deliveries")["total"] == 0
