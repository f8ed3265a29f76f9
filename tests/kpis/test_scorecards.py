"""Scorecards of the organisation, a programme and a portfolio: latest values, RAG counts and
missing data."""

from __future__ import annotations

from typing import Any

from pmo.core.periods import period_containing, today
from pmo.core.permissions import Role
from support.api import API, problem

from .kpi_helpers import Kpis

Person = Any


def _last_ended(frequency: str) -> str:
    return period_containing(frequency, today()).previous.code


def test_programme_portfolio_and_organisation_scorecards(
    kpis: Kpis, pmo: Person, viewer: Person, programme: dict[str, Any], project: dict[str, Any]
) -> None:
    ended = _last_ended("quarterly")
    before = period_containing("quarterly", today()).previous.previous.code
    green = kpis.kpi(pmo, code="A-1", project_id=project["id"])
    kpis.target(pmo, green, ended, "50")
    kpis.published(pmo, green, before, "40")
    kpis.published(pmo, green, ended, "60")
    red = kpis.kpi(pmo, code="B-1", programme_id=programme["id"])
    kpis.target(pmo, red, before, "90")
    kpis.published(pmo, red, before, "10")  # the latest readers see
    kpis.value(pmo, red, ended, "95")  # a draft: readers do not see it, but it is not missing
    silent = kpis.kpi(pmo, code="F-1", project_id=project["id"])  # no value at all: missing
    no_target = kpis.kpi(pmo, code="C-1", project_id=project["id"], frequency="monthly")
    kpis.published(pmo, no_target, _last_ended("monthly"), "5")
    elsewhere = kpis.kpi(pmo, code="D-1", programme_id=kpis.programme(pmo)["id"])
    retired = kpis.kpi(pmo, code="E-1", programme_id=programme["id"])
    kpis.post(pmo, f"/kpis/{retired['id']}/retire", status=200)

    card = kpis.get(viewer, f"/programmes/{programme['id']}/kpi-scorecard")

    assert (card["scope"], card["scope_id"], card["include_unpublished"]) == (
        "programme",
        programme["id"],
        False,
    )
    assert [row["kpi"]["code"] for row in card["rows"]] == ["A-1", "B-1", "C-1", "F-1"]
    rows = {row["kpi"]["code"]: row for row in card["rows"]}
    assert rows["A-1"]["latest"]["period"]["code"] == ended
    assert rows["A-1"]["latest"]["assessment"]["rag"] == "green"
    assert rows["A-1"]["latest"]["assessment"]["direction_vs_previous"] == "improving"
    assert rows["B-1"]["latest"]["period"]["code"] == before
    assert rows["B-1"]["latest"]["assessment"]["rag"] == "red"
    assert rows["C-1"]["latest"]["assessment"]["rag"] is None
    assert rows["F-1"]["latest"] is None
    assert card["counts"] == {"green": 1, "amber": 0, "red": 1, "no_rag": 2}
    assert [(m["code"], m["period"]["code"]) for m in card["missing_data"]] == [("F-1", ended)]
    assert [row["missing_data"] for row in card["rows"]] == [False, False, False, True]
    assert [row["awaiting_publication"] for row in card["rows"]] == [False, True, False, False]
    assert rows["B-1"]["last_ended_period"]["code"] == ended
    assert silent["id"] == card["missing_data"][0]["kpi_id"]

    portfolio = kpis.get(viewer, f"/portfolios/{programme['portfolio_id']}/kpi-scorecard")
    assert [row["kpi"]["code"] for row in portfolio["rows"]] == ["A-1", "B-1", "C-1", "F-1"]
    organisation = kpis.get(viewer, "/kpi-scorecard")
    assert [row["kpi"]["code"] for row in organisation["rows"]] == ["A-1", "B-1", "C-1", "D-1", "F-1"]
    assert organisation["counts"] == {"green": 1, "amber": 0, "red": 1, "no_rag": 3}
    assert [m["code"] for m in organisation["missing_data"]] == ["D-1", "F-1"]
    assert elsewhere["id"] in {m["kpi_id"] for m in organisation["missing_data"]}

    # The PMO may include unpublished values: B-1's draft becomes its latest.
    with_drafts = kpis.get(pmo, f"/programmes/{programme['id']}/kpi-scorecard", include_unpublished="true")
    rows = {row["kpi"]["code"]: row for row in with_drafts["rows"]}
    assert (rows["B-1"]["latest"]["status"], rows["B-1"]["latest"]["period"]["code"]) == ("draft", ended)
    assert with_drafts["counts"]["red"] == 0  # B-1's draft of 95 meets its (missing) target: no RAG
    problem(
        kpis.client.get(
            f"{API}/programmes/{programme['id']}/kpi-scorecard",
            params={"include_unpublished": "true"},
            headers=viewer.headers,
        ),
        403,
    )


def test_scorecard_of_another_organisation_is_404(
    kpis: Kpis, pmo: Person, factory: Any, other_org: Any
) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    theirs = kpis.programme(other_pmo)
    problem(kpis.client.get(f"{API}/programmes/{theirs['id']}/kpi-scorecard", headers=pmo.headers), 404)
    problem(
        kpis.client.get(f"{API}/portfolios/{theirs['portfolio_id']}/kpi-scorecard", headers=pmo.headers), 404
    )
    kpis.kpi(other_pmo)
    assert kpis.get(pmo, "/kpi-scorecard")["rows"] == []


def test_api_client_reads_the_published_scorecard(kpis: Kpis, pmo: Person, admin: Person) -> None:
    kpi = kpis.kpi(pmo)
    kpis.value(pmo, kpi, _last_ended("quarterly"), "1")
    system = kpis.api_client_headers(admin, ["kpis:read"])
    card = kpis.get(system, "/kpi-scorecard")
    assert card["rows"][0]["latest"] is None  # the draft is not shown
    assert (card["rows"][0]["missing_data"], card["rows"][0]["awaiting_publication"]) == (False, True)
    assert card["counts"]["no_rag"] == 1


def test_scorecard_etag(kpis: Kpis, pmo: Person) -> None:
    kpis.kpi(pmo)
    first = kpis.client.get(f"{API}/kpi-scorecard", headers=pmo.headers)
    again = kpis.client.get(
        f"{API}/kpi-scorecard", headers={**pmo.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
