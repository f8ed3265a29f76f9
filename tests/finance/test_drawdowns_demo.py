"""The demo money: Chesterfield's reserves, the default rule for the Digital, HR and Customer
Services directorate, draw-downs in each state, and the demo people able to act on them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from pmo.audit.service import verify_chains
from pmo.demo import DEMO_ORGANISATION, DEMO_PASSWORD, load_demo
from pmo.finance.demo import load_money_demo
from pmo.organisations.models import Organisation
from support.api import API, sign_in


def test_demo_money(client: TestClient, engine: Any, demo: None) -> None:
    viewer = sign_in(client, "viewer@demo.test", DEMO_PASSWORD)
    sources = {s["name"]: s for s in client.get(f"{API}/funding-sources", headers=viewer).json()["items"]}
    reserve = sources["Service Redesign Reserve"]
    assert (reserve["remaining"], reserve["committed"]) == ("555000.00", "30000.00")
    assert sources["Capital receipts flexibility"]["remaining"] == "500000.00"
    rule = client.get(f"{API}/delegation-rules", headers=viewer).json()["items"][0]
    directorates = client.get(f"{API}/directorates", headers=viewer, params={"limit": 50}).json()["items"]
    dhr = next(d for d in directorates if d["name"] == "Digital, HR and Customer Services")
    assert (rule["decider_directorate_id"], rule["limit"], rule["version"]) == (dhr["id"], "50000.00", 2)
    listed = client.get(f"{API}/drawdowns", headers=viewer).json()["items"]
    by_status = {d["status"]: d for d in listed}
    assert sorted(by_status) == ["approved", "consultation", "referred", "rejected", "withdrawn"]
    assert by_status["referred"]["route"] == "cabinet"
    assert by_status["approved"]["route"] == "delegated"

    # The demo people can each take their step.
    pm, finance, member = (
        sign_in(client, f"{who}@demo.test", DEMO_PASSWORD) for who in ("pm", "finance", "member")
    )
    sponsor, democratic = (
        sign_in(client, "sponsor@demo.test", DEMO_PASSWORD),
        sign_in(client, "democratic@demo.test", DEMO_PASSWORD),
    )
    consulting = by_status["consultation"]
    for who in (finance, member):
        mine = client.get(f"{API}/drawdowns", headers=who, params={"awaiting_me": "true"}).json()["items"]
        assert [d["id"] for d in mine] == [consulting["id"]]
        answer = {"view": "supports", "conflict_of_interest": False}
        view = client.post(f"{API}/drawdowns/{consulting['id']}/consultations", json=answer, headers=who)
        assert view.status_code == 201, view.text
    decision = {
        "decision": "approve",
        "reason": "Within delegation.",
        "alternatives_considered": "Deferral to next year.",
    }
    decided = client.post(f"{API}/drawdowns/{consulting['id']}/decision", json=decision, headers=sponsor)
    assert decided.status_code == 200, decided.text
    cabinet = {
        "body": "cabinet",
        "meeting_date": "2022-04-26",
        "minute_reference": "Cabinet minute (2022/23)",
        "outcome": "approved",
    }
    recorded = client.post(
        f"{API}/drawdowns/{by_status['referred']['id']}/committee-decision", json=cabinet, headers=democratic
    )
    assert recorded.status_code == 200, recorded.text
    after = client.get(f"{API}/funding-sources/{reserve['id']}", headers=viewer).json()
    assert after["remaining"] == "336500.00"  # 555,000.00 - 18,500.00 - 200,000.00
    body = {**{k: consulting[k] for k in ("project_id", "funding_source_id", "financial_year")}}
    preview = client.post(
        f"{API}/drawdowns/route-preview",
        json={**body, "amount": "1000.00", "purpose": "More", "business_case_reference": "BC-11"},
        headers=pm,
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["route"] == "delegated"


def test_demo_money_is_loaded_once_and_audited(engine: Any, demo: None) -> None:
    with Session(engine) as session:
        organisation = session.execute(
            select(Organisation).where(Organisation.name == DEMO_ORGANISATION)
        ).scalar_one()
        assert load_money_demo(session, organisation, {}, {}) is False
        assert load_demo(session) is False
        _, breaks = verify_chains(session)
        assert breaks == []
