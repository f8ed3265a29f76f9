"""Meetings of governance bodies (issue 14 item 1): the PMO and administrators keep them,
everyone in the organisation reads them, nobody outside it finds them."""

from __future__ import annotations

import pytest

from pmo.core.pagination import public_url_of
from support.api import API, Api, problem
from support.database import audit_events


@pytest.fixture
def cabinet(client, pmo):
    return Api(client).post(pmo, "/governance-bodies", {"name": "Cabinet", "kind": "cabinet"})


def _meeting(client, who, cabinet, **body):
    return client.post(
        f"{API}/meetings",
        json={"body_id": cabinet["id"], "meets_on": "2022-04-26", "title": "Cabinet", **body},
        headers=who.headers,
    )


def test_pmo_and_admin_keep_meetings_everyone_reads(client, pmo, admin, viewer, cabinet, engine) -> None:
    first = _meeting(client, pmo, cabinet, meets_on="2022-03-22", location="Committee Room 1")
    assert first.status_code == 201, first.text
    assert first.headers["Location"] == public_url_of(f"/api/v1/meetings/{first.json()['id']}")
    second = _meeting(client, admin, cabinet, meets_on="2022-04-26")
    assert second.status_code == 201, second.text
    meeting = second.json()
    assert (meeting["body_name"], meeting["meets_on"], meeting["previous_meets_on"]) == (
        "Cabinet",
        "2022-04-26",
        "2022-03-22",
    )
    assert first.json()["previous_meets_on"] is None
    listed = client.get(f"{API}/meetings", params={"body_id": cabinet["id"]}, headers=viewer.headers).json()
    assert [m["meets_on"] for m in listed["items"]] == ["2022-03-22", "2022-04-26"]
    later = client.get(f"{API}/meetings", params={"on_or_after": "2022-04-01"}, headers=viewer.headers).json()
    assert [m["meets_on"] for m in later["items"]] == ["2022-04-26"]
    path = f"{API}/meetings/{meeting['id']}"
    got = client.get(path, headers=viewer.headers)
    changed = client.patch(
        path,
        json={"location": "Town Hall", "meets_on": "2022-04-27"},
        headers={**pmo.headers, "If-Match": got.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["location"], changed.json()["meets_on"]) == ("Town Hall", "2022-04-27")
    assert client.delete(path, headers=admin.headers).status_code == 204
    problem(client.get(path, headers=pmo.headers), 404)
    assert [e["action"] for e in audit_events(engine, meeting["id"])] == ["create", "update", "delete"]


def test_others_may_not_write(client, pmo, viewer, manager, finance, cabinet) -> None:
    for who in (viewer, manager, finance):
        problem(_meeting(client, who, cabinet), 403)
    meeting = _meeting(client, pmo, cabinet).json()
    path = f"{API}/meetings/{meeting['id']}"
    for who in (viewer, manager):
        problem(client.patch(path, json={"title": "x"}, headers={**who.headers, "If-Match": "*"}), 403)
        problem(client.delete(path, headers=who.headers), 403)


def test_another_organisation_finds_nothing(client, pmo, other_pmo, cabinet) -> None:
    meeting = _meeting(client, pmo, cabinet).json()
    path = f"{API}/meetings/{meeting['id']}"
    problem(client.get(path, headers=other_pmo.headers), 404)
    problem(client.patch(path, json={"title": "x"}, headers={**other_pmo.headers, "If-Match": "*"}), 404)
    problem(client.delete(path, headers=other_pmo.headers), 404)
    assert client.get(f"{API}/meetings", headers=other_pmo.headers).json()["items"] == []
    # Nor may it hold a meeting of our body.
    found = problem(_meeting(client, other_pmo, cabinet), 422)
    assert found["errors"][0]["location"] == ["body", "body_id"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"meets_on": "26/04/2022"}, ["body", "meets_on"]),
        ({"title": "  "}, ["body", "title"]),
        ({"location": "x" * 201}, ["body", "location"]),
        ({"body_id": "not-an-id"}, ["body", "body_id"]),
        ({"agenda": "x"}, ["body", "agenda"]),
    ],
)
def test_bad_meetings_are_422(client, pmo, cabinet, body, where) -> None:
    found = problem(_meeting(client, pmo, cabinet, **body), 422)
    assert where in [e["location"] for e in found["errors"]], found
    assert client.get(f"{API}/meetings", headers=pmo.headers).json()["total"] == 0


def test_a_body_with_meetings_is_not_deleted(client, pmo, cabinet) -> None:
    _meeting(client, pmo, cabinet)
    problem(client.delete(f"{API}/governance-bodies/{cabinet['id']}", headers=pmo.headers), 409)


@pytest.mark.parametrize("value", ["0", "26/04/2022", "2022-13-01"])
def test_a_bad_date_filter_is_422(client, viewer, value) -> None:
    found = problem(
        client.get(f"{API}/meetings", params={"on_or_before": value}, headers=viewer.headers), 422
    )
    assert found["errors"][0]["location"] == ["query", "on_or_before"]
