"""GET /history/{kind}/{id}: who changed a record, when, and what, field by field in words,
from the audit trail; only for people who may read the record, in its organisation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from pmo.core.permissions import Role
from pmo.demo import DEMO_ORGANISATION
from pmo.finance.models import Drawdown
from pmo.gates.models import GateDecision
from pmo.history.service import _shown
from pmo.organisations.models import Organisation, User
from support.api import API, Api, Bearer, problem


def first(session: Session, statement: Any) -> Any:
    """The first record found, in a transaction of its own (an open one holds up writes on SQLite)."""
    found = session.execute(statement).scalars().first()
    session.commit()
    assert found is not None
    return found


def history(client: TestClient, who: Any, kind: str, record_id: Any, status: int = 200) -> Any:
    response = client.get(f"{API}/history/{kind}/{record_id}", headers=who.headers)
    assert response.status_code == status, response.text
    return response.json()


def changes_of(entry: dict[str, Any]) -> dict[str, tuple[str, str | None, str | None]]:
    return {c["field"]: (c["label"], c["before"], c["after"]) for c in entry["changes"]}


@pytest.fixture
def risk(client: TestClient, pmo: Any, project: dict[str, Any]) -> dict[str, Any]:
    body = {
        "project_id": project["id"],
        "title": "Contractor enters administration",
        "category": "delivery",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 3,
    }
    created: dict[str, Any] = Api(client).post(pmo, "/risks", body)
    return created


def test_a_change_shows_who_when_and_each_field_before_and_after(
    client: TestClient, pmo: Any, manager: Any, viewer: Any, risk: dict[str, Any]
) -> None:
    api = Api(client)
    changed = api.patch(pmo, f"/risks/{risk['id']}", {"residual_impact": 2, "owner_id": str(manager.id)})
    assert changed.status_code == 200, changed.text

    body = history(client, viewer, "risk", risk["id"])

    assert body["kind"] == "risk"
    created, update = body["entries"]
    assert (created["action_label"], created["record_label"]) == ("Created", "Risk")
    assert changes_of(created)["title"] == ("Title", None, "Contractor enters administration")
    assert changes_of(created)["review_date"] == ("Review date", None, "Not set")
    assert "organisation_id" not in changes_of(created)
    assert update["action_label"] == "Changed"
    assert update["actor_id"] == str(pmo.id)
    assert update["actor_label"]
    assert update["occurred_at"]
    assert update["seq"] > created["seq"]
    changes = changes_of(update)
    assert changes["residual_impact"] == ("Impact after the response", "3", "2")
    assert changes["residual_score"] == ("Score after the response", "6", "4")
    # People by name, not by id; an empty value in words.
    assert changes["owner_id"] == ("Owner", "Not set", manager.user.display_name)
    # Only what changed.
    assert "title" not in changes
    assert "updated_at" not in changes


def test_the_history_includes_the_records_parts(
    client: TestClient, pmo: Any, manager: Any, risk: dict[str, Any]
) -> None:
    Api(client).post(
        pmo,
        f"/risks/{risk['id']}/actions",
        {
            "description": "Check the contractor's accounts",
            "actionee_id": str(manager.id),
            "due_date": "2027-01-31",
        },
    )

    entries = history(client, pmo, "risk", risk["id"])["entries"]

    action = entries[-1]
    assert (action["record_label"], action["action_label"]) == ("Response action", "Created")
    assert changes_of(action)["actionee_id"] == ("Actionee", None, manager.user.display_name)
    assert changes_of(action)["due_date"] == ("Due date", None, "31 January 2027")


def test_another_organisations_record_is_not_found(
    client: TestClient, other_pmo: Any, risk: dict[str, Any]
) -> None:
    problem(client.get(f"{API}/history/risk/{risk['id']}", headers=other_pmo.headers), 404)
    problem(client.get(f"{API}/history/risk/{uuid.uuid4()}", headers=other_pmo.headers), 404)


def test_the_kind_must_match_the_record(client: TestClient, pmo: Any, risk: dict[str, Any]) -> None:
    # A risk's id is not an issue's: refused as not found, not answered with the risk's events.
    problem(client.get(f"{API}/history/issue/{risk['id']}", headers=pmo.headers), 404)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/history/cabinet/00000000-0000-0000-0000-000000000001", ["path", "kind"]),
        ("/history/risk/not-an-id", ["path", "record_id"]),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(
    client: TestClient, viewer: Any, path: str, location: list[str]
) -> None:
    body = problem(client.get(f"{API}{path}", headers=viewer.headers), 422)
    assert location in [e["location"] for e in body["errors"]], body


def test_signed_out_is_refused(client: TestClient, risk: dict[str, Any]) -> None:
    problem(client.get(f"{API}/history/risk/{risk['id']}"), 401)


# On the demo data: money, gate decisions and who may read them. -----------------------------


@pytest.fixture
def demo_org(demo: None, session: Session) -> Organisation:
    organisation: Organisation = first(
        session, select(Organisation).where(Organisation.name == DEMO_ORGANISATION)
    )
    return organisation


def test_a_gate_decision_shows_the_decider(
    client: TestClient, factory: Any, demo_org: Organisation, session: Session
) -> None:
    decision: GateDecision = first(session, select(GateDecision))
    decider: User = first(session, select(User).where(User.id == decision.decider_id))

    entries = history(client, factory.person(demo_org, Role.viewer), "gate_review", decision.review_id)[
        "entries"
    ]

    decided = [e for e in entries if e["record_label"] == "Gate decision"]
    assert decided, entries
    assert changes_of(decided[0])["decider_id"] == ("Decider", None, decider.display_name)


def test_a_drawdown_shows_its_amount_in_pounds_and_needs_finance_read(
    client: TestClient, factory: Any, demo_org: Organisation, session: Session
) -> None:
    drawdown: Drawdown = first(session, select(Drawdown))
    whole, part = divmod(drawdown.amount_pence, 100)
    admin = factory.person(demo_org, Role.admin)

    created = history(client, factory.person(demo_org, Role.finance), "drawdown", drawdown.id)["entries"][0]
    assert changes_of(created)["amount_pence"] == ("Amount", None, f"£{whole:,}.{part:02d}")

    registered = client.post(
        f"{API}/api-clients", json={"name": "Intranet", "scopes": ["portfolio:read"]}, headers=admin.headers
    ).json()
    token = client.post(
        f"{API}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
        },
    ).json()["access_token"]
    refused = problem(client.get(f"{API}/history/drawdown/{drawdown.id}", headers=Bearer(token).headers), 403)
    assert "finance:read" in refused["detail"]


@pytest.mark.parametrize(
    ("field", "stored", "shown"),
    [
        ("polarity", "higher_is_better", "Higher is better"),
        ("category", "problem_concern", "Problem concern"),
        ("decider_role", "finance", "Finance officer"),
        ("consultee_roles", ["finance", "pmo"], "Finance officer; PMO officer"),
        (
            "criteria",
            [{"criterion": "business_case_complete", "answer": "Approved by Cabinet"}],
            "Criterion: Business case complete, Answer: Approved by Cabinet",
        ),
        ("title", "Contractor enters administration", "Contractor enters administration"),
        ("category", "staffing", "staffing"),  # a word stays as it was written
    ],
)
def test_codes_lists_and_parts_read_as_words(field: str, stored: Any, shown: str) -> None:
    """Item 10: no code ("higher_is_better") or JSON in a history, which people read."""
    assert _shown(field, stored, {}) == shown
