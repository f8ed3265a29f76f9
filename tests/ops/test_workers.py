"""Two real server processes on one PostgreSQL database, as `pmo serve --workers 2` runs the
service: the per-client request limit is one count across both, a revoked API client is
refused by both within a second, an ETag from one is honoured by the other, and a KPI change
committed through one is seen by the other's next feed poll.

tests/auth/test_principal_cache.py proves revocation between two apps in one process (each
with its own engine and cache); this module proves it between processes, where nothing is
shared but the database: the feed's limiter, for one, holds its shares in process memory.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from auth.test_principal_cache import CLIENTS_URL, WITHIN, new_api_client, refused, until
from conftest import Person
from pmo.kpis import feed_ratelimit
from support.api import API, problem, remaining
from support.servers import uvicorn_servers

# Small enough that the limiter takes one request at a time from the shared counter
# (`feed_ratelimit.share_size`), so the count must be exact whichever worker answers.
LIMIT = 12
FEED = f"{API}/kpi-feed/values"


@pytest.fixture(scope="module")
def workers(engine: Engine) -> Iterator[list[httpx.Client]]:
    """Two uvicorn processes on the test database, started once for the module."""
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (set PMO_TEST_DATABASE_URL)")
    assert feed_ratelimit.share_size(LIMIT) == 1
    with uvicorn_servers(2, PMO_CLIENT_REQUESTS_PER_MINUTE=str(LIMIT)) as urls:
        clients = [httpx.Client(base_url=url, timeout=10) for url in urls]
        yield clients
        for client in clients:
            client.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_per_client_limit_is_one_count_across_workers(workers: list[httpx.Client], admin: Person) -> None:
    one, two = workers
    for _attempt in range(2):  # again, once, if the run straddled the minute's end
        _, token = new_api_client(one, admin, ["kpis:read"])
        window = int(time.time()) // feed_ratelimit.WINDOW_SECONDS
        answers = [workers[n % 2].get(FEED, headers=bearer(token)) for n in range(LIMIT)]
        over = [worker.get(FEED, headers=bearer(token)) for worker in (one, two)]
        if int(time.time()) // feed_ratelimit.WINDOW_SECONDS == window:
            break
    assert [a.status_code for a in answers] == [200] * LIMIT, [
        a.text for a in answers if a.status_code != 200
    ]
    # Each answer counts the other worker's requests too: one count, not one per process.
    assert [remaining(a) for a in answers] == list(range(LIMIT - 1, -1, -1))
    for answer in over:  # the limit's next request is refused, whichever worker answers it
        body = problem(answer, 429)
        assert f"{LIMIT} requests a minute" in body["detail"]
        assert int(answer.headers["Retry-After"]) >= 0


def test_a_revoked_client_is_refused_by_both_workers_within_a_second(
    workers: list[httpx.Client], admin: Person
) -> None:
    one, two = workers
    created, token = new_api_client(one, admin, ["kpis:read"])
    for worker in (one, two, two):  # both caches hold the client
        assert worker.get(f"{API}/me", headers=bearer(token)).status_code == 200

    revoked = one.post(f"{CLIENTS_URL}/{created['id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 200, revoked.text

    problem(one.get(f"{API}/me", headers=bearer(token)), 401)
    problem(until(lambda: two.get(f"{API}/me", headers=bearer(token)), refused(401)), 401)
    problem(until(lambda: two.get(FEED, headers=bearer(token)), refused(401), within=WITHIN), 401)


def test_an_etag_from_one_worker_is_honoured_by_the_other(workers: list[httpx.Client], admin: Person) -> None:
    one, two = workers
    created, token = new_api_client(one, admin, ["kpis:read"])
    url = f"{CLIENTS_URL}/{created['id']}"
    tag = one.get(url, headers=admin.headers).headers["ETag"]
    assert two.get(url, headers={**admin.headers, "If-None-Match": tag}).status_code == 304

    changed = two.patch(url, json={"name": "Renamed"}, headers={**admin.headers, "If-Match": tag})
    assert changed.status_code == 200, changed.text
    new_tag = changed.headers["ETag"]
    assert new_tag != tag
    # The old tag is stale on the other worker too, and the new one current.
    problem(one.patch(url, json={"name": "Again"}, headers={**admin.headers, "If-Match": tag}), 412)
    assert one.get(url, headers={**admin.headers, "If-None-Match": tag}).status_code == 200
    assert one.get(url, headers={**admin.headers, "If-None-Match": new_tag}).status_code == 304

    # The KPI feed's poll: a tag one worker gave is a 304 from the other.
    page = one.get(FEED, headers=bearer(token))
    assert page.status_code == 200, page.text
    poll: dict[str, Any] = {**bearer(token), "If-None-Match": page.headers["ETag"]}
    assert two.get(FEED, headers=poll).status_code == 304


def test_a_kpi_change_through_one_worker_is_seen_by_the_next_poll_on_the_other(
    workers: list[httpx.Client], admin: Person, pmo: Person
) -> None:
    one, two = workers
    _, token = new_api_client(one, admin, ["kpis:read"])
    page = one.get(FEED, headers=bearer(token))
    assert page.status_code == 200, page.text
    poll: dict[str, Any] = {**bearer(token), "If-None-Match": page.headers["ETag"]}
    # The first teaches the other worker the poll's shape; the rest are answered before the framework.
    assert [two.get(FEED, headers=poll).status_code for _ in range(3)] == [304] * 3

    kpi = {"code": "W-1", "name": "Workers", "unit": "number", "polarity": "none", "frequency": "monthly"}
    created = one.post(f"{API}/kpis", json=kpi, headers=pmo.headers)
    assert created.status_code == 201, created.text

    changed = two.get(FEED, headers=poll)  # at once: never a 304 from a held revision
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] != page.headers["ETag"]
