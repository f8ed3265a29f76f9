"""Cost lines: one-off and resourcing lines of a programme or project, exact totals, bad
amounts, who may change which, other organisations, audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from pmo.audit.models import AuditEvent
from pmo.core.money import pence_from_text
from pmo.core.permissions import Role
from pmo.finance.models import CostLine
from support.api import API, problem

from . import costs_benefits_helpers as helpers
from .costs_benefits_helpers import CostsApi

Person = Any


# Python's int(), Decimal() and regex \d take these; the API's amounts are ASCII only.
NOT_ASCII = (
    " 10.00",
    "10.00 ",
    "10.00\n",
    "\t10.00",
    "\u00a010.00",
    "\u0661\u0660.\u0660\u0660",  # Arabic-Indic digits
    "\uff11\uff10.\uff10\uff10",  # fullwidth digits
    "1\u0660.00",
)


def test_the_money_parser_takes_only_ascii_pounds() -> None:
    assert pence_from_text("50000.00") == 5_000_000
    assert pence_from_text("-1200.5") == -120_050
    assert pence_from_text("0.00") == 0
    for text in (*NOT_ASCII, "-0", "-0.00", "+5.00", "5.", ".5"):
        with pytest.raises(ValueError, match=r"pounds|negative zero"):
            pence_from_text(text)


def _count(engine: Any) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(CostLine)).scalar_one())


def test_create_read_update_delete(
    api: CostsApi, pmo: Person, project: dict[str, Any], client, engine, org
) -> None:
    source = helpers.funding_source(engine, org)
    line = api.cost_line(
        pmo,
        project_id=project["id"],
        kind="resourcing",
        description="Business Analyst x 2",
        grade="Grade 12",
        amount="79148.00",
        financial_year="2022/23",
        funding_source_id=str(source.id),
    )
    assert (line["kind"], line["grade"], line["amount"], line["financial_year"]) == (
        "resourcing",
        "Grade 12",
        "79148.00",
        "2022/23",
    )
    assert (line["project_id"], line["programme_id"], line["funding_source_id"]) == (
        project["id"],
        None,
        str(source.id),
    )
    url = f"{API}/cost-lines/{line['id']}"
    read = client.get(url, headers=pmo.headers)
    assert read.status_code == 200
    assert read.json() == line
    assert client.get(url, headers={**pmo.headers, "If-None-Match": read.headers["ETag"]}).status_code == 304
    # PATCH needs the current tag.
    problem(client.patch(url, json={"amount": "80000.00"}, headers=pmo.headers), 428)
    problem(
        client.patch(url, json={"amount": "80000.00"}, headers={**pmo.headers, "If-Match": '"stale"'}), 412
    )
    changed = api.patch(pmo, f"/cost-lines/{line['id']}", {"amount": "80000.50", "funding_source_id": None})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["amount"], changed.json()["funding_source_id"]) == ("80000.50", None)
    assert client.delete(url, headers=pmo.headers).status_code == 204
    problem(client.get(url, headers=pmo.headers), 404)
    with Session(engine) as session:
        actions = session.execute(
            select(AuditEvent.action).where(AuditEvent.record_type == "cost_line").order_by(AuditEvent.seq)
        ).scalars()
        assert list(actions) == ["create", "update", "delete"]


def test_bad_amounts_are_422_and_change_nothing(
    api: CostsApi, pmo: Person, project: dict[str, Any], client, engine
) -> None:
    base = {
        "project_id": project["id"],
        "kind": "one_off",
        "description": "Hardware",
        "financial_year": "2022/23",
    }
    for amount in (
        "-10.00",
        "0",
        "0.00",
        "10.001",
        "ten pounds",
        "",
        "1e5",
        12.5,
        100,
        None,
        True,
        *NOT_ASCII,
    ):
        body = problem(
            client.post(f"{API}/cost-lines", json={**base, "amount": amount}, headers=pmo.headers), 422
        )
        assert body["errors"][0]["location"][-1] == "amount", (amount, body)
    for year in ("2022/24", "22/23", "2022", "2022/2023"):
        problem(
            client.post(
                f"{API}/cost-lines",
                json={**base, "amount": "1.00", "financial_year": year},
                headers=pmo.headers,
            ),
            422,
        )
    assert _count(engine) == 0
    line = api.cost_line(pmo, project_id=project["id"])
    problem(api.patch(pmo, f"/cost-lines/{line['id']}", {"amount": 5.0}), 422)
    problem(api.patch(pmo, f"/cost-lines/{line['id']}", {"amount": "0.00"}), 422)
    assert api.get(pmo, f"/cost-lines/{line['id']}")["amount"] == "1000.00"


def test_exactly_one_holder_and_grade_only_for_posts(
    api: CostsApi, pmo: Person, programme: dict[str, Any], project: dict[str, Any], client
) -> None:
    base = {"kind": "one_off", "description": "Licences", "amount": "10.00", "financial_year": "2023/24"}
    problem(client.post(f"{API}/cost-lines", json=base, headers=pmo.headers), 422)
    both = {**base, "project_id": project["id"], "programme_id": programme["id"]}
    problem(client.post(f"{API}/cost-lines", json=both, headers=pmo.headers), 422)
    graded = {**base, "project_id": project["id"], "grade": "Grade 9"}
    assert problem(client.post(f"{API}/cost-lines", json=graded, headers=pmo.headers), 422)["errors"][0][
        "location"
    ] == ["body", "grade"]
    post = api.cost_line(pmo, programme_id=programme["id"], kind="resourcing", grade="Grade 14")
    # A post becoming an item must lose its grade.
    problem(api.patch(pmo, f"/cost-lines/{post['id']}", {"kind": "one_off"}), 422)
    assert api.patch(pmo, f"/cost-lines/{post['id']}", {"kind": "one_off", "grade": None}).status_code == 200


def test_filters_and_exact_totals(
    api: CostsApi, pmo: Person, programme: dict[str, Any], project: dict[str, Any], engine, org
) -> None:
    source = helpers.funding_source(engine, org, "Service Redesign Reserve")
    other_project = api.project(pmo, programme)
    # Awkward pence: thirds of a pound and single pennies, which floats would not add exactly.
    for amount in ("33.33", "33.33", "33.34", "0.01", "0.10", "0.20"):
        api.cost_line(pmo, project_id=project["id"], amount=amount, funding_source_id=str(source.id))
    api.cost_line(
        pmo, project_id=other_project["id"], kind="resourcing", amount="51322.00", financial_year="2023/24"
    )
    api.cost_line(
        pmo, programme_id=programme["id"], kind="resourcing", amount="26937.99", financial_year="2023/24"
    )
    elsewhere = api.programme(pmo)
    api.cost_line(pmo, programme_id=elsewhere["id"], amount="999.99")

    everything = api.get(pmo, "/cost-lines/totals", programme_id=programme["id"])
    assert (everything["count"], everything["total"]) == (8, "78360.30")
    assert everything["by_financial_year"] == [
        {"financial_year": "2022/23", "amount": "100.31"},
        {"financial_year": "2023/24", "amount": "78259.99"},
    ]
    assert everything["by_kind"] == [
        {"kind": "one_off", "amount": "100.31"},
        {"kind": "resourcing", "amount": "78259.99"},
    ]
    assert everything["by_funding_source"] == [
        {
            "funding_source_id": str(source.id),
            "funding_source_name": "Service Redesign Reserve",
            "amount": "100.31",
        },
        {"funding_source_id": None, "funding_source_name": None, "amount": "78259.99"},
    ]
    # The list gives the same lines, and their sum is the total to the penny.
    page = api.get(pmo, "/cost-lines", programme_id=programme["id"], limit=200)
    assert page["total"] == 8
    assert sum(int(line["amount"].replace(".", "")) for line in page["items"]) == 7836030
    assert api.get(pmo, "/cost-lines", project_id=project["id"])["total"] == 6
    assert api.get(pmo, "/cost-lines", programme_id=programme["id"], kind="resourcing")["total"] == 2
    assert api.get(pmo, "/cost-lines", financial_year="2023/24")["total"] == 2
    assert api.get(pmo, "/cost-lines", funding_source_id=str(source.id))["total"] == 6
    ordered = api.get(pmo, "/cost-lines", programme_id=programme["id"], sort="-amount")["items"]
    assert ordered[0]["amount"] == "51322.00"
    assert api.get(pmo, "/cost-lines/totals", project_id=project["id"], kind="resourcing") == {
        "count": 0,
        "total": "0.00",
        "by_financial_year": [],
        "by_kind": [],
        "by_funding_source": [],
    }


def test_who_may_change_which_lines(
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
    member = factory.person(org, Role.member)
    # Everyone on the staff reads.
    line = api.cost_line(pmo, project_id=project["id"])
    for reader in (viewer, member, manager, finance):
        assert client.get(f"{API}/cost-lines/{line['id']}", headers=reader.headers).status_code == 200
        assert client.get(f"{API}/cost-lines/totals", headers=reader.headers).status_code == 200
    # Readers without costs_benefits:edit cannot write.
    for reader in (viewer, member):
        problem(
            client.post(
                f"{API}/cost-lines",
                json={
                    "project_id": project["id"],
                    "kind": "one_off",
                    "description": "x",
                    "amount": "1.00",
                    "financial_year": "2022/23",
                },
                headers=reader.headers,
            ),
            403,
        )
        problem(client.delete(f"{API}/cost-lines/{line['id']}", headers=reader.headers), 403)
    # A project manager: their own project's lines only; never the programme's.
    mine = api.cost_line(manager, project_id=project["id"])
    assert api.patch(manager, f"/cost-lines/{mine['id']}", {"amount": "2.00"}).status_code == 200
    not_mine = api.project(pmo, programme)
    api.cost_line(manager, project_id=not_mine["id"], expect=403)
    api.cost_line(manager, programme_id=programme["id"], expect=403)
    theirs = api.cost_line(pmo, project_id=not_mine["id"])
    problem(api.patch(manager, f"/cost-lines/{theirs['id']}", {"amount": "2.00"}), 403)
    problem(client.delete(f"{API}/cost-lines/{theirs['id']}", headers=manager.headers), 403)
    # Finance and the PMO: any, the programme's too.
    programme_line = api.cost_line(finance, programme_id=programme["id"], kind="resourcing", grade="Grade 14")
    assert api.patch(finance, f"/cost-lines/{theirs['id']}", {"amount": "3.00"}).status_code == 200
    problem(api.patch(manager, f"/cost-lines/{programme_line['id']}", {"amount": "2.00"}), 403)


def test_sponsor_changes_lines_of_their_directorate(
    api: CostsApi, pmo: Person, programme: dict[str, Any], engine, factory, org
) -> None:
    housing = factory.directorate(org, "Housing")
    sponsor, directorate_id = factory.scoped(org, Role.sponsor, housing), str(housing.id)
    ours = api.project(pmo, programme, lead_directorate_id=directorate_id)
    theirs = api.project(pmo, programme)
    api.cost_line(sponsor, project_id=ours["id"])
    api.cost_line(sponsor, project_id=theirs["id"], expect=403)
    api.cost_line(sponsor, programme_id=programme["id"], expect=403)


def test_other_organisations_records_are_404(
    api: CostsApi, pmo: Person, project: dict[str, Any], client, engine, other_org, factory
) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    their_source = helpers.funding_source(engine, other_org, "Their reserve")
    body = {
        "project_id": project["id"],
        "kind": "one_off",
        "description": "x",
        "amount": "1.00",
        "financial_year": "2022/23",
    }
    problem(
        client.post(
            f"{API}/cost-lines", json={**body, "funding_source_id": str(their_source.id)}, headers=pmo.headers
        ),
        404,
    )
    # Their PMO cannot put lines on our project, nor see ours.
    problem(client.post(f"{API}/cost-lines", json=body, headers=other_pmo.headers), 404)
    line = api.cost_line(pmo, project_id=project["id"])
    problem(client.get(f"{API}/cost-lines/{line['id']}", headers=other_pmo.headers), 404)
    problem(
        client.patch(
            f"{API}/cost-lines/{line['id']}",
            json={"amount": "2.00"},
            headers={**other_pmo.headers, "If-Match": "*"},
        ),
        404,
    )
    problem(client.delete(f"{API}/cost-lines/{line['id']}", headers=other_pmo.headers), 404)
    problem(api.patch(pmo, f"/cost-lines/{line['id']}", {"funding_source_id": str(their_source.id)}), 404)
    assert api.get(other_pmo, "/cost-lines")["total"] == 0
    assert api.get(other_pmo, "/cost-lines/totals")["total"] == "0.00"


def test_idempotent_create(pmo: Person, project: dict[str, Any], client, engine) -> None:
    body = {
        "project_id": project["id"],
        "kind": "one_off",
        "description": "x",
        "amount": "1.00",
        "financial_year": "2022/23",
    }
    headers = {**pmo.headers, "Idempotency-Key": "cost-line-1"}
    first = client.post(f"{API}/cost-lines", json=body, headers=headers)
    again = client.post(f"{API}/cost-lines", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert _count(engine) == 1
