"""GET /api/v1/audit-events: filters, order, paging, who may read it, and nobody may change it."""

from __future__ import annotations

import uuid

import pytest

from pmo.core.permissions import Role

URL = "/api/v1/audit-events"


@pytest.fixture
def history(client, admin, factory, org):
    """Two directorates made by the admin, one renamed, and one made by a second admin."""
    second = factory.person(org, Role.admin)
    a = client.post(
        "/api/v1/directorates", json={"name": "A"}, headers={**admin.headers, "X-Request-ID": "r-a"}
    )
    b = client.post(
        "/api/v1/directorates", json={"name": "B"}, headers={**admin.headers, "X-Request-ID": "r-b"}
    )
    url = a.headers["location"]
    tag = client.get(url, headers=admin.headers).headers["etag"]
    renamed = client.patch(
        url, json={"name": "A2"}, headers={**admin.headers, "If-Match": tag, "X-Request-ID": "r-a2"}
    )
    c = client.post(
        "/api/v1/directorates", json={"name": "C"}, headers={**second.headers, "X-Request-ID": "r-c"}
    )
    assert {r.status_code for r in (a, b, c)} == {201}
    assert renamed.status_code == 200
    return {"a": a.json()["id"], "b": b.json()["id"], "c": c.json()["id"], "second": second}


def _items(client, person, **params):
    response = client.get(URL, params=params, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_filters(client, admin, history):
    directorates = _items(client, admin, record_type="directorate")
    assert directorates["total"] == 4
    assert {e["record_type"] for e in directorates["items"]} == {"directorate"}

    by_record = _items(client, admin, record_id=history["a"])["items"]
    assert [e["action"] for e in by_record] == ["update", "create"]
    assert (by_record[0]["before"]["name"], by_record[0]["after"]["name"]) == ("A", "A2")

    assert [e["record_id"] for e in _items(client, admin, action="update")["items"]] == [history["a"]]
    assert [e["record_id"] for e in _items(client, admin, request_id="r-b")["items"]] == [history["b"]]
    assert _items(client, admin, request_id="nothing-like-it")["items"] == []

    by_second = _items(client, admin, actor_id=str(history["second"].id))["items"]
    assert [e["record_id"] for e in by_second] == [history["c"]]
    assert by_second[0]["actor_label"] == history["second"].user.email
    by_admin = _items(client, admin, actor_id=str(admin.id), record_type="directorate")
    assert by_admin["total"] == 3

    combined = _items(client, admin, record_type="directorate", action="create", actor_id=str(admin.id))
    assert {e["record_id"] for e in combined["items"]} == {history["a"], history["b"]}


def test_time_filters(client, admin, history):
    everything = _items(client, admin, sort="seq", limit=200)["items"]
    middle = everything[len(everything) // 2]
    at = middle["occurred_at"]
    from_middle = _items(client, admin, occurred_from=at, limit=200)["items"]
    before_middle = _items(client, admin, occurred_to=at, limit=200)["items"]
    assert middle["id"] in {e["id"] for e in from_middle}
    assert middle["id"] not in {e["id"] for e in before_middle}
    assert len(from_middle) + len(before_middle) == len(everything)
    assert all(e["occurred_at"] >= at for e in from_middle)

    assert _items(client, admin, occurred_from=at, occurred_to=at)["items"] == []
    assert _items(client, admin, occurred_from="2000-01-01T00:00:00Z")["total"] == len(everything)
    assert _items(client, admin, occurred_to="2000-01-01T00:00:00+00:00")["total"] == 0


def test_bad_filters_are_422(client, admin):
    for params in (
        {"record_id": "not-a-uuid"},
        {"actor_id": "nope"},
        {"action": "DROP TABLE"},
        {"record_type": "x" * 61},
        {"occurred_from": "yesterday"},
        {"sort": "actor_label"},
        {"request_id": "x" * 129},
    ):
        response = client.get(URL, params=params, headers=admin.headers)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")


def test_sort_and_paging(client, admin, history):
    newest_first = _items(client, admin, limit=200)
    seqs = [e["seq"] for e in newest_first["items"]]
    assert seqs == sorted(seqs, reverse=True)
    assert newest_first["total"] == len(seqs)
    assert seqs[-1] == 1

    oldest_first = [e["seq"] for e in _items(client, admin, sort="seq", limit=200)["items"]]
    assert oldest_first == sorted(seqs)
    by_time = [e["occurred_at"] for e in _items(client, admin, sort="occurred_at", limit=200)["items"]]
    assert by_time == sorted(by_time)

    paged: list[int] = []
    for offset in range(0, len(seqs), 2):
        page = _items(client, admin, sort="seq", limit=2, offset=offset)
        assert (page["limit"], page["offset"], page["total"]) == (2, offset, len(seqs))
        paged += [e["seq"] for e in page["items"]]
    assert paged == oldest_first


def test_get_one_event(client, admin, history):
    event = _items(client, admin, record_id=history["b"])["items"][0]
    response = client.get(f"{URL}/{event['id']}", headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == event
    assert (
        client.get(
            f"{URL}/{event['id']}", headers={**admin.headers, "If-None-Match": response.headers["etag"]}
        ).status_code
        == 304
    )
    assert client.get(f"{URL}/{uuid.uuid4()}", headers=admin.headers).status_code == 404


@pytest.mark.parametrize("role", [Role.admin, Role.pmo, Role.viewer])
def test_readers(client, factory, org, role):
    person = factory.person(org, role)
    response = client.get(URL, headers=person.headers)
    assert response.status_code == 200
    assert response.json()["total"] >= 1


@pytest.mark.parametrize(
    "role", [Role.sponsor, Role.project_manager, Role.finance, Role.member, Role.democratic_services, None]
)
def test_everyone_else_is_refused(client, factory, org, admin, role):
    person = factory.person(org, *([role] if role else []))
    event_id = _items(client, admin)["items"][0]["id"]
    for url in (URL, f"{URL}/{event_id}"):
        response = client.get(url, headers=person.headers)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get(URL).status_code == 401


def test_other_organisations_events_are_invisible(client, admin, other_admin, history):
    theirs = client.post("/api/v1/directorates", json={"name": "Theirs"}, headers=other_admin.headers)
    their_id = theirs.json()["id"]
    their_events = _items(client, other_admin, limit=200)["items"]
    assert their_id in {e["record_id"] for e in their_events}

    mine = _items(client, admin, limit=200)["items"]
    assert not {e["id"] for e in mine} & {e["id"] for e in their_events}
    assert _items(client, admin, record_id=their_id)["total"] == 0
    assert _items(client, admin, actor_id=str(other_admin.id))["total"] == 0
    for event in their_events:
        response = client.get(f"{URL}/{event['id']}", headers=admin.headers)
        assert response.status_code == 404
    # Each chain starts at 1 of its own.
    assert min(e["seq"] for e in their_events) == 1
    assert min(e["seq"] for e in mine) == 1


def test_no_route_changes_an_event(client, admin, history):
    event_id = _items(client, admin)["items"][0]["id"]
    for url in (URL, f"{URL}/{event_id}"):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.request(method, url, json={"action": "nothing"}, headers=admin.headers)
            assert response.status_code == 405, (method, url)
            assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"{URL}/{event_id}", headers=admin.headers).json()["action"] != "nothing"


def test_timestamps_are_utc(client, admin, history):
    event = _items(client, admin)["items"][0]
    assert event["occurred_at"].endswith(("Z", "+00:00"))
