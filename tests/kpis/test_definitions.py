"""KPI definitions: fields and their checks, uniqueness, links, retiring, filters, who may."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from pmo.audit.models import AuditEvent
from pmo.core.permissions import Role
from pmo.kpis.feed_state import feed_state
from support.api import API, problem

from .kpi_helpers import Kpis

Person = Any


def test_create_and_read_a_definition(
    kpis: Kpis, pmo: Person, project: dict[str, Any], session: Session
) -> None:
    created = kpis.kpi(
        pmo,
        code="ICT-01",
        name="Major ICT incidents per quarter",
        unit="number",
        polarity="lower_is_better",
        decimal_places=0,
        owner_id=str(pmo.id),
        project_id=project["id"],
        data_source="ICT service desk",
        baseline_value="12",
        baseline_period="2021-22-Q4",
        tolerance_percent="10",
    )

    assert created["status"] == "active"
    assert created["baseline_value"] == "12"
    assert created["baseline_period"] == {
        "code": "2021-22-Q4",
        "label": "2021/22 Q4",
        "start": "2022-01-01",
        "end": "2022-03-31",
    }
    assert created["tolerance_percent"] == "10"
    read = kpis.get(pmo, f"/kpis/{created['id']}")
    assert read == created
    events = session.execute(select(AuditEvent).where(AuditEvent.record_type == "kpi")).scalars().all()
    assert [e.action for e in events] == ["create"]
    state = feed_state(session, pmo.organisation.id)
    assert state is not None
    assert state.revision >= 1


def test_code_is_unique_in_the_organisation_but_not_across(
    kpis: Kpis, pmo: Person, factory: Any, other_org: Any
) -> None:
    kpis.kpi(pmo, code="CS-01")
    assert (
        "CS-01"
        in problem(kpis.client.post(f"{API}/kpis", json=_body(code="cs-01"), headers=pmo.headers), 409)[
            "detail"
        ]
    )
    other_pmo = factory.person(other_org, Role.pmo)
    kpis.kpi(other_pmo, code="CS-01")


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "code": "X-1",
        "name": "A KPI",
        "unit": "number",
        "polarity": "none",
        "frequency": "monthly",
        **fields,
    }


def test_bad_fields_are_422(kpis: Kpis, pmo: Person) -> None:
    for fields in (
        {"unit": "furlongs"},
        {"polarity": "up"},
        {"frequency": "weekly"},
        {"decimal_places": 7},
        {"decimal_places": -1},
        {"code": "has space"},
        {"tolerance_percent": "101"},
        {"tolerance_percent": 5.5},
        {"baseline_value": "3", "baseline_period": "2022-23-Q1"},  # a quarter for a monthly KPI
        {"baseline_value": "3"},  # without its period
        {"baseline_value": "3.5", "baseline_period": "2022-04"},  # more places than 0
        {"baseline_value": 3.0, "baseline_period": "2022-04"},  # a JSON number with a fraction
        {"unit": "percentage", "baseline_value": "101", "baseline_period": "2022-04"},
    ):
        response = kpis.client.post(f"{API}/kpis", json=_body(**fields), headers=pmo.headers)
        problem(response, 422)
    assert kpis.get(pmo, "/kpis")["total"] == 0


def test_baseline_period_error_says_which_kind(kpis: Kpis, pmo: Person) -> None:
    response = kpis.client.post(
        f"{API}/kpis", json=_body(baseline_value="3", baseline_period="2022-23-Q1"), headers=pmo.headers
    )
    body = problem(response, 422)
    assert "quarterly" in body["detail"]
    assert "monthly" in body["detail"]
    assert body["errors"][0]["location"] == ["body", "baseline_period"]


def test_links_must_be_of_the_organisation(
    kpis: Kpis, pmo: Person, project: dict[str, Any], programme: dict[str, Any], factory: Any, other_org: Any
) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    other_programme = kpis.programme(other_pmo)
    other_project = kpis.project(other_pmo, other_programme)
    for fields in (
        {"programme_id": other_programme["id"]},
        {"project_id": other_project["id"]},
        {"owner_id": str(other_pmo.id)},
    ):
        problem(kpis.client.post(f"{API}/kpis", json=_body(**fields), headers=pmo.headers), 404)
    both = _body(programme_id=programme["id"], project_id=project["id"])
    problem(kpis.client.post(f"{API}/kpis", json=both, headers=pmo.headers), 422)


def test_another_organisations_kpi_is_404(kpis: Kpis, pmo: Person, factory: Any, other_org: Any) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    theirs = kpis.kpi(other_pmo)
    for method, path in (
        ("GET", f"/kpis/{theirs['id']}"),
        ("POST", f"/kpis/{theirs['id']}/retire"),
        ("GET", f"/kpis/{theirs['id']}/targets"),
        ("GET", f"/kpis/{theirs['id']}/values"),
    ):
        problem(kpis.client.request(method, f"{API}{path}", headers=pmo.headers), 404)
    response = kpis.client.patch(
        f"{API}/kpis/{theirs['id']}", json={"name": "Mine"}, headers={**pmo.headers, "If-Match": "*"}
    )
    problem(response, 404)
    assert kpis.get(pmo, "/kpis")["total"] == 0


def test_only_pmo_manages_definitions_everyone_reads(
    kpis: Kpis, pmo: Person, viewer: Person, manager: Person, admin: Person
) -> None:
    kpi = kpis.kpi(pmo)
    for who in (viewer, manager, admin):
        problem(kpis.client.post(f"{API}/kpis", json=_body(), headers=who.headers), 403)
        problem(kpis.patch(who, f"/kpis/{kpi['id']}", {"name": "Changed"}), 403)
        problem(kpis.client.post(f"{API}/kpis/{kpi['id']}/retire", headers=who.headers), 403)
        assert kpis.get(who, f"/kpis/{kpi['id']}")["id"] == kpi["id"]


def test_api_client_with_kpis_read_reads_definitions(kpis: Kpis, pmo: Person, admin: Person) -> None:
    kpi = kpis.kpi(pmo)
    reader = kpis.api_client_headers(admin, ["kpis:read"])
    assert kpis.get(reader, "/kpis")["items"][0]["id"] == kpi["id"]
    problem(kpis.client.post(f"{API}/kpis", json=_body(), headers=reader.headers), 403)
    portfolio_only = kpis.api_client_headers(admin, ["portfolio:read"])
    problem(kpis.client.get(f"{API}/kpis", headers=portfolio_only.headers), 403)


def test_update_needs_if_match_and_checks(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo, code="A-1")
    kpis.kpi(pmo, code="B-1")
    url = f"{API}/kpis/{kpi['id']}"
    problem(kpis.client.patch(url, json={"name": "x"}, headers=pmo.headers), 428)
    problem(kpis.client.patch(url, json={"name": "x"}, headers={**pmo.headers, "If-Match": '"stale"'}), 412)
    problem(kpis.patch(pmo, f"/kpis/{kpi['id']}", {"code": "B-1"}), 409)
    changed = kpis.patch(pmo, f"/kpis/{kpi['id']}", {"name": "Renamed", "tolerance_percent": "2.5"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["tolerance_percent"]) == ("Renamed", "2.5")
    cleared = kpis.patch(pmo, f"/kpis/{kpi['id']}", {"tolerance_percent": None})
    assert cleared.json()["tolerance_percent"] is None


def test_frequency_and_unit_are_fixed_once_there_are_values(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo, decimal_places=2)
    path = f"/kpis/{kpi['id']}"
    assert kpis.patch(pmo, path, {"frequency": "monthly"}).status_code == 200
    assert kpis.patch(pmo, path, {"frequency": "quarterly"}).status_code == 200
    kpis.value(pmo, kpi, "2023-24-Q1", "50")
    problem(kpis.patch(pmo, path, {"frequency": "monthly"}), 409)
    problem(kpis.patch(pmo, path, {"unit": "number"}), 409)
    problem(kpis.patch(pmo, path, {"decimal_places": 1}), 409)
    assert kpis.patch(pmo, path, {"decimal_places": 3}).status_code == 200
    assert kpis.patch(pmo, path, {"unit": "percentage", "name": "Same unit"}).status_code == 200


def test_retire_and_reinstate(kpis: Kpis, pmo: Person) -> None:
    kpi = kpis.kpi(pmo)
    value = kpis.value(pmo, kpi, "2023-24-Q1", "50")
    retired = kpis.post(pmo, f"/kpis/{kpi['id']}/retire", status=200)
    assert retired["status"] == "retired"
    assert retired["retired_at"] is not None
    problem(kpis.client.post(f"{API}/kpis/{kpi['id']}/retire", headers=pmo.headers), 409)
    # History stays; no new values.
    assert kpis.get(pmo, f"/kpi-values/{value['id']}")["id"] == value["id"]
    problem(
        kpis.client.post(
            f"{API}/kpis/{kpi['id']}/values",
            json={"period_code": "2023-24-Q2", "actual": "1"},
            headers=pmo.headers,
        ),
        409,
    )
    reinstated = kpis.post(pmo, f"/kpis/{kpi['id']}/reinstate", status=200)
    assert (reinstated["status"], reinstated["retired_at"]) == ("active", None)
    kpis.value(pmo, kpi, "2023-24-Q2", "1")


def test_list_filters_and_sort(
    kpis: Kpis, pmo: Person, project: dict[str, Any], programme: dict[str, Any]
) -> None:
    a = kpis.kpi(pmo, code="A-1", name="Cloud hosting share", project_id=project["id"], owner_id=str(pmo.id))
    b = kpis.kpi(pmo, code="B-1", name="Incidents", programme_id=programme["id"], frequency="monthly")
    c = kpis.kpi(pmo, code="C-1", name="Satisfaction", frequency="annual")
    kpis.post(pmo, f"/kpis/{c['id']}/retire", status=200)

    def codes(**params: Any) -> list[str]:
        return [k["code"] for k in kpis.get(pmo, "/kpis", **params)["items"]]

    assert codes() == ["A-1", "B-1", "C-1"]
    assert codes(sort="-code") == ["C-1", "B-1", "A-1"]
    assert codes(code="b-1") == ["B-1"]
    assert codes(project_id=project["id"]) == ["A-1"]
    assert codes(programme_id=programme["id"]) == ["B-1"]
    assert codes(owner_id=str(pmo.id)) == ["A-1"]
    assert codes(status="retired") == ["C-1"]
    assert codes(frequency="monthly") == ["B-1"]
    assert codes(q="CLOUD") == ["A-1"]
    page = kpis.get(pmo, "/kpis", limit=1, offset=1)
    assert (page["total"], [k["id"] for k in page["items"]]) == (3, [b["id"]])
    assert a["id"] != b["id"]
    problem(kpis.client.get(f"{API}/kpis", params={"status": "gone"}, headers=pmo.headers), 422)


def test_create_is_idempotent(kpis: Kpis, pmo: Person) -> None:
    headers = {**pmo.headers, "Idempotency-Key": "kpi-1"}
    first = kpis.client.post(f"{API}/kpis", json=_body(), headers=headers)
    again = kpis.client.post(f"{API}/kpis", json=_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]


def test_organisation_tolerance_setting(kpis: Kpis, admin: Person, pmo: Person, session: Session) -> None:
    organisation = kpis.get(admin, "/organisation")
    assert organisation["kpi_tolerance_percent"] == "5"
    state = feed_state(session, admin.organisation.id)
    before = state.revision if state else 0
    session.rollback()  # no transaction left open across a request (SQLite)
    changed = kpis.patch(admin, "/organisation", {"kpi_tolerance_percent": "7.5"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["kpi_tolerance_percent"] == "7.5"
    state = feed_state(session, admin.organisation.id)
    assert state is not None
    after = state.revision
    session.rollback()
    assert after > before
    for bad in ("101", "-1", 7.5, "abc"):
        problem(kpis.patch(admin, "/organisation", {"kpi_tolerance_percent": bad}), 422)
    problem(kpis.patch(pmo, "/organisation", {"kpi_tolerance_percent": "3"}, reader=admin), 403)
