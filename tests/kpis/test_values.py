"""Targets and values: periods of the KPI's frequency, one per period, exact numbers, units,
decimal places, the assessment on every value, lists and filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from pmo.audit.models import AuditEvent
from pmo.core.permissions import Role
from pmo.kpis.feed_state import feed_state
from pmo.kpis.models import KpiValue
from support.api import API, problem

from .kpi_helpers import Kpis

Person = Any


# Targets ---------------------------------------------------------------------------------


def test_targets_per_period(kpis: Kpis, pmo: Person, viewer: Person) -> None:
    kpi = kpis.kpi(pmo)
    target = kpis.target(pmo, kpi, "2023-24-Q1", "72.5", tolerance_percent="2")
    assert target["period"] == {
        "code": "2023-24-Q1",
        "label": "2023/24 Q1",
        "start": "2023-04-01",
        "end": "2023-06-30",
    }
    assert (target["target"], target["tolerance_percent"]) == ("72.5", "2")
    url = f"{API}/kpis/{kpi['id']}/targets"
    problem(
        kpis.client.post(url, json={"period_code": "2023-24-Q1", "target": "70"}, headers=pmo.headers), 409
    )
    wrong = problem(
        kpis.client.post(url, json={"period_code": "2023-04", "target": "70"}, headers=pmo.headers), 422
    )
    assert "monthly" in wrong["detail"]
    assert "quarterly" in wrong["detail"]
    for bad in ("101", "72.55", 72.5, "seventy"):
        problem(
            kpis.client.post(url, json={"period_code": "2023-24-Q2", "target": bad}, headers=pmo.headers), 422
        )
    assert [t["period"]["code"] for t in kpis.get(viewer, f"/kpis/{kpi['id']}/targets")["items"]] == [
        "2023-24-Q1"
    ]

    changed = kpis.patch(pmo, f"/kpi-targets/{target['id']}", {"target": 75, "tolerance_percent": None})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["target"], changed.json()["tolerance_percent"]) == ("75.0", None)
    problem(kpis.patch(viewer, f"/kpi-targets/{target['id']}", {"target": "1"}), 403)
    problem(kpis.client.delete(f"{API}/kpi-targets/{target['id']}", headers=viewer.headers), 403)
    assert kpis.client.delete(f"{API}/kpi-targets/{target['id']}", headers=pmo.headers).status_code == 204
    assert kpis.get(pmo, f"/kpis/{kpi['id']}/targets")["total"] == 0


def test_another_organisations_target_is_404(kpis: Kpis, pmo: Person, factory: Any, other_org: Any) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    target = kpis.target(other_pmo, kpis.kpi(other_pmo), "2023-24-Q1", "10")
    problem(kpis.client.get(f"{API}/kpi-targets/{target['id']}", headers=pmo.headers), 404)
    problem(kpis.client.delete(f"{API}/kpi-targets/{target['id']}", headers=pmo.headers), 404)


# Values ----------------------------------------------------------------------------------


def test_a_value_carries_its_period_status_and_assessment(kpis: Kpis, pmo: Person, session: Session) -> None:
    kpi = kpis.kpi(pmo, code="CS-01")
    kpis.target(pmo, kpi, "2023-24-Q2", "72.5")
    kpis.published(pmo, kpi, "2023-24-Q1", "70")
    kpis.published(pmo, kpi, "2022-23-Q2", "80")

    value = kpis.value(pmo, kpi, "2023-24-Q2", "72.50")

    assert value["kpi_code"] == "CS-01"
    assert value["period"] == {
        "code": "2023-24-Q2",
        "label": "2023/24 Q2",
        "start": "2023-07-01",
        "end": "2023-09-30",
    }
    assert (value["actual"], value["status"]) == ("72.5", "draft")
    assert value["entered_by_id"] == str(pmo.id)
    assert value["assessment"] == {
        "target": "72.5",
        "tolerance_percent": "5",
        "rag": "green",
        "previous_period": "2023-24-Q1",
        "previous_actual": "70.0",
        "direction_vs_previous": "improving",
        "change_vs_previous_percent": "3.6",
        "year_before_period": "2022-23-Q2",
        "year_before_actual": "80.0",
        "direction_vs_year_before": "worsening",
        "change_vs_year_before_percent": "-9.4",
    }
    actions = (
        session.execute(select(AuditEvent.action).where(AuditEvent.record_type == "kpi_value"))
        .scalars()
        .all()
    )
    assert actions.count("create") == 3


def test_a_second_value_for_the_same_period_is_409(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo)
    kpis.value(pmo, kpi, "2023-24-Q1", "50")
    response = kpis.client.post(
        f"{API}/kpis/{kpi['id']}/values",
        json={"period_code": "2023-24-Q1", "actual": "60"},
        headers=pmo.headers,
    )
    assert "2023/24 Q1" in problem(response, 409)["detail"]
    assert kpis.get(pmo, f"/kpis/{kpi['id']}/values")["total"] == 1


def test_a_period_of_another_frequency_is_422(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo)
    url = f"{API}/kpis/{kpi['id']}/values"
    for code in ("2023-04", "2023-24", "2023-24-Q5", "Q1 2023", "2023-25-Q1"):
        body = problem(
            kpis.client.post(url, json={"period_code": code, "actual": "1"}, headers=pmo.headers), 422
        )
        assert body["detail"]
    body = problem(
        kpis.client.post(url, json={"period_code": "2023-04", "actual": "1"}, headers=pmo.headers), 422
    )
    assert body["errors"][0]["location"] == ["body", "period_code"]
    assert "monthly" in body["detail"]
    monthly = kpis.kpi(pmo, frequency="monthly")
    assert kpis.value(pmo, monthly, "2023-04", "1")["period"]["label"] == "April 2023"
    annual = kpis.kpi(pmo, frequency="annual")
    assert kpis.value(pmo, annual, "2023-24", "1")["period"]["end"] == "2024-03-31"


def test_numbers_are_exact_and_checked(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo, decimal_places=1)
    url = f"{API}/kpis/{kpi['id']}/values"
    for actual in ("100.1", "-1", "72.55", 72.5, True, "1e3", "", None):
        problem(
            kpis.client.post(url, json={"period_code": "2023-24-Q1", "actual": actual}, headers=pmo.headers),
            422,
        )
    assert kpis.value(pmo, kpi, "2023-24-Q1", 100)["actual"] == "100.0"
    assert kpis.value(pmo, kpi, "2023-24-Q2", "0.1")["actual"] == "0.1"
    body = problem(
        kpis.client.post(url, json={"period_code": "2023-24-Q3", "actual": "101"}, headers=pmo.headers), 422
    )
    assert "percentage" in body["detail"]
    yes_no = kpis.kpi(pmo, unit="yes_no", decimal_places=0, polarity="higher_is_better")
    problem(
        kpis.client.post(
            f"{API}/kpis/{yes_no['id']}/values",
            json={"period_code": "2023-24-Q1", "actual": 2},
            headers=pmo.headers,
        ),
        422,
    )
    money = kpis.kpi(pmo, unit="money", decimal_places=2, polarity="lower_is_better")
    assert kpis.value(pmo, money, "2023-24-Q1", "-1234567.89")["actual"] == "-1234567.89"


def test_only_the_documented_ascii_forms_are_numbers(kpis: Kpis, pmo: Person, engine) -> None:
    """Decimal() takes whitespace, a trailing newline, Arabic-Indic and fullwidth digits, "-0"."""
    kpi = kpis.kpi(pmo, unit="money", decimal_places=2, polarity="lower_is_better")
    url = f"{API}/kpis/{kpi['id']}/values"
    for actual in (" 5", "5 ", "5\n", "\t5", "\u00a05", "\u0665", "\uff15", "1\u0660", "-0", "-0.00", "+5"):
        body = problem(
            kpis.client.post(url, json={"period_code": "2023-24-Q1", "actual": actual}, headers=pmo.headers),
            422,
        )
        assert body["errors"][0]["location"][-1] == "actual", (actual, body)
    target = {"period_code": "2023-24-Q1", "target": " 5"}
    problem(kpis.client.post(f"{API}/kpis/{kpi['id']}/targets", json=target, headers=pmo.headers), 422)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(KpiValue)).scalar_one() == 0
    assert kpis.value(pmo, kpi, "2023-24-Q1", "0")["actual"] == "0.00"
    assert kpis.value(pmo, kpi, "2023-24-Q2", "-5.25")["actual"] == "-5.25"


def test_no_target_means_no_rag_not_red(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo)
    value = kpis.value(pmo, kpi, "2023-24-Q1", "1")
    assert value["assessment"]["rag"] is None
    assert value["assessment"]["target"] is None


def test_no_polarity_means_no_rag_and_increasing_or_decreasing(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo, polarity="none", unit="number", decimal_places=0)
    kpis.published(pmo, kpi, "2023-24-Q1", "100")
    kpis.published(pmo, kpi, "2022-23-Q2", "300")
    kpis.target(pmo, kpi, "2023-24-Q2", "150")
    value = kpis.value(pmo, kpi, "2023-24-Q2", "200")["assessment"]
    assert value["rag"] is None
    assert (value["direction_vs_previous"], value["direction_vs_year_before"]) == ("increasing", "decreasing")
    assert (value["change_vs_previous_percent"], value["change_vs_year_before_percent"]) == ("100.0", "-33.3")


def test_amber_and_red_with_the_tolerance_used(kpis: Kpis, pmo: Person, admin: Person) -> None:
    kpi = kpis.kpi(pmo, polarity="lower_is_better", unit="number", decimal_places=0)
    kpis.target(pmo, kpi, "2023-24-Q1", "20")
    kpis.target(pmo, kpi, "2023-24-Q2", "20", tolerance_percent="20")
    amber = kpis.value(pmo, kpi, "2023-24-Q1", "21")["assessment"]
    assert (amber["rag"], amber["tolerance_percent"]) == ("amber", "5")
    red = kpis.value(pmo, kpi, "2023-24-Q2", "25")["assessment"]
    assert (red["rag"], red["tolerance_percent"]) == ("red", "20")
    kpis.patch(admin, "/organisation", {"kpi_tolerance_percent": "1"})
    now = kpis.get(pmo, "/kpi-values", kpi_id=kpi["id"], period_to="2023-24-Q1")["items"][0]["assessment"]
    assert (now["rag"], now["tolerance_percent"]) == ("red", "1")


def test_writes_move_the_feed_revision(kpis: Kpis, pmo: Person, session: Session) -> None:
    def revision() -> int:
        state = feed_state(session, pmo.organisation.id)
        result = state.revision if state else 0
        session.rollback()
        return result

    seen = [revision()]
    kpi = kpis.kpi(pmo)
    seen.append(revision())
    target = kpis.target(pmo, kpi, "2023-24-Q1", "1")
    seen.append(revision())
    kpis.patch(pmo, f"/kpi-targets/{target['id']}", {"target": "2"})
    seen.append(revision())
    value = kpis.value(pmo, kpi, "2023-24-Q1", "1")
    seen.append(revision())
    for step in ("submit", "verify", "publish"):
        kpis.step(pmo, value, step)
        seen.append(revision())
    kpis.patch(pmo, f"/kpi-values/{value['id']}", {"actual": "3", "reason": "late correction"})
    seen.append(revision())
    assert seen == sorted(set(seen)), seen


def test_lists_filter_and_page(
    kpis: Kpis, pmo: Person, project: dict[str, Any], programme: dict[str, Any]
) -> None:
    linked = kpis.kpi(pmo, project_id=project["id"], owner_id=str(pmo.id))
    other = kpis.kpi(pmo)
    kpis.published(pmo, linked, "2022-23-Q4", "1")
    kpis.value(pmo, linked, "2023-24-Q1", "2")
    submitted = kpis.step(pmo, kpis.value(pmo, other, "2023-24-Q2", "3"), "submit")

    def periods(**params: Any) -> list[str]:
        return [v["period"]["code"] for v in kpis.get(pmo, "/kpi-values", **params)["items"]]

    assert periods() == ["2022-23-Q4", "2023-24-Q1", "2023-24-Q2"]
    assert periods(sort="-period_start") == ["2023-24-Q2", "2023-24-Q1", "2022-23-Q4"]
    assert periods(status="submitted") == ["2023-24-Q2"]
    assert periods(kpi_id=linked["id"]) == ["2022-23-Q4", "2023-24-Q1"]
    assert periods(programme_id=programme["id"]) == ["2022-23-Q4", "2023-24-Q1"]
    assert periods(project_id=project["id"]) == ["2022-23-Q4", "2023-24-Q1"]
    assert periods(owner_id=str(pmo.id)) == ["2022-23-Q4", "2023-24-Q1"]
    assert periods(period_from="2023-24-Q1") == ["2023-24-Q1", "2023-24-Q2"]
    assert periods(period_from="2023-24", period_to="2023-06") == ["2023-24-Q1"]
    assert periods(period_to="2022-23") == ["2022-23-Q4"]
    assert (
        kpis.get(pmo, f"/kpis/{linked['id']}/values", status="draft")["items"][0]["period"]["code"]
        == "2023-24-Q1"
    )
    problem(kpis.client.get(f"{API}/kpi-values", params={"period_from": "soon"}, headers=pmo.headers), 422)
    page = kpis.get(pmo, "/kpi-values", limit=1, offset=2)
    assert (page["total"], page["items"][0]["id"]) == (3, submitted["id"])


def test_value_etag_and_304(kpis: Kpis, pmo: Person) -> None:
    value = kpis.value(pmo, kpis.kpi(pmo), "2023-24-Q1", "1")
    first = kpis.client.get(f"{API}/kpi-values/{value['id']}", headers=pmo.headers)
    again = kpis.client.get(
        f"{API}/kpi-values/{value['id']}", headers={**pmo.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
