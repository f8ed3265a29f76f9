"""The benefits register: references, profiles (create, replace), the rules of classes and the
MTFP flag, bad values, KPI links, who may change which, other organisations, audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from pmo.audit.models import AuditEvent
from pmo.core.permissions import Role
from pmo.finance.models import Benefit, BenefitProfileEntry
from support.api import API, problem

from . import costs_benefits_helpers as helpers
from .costs_benefits_helpers import CostsApi

Person = Any

TELEPHONY = [
    {"financial_year": "2023/24", "planned": "44000.00", "forecast": "44000.00", "actual": None},
    {"financial_year": "2022/23", "planned": "44000.00", "forecast": "40000.50", "actual": "39999.99"},
    {"financial_year": "2024/25", "planned": "44000.00"},
    {"financial_year": "2025/26", "planned": "44000.00"},
]


def _rows(engine: Any, model: Any) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_create_with_profile_read_replace_delete(
    api: CostsApi, pmo: Person, project: dict[str, Any], client, engine, org
) -> None:
    kpi = helpers.kpi(engine, org)
    benefit = api.benefit(
        pmo,
        project_id=project["id"],
        title="Lower telephony costs",
        owner_id=str(pmo.id),
        kpi_id=str(kpi.id),
        baseline="£176,000 a year on the old contract (2021/22)",
        in_mtfp=False,
        status="planned",
        profile=TELEPHONY,
    )
    assert benefit["reference"] == "B-0001"
    assert (benefit["category"], benefit["benefit_class"], benefit["kpi_id"]) == (
        "financial",
        "cashable",
        str(kpi.id),
    )
    # Earliest year first; missing values are null.
    assert [e["financial_year"] for e in benefit["profile"]] == ["2022/23", "2023/24", "2024/25", "2025/26"]
    assert benefit["profile"][0] == {
        "financial_year": "2022/23",
        "planned": "44000.00",
        "forecast": "40000.50",
        "actual": "39999.99",
    }
    assert benefit["profile"][2]["forecast"] is None
    assert benefit["totals"] == {"planned": "176000.00", "forecast": "84000.50", "actual": "39999.99"}
    url = f"{API}/benefits/{benefit['id']}"
    read = client.get(url, headers=pmo.headers)
    assert read.json() == benefit
    assert client.get(url, headers={**pmo.headers, "If-None-Match": read.headers["ETag"]}).status_code == 304
    # The profile is replaced whole, with the benefit's ETag.
    new_profile = [{"financial_year": "2023/24", "planned": "0.00", "forecast": "12.34"}]
    put = client.put(f"{url}/profile", json={"profile": new_profile}, headers=pmo.headers)
    problem(put, 428)
    stale = client.put(
        f"{url}/profile", json={"profile": new_profile}, headers={**pmo.headers, "If-Match": '"x"'}
    )
    problem(stale, 412)
    replaced = api.put_profile(pmo, benefit["id"], new_profile)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["profile"] == [
        {"financial_year": "2023/24", "planned": "0.00", "forecast": "12.34", "actual": None}
    ]
    assert replaced.headers["ETag"] != read.headers["ETag"]
    # The old tag no longer fits.
    problem(
        client.put(
            f"{url}/profile", json={"profile": []}, headers={**pmo.headers, "If-Match": read.headers["ETag"]}
        ),
        412,
    )
    changed = api.patch(
        pmo, f"/benefits/{benefit['id']}", {"status": "realising", "kpi_id": None, "in_mtfp": True}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["kpi_id"], changed.json()["in_mtfp"]) == (
        "realising",
        None,
        True,
    )
    assert client.delete(url, headers=pmo.headers).status_code == 204
    problem(client.get(url, headers=pmo.headers), 404)
    assert _rows(engine, BenefitProfileEntry) == 0
    with Session(engine) as session:
        events = list(
            session.execute(
                select(AuditEvent).where(AuditEvent.record_type == "benefit").order_by(AuditEvent.seq)
            ).scalars()
        )
    assert [e.action for e in events] == ["create", "profile", "update", "delete"]
    # The profile is in the audit trail's snapshots.
    assert events[1].before is not None
    assert len(events[1].before["profile"]) == 4
    assert events[1].after is not None
    assert events[1].after["profile"][0]["forecast"] == "12.34"


def test_references_count_up(api: CostsApi, pmo: Person, project: dict[str, Any]) -> None:
    refs = [api.benefit(pmo, project_id=project["id"])["reference"] for _ in range(3)]
    assert refs == ["B-0001", "B-0002", "B-0003"]


def test_bad_values_are_422_and_change_nothing(
    api: CostsApi, pmo: Person, project: dict[str, Any], client, engine
) -> None:
    base = {
        "project_id": project["id"],
        "title": "Saving",
        "category": "financial",
        "benefit_class": "cashable",
    }
    for value in ("-1.00", "1.001", "abc", 44000.0, 44000, True):
        body = {**base, "profile": [{"financial_year": "2022/23", "planned": value}]}
        response = problem(client.post(f"{API}/benefits", json=body, headers=pmo.headers), 422)
        assert response["errors"][0]["location"][-1] == "planned", (value, response)
    repeated = {
        **base,
        "profile": [{"financial_year": "2022/23"}, {"financial_year": "2022/23", "planned": "1.00"}],
    }
    assert problem(client.post(f"{API}/benefits", json=repeated, headers=pmo.headers), 422)["errors"][0][
        "location"
    ] == ["body", "profile", 1, "financial_year"]
    for field, value in (("category", "happiness"), ("benefit_class", "cash"), ("status", "done")):
        problem(client.post(f"{API}/benefits", json={**base, field: value}, headers=pmo.headers), 422)
    # Only a cashable benefit is "already in the MTFP".
    mtfp = {**base, "benefit_class": "non_cashable", "in_mtfp": True}
    problem(client.post(f"{API}/benefits", json=mtfp, headers=pmo.headers), 422)
    # A qualitative benefit has no money.
    qualitative = {
        **base,
        "benefit_class": "qualitative",
        "category": "cultural",
        "profile": [{"financial_year": "2022/23", "forecast": "10.00"}],
    }
    problem(client.post(f"{API}/benefits", json=qualitative, headers=pmo.headers), 422)
    assert _rows(engine, Benefit) == 0
    assert _rows(engine, BenefitProfileEntry) == 0


def test_class_rules_on_change(api: CostsApi, pmo: Person, project: dict[str, Any], client) -> None:
    # A qualitative benefit may list years without values (when it is expected), not money.
    story = api.benefit(
        pmo,
        project_id=project["id"],
        benefit_class="qualitative",
        category="customer",
        profile=[{"financial_year": "2023/24"}],
    )
    problem(api.put_profile(pmo, story["id"], [{"financial_year": "2023/24", "planned": "1.00"}]), 422)
    problem(api.patch(pmo, f"/benefits/{story['id']}", {"in_mtfp": True}), 422)
    saving = api.benefit(
        pmo,
        project_id=project["id"],
        in_mtfp=True,
        profile=[{"financial_year": "2022/23", "planned": "5.00"}],
    )
    # A benefit with values cannot become qualitative; one in the MTFP cannot stop being cashable.
    problem(
        api.patch(pmo, f"/benefits/{saving['id']}", {"benefit_class": "qualitative", "in_mtfp": False}), 422
    )
    problem(api.patch(pmo, f"/benefits/{saving['id']}", {"benefit_class": "non_cashable"}), 422)
    ok = api.patch(pmo, f"/benefits/{saving['id']}", {"benefit_class": "non_cashable", "in_mtfp": False})
    assert ok.status_code == 200, ok.text
    # A dis-benefit's value is its cost, a positive amount.
    cost = api.benefit(
        pmo,
        project_id=project["id"],
        benefit_class="dis_benefit",
        category="customer",
        profile=[{"financial_year": "2022/23", "planned": "1200.00"}],
    )
    assert cost["totals"]["planned"] == "1200.00"


def test_filters_and_sorting(
    api: CostsApi, pmo: Person, programme: dict[str, Any], project: dict[str, Any], engine, org
) -> None:
    kpi = helpers.kpi(engine, org)
    api.benefit(pmo, project_id=project["id"], title="Alpha", in_mtfp=True, kpi_id=str(kpi.id))
    api.benefit(pmo, project_id=project["id"], title="Beta", benefit_class="qualitative", category="cultural")
    api.benefit(
        pmo, programme_id=programme["id"], title="Gamma", benefit_class="non_cashable", owner_id=str(pmo.id)
    )
    api.benefit(pmo, programme_id=api.programme(pmo)["id"], title="Elsewhere")
    assert api.get(pmo, "/benefits", programme_id=programme["id"])["total"] == 3
    assert api.get(pmo, "/benefits", project_id=project["id"])["total"] == 2
    assert [b["title"] for b in api.get(pmo, "/benefits", in_mtfp=True)["items"]] == ["Alpha"]
    assert [b["title"] for b in api.get(pmo, "/benefits", benefit_class="qualitative")["items"]] == ["Beta"]
    assert [b["title"] for b in api.get(pmo, "/benefits", category="cultural")["items"]] == ["Beta"]
    assert [b["title"] for b in api.get(pmo, "/benefits", owner_id=str(pmo.id))["items"]] == ["Gamma"]
    assert [b["title"] for b in api.get(pmo, "/benefits", kpi_id=str(kpi.id))["items"]] == ["Alpha"]
    assert [b["title"] for b in api.get(pmo, "/benefits", q="gam")["items"]] == ["Gamma"]
    assert [b["title"] for b in api.get(pmo, "/benefits", sort="-title")["items"]] == [
        "Gamma",
        "Elsewhere",
        "Beta",
        "Alpha",
    ]


def test_who_may_change_which_benefits(
    api: CostsApi,
    pmo: Person,
    finance: Person,
    manager: Person,
    programme: dict[str, Any],
    project: dict[str, Any],
    client,
    factory,
    org,
) -> None:
    viewer = factory.person(org, Role.viewer)
    democratic = factory.person(org, Role.democratic_services)
    benefit = api.benefit(pmo, project_id=project["id"])
    for reader in (viewer, democratic, manager, finance):
        assert client.get(f"{API}/benefits/{benefit['id']}", headers=reader.headers).status_code == 200
        assert client.get(f"{API}/benefits", headers=reader.headers).status_code == 200
    for reader in (viewer, democratic):
        api.benefit(reader, project_id=project["id"], expect=403)
        problem(api.put_profile(reader, benefit["id"], []), 403)
        problem(client.delete(f"{API}/benefits/{benefit['id']}", headers=reader.headers), 403)
    # The project manager: their project's benefits, not another's or the programme's.
    assert (
        api.put_profile(
            manager, benefit["id"], [{"financial_year": "2022/23", "planned": "1.00"}]
        ).status_code
        == 200
    )
    other = api.project(pmo, programme)
    api.benefit(manager, project_id=other["id"], expect=403)
    api.benefit(manager, programme_id=programme["id"], expect=403)
    programme_benefit = api.benefit(finance, programme_id=programme["id"])
    problem(api.patch(manager, f"/benefits/{programme_benefit['id']}", {"title": "Mine now"}), 403)
    assert (
        api.patch(finance, f"/benefits/{benefit['id']}", {"title": "Checked by finance"}).status_code == 200
    )


def test_other_organisations_records_are_404(
    api: CostsApi, pmo: Person, project: dict[str, Any], client, engine, other_org, factory
) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    their_kpi = helpers.kpi(engine, other_org, "THEIRS-1")
    base = {
        "project_id": project["id"],
        "title": "Saving",
        "category": "financial",
        "benefit_class": "cashable",
    }
    problem(
        client.post(f"{API}/benefits", json={**base, "kpi_id": str(their_kpi.id)}, headers=pmo.headers), 404
    )
    problem(
        client.post(f"{API}/benefits", json={**base, "owner_id": str(other_pmo.id)}, headers=pmo.headers), 404
    )
    problem(client.post(f"{API}/benefits", json=base, headers=other_pmo.headers), 404)
    benefit = api.benefit(pmo, project_id=project["id"])
    url = f"{API}/benefits/{benefit['id']}"
    problem(client.get(url, headers=other_pmo.headers), 404)
    problem(client.patch(url, json={"title": "x"}, headers={**other_pmo.headers, "If-Match": "*"}), 404)
    problem(
        client.put(f"{url}/profile", json={"profile": []}, headers={**other_pmo.headers, "If-Match": "*"}),
        404,
    )
    problem(client.delete(url, headers=other_pmo.headers), 404)
    problem(api.patch(pmo, f"/benefits/{benefit['id']}", {"kpi_id": str(their_kpi.id)}), 404)
    assert api.get(other_pmo, "/benefits")["total"] == 0
