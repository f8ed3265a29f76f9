"""The demo highlight reports: the last two months of one programme's projects in every
state, made through the services as the demo people, readable as the pack, loaded once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pmo.core.periods import period_containing, today
from pmo.demo import DEMO_ORGANISATION, DEMO_PASSWORD
from pmo.organisations.models import Organisation, User
from pmo.reports.highlights_demo import load_highlights_demo
from support.api import API, sign_in


def test_demo_reports_in_every_state(demo: None, client: TestClient, engine) -> None:
    last_month = period_containing("monthly", today()).previous
    pmo = sign_in(client, "pmo@demo.test", DEMO_PASSWORD)
    reports = client.get(f"{API}/highlight-reports", headers=pmo, params={"limit": 200}).json()["items"]
    states = sorted((r["period"], r["status"]) for r in reports)
    assert states == sorted(
        [
            (last_month.previous.code, "accepted"),
            (last_month.code, "submitted"),
            (last_month.code, "returned"),
            (last_month.code, "draft"),
        ]
    )
    assert len({r["programme_id"] for r in reports}) == 1
    returned = next(r for r in reports if r["status"] == "returned")
    assert "licence increase" in returned["review_comments"]

    # Everyone else reads the submitted and accepted ones; the pack gathers last month's.
    viewer = sign_in(client, "viewer@demo.test", DEMO_PASSWORD)
    seen = client.get(f"{API}/highlight-reports", headers=viewer).json()["items"]
    assert sorted(r["status"] for r in seen) == ["accepted", "submitted"]
    programme_id = reports[0]["programme_id"]
    pack = client.get(
        f"{API}/programmes/{programme_id}/highlight-pack", headers=viewer, params={"period": last_month.code}
    ).json()
    assert [r["status"] for r in pack["reports"]] == ["submitted"]
    assert len(pack["not_submitted"]) >= 3  # the returned, the draft and one not started

    # The other demo organisation has none; loading again changes nothing.
    other = sign_in(client, "pmo@other.test", DEMO_PASSWORD)
    assert client.get(f"{API}/highlight-reports", headers=other).json()["total"] == 0
    with Session(engine) as session:
        organisation = session.execute(
            select(Organisation).where(Organisation.name == DEMO_ORGANISATION)
        ).scalar_one()
        users = {u.email: u for u in session.execute(select(User)).scalars()}
        assert load_highlights_demo(session, organisation, users) is False
