"""The demo's cost lines and benefits: Appendix B of the Chesterfield report to the pound, the
capital receipts resourcing, seed 000's posts on Dacorum's programme, through the services."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session
from typer.testing import CliRunner

from conftest import Person, token_for
from pmo.audit.service import verify_chains
from pmo.demo import DEMO_ORGANISATION, OTHER_ORGANISATION
from pmo.finance.models import Benefit
from pmo.kpis.models import Kpi
from pmo.organisations.models import Organisation, User
from pmo.portfolio.models import Portfolio

API = "/api/v1"
runner = CliRunner()

# Appendix B: activity -> (stage, service area, one-off, benefits per year 2022/23..2025/26, total).
REPORT = {
    "Re-procure the contact centre telephony system": (
        "Delivery",
        "Digital, HR and Customer Services",
        "0.00",
        ("44000.00", "44000.00", "44000.00", "44000.00"),
        "176000.00",
    ),
    "Complete a review of cash collection and payment options": (
        "Design and Develop",
        "Digital, HR and Customer Services",
        "0.00",
        ("0.00", "0.00", "0.00", "10000.00"),
        "10000.00",
    ),
    "Integration of housing into customer services functions": (
        "Design and Develop",
        "Digital, HR and Customer Services",
        "0.00",
        ("0.00", "10500.00", "10500.00", "22000.00"),
        "43000.00",
    ),
    "Review and implement a reimagined Visitor Information service": (
        "Design and Develop",
        "Leisure, Culture and Community Wellbeing",
        "0.00",
        ("15000.00", "40000.00", "40000.00", "40000.00"),
        "135000.00",
    ),
    "Introduction of new digital systems and a concierge service at sports centres": (
        "Design and Develop",
        "Leisure, Culture and Community Wellbeing",
        "0.00",
        ("0.00", "30000.00", "30000.00", "30000.00"),
        "90000.00",
    ),
    "Reshaping purchase to pay processes": (
        "Delivery",
        "Digital, HR and Customer Services",
        "0.00",
        ("0.00", "22000.00", "22000.00", "22000.00"),
        "66000.00",
    ),
    "Review of hybrid mail, including the use of reprographics service": (
        "Design and Develop",
        "Digital, HR and Customer Services",
        "90000.00",
        ("0.00", "40000.00", "40000.00", "40000.00"),
        "120000.00",
    ),
    "ICT transformation programme - additional forecast savings": (
        "Delivery",
        "Digital, HR and Customer Services",
        "0.00",
        ("0.00", "0.00", "40000.00", "50000.00"),
        "90000.00",
    ),
    "Implement the Safer Streets initiative": (
        "Design and Develop",
        "Leisure, Culture and Community Wellbeing",
        "0.00",
        ("70000.00", "85000.00", "85000.00", "85000.00"),
        "325000.00",
    ),
    "Local government ward boundary review": (
        "Delivery",
        "Corporate",
        "0.00",
        ("0.00", "49000.00", "49000.00", "49000.00"),
        "147000.00",
    ),
}


def _person(session: Session, organisation_name: str, email: str) -> Person:
    organisation = session.execute(
        select(Organisation).where(Organisation.name == organisation_name)
    ).scalar_one()
    user = session.execute(select(User).where(User.email == email)).scalar_one()
    return Person(user=user, token=token_for(user), organisation=organisation)


@pytest.fixture
def demo(demo: None, engine: Any) -> dict[str, Any]:
    """The demo's PMO officers of both councils, and its portfolio (on tests/conftest.py's demo)."""
    with Session(engine, expire_on_commit=False) as session:
        pmo = _person(session, DEMO_ORGANISATION, "pmo@demo.test")
        other = _person(session, OTHER_ORGANISATION, "pmo@other.test")
        portfolio = session.execute(
            select(Portfolio).where(Portfolio.organisation_id == pmo.organisation.id)
        ).scalar_one()
    return {"pmo": pmo, "other": other, "portfolio": portfolio}


def test_portfolio_summary_is_appendix_b(client: TestClient, demo: dict[str, Any]) -> None:
    response = client.get(
        f"{API}/portfolios/{demo['portfolio'].id}/financial-summary", headers=demo["pmo"].headers
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["financial_years"] == ["2022/23", "2023/24", "2024/25", "2025/26"]
    projects = {r["name"]: r for r in summary["rows"] if r["level"] == "project"}
    assert set(projects) == set(REPORT)
    for name, (stage, area, one_off, years, total) in REPORT.items():
        row = projects[name]
        assert (row["stage_name"], row["service_area"], row["one_off_investment"]) == (
            stage,
            area,
            one_off,
        ), name
        assert tuple(y["amount"] for y in row["cashable_benefits"]) == years, name
        assert row["cashable_benefits_total"] == total, name
    t = summary["totals"]
    # "Total Project Costs / (Cashable Benefits)": 90,000; (129,000) (320,500) (360,500) (392,000);
    # (1,202,000).
    assert t["one_off_investment"] == "90000.00"
    assert [y["amount"] for y in t["cashable_benefits"]] == [
        "129000.00",
        "320500.00",
        "360500.00",
        "392000.00",
    ]
    assert t["cashable_benefits_total"] == "1202000.00"
    # Already in the MTFP (visitor information, sports centres, ward boundary review), and new.
    assert [y["amount"] for y in t["already_in_mtfp"]] == ["15000.00", "119000.00", "119000.00", "119000.00"]
    assert t["already_in_mtfp_total"] == "372000.00"
    assert [y["amount"] for y in t["new"]] == ["114000.00", "201500.00", "241500.00", "273000.00"]
    assert t["new_total"] == "830000.00"
    # Para 6.1: £1.202m by 2025/26 and £392k of annual recurring benefits thereafter.
    assert t["cumulative"][-1]["amount"] == "1202000.00"
    assert t["recurring_thereafter"]["total"] == "392000.00"
    # "Transformation resources to be funded through capital receipts flexibility": 497,000.
    capital = [
        s
        for s in summary["costs_by_funding_source"]
        if s["funding_source_name"] == "Capital receipts flexibility"
    ]
    if capital:  # the money demo made the funding source
        assert [y["amount"] for y in capital[0]["by_year"]] == ["117000.00", "259000.00", "121000.00"]
        assert capital[0]["total"] == "497000.00"
    assert summary["costs_total"] == "497000.00"
    assert [y["amount"] for y in summary["costs_by_year"]] == ["117000.00", "259000.00", "121000.00"]


def test_the_csv_reads_like_appendix_b(client: TestClient, demo: dict[str, Any]) -> None:
    response = client.get(
        f"{API}/portfolios/{demo['portfolio'].id}/financial-summary.csv",
        params={"table": "totals"},
        headers=demo["pmo"].headers,
    )
    assert response.status_code == 200
    rows = {line.split(",", 1)[0]: line for line in response.text.splitlines()}
    # Appendix B's totals: costs and benefits by year, then how much is already in the MTFP and new.
    assert rows["Total project costs / (cashable benefits)"].endswith(
        "90000.00,407000.00,-129000.00,-320500.00,-360500.00,-392000.00,-1202000.00"
    )
    assert rows["(Cashable benefits) already in MTFP"].endswith(",-372000.00")
    assert rows["Total new cashable benefits"].endswith(",-830000.00")


def test_other_benefits_and_kpi_link(client: TestClient, demo: dict[str, Any], engine: Any) -> None:
    page = client.get(f"{API}/benefits", params={"limit": 200}, headers=demo["pmo"].headers).json()
    classes = [b["benefit_class"] for b in page["items"]]
    assert classes.count("cashable") == 10
    assert classes.count("qualitative") >= 2
    assert classes.count("non_cashable") >= 2
    assert all(b["profile"] == [] for b in page["items"] if b["benefit_class"] == "qualitative")
    assert sorted(b["title"] for b in page["items"] if b["in_mtfp"]) == [
        "Cashable benefits: Introduction of new digital systems and concierge service at sports centres",
        "Cashable benefits: Local government ward boundary review",
        "Cashable benefits: Review of visitor information services",
    ]
    with Session(engine) as session:
        organisation_id = demo["pmo"].organisation.id
        has_kpi = session.execute(select(Kpi.id).where(Kpi.organisation_id == organisation_id)).first()
        linked = session.execute(select(Benefit).where(Benefit.kpi_id.is_not(None))).scalars().all()  # type: ignore[union-attr]
        # Linked only when the organisation had a KPI when the demo ran.
        assert len(linked) == (1 if has_kpi else 0)
        assert verify_chains(session)[1] == []


def test_dacorum_posts_with_grades(client: TestClient, demo: dict[str, Any]) -> None:
    other = demo["other"]
    totals = client.get(f"{API}/cost-lines/totals", headers=other.headers).json()
    # Seed 000, Appendix 1 para 1.5: "The total maximum budget requirement ... is £773,053."
    assert (totals["count"], totals["total"]) == (11, "773053.00")
    assert totals["by_financial_year"] == [{"financial_year": "2021/22", "amount": "773053.00"}]
    lines = client.get(
        f"{API}/cost-lines", params={"kind": "resourcing", "sort": "-amount"}, headers=other.headers
    ).json()
    assert (
        lines["items"][0]["description"].startswith("Business Analysts x 2"),
        lines["items"][0]["grade"],
    ) == (
        True,
        "Grade 12",
    )
    # Chesterfield's lines are not Dacorum's, and the other way round.
    ours = client.get(f"{API}/cost-lines/totals", headers=demo["pmo"].headers).json()
    assert ours["total"] == "497000.00"
