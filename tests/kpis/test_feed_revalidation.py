"""KPI polls answered 304 before the framework (`pmo.kpis.feed_revalidation`): the same answer
as the route's, with one statement run (the organisation's revision); a change committed through
this process or through another worker seen by the next poll; who asks, their scope and their
organisation checked as before, and every 304 counted against the client's limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from pmo.auth import principal_cache
from pmo.core.config import get_settings
from pmo.core.db import make_engine
from pmo.kpis import feed_ratelimit, feed_revalidation
from pmo.kpis.models import KpiFeedState
from pmo.main import create_app
from support.api import remaining
from support.plans import statements_while

from .test_feed import VALUES_URL, add_kpi, add_value, api_client_headers

QUERY = {"code": "CS-01", "limit": "10"}


@pytest.fixture(scope="module")
def other_worker(engine: Engine) -> Iterator[TestClient]:
    """The app as a second worker process runs it: its own engine, so its own memory."""
    worker_engine = make_engine(get_settings().database_url)
    with TestClient(create_app(engine=worker_engine), raise_server_exceptions=False) as worker:
        yield worker
    worker_engine.dispose()


@pytest.fixture
def reader(client, admin):  # type: ignore[no-untyped-def]
    return api_client_headers(client, admin)


@pytest.fixture
def tag(client, engine, org, reader) -> str:  # type: ignore[no-untyped-def]
    add_value(engine, add_kpi(engine, org, "CS-01"), "2023-24-Q1", "1")
    first = client.get(VALUES_URL, params=QUERY, headers=reader)  # the route: remembers the shape
    assert first.status_code == 200, first.text
    return first.headers["ETag"]


def statements_of(engine: Engine, ask: Callable[[], Any]) -> tuple[Any, list[str]]:
    """`ask()`'s answer, and the statements it ran."""
    answers = []
    ran = statements_while(engine, lambda: answers.append(ask()))
    return answers[0], [statement for statement, _ in ran]


def poll(client: TestClient, reader: dict[str, str], tag: str, **headers: str) -> Any:
    return client.get(VALUES_URL, params=QUERY, headers={**reader, "If-None-Match": tag, **headers})


def assert_same_headers(answered: Any, routed: Any) -> None:
    """The answer from memory carries the route's headers, but for the request id and the count
    left. Last-Modified is left out while the revision's second lasts
    (`feed_service.validators`), which may end between the two reads; once given, it stays."""
    varies = ("x-request-id", "ratelimit", "last-modified")

    def same(response: Any) -> dict[str, str]:
        return {k: v for k, v in response.headers.items() if k not in varies}

    assert same(answered) == same(routed)
    if "last-modified" in routed.headers:
        assert answered.headers["last-modified"] == routed.headers["last-modified"]


def test_a_poll_is_answered_from_memory_as_the_route_answers_it(client, engine, reader, tag, monkeypatch):
    # Readings trusted for a minute here: on a loaded machine two polls can be 0.5 s apart.
    monkeypatch.setattr(principal_cache, "FRESH_FOR", 60.0)
    # An If-Modified-Since (ignored beside If-None-Match) sends the poll to the route.
    routed = poll(client, reader, tag, **{"If-Modified-Since": "not a date"})
    poll(client, reader, tag)
    answered, statements = statements_of(engine, lambda: poll(client, reader, tag))

    # One statement, outside any transaction: the revision. The token, principal and share of
    # the limit are in memory.
    assert len(statements) == 1, statements
    assert "FROM kpi_feed_states" in statements[0]
    assert (routed.status_code, answered.status_code) == (304, 304)
    assert answered.content == b""

    assert_same_headers(answered, routed)
    assert answered.headers["etag"] == tag
    assert answered.headers["ratelimit-policy"]

    assert remaining(answered) == remaining(routed) - 2  # each poll counted
    head = client.head(VALUES_URL, params=QUERY, headers={**reader, "If-None-Match": tag})
    assert head.status_code == 304


def test_a_page_read_again_is_answered_from_memory_as_the_route_answers_it(
    client, engine, org, reader, tag, monkeypatch
):
    """A page the route has written out at the current revision is answered 200 before the
    framework: the route's bytes and headers, one statement (the revision), counted."""
    monkeypatch.setattr(principal_cache, "FRESH_FOR", 60.0)
    query = {**QUERY, "limit": "7"}  # a shape not asked for yet: its first request goes to the route
    routed = client.get(VALUES_URL, params=query, headers=reader)
    client.get(VALUES_URL, params=query, headers=reader)
    answered, statements = statements_of(engine, lambda: client.get(VALUES_URL, params=query, headers=reader))

    assert len(statements) == 1, statements
    assert "FROM kpi_feed_states" in statements[0]
    assert answered.status_code == 200
    assert answered.content == routed.content

    assert_same_headers(answered, routed)
    assert 'rel="self"' in answered.headers["Link"]
    assert remaining(answered) < remaining(routed)

    # After a change, a client holding the old tag gets the new page, written out once by the
    # route and then answered from memory; a page of the old revision is never answered again.
    _add_a_value(engine, org)
    fresh = poll(client, reader, tag)
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != tag
    again, statements = statements_of(engine, lambda: poll(client, reader, tag))
    assert (again.status_code, again.content) == (200, fresh.content)
    assert len(statements) == 1, statements


def test_a_revision_read_the_database_refuses_leaves_the_poll_to_the_route(
    client, engine, reader, tag, monkeypatch
):
    """The read runs on the DBAPI connection; when the database refuses it, the route reads
    and answers (its 304), rather than the fast path failing the poll."""
    monkeypatch.setattr(principal_cache, "FRESH_FOR", 60.0)
    poll(client, reader, tag)  # the principal held
    read = feed_revalidation._RevisionRead(engine.dialect)
    read.sql = read.sql.replace("kpi_feed_states", "no_such_table")
    monkeypatch.setitem(feed_revalidation._revision_reads, engine.dialect, read)
    answered, statements = statements_of(engine, lambda: poll(client, reader, tag))
    assert answered.status_code == 304
    assert answered.headers["ETag"] == tag
    # The route's own reads followed the refused one.
    assert len(statements) > 1, statements


def _add_a_value(engine: Engine, org: Any) -> None:
    add_value(engine, add_kpi(engine, org, "CS-02"), "2023-24-Q1", "2")


def _move_the_revision_by_a_bulk_update(engine: Engine, org: Any) -> None:
    with Session(engine) as session:
        session.execute(
            update(KpiFeedState)
            .where(col(KpiFeedState.organisation_id) == org.id)
            .values(revision=col(KpiFeedState.revision) + 1)
        )
        session.commit()


@pytest.mark.parametrize("change", [_add_a_value, _move_the_revision_by_a_bulk_update])
def test_a_change_committed_through_this_process_is_seen_at_once(client, engine, org, reader, tag, change):
    assert poll(client, reader, tag).status_code == 304
    assert poll(client, reader, tag).status_code == 304  # from a fresh reading

    change(engine, org)

    changed = poll(client, reader, tag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_a_change_committed_by_another_worker_is_seen_by_the_next_poll(
    client, other_worker, engine, org, reader, tag
):
    for _ in range(3):  # the other worker learns the shape, then answers before the framework
        assert poll(other_worker, reader, tag).status_code == 304

    _add_a_value(engine, org)  # through this process's engine: the other worker is not told

    changed = poll(other_worker, reader, tag)  # at once: no reading of the revision is held
    assert changed.status_code == 200
    new_tag = changed.headers["ETag"]
    assert new_tag != tag
    assert [poll(worker, reader, new_tag).status_code for worker in (other_worker, client)] == [304, 304]


def test_who_asks_is_checked_before_any_304(client, engine, admin, other_admin, reader, tag):
    assert poll(client, reader, tag).status_code == 304
    # No token, or one that is not valid: the route's 401.
    assert client.get(VALUES_URL, params=QUERY, headers={"If-None-Match": tag}).status_code == 401
    # One character of the signature changed, in the middle: the last carries padding bits a
    # base64 decoder may ignore, so changing it there can leave the signature's bytes as they were.
    token = reader["Authorization"]
    at = len(token) - 10
    forged = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
    assert poll(client, {"Authorization": forged}, tag).status_code == 401
    # Each twice: the first puts the principal in memory, where the second finds it.
    # A client whose kpis:read is taken away, though it holds a share of its limit: 403.
    narrowed = api_client_headers(client, admin, scopes=("kpis:read", "portfolio:read"))
    assert [poll(client, narrowed, tag).status_code for _ in range(2)] == [304, 304]
    url = f"/api/v1/api-clients/{_client_id(client, admin, ['kpis:read', 'portfolio:read'])}"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    changed = client.patch(
        url, json={"scopes": ["portfolio:read"]}, headers={**admin.headers, "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert [poll(client, narrowed, tag).status_code for _ in range(2)] == [403, 403]
    # Another council's client sending this council's tag gets its own (empty) page.
    theirs = api_client_headers(client, other_admin)
    for _ in range(2):
        answer = poll(client, theirs, tag)
        assert answer.status_code == 200
        assert answer.json()["items"] == []
    # A revoked client is refused at once by the process that revoked it.
    client_id = _client_id(client, admin, ["kpis:read"])
    revoked = client.post(f"/api/v1/api-clients/{client_id}/revoke", headers=admin.headers)
    assert revoked.status_code == 200, revoked.text
    assert poll(client, reader, tag).status_code == 401
    # Nor is a page held written out answered to it (the route's 401).
    assert client.get(VALUES_URL, params=QUERY, headers=reader).status_code == 401


def _client_id(client: TestClient, admin: Any, scopes: list[str]) -> str:
    created = client.get("/api/v1/api-clients", headers=admin.headers).json()["items"]
    return str(next(c["id"] for c in created if c["scopes"] == scopes))


def test_every_304_counts_against_the_clients_limit(client, admin, engine, org, monkeypatch):
    monkeypatch.setattr(get_settings(), "client_requests_per_minute", 100)  # shares of 2
    reader = api_client_headers(client, admin)
    add_value(engine, add_kpi(engine, org, "CS-01"), "2023-24-Q1", "1")
    # Keep clear of a minute's end, where the window would reset half way through.
    if time.time() % 60 > 55:
        time.sleep(6)
    tag = client.get(VALUES_URL, params=QUERY, headers=reader).headers["ETag"]  # 1 of 100

    statuses = [poll(client, reader, tag).status_code for _ in range(99)]
    refused = poll(client, reader, tag)

    assert statuses == [304] * 99
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"


def test_what_memory_cannot_answer_goes_to_the_route(client, reader, tag):
    assert poll(client, reader, tag).status_code == 304
    # The route's limits on its header parameters still refuse.
    assert poll(client, reader, tag + "," + "x" * 1000).status_code == 422
    # Another query is another representation, whose shape the route learns first.
    other = client.get(VALUES_URL, params={"code": "CS-02"}, headers={**reader, "If-None-Match": tag})
    assert other.status_code == 200


# Under a lifespan: the revision read on a connection of the event loop's own -------------------


def _feed_middleware(client: TestClient) -> feed_revalidation.FeedRevalidationMiddleware:
    layer: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, feed_revalidation.FeedRevalidationMiddleware):
        layer = layer.app
    return layer


def _loop_reads(client: TestClient) -> feed_revalidation.LoopReads:
    (reads,) = [r for r in _feed_middleware(client).loop_reads.values() if r is not None]
    return reads


def _only_on(engine: Engine, dialect: str) -> None:
    if engine.dialect.name != dialect:
        pytest.skip(f"a test of the reads on {dialect}")


def test_a_poll_reads_the_revision_on_the_loops_own_connection(client, engine, reader, tag, monkeypatch):
    monkeypatch.setattr(principal_cache, "FRESH_FOR", 60.0)
    poll(client, reader, tag)

    def through_the_pool(*_: Any) -> Any:
        raise AssertionError("the revision was read through the pool, in the thread pool")

    monkeypatch.setattr(feed_revalidation, "read_revision", through_the_pool)
    answered, statements = statements_of(engine, lambda: poll(client, reader, tag))
    assert answered.status_code == 304
    assert len(statements) == 1, statements
    assert "FROM kpi_feed_states" in statements[0]
    assert _loop_reads(client).connection is not None


def test_on_sqlite_a_loop_keeps_a_connection_once_one_is_idle_and_gives_it_back(engine, org, tag):
    """Never waiting for a connection on the loop: the thread pool until one is idle. Then that
    one, kept, sees every change committed through the others; the lifespan's end returns it."""
    _only_on(engine, "sqlite")
    sqlite = make_engine(engine.url.render_as_string(hide_password=False))  # a pool of its own
    pool: Any = sqlite.pool
    reads = feed_revalidation.LoopRevisionReads(sqlite)

    async def polls() -> list[Any]:
        answers = [await reads.revision(org.id)]  # no connection in the pool yet: the thread pool
        assert (reads.connection, pool.checkedin()) == (None, 1)
        answers.append(await reads.revision(org.id))  # the idle one, kept
        assert (reads.connection is not None, pool.checkedin()) == (True, 0)
        with engine.begin() as connection:  # a change committed through another connection
            connection.execute(
                update(KpiFeedState)
                .where(col(KpiFeedState.organisation_id) == org.id)
                .values(revision=col(KpiFeedState.revision) + 1)
            )
        answers.append(await reads.revision(org.id))
        await reads.close()
        return answers

    try:
        first, second, third = asyncio.run(polls())
        assert first == second
        assert third[0] == second[0] + 1
        assert (reads.connection, pool.checkedin()) == (None, 1)  # back to the pool
    finally:
        sqlite.dispose()


def test_on_postgresql_polls_that_come_while_a_read_is_on_its_way_share_the_next_read(engine, org, tag):
    """Exact and shared: a poll that comes after a read was sent does not take that read's answer
    (a change may have been committed since), and the polls that come meanwhile share one read."""
    _only_on(engine, "postgresql")
    reads = feed_revalidation.AsyncRevisionReads(engine)
    sent = 0

    async def polls() -> tuple[Any, list[Any]]:
        nonlocal sent
        await reads.revision(org.id)  # connected
        assert reads.connection is not None
        execute, answered, go_on = reads.connection.execute, asyncio.Event(), asyncio.Event()

        async def execute_and_wait_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal sent
            cursor = await execute(*args, **kwargs)
            sent += 1
            if sent == 1:  # the first read has its answer, and is held before it returns
                answered.set()
                await go_on.wait()
            return cursor

        reads.connection.execute = execute_and_wait_once  # type: ignore[method-assign]
        try:
            first = asyncio.create_task(reads.revision(org.id))
            await answered.wait()
            with engine.begin() as connection:  # a change committed after that read
                connection.execute(
                    update(KpiFeedState)
                    .where(col(KpiFeedState.organisation_id) == org.id)
                    .values(revision=col(KpiFeedState.revision) + 1)
                )
            later = [asyncio.create_task(reads.revision(org.id)) for _ in range(5)]
            await asyncio.sleep(0.01)  # all five wait
            go_on.set()
            return await first, await asyncio.gather(*later)
        finally:
            await reads.close()

    before, after = asyncio.run(polls())

    assert after == [(before[0] + 1, after[0][1])] * 5
    assert sent == 2  # the first poll's read, and one for the five


def _break(engine: Engine, reads: Any) -> None:
    """End the connection a loop keeps, as a database server (or a failing file) would."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({reads.connection.info.backend_pid})")
    else:
        reads.connection.driver_connection.close()


def test_a_connection_the_database_ends_leaves_one_poll_to_the_route(
    client, engine, reader, tag, monkeypatch
):
    monkeypatch.setattr(principal_cache, "FRESH_FOR", 60.0)
    poll(client, reader, tag)
    reads = _loop_reads(client)
    assert reads.connection is not None
    _break(engine, reads)

    answered, statements = statements_of(engine, lambda: poll(client, reader, tag))
    assert (answered.status_code, answered.headers["ETag"]) == (304, tag)
    assert len(statements) > 1, statements  # the refused read, then the route's own reads
    assert reads.connection is None  # dropped

    again, statements = statements_of(engine, lambda: poll(client, reader, tag))
    assert again.status_code == 304
    assert len(statements) == 1, statements  # connected again, answered from memory
    assert reads.connection is not None


def test_only_a_loop_that_runs_the_lifespan_keeps_a_connection_and_it_goes_with_it(engine, reader, tag):
    worker_engine = make_engine(get_settings().database_url)
    app = create_app(engine=worker_engine)
    try:
        # Without a lifespan (each request on a loop of its own): the thread pool, nothing kept.
        for _ in range(3):
            assert poll(TestClient(app), reader, tag).status_code == 304
        assert _feed_middleware(TestClient(app)).loop_reads == {}
        with TestClient(app) as worker:
            for _ in range(3):
                assert poll(worker, reader, tag).status_code == 304
            reads = _loop_reads(worker)
            connection = reads.connection
            assert connection is not None
        assert reads.connection is None
        assert _feed_middleware(worker).loop_reads == {}
        if engine.dialect.name == "postgresql":
            assert connection.closed
        else:  # back to the pool, as every other connection the worker used
            assert worker_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        feed_ratelimit.wait_for_shares_taken_ahead()  # the polls without a lifespan may have begun one
        worker_engine.dispose()
