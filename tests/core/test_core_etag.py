"""ETags on reads (304 for a current tag) and If-Match on updates (428 missing, 412 stale),
including racing edits with the same tag."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from sqlmodel import Session, select

from pmo.audit.models import AuditEvent
from pmo.core.etag import check_if_match
from pmo.organisations import router as org_router
from pmo.organisations.models import User


def _get(client, person, user_id, **headers):
    return client.get(f"/api/v1/users/{user_id}", headers={**person.headers, **headers})


def test_etag_and_if_none_match(client, admin, factory, org):
    other = factory.person(org)
    first = _get(client, admin, other.id)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('"')
    assert tag.endswith('"')

    again = _get(client, admin, other.id, **{"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert _get(client, admin, other.id, **{"If-None-Match": f'"nope", W/{tag}'}).status_code == 304
    assert _get(client, admin, other.id, **{"If-None-Match": '"nope"'}).status_code == 200

    changed = client.patch(
        f"/api/v1/users/{other.id}",
        json={"display_name": "Renamed"},
        headers={**admin.headers, "If-Match": tag},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    after = _get(client, admin, other.id, **{"If-None-Match": tag})
    assert after.status_code == 200
    assert after.json()["display_name"] == "Renamed"
    assert after.headers["etag"] == changed.headers["etag"]


def test_a_role_change_changes_the_users_etag(client, admin, factory, org):
    other = factory.person(org)
    tag = _get(client, admin, other.id).headers["etag"]
    response = client.post(
        "/api/v1/role-assignments", json={"user_id": str(other.id), "role": "viewer"}, headers=admin.headers
    )
    assert response.status_code == 201
    assert _get(client, admin, other.id, **{"If-None-Match": tag}).status_code == 200


def test_patch_without_if_match_is_428_and_stale_is_412_and_nothing_changes(
    client, admin, factory, org, count_rows
):
    other = factory.person(org)
    url = f"/api/v1/users/{other.id}"
    tag = _get(client, admin, other.id).headers["etag"]
    events_before = count_rows(AuditEvent)

    assert client.patch(url, json={"display_name": "A"}, headers=admin.headers).status_code == 428
    ok = client.patch(url, json={"display_name": "B"}, headers={**admin.headers, "If-Match": tag})
    assert ok.status_code == 200
    stale = client.patch(url, json={"display_name": "C"}, headers={**admin.headers, "If-Match": tag})
    assert stale.status_code == 412

    current = _get(client, admin, other.id).json()
    assert current["display_name"] == "B"
    assert count_rows(AuditEvent) == events_before + 1


def test_directorate_and_organisation_use_if_match(client, admin):
    created = client.post("/api/v1/directorates", json={"name": "Housing"}, headers=admin.headers)
    url = created.headers["location"]
    tag = client.get(url, headers=admin.headers).headers["etag"]
    assert client.patch(url, json={"description": "x"}, headers=admin.headers).status_code == 428
    assert (
        client.patch(url, json={"description": "x"}, headers={**admin.headers, "If-Match": tag}).status_code
        == 200
    )
    assert (
        client.patch(url, json={"description": "y"}, headers={**admin.headers, "If-Match": tag}).status_code
        == 412
    )
    assert client.get(url, headers=admin.headers).json()["description"] == "x"

    assert (
        client.patch("/api/v1/organisation", json={"name": "New"}, headers=admin.headers).status_code == 428
    )


def test_concurrent_edits_with_one_etag_only_one_wins(client, admin, factory, org, engine, monkeypatch):
    other = factory.person(org)
    # Widen the window between the If-Match check and the write, so that the requests really
    # race: every one of them passes the check, and only the conditional write stops them.
    checked = threading.Barrier(8, timeout=2)

    def check_then_wait(if_match, current):
        check_if_match(if_match, current)
        # On SQLite whole requests queue one after another, so nobody else gets this far meanwhile.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()

    monkeypatch.setattr(org_router, "check_if_match", check_then_wait)
    url = f"/api/v1/users/{other.id}"
    tag = _get(client, admin, other.id).headers["etag"]
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    lock = threading.Lock()

    def edit(n: int) -> None:
        barrier.wait()
        response = client.patch(
            url, json={"display_name": f"Editor {n}"}, headers={**admin.headers, "If-Match": tag}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] + [412] * (threads_count - 1), statuses
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.record_id == other.id,
                AuditEvent.action == "update",
                AuditEvent.record_type == "user",
            )
        ).all()
        assert len(events) == 1
        user = session.get_one(User, other.id)
        assert user.display_name == events[0].after["display_name"]
        assert user.version == 2


def test_what_the_caller_may_do_is_not_part_of_the_tag():
    """One record state has one tag whoever reads it: `allowed_actions` (at any depth) say what
    the reader may do, not what the record is, so a tag one officer read is good for another's edit."""
    from pydantic import BaseModel

    from pmo.core.etag import tag_of

    class Item(BaseModel):
        title: str
        allowed_actions: list[str]

    class Record(BaseModel):
        title: str
        allowed_actions: list[str]
        items: list[Item]

    pmo_view = Record(
        title="R-0001", allowed_actions=["edit", "close"], items=[Item(title="A", allowed_actions=["edit"])]
    )
    viewer_view = Record(title="R-0001", allowed_actions=[], items=[Item(title="A", allowed_actions=[])])
    changed = Record(title="R-0002", allowed_actions=[], items=[Item(title="A", allowed_actions=[])])
    assert tag_of(pmo_view) == tag_of(viewer_view)
    assert tag_of(changed) != tag_of(viewer_view)
    check_if_match(tag_of(pmo_view), viewer_view)


def test_cutting_allowed_actions_from_the_bytes_is_cutting_them_from_the_document():
    """`tag_of` cuts `allowed_actions` from the JSON bytes: first, between and last in an object,
    empty or not, at any depth, and a text that only looks like one is left alone."""
    import json

    from pmo.core.etag import without_allowed_actions

    def without(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: without(v) for k, v in data.items() if k != "allowed_actions"}
        if isinstance(data, list):
            return [without(v) for v in data]
        return data

    document = {
        "allowed_actions": ["edit"],
        "title": 'says "allowed_actions":["edit"], in a quote',
        "items": [
            {"a": 1, "allowed_actions": [], "b": {"allowed_actions": ["close", "reopen"]}},
            {"allowed_actions": ["edit"]},
            {"z": None, "allowed_actions": ["delete"]},
            {"allowed_actions": [], "y": [{"allowed_actions": ["edit"], "x": 1}], "w": 2},
        ],
    }
    body = json.dumps(document, separators=(",", ":")).encode()
    assert json.loads(without_allowed_actions(body)) == without(document)


def test_every_action_name_is_a_plain_word():
    """What the cut relies on: an action's name has no `]`, quote or escape."""
    import re
    from enum import StrEnum

    import pmo.main  # noqa: F401 - every domain's schemas

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    actions = [
        c for c in subclasses(StrEnum) if c.__name__.endswith("Action") and c.__module__.startswith("pmo.")
    ]
    assert len(actions) > 15
    for action in actions:
        for member in action:
            assert re.fullmatch(r"[a-z_]+", member.value), (action, member)
