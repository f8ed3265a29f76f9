"""The KPI feed's CSV as its own operations, and `Accept` with weights on the JSON ones (issue 15)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from pmo.core.permissions import Role

from .test_feed import DEFINITIONS_URL, VALUES_URL, add_kpi, add_value, api_client_headers

VALUES_CSV_URL = VALUES_URL + ".csv"
DEFINITIONS_CSV_URL = DEFINITIONS_URL + ".csv"


@pytest.fixture
def reader(client, admin):  # type: ignore[no-untyped-def]
    """An API client holding `kpis:read`."""
    return api_client_headers(client, admin)


def _periods(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [row["period_code"] for row in csv.DictReader(io.StringIO(response.text))]


def test_values_csv_is_its_own_operation_and_its_next_link_stays_csv(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    for q in range(1, 4):
        add_value(engine, kpi, f"2022-23-Q{q}", f"{q}.5")

    first = client.get(VALUES_CSV_URL, params={"limit": 2}, headers=reader)

    assert first.headers["content-type"] == "text/csv; charset=utf-8"
    assert _periods(first) == ["2022-23-Q1", "2022-23-Q2"]
    [next_url] = re.findall(r'<([^>]+)>; rel="next"', first.headers["Link"])
    assert ".csv?" in next_url
    assert _periods(client.get(next_url, headers=reader)) == ["2022-23-Q3"]


def test_definitions_csv_is_its_own_operation(client, engine, org, reader):
    add_kpi(engine, org, "CS-01")
    response = client.get(DEFINITIONS_CSV_URL, headers=reader)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert [row["code"] for row in csv.DictReader(io.StringIO(response.text))] == ["CS-01"]


def test_the_csv_operations_refuse_other_people(client, engine, org, other_org, factory):
    # Someone of another council, and a client without `kpis:read`, see none of it.
    kpi = add_kpi(engine, org, "CS-01")
    add_value(engine, kpi, "2022-23-Q1", "1")
    stranger = factory.person(other_org, Role.admin)
    assert _periods(client.get(VALUES_CSV_URL, headers=stranger.headers)) == []
    assert client.get(VALUES_CSV_URL).status_code == 401


def test_accept_weights_choose_the_representation(client, engine, org, reader):
    add_kpi(engine, org, "CS-01")

    def media_type(accept: str) -> str:
        response = client.get(DEFINITIONS_URL, headers={**reader, "Accept": accept})
        assert response.status_code == 200, (accept, response.text)
        return response.headers["content-type"].split(";")[0]

    assert media_type("text/csv;q=0.9, application/json") == "application/json"
    assert media_type("application/json;q=0.4, text/csv;q=0.5") == "text/csv"
    assert media_type("text/*") == "text/csv"
    assert media_type("text/csv;q=0, */*") == "application/json"
    assert media_type("*/*") == "application/json"


def test_an_unsupported_accept_is_406_problem(client, reader):
    for url, accept in (
        (VALUES_URL, "application/xml"),
        (VALUES_URL, "application/json;q=0, text/csv;q=0"),
        (VALUES_CSV_URL, "application/json"),
    ):
        response = client.get(url, headers={**reader, "Accept": accept})
        assert response.status_code == 406, (url, accept, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("/not-acceptable")
        assert "text/csv" in problem["detail"]
