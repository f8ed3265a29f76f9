"""The KPI feed's change sequence: every change once, in commit order, none missed; and the
organisation's GSS code in the feed."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from pmo.core.db import utcnow
from pmo.core.periods import parse_period_code
from pmo.kpis.feed_state import mark_values_changed, value_and_dependants
from pmo.kpis.models import Kpi, KpiValue
from support.api import problem

from .test_feed import add_kpi

VALUES_URL = "/api/v1/kpi-feed/values"
ORGANISATION_URL = "/api/v1/organisation"


@pytest.fixture
def reader(kpis, admin):  # type: ignore[no-untyped-def]
    return kpis.api_client_headers(admin, ["kpis:read"])


def sync(client, reader, after: int | None = None, limit: int = 100) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every page after `after`, following `next` to the end."""
    params = {"limit": limit} | ({"after_sequence": after} if after is not None else {})
    page = client.get(VALUES_URL, params=params, headers=reader.headers)
    items = []
    while True:
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not page.json()["next"]:
            return items
        page = client.get(page.json()["next"], headers=reader.headers)


def high_water(items: list[dict]) -> int:  # type: ignore[type-arg]
    return max(item["sequence"] for item in items)


# What counts as a change ---------------------------------------------------------------------


def test_a_published_value_and_its_correction_each_come_once_in_order(client, kpis, pmo, reader):
    kpi = kpis.kpi(pmo)
    q1 = kpis.published(pmo, kpi, "2023-24-Q1", "70")
    q2 = kpis.published(pmo, kpi, "2023-24-Q2", "72")
    first = sync(client, reader)
    assert [i["id"] for i in first] == [q1["id"], q2["id"]]
    assert first[0]["sequence"] < first[1]["sequence"]

    nothing = sync(client, reader, after=high_water(first))
    assert nothing == []

    corrected = kpis.patch(pmo, f"/kpi-values/{q2['id']}", {"actual": "73", "reason": "late returns"})
    assert corrected.status_code == 200, corrected.text
    changes = sync(client, reader, after=high_water(first))
    assert [(i["id"], i["actual"], i["version"]) for i in changes] == [(q2["id"], "73.0", q2["version"] + 1)]
    assert changes[0]["sequence"] > high_water(first)


def test_a_correction_brings_the_values_that_compare_with_it(client, kpis, pmo, reader):
    kpi = kpis.kpi(pmo)
    q1 = kpis.published(pmo, kpi, "2023-24-Q1", "70")
    q2 = kpis.published(pmo, kpi, "2023-24-Q2", "72")
    kpis.published(pmo, kpi, "2023-24-Q3", "71")  # compares with Q2, not Q1
    year_on = kpis.published(pmo, kpi, "2024-25-Q1", "75")
    held = sync(client, reader)
    assert {i["id"]: i["direction_vs_previous"] for i in held}[q2["id"]] == "improving"

    corrected = kpis.patch(pmo, f"/kpi-values/{q1['id']}", {"actual": "80", "reason": "recount"})
    assert corrected.status_code == 200, corrected.text
    changes = sync(client, reader, after=high_water(held))

    # Q1 itself, Q2 (its previous period), and Q1 a year on (its year before): one change,
    # one number.
    assert sorted(i["id"] for i in changes) == sorted([q1["id"], q2["id"], year_on["id"]])
    assert len({i["sequence"] for i in changes}) == 1
    by_id = {i["id"]: i for i in changes}
    assert (by_id[q2["id"]]["previous_actual"], by_id[q2["id"]]["direction_vs_previous"]) == (
        "80.0",
        "worsening",
    )
    assert by_id[year_on["id"]]["year_before_actual"] == "80.0"


def test_a_target_change_brings_the_value_with_its_new_rag(client, kpis, pmo, reader):
    kpi = kpis.kpi(pmo)
    target = kpis.target(pmo, kpi, "2023-24-Q1", "70")
    q1 = kpis.published(pmo, kpi, "2023-24-Q1", "70")
    kpis.published(pmo, kpi, "2023-24-Q2", "70")
    held = sync(client, reader)
    assert {i["id"]: i["rag"] for i in held}[q1["id"]] == "green"

    raised = kpis.patch(pmo, f"/kpi-targets/{target['id']}", {"target": "90"})
    assert raised.status_code == 200, raised.text
    changes = sync(client, reader, after=high_water(held))
    assert [(i["id"], i["target"], i["rag"]) for i in changes] == [(q1["id"], "90.0", "red")]

    # A target for a period with no published value changes nothing the feed shows.
    kpis.target(pmo, kpi, "2023-24-Q3", "70")
    assert sync(client, reader, after=high_water(changes)) == []


def test_the_organisations_tolerance_brings_every_value_again(client, kpis, pmo, admin, reader):
    kpi = kpis.kpi(pmo)
    kpis.target(pmo, kpi, "2023-24-Q1", "100")
    kpis.published(pmo, kpi, "2023-24-Q1", "96")
    kpis.published(pmo, kpi, "2023-24-Q2", "50")
    held = sync(client, reader)
    assert [i["rag"] for i in held] == ["amber", None]

    changed = kpis.patch(admin, "/organisation", {"kpi_tolerance_percent": "2"})
    assert changed.status_code == 200, changed.text
    changes = sync(client, reader, after=high_water(held))
    assert {i["period_code"]: i["rag"] for i in changes} == {"2023-24-Q1": "red", "2023-24-Q2": None}


def test_drafts_and_workflow_steps_before_publication_are_not_changes(client, kpis, pmo, reader):
    kpi = kpis.kpi(pmo)
    kpis.published(pmo, kpi, "2023-24-Q1", "70")
    held = sync(client, reader)
    draft = kpis.value(pmo, kpi, "2023-24-Q2", "71")
    kpis.step(pmo, draft, "submit")
    assert sync(client, reader, after=high_water(held)) == []


def test_paging_by_sequence_with_a_small_limit_has_no_gap_or_repeat(client, kpis, pmo, reader):
    kpi = kpis.kpi(pmo, frequency="monthly")
    published = [kpis.published(pmo, kpi, f"2023-{m:02d}", str(m)) for m in range(4, 11)]
    items = sync(client, reader, limit=2)
    assert [i["id"] for i in items] == [v["id"] for v in published]
    sequences = [i["sequence"] for i in items]
    assert sequences == sorted(set(sequences))


def test_after_sequence_must_be_a_whole_number(client, reader):
    for bad in ("-1", "1.5", "ten"):
        body = problem(client.get(VALUES_URL, params={"after_sequence": bad}, headers=reader.headers), 422)
        assert body["errors"][0]["location"] == ["query", "after_sequence"]


def test_a_cursor_of_the_definitions_is_not_a_cursor_of_the_values(client, kpis, pmo, reader):
    for n in range(2):
        kpis.kpi(pmo, code=f"DEF-{n}")
    cursor = client.get("/api/v1/kpi-feed/definitions", params={"limit": 1}, headers=reader.headers).json()[
        "next_cursor"
    ]
    body = problem(client.get(VALUES_URL, params={"cursor": cursor}, headers=reader.headers), 422)
    assert body["errors"][0]["location"] == ["query", "cursor"]


# Two transactions interleaved on PostgreSQL -------------------------------------------------


def _publish_in(session: Session, kpi: Kpi, period_code: str, actual: str) -> KpiValue:
    """What publishing writes: the value, then its numbers (which wait for the lock)."""
    period = parse_period_code(period_code, kpi.frequency)
    value = KpiValue(
        organisation_id=kpi.organisation_id,
        kpi_id=kpi.id,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        actual=Decimal(actual),
        status="published",
        published_at=utcnow(),
    )
    session.add(value)
    session.flush()  # updated_at is stamped now, before the lock
    return value


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def test_a_value_committed_late_is_not_missed(client, engine, org, reader):
    """B writes its value first (earlier `updated_at`), A later; A takes the numbers and
    commits first. A client syncing between the two commits holds A: by time it would never
    see B (older than its high-water mark); by sequence it does, because B's number waits
    for A's commit and is larger."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the interleaving cannot happen there")
    kpi = add_kpi(engine, org, "LATE-01")
    b_flushed, a_numbered, a_may_commit = threading.Event(), threading.Event(), threading.Event()
    b_numbered, b_may_commit = threading.Event(), threading.Event()
    written: dict[str, KpiValue] = {}
    failures: list[BaseException] = []

    def transaction_a() -> None:
        try:
            assert b_flushed.wait(10)
            with Session(engine, expire_on_commit=False) as session:
                value = _publish_in(session, kpi, "2023-24-Q1", "10")
                mark_values_changed(session, kpi.organisation_id, value_and_dependants(value))
                written["a"] = value
                a_numbered.set()
                assert a_may_commit.wait(10)
                session.commit()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            a_numbered.set()

    def transaction_b() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                value = _publish_in(session, kpi, "2024-25-Q3", "20")
                written["b"] = value
                b_flushed.set()
                assert a_numbered.wait(10)
                mark_values_changed(session, kpi.organisation_id, value_and_dependants(value))
                b_numbered.set()
                assert b_may_commit.wait(10)
                session.commit()
        except BaseException as exc:
            failures.append(exc)
            b_numbered.set()

    threads = [threading.Thread(target=transaction_a), threading.Thread(target=transaction_b)]
    for thread in threads:
        thread.start()
    try:
        assert a_numbered.wait(10)
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(engine):  # B is queued behind A's lock
            assert time.monotonic() < deadline, "B never waited for A's lock"
            time.sleep(0.01)
        assert not b_numbered.is_set()
        assert sync(client, reader) == []  # neither has committed

        a_may_commit.set()
        threads[0].join(10)
        assert b_numbered.wait(10)
        first = sync(client, reader)  # between the two commits
        assert [i["id"] for i in first] == [str(written["a"].id)]
    finally:
        a_may_commit.set()
        b_may_commit.set()
        for thread in threads:
            thread.join(10)
    assert not failures, failures

    later = sync(client, reader, after=high_water(first))
    assert [i["id"] for i in later] == [str(written["b"].id)]
    assert later[0]["sequence"] > first[0]["sequence"]
    # The control: B's time stamp is older than A's, so a sync by time would have missed it.
    assert later[0]["updated_at"] < first[0]["updated_at"]
    by_time = client.get(VALUES_URL, params={"updated_since": first[0]["updated_at"]}, headers=reader.headers)
    assert str(written["b"].id) not in [i["id"] for i in by_time.json()["items"]]


# The GSS code --------------------------------------------------------------------------------


def test_the_administrator_sets_the_gss_code_and_the_feed_shows_it(client, kpis, admin, pmo, reader):
    kpi = kpis.kpi(pmo)
    kpis.published(pmo, kpi, "2023-24-Q1", "70")
    held = sync(client, reader)
    assert held[0]["organisation_gss_code"] is None

    response = kpis.patch(admin, "/organisation", {"gss_code": "E07000034"})

    assert response.status_code == 200, response.text
    assert response.json()["gss_code"] == "E07000034"
    # Every value shows it, so every value comes again.
    [again] = sync(client, reader, after=high_water(held))
    assert again["organisation_gss_code"] == "E07000034"
    csv = client.get(VALUES_URL, headers={**reader.headers, "Accept": "text/csv"}).text
    assert "organisation_gss_code" in csv.splitlines()[0]
    assert csv.splitlines()[1].endswith(",E07000034")


@pytest.mark.parametrize(
    "code", ["E0700003", "E070000345", "W06000015", "e07000034", "E17000034", " E07000034"]
)
def test_a_gss_code_that_is_not_an_english_councils_is_422(client, kpis, admin, code):
    body = problem(kpis.patch(admin, "/organisation", {"gss_code": code}), 422)
    assert body["errors"][0]["location"] == ["body", "gss_code"]


def test_a_gss_code_another_organisation_holds_is_409(client, kpis, admin, other_admin):
    assert kpis.patch(other_admin, "/organisation", {"gss_code": "E07000034"}).status_code == 200
    problem(kpis.patch(admin, "/organisation", {"gss_code": "E07000034"}), 409)


def test_only_the_administrator_sets_the_gss_code(client, kpis, pmo):
    problem(kpis.patch(pmo, "/organisation", {"gss_code": "E07000034"}), 403)
