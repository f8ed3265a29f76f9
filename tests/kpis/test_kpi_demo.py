"""The demo KPIs: drawn from Appendix A's success measures, two years of quarterly values
showing every RAG and direction, a queue for the PMO, missing data, and a period left open
for the project manager. Loaded through the services (audited) and only once."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from pmo.audit.service import verify_chains
from pmo.core.periods import period_containing, today
from pmo.demo import DEMO_PASSWORD
from pmo.kpis.demo import load_kpi_demo
from pmo.kpis.models import Kpi, KpiValue
from pmo.organisations.models import Organisation, User
from support.api import API, sign_in

runner = CliRunner()


def _all(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(
            f"{API}{path}", headers=headers, params={**params, "limit": 200, "offset": len(items)}
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if len(items) >= page.json()["total"]:
            return items


def test_demo_kpis_show_every_rag_and_direction(demo: None, client: TestClient) -> None:
    viewer = sign_in(client, "viewer@demo.test", DEMO_PASSWORD)
    definitions = _all(client, viewer, "/kpis")
    assert {k["code"] for k in definitions} == {"ICT-01", "ICT-02", "CX-01", "CX-02", "CX-03", "DP-01"}
    assert {k["polarity"] for k in definitions} == {"higher_is_better", "lower_is_better", "none"}
    assert all(k["programme_id"] or k["project_id"] for k in definitions)

    published = _all(client, viewer, "/kpi-values", period_from="2022-23", period_to="2023-24")
    assert len(published) == 6 * 8
    assert {v["status"] for v in published} == {"published"}
    assessments = [v["assessment"] for v in published]
    assert {a["rag"] for a in assessments} == {"green", "amber", "red", None}
    directions = {a["direction_vs_previous"] for a in assessments} | {
        a["direction_vs_year_before"] for a in assessments
    }
    assert directions >= {"improving", "worsening", "no_change", "increasing", "decreasing"}
    exact = [v for v in published if v["actual"] == "72.5" and v["assessment"]["target"] == "72.5"]
    assert [v["assessment"]["rag"] for v in exact] == ["green"]


def test_demo_queue_missing_data_and_open_period(demo: None, client: TestClient) -> None:
    pmo = sign_in(client, "pmo@demo.test", DEMO_PASSWORD)
    last_ended = period_containing("quarterly", today()).previous.code
    queue = _all(client, pmo, "/kpi-values", status="submitted")
    verified = _all(client, pmo, "/kpi-values", status="verified")
    assert {v["kpi_code"] for v in queue} == {"ICT-01", "CX-01"}
    assert [v["kpi_code"] for v in verified] == ["ICT-02"]
    assert {v["period"]["code"] for v in queue + verified} == {last_ended}

    card = client.get(f"{API}/kpi-scorecard", headers=pmo).json()
    assert [m["code"] for m in card["missing_data"]] == ["CX-03", "DP-01"]
    awaiting = [row["kpi"]["code"] for row in card["rows"] if row["awaiting_publication"]]
    assert awaiting == ["CX-01", "ICT-01", "ICT-02"]

    # The frontend journey: the project manager submits the open quarter; the PMO verifies and
    # publishes it.
    pm = sign_in(client, "pm@demo.test", DEMO_PASSWORD)
    cx03 = next(k for k in _all(client, pm, "/kpis") if k["code"] == "CX-03")
    created = client.post(
        f"{API}/kpis/{cx03['id']}/values", json={"period_code": last_ended, "actual": "84.0"}, headers=pm
    )
    assert created.status_code == 201, created.text
    value_id = created.json()["id"]
    assert client.post(f"{API}/kpi-values/{value_id}/submit", headers=pm).status_code == 200
    for step in ("verify", "publish"):
        assert client.post(f"{API}/kpi-values/{value_id}/{step}", headers=pmo).status_code == 200
    card = client.get(f"{API}/kpi-scorecard", headers=pmo).json()
    assert [m["code"] for m in card["missing_data"]] == ["DP-01"]


def test_demo_is_audited_and_loaded_once(demo: None, session: Session) -> None:
    organisation = session.execute(
        select(Organisation).where(Organisation.name.startswith("Chesterfield"))
    ).scalar_one()  # type: ignore[attr-defined]
    users = {
        u.email: u
        for u in session.execute(select(User).where(User.organisation_id == organisation.id)).scalars()
    }
    count = session.execute(select(func.count()).select_from(KpiValue)).scalar_one()
    assert load_kpi_demo(session, organisation, users) is False
    assert session.execute(select(func.count()).select_from(KpiValue)).scalar_one() == count
    assert session.execute(select(func.count()).select_from(Kpi)).scalar_one() == 6
    checked, breaks = verify_chains(session)
    assert checked > 0
    assert breaks == []
