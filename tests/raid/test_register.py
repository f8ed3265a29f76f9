"""The portfolio-wide RAID register (GET /raid-register) and its CSV and XLSX exports, with
the filters applied; only the caller's organisation."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from support.api import API, problem

from .items_helpers import Items
from .risks_helpers import Raid


@pytest.fixture
def logged(
    client: TestClient,
    pmo: Any,
    manager: Any,
    programme: dict[str, Any],
    project: dict[str, Any],
    other_pmo: Any,
) -> dict[str, Any]:
    """A red risk owned by the manager and due for review, a green one, an issue and an
    assumption in the programme; an issue of a project elsewhere; another council's risk."""
    raid, items = Raid(client), Items(client)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    red = raid.risk(
        pmo,
        project,
        title='=HYPERLINK("http://evil")',
        residual_likelihood=4,
        residual_impact=4,
        owner_id=str(manager.id),
        review_date=yesterday,
    )
    green = raid.risk(pmo, project, residual_likelihood=1, residual_impact=1)
    issue = items.issue(pmo, project, owner_id=str(manager.id))
    assumption = items.assumption(pmo, project)
    elsewhere = items.issue(pmo, items.project(pmo, items.programme(pmo)))
    other_programme = raid.programme(other_pmo)
    raid.risk(other_pmo, raid.project(other_pmo, other_programme), residual_likelihood=4, residual_impact=4)
    return {"red": red, "green": green, "issue": issue, "assumption": assumption, "elsewhere": elsewhere}


def refs(client: TestClient, who: Any, **params: Any) -> list[str]:
    response = client.get(f"{API}/raid-register", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return [item["reference"] for item in response.json()["items"]]


def test_every_log_of_the_organisation_in_one_list(
    client: TestClient, viewer: Any, logged: dict[str, Any]
) -> None:
    body = client.get(f"{API}/raid-register", headers=viewer.headers).json()

    assert [(i["type"], i["reference"]) for i in body["items"]] == [
        ("assumption", logged["assumption"]["reference"]),
        ("issue", logged["issue"]["reference"]),
        ("issue", logged["elsewhere"]["reference"]),
        ("risk", logged["red"]["reference"]),
        ("risk", logged["green"]["reference"]),
    ]
    red = body["items"][3]
    assert (red["rating"], red["residual_score"], red["owner_name"]) == ("red", 16, "Test Person")
    assert body["items"][0]["rating"] is None


def test_filters(
    client: TestClient, viewer: Any, manager: Any, programme: dict[str, Any], logged: dict[str, Any]
) -> None:
    red, green, issue = logged["red"]["reference"], logged["green"]["reference"], logged["issue"]["reference"]
    assert refs(client, viewer, type="risk") == [red, green]
    assert refs(client, viewer, type=["risk", "issue"]) == [
        issue,
        logged["elsewhere"]["reference"],
        red,
        green,
    ]
    assert refs(client, viewer, rating="red") == [red]
    assert refs(client, viewer, rating="green", type="issue") == []  # a rating is a risk's
    assert refs(client, viewer, likelihood=4, impact=4) == [red]  # a heat-map cell
    assert refs(client, viewer, owner_id=str(manager.id)) == [issue, red]
    assert refs(client, viewer, programme_id=programme["id"], type="issue") == [issue]
    assert refs(client, viewer, review_due="true") == [red]
    assert refs(client, viewer, status="open", type="risk") == [red, green]
    # Logs without scores first, and a log named twice: each log once, risks with their scores.
    assert refs(client, viewer, type=["dependency", "issue", "risk", "issue"]) == [
        issue,
        logged["elsewhere"]["reference"],
        red,
        green,
    ]


def test_exports_carry_the_filters_and_neutralise_formulas(
    client: TestClient, viewer: Any, logged: dict[str, Any]
) -> None:
    response = client.get(f"{API}/raid-register.csv", params={"type": "risk"}, headers=viewer.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="raid-register.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["Type", "Reference", "Title"]
    assert [r[1] for r in rows[1:]] == [logged["red"]["reference"], logged["green"]["reference"]]
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][9] == "Red"

    response = client.get(f"{API}/raid-register.xlsx", params={"rating": "red"}, headers=viewer.headers)
    assert response.status_code == 200, response.text
    assert (
        response.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[1] for row in values[1:]] == [logged["red"]["reference"]]
    assert values[1][2] == '\'=HYPERLINK("http://evil")'
    assert values[1][8] == 16


def test_only_the_callers_organisation(client: TestClient, other_pmo: Any, logged: dict[str, Any]) -> None:
    ours = {logged[k]["id"] for k in logged}
    theirs = client.get(f"{API}/raid-register", headers=other_pmo.headers).json()["items"]
    assert len(theirs) == 1
    assert theirs[0]["id"] not in ours
    exported = list(
        csv.reader(io.StringIO(client.get(f"{API}/raid-register.csv", headers=other_pmo.headers).text))
    )
    assert [row[1] for row in exported[1:]] == [theirs[0]["reference"]]


@pytest.mark.parametrize(
    ("path", "params", "location"),
    [
        ("/raid-register", {"type": "lesson"}, ["query", "type", 0]),
        ("/raid-register", {"rating": "purple"}, ["query", "rating"]),
        ("/raid-register.csv", {"likelihood": 9}, ["query", "likelihood"]),
        ("/raid-register.xlsx", {"owner_id": "bob"}, ["query", "owner_id"]),
        ("/raid-register", {"review_due": "maybe"}, ["query", "review_due"]),
    ],
)
def test_bad_filters_are_refused_naming_them(
    client: TestClient, viewer: Any, path: str, params: dict[str, Any], location: list[Any]
) -> None:
    body = problem(client.get(f"{API}{path}", params=params, headers=viewer.headers), 422)
    assert location in [e["location"] for e in body["errors"]], body


def test_signed_out_is_refused(client: TestClient) -> None:
    for path in ("/raid-register", "/raid-register.csv", "/raid-register.xlsx"):
        problem(client.get(f"{API}{path}"), 401)
