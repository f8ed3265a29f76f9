"""The KPI feed for other council systems: `/api/v1/kpi-feed/values` and `/definitions`."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from pmo.core.config import get_settings
from pmo.core.db import READ_ONLY_POSTGRES, utcnow
from pmo.core.errors import TooManyRequests
from pmo.core.periods import parse_period_code
from pmo.core.permissions import Role
from pmo.kpis import feed_ratelimit
from pmo.kpis.feed_state import in_period, mark_changed, mark_values_changed, value_and_dependants
from pmo.kpis.models import Kpi, KpiFeedState, KpiTarget, KpiValue
from pmo.organisations.models import Organisation
from pmo.portfolio.models import Portfolio, Programme
from support.plans import statements_while

VALUES_URL = "/api/v1/kpi-feed/values"
DEFINITIONS_URL = "/api/v1/kpi-feed/definitions"
TOKEN_URL = "/api/v1/auth/token"


# Seeding straight through the tables, as the other KPI routes would leave them -------------


def add_kpi(engine: Engine, org: Organisation, code: str, **fields: object) -> Kpi:
    with Session(engine, expire_on_commit=False) as session:
        kpi = Kpi(
            organisation_id=org.id,
            **{"code": code, "name": f"KPI {code}", "unit": "number", "polarity": "higher_is_better"}
            | {"frequency": "quarterly", "decimal_places": 1}
            | fields,
        )
        session.add(kpi)
        mark_changed(session, org.id)
        session.commit()
        return kpi


def add_value(
    engine: Engine,
    kpi: Kpi,
    period_code: str,
    actual: str,
    *,
    status: str = "published",
    commentary: str = "",
) -> KpiValue:
    period = parse_period_code(period_code, kpi.frequency)
    with Session(engine, expire_on_commit=False) as session:
        value = KpiValue(
            organisation_id=kpi.organisation_id,
            kpi_id=kpi.id,
            period_code=period.code,
            period_start=period.start,
            period_end=period.end,
            actual=Decimal(actual),
            commentary=commentary,
            status=status,
            published_at=utcnow() if status == "published" else None,
        )
        session.add(value)
        session.flush()
        # As publishing does: the value and those that compare with it get the next numbers.
        mark_values_changed(session, kpi.organisation_id, value_and_dependants(value))
        session.commit()
        return value


def add_target(engine: Engine, kpi: Kpi, period_code: str, target: str) -> None:
    period = parse_period_code(period_code, kpi.frequency)
    with Session(engine) as session:
        session.add(
            KpiTarget(
                organisation_id=kpi.organisation_id,
                kpi_id=kpi.id,
                period_code=period.code,
                period_start=period.start,
                period_end=period.end,
                target=Decimal(target),
            )
        )
        mark_values_changed(session, kpi.organisation_id, in_period(kpi.id, period.code))
        session.commit()


def correct_value(engine: Engine, value: KpiValue, actual: str) -> None:
    """What a PMO correction of a published value does to the row (the PATCH route's service
    was not ready when these tests were written): new actual, version and updated_at move on."""
    with Session(engine) as session:
        row = session.get_one(KpiValue, value.id)
        row.actual = Decimal(actual)
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        mark_values_changed(session, row.organisation_id, value_and_dependants(row))
        session.commit()


def api_client_headers(client, admin, scopes=("kpis:read",)) -> dict[str, str]:  # type: ignore[no-untyped-def]
    created = client.post(
        "/api/v1/api-clients",
        json={"name": "Performance system", "scopes": list(scopes)},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    token = client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": body["client_id"],
            "client_secret": body["client_secret"],
        },
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture
def reader(client, admin):  # type: ignore[no-untyped-def]
    return api_client_headers(client, admin)


def _ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# What a value carries ----------------------------------------------------------------------


def test_published_values_with_period_target_rag_and_direction(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    add_value(engine, kpi, "2022-23-Q2", "70.0")
    add_value(engine, kpi, "2023-24-Q1", "71.5")
    add_target(engine, kpi, "2023-24-Q2", "78")
    current = add_value(engine, kpi, "2023-24-Q2", "75.0", commentary="Better than last year")

    response = client.get(VALUES_URL, params={"code": "CS-01", "period_from": "2023-24-Q2"}, headers=reader)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    [item] = response.json()["items"]
    assert item["id"] == str(current.id)
    assert item["kpi_code"] == "CS-01"
    assert (item["period_code"], item["period_label"]) == ("2023-24-Q2", "2023/24 Q2")
    assert (item["period_start"], item["period_end"]) == ("2023-07-01", "2023-09-30")
    assert item["actual"] == "75.0"
    assert item["commentary"] == "Better than last year"
    assert item["target"] == "78"
    assert item["rag"] == "amber"  # 3 short of 78, within 5%
    assert (item["previous_period"], item["previous_actual"]) == ("2023-24-Q1", "71.5")
    assert item["direction_vs_previous"] == "improving"
    assert item["change_vs_previous_percent"] == "4.9"
    assert (item["year_before_period"], item["year_before_actual"]) == ("2022-23-Q2", "70.0")
    assert item["direction_vs_year_before"] == "improving"
    assert item["version"] == 1
    assert item["published_at"]
    assert item["updated_at"]
    assert response.json()["next"] is None


def test_drafts_and_unverified_values_are_never_in_the_feed(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    published = add_value(engine, kpi, "2023-24-Q1", "10")
    for status, period in (("draft", "2023-24-Q2"), ("submitted", "2023-24-Q3"), ("verified", "2023-24-Q4")):
        add_value(engine, kpi, period, "99", status=status, commentary="not yet public")

    response = client.get(VALUES_URL, headers=reader)

    assert _ids(response) == [str(published.id)]
    assert "not yet public" not in response.text


def test_another_organisations_values_never_appear(client, engine, org, other_org, reader, other_admin):
    ours = add_value(engine, add_kpi(engine, org, "CS-01"), "2023-24-Q1", "10")
    theirs_kpi = add_kpi(engine, other_org, "CS-01")
    theirs = add_value(engine, theirs_kpi, "2023-24-Q1", "20")

    assert _ids(client.get(VALUES_URL, headers=reader)) == [str(ours.id)]
    definitions = client.get(DEFINITIONS_URL, headers=reader).json()["items"]
    assert [d["id"] for d in definitions] == [str(ours.kpi_id)]
    their_reader = api_client_headers(client, other_admin)
    assert _ids(client.get(VALUES_URL, headers=their_reader)) == [str(theirs.id)]


# Filters ----------------------------------------------------------------------------------


def test_filters_by_code_programme_and_period_range(client, engine, org, reader):
    with Session(engine, expire_on_commit=False) as session:
        portfolio = Portfolio(organisation_id=org.id, name="Transformation")
        session.add(portfolio)
        session.flush()
        programme = Programme(organisation_id=org.id, portfolio_id=portfolio.id, name="ICT Improvement")
        session.add(programme)
        session.commit()
    ict = add_kpi(engine, org, "ICT-01", programme_id=programme.id)
    cs = add_kpi(engine, org, "CS-01")
    monthly = add_kpi(engine, org, "HR-01", frequency="monthly")
    ict_q1 = add_value(engine, ict, "2022-23-Q1", "1")
    ict_q3 = add_value(engine, ict, "2022-23-Q3", "2")
    cs_q1 = add_value(engine, cs, "2022-23-Q1", "3")
    hr_may = add_value(engine, monthly, "2022-05", "4")
    hr_2024 = add_value(engine, monthly, "2024-01", "5")

    def ids(**params: object) -> set[str]:
        return set(_ids(client.get(VALUES_URL, params=params, headers=reader)))

    assert ids(code="ICT-01") == {str(ict_q1.id), str(ict_q3.id)}
    assert ids(code=["ICT-01", "HR-01"]) == {str(v.id) for v in (ict_q1, ict_q3, hr_may, hr_2024)}
    assert ids(code="NOPE-99") == set()
    assert ids(programme_id=str(programme.id)) == {str(ict_q1.id), str(ict_q3.id)}
    # Quarter 1 of 2022/23 is April to June: the May value is within it.
    assert ids(period_from="2022-23-Q1", period_to="2022-23-Q1") == {
        str(ict_q1.id),
        str(cs_q1.id),
        str(hr_may.id),
    }
    assert ids(period_from="2022-23-Q2", period_to="2022-23") == {str(ict_q3.id)}
    assert ids(period_from="2023-12-01") == {str(hr_2024.id)}
    assert ids(period_to="2022-05") == {str(hr_may.id)}


def test_bad_filters_are_422_with_the_parameter(client, reader):
    for params, where in (
        ({"period_from": "2022-13-Q9"}, "period_from"),
        ({"period_to": "last year"}, "period_to"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"updated_since": "2024-01-01T00:00:00"}, "updated_since"),  # no offset
        ({"limit": "1001"}, "limit"),
    ):
        response = client.get(VALUES_URL, params=params, headers=reader)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert ["query", where] == response.json()["errors"][0]["location"][:2]


# Paging and incremental sync --------------------------------------------------------------


def test_pages_follow_next_with_no_duplicates_or_gaps_while_values_arrive(client, engine, org, reader):
    kpis = [add_kpi(engine, org, f"K-{n:02d}") for n in range(5)]
    first = [
        add_value(engine, kpi, f"2022-23-Q{q}", str(q)) for kpi in kpis for q in range(1, 5)
    ]  # 20 values

    page = client.get(VALUES_URL, params={"limit": 7}, headers=reader)
    seen = _ids(page)
    assert f'<{page.json()["next"]}>; rel="next"' in page.headers["Link"]
    # While the client is paging: a new value arrives, and one already seen is corrected.
    arrived = add_value(engine, kpis[0], "2023-24-Q1", "9")
    correct_value(engine, first[0], "1.5")
    next_url = page.json()["next"]
    pages = 1
    while next_url:
        page = client.get(next_url, headers=reader)
        seen += _ids(page)
        next_url = page.json()["next"]
        pages += 1
        assert len(seen) <= 30

    original = [str(v.id) for v in first]
    # Every value once, in sequence order; the correction at the end, with the values that
    # compare with it (the next quarter, and the same quarter a year on: the new value).
    assert sorted(set(seen)) == sorted({*original, str(arrived.id)})
    assert sorted(seen[-3:]) == sorted([str(first[0].id), str(first[1].id), str(arrived.id)])
    assert len(seen) == len(original) + 3  # those two came round again, nothing else
    assert pages == 4
    assert page.status_code == 200
    assert 'rel="next"' not in page.headers["Link"]


def test_updated_since_brings_a_correction_of_a_published_value(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    corrected = add_value(engine, kpi, "2023-24-Q1", "70.0")
    add_value(engine, kpi, "2023-24-Q2", "71.0")
    synced = client.get(VALUES_URL, headers=reader).json()["items"]
    high_water = max(item["updated_at"] for item in synced)
    time.sleep(0.01)

    correct_value(engine, corrected, "72.0")
    changes = client.get(VALUES_URL, params={"updated_since": high_water}, headers=reader)

    items = changes.json()["items"]
    [changed] = [i for i in items if i["id"] == str(corrected.id)]
    assert (changed["actual"], changed["version"]) == ("72.0", 2)
    assert changed["updated_at"] > high_water
    # Nothing older than the high-water mark comes back.
    assert all(item["updated_at"] >= high_water for item in items)


def test_definitions_are_paged_and_filtered_too(client, engine, org, reader):
    for n in range(3):
        add_kpi(engine, org, f"K-{n}", tolerance_percent=Decimal("2.5"), baseline_value=Decimal("-1.25"))
    first = client.get(DEFINITIONS_URL, params={"limit": 2}, headers=reader)
    second = client.get(first.json()["next"], headers=reader)

    codes = [d["code"] for d in first.json()["items"] + second.json()["items"]]
    assert sorted(codes) == ["K-0", "K-1", "K-2"]
    assert second.json()["next"] is None
    item = first.json()["items"][0]
    assert (item["tolerance_percent"], item["baseline_value"], item["frequency"]) == (
        "2.5",
        "-1.25",
        "quarterly",
    )
    only = client.get(DEFINITIONS_URL, params={"code": "K-1"}, headers=reader).json()["items"]
    assert [d["code"] for d in only] == ["K-1"]


# CSV --------------------------------------------------------------------------------------


def test_csv_neutralises_fullwidth_formula_starts_and_a_leading_tab_or_return(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01", polarity="none")
    comments = ['\uff1dHYPERLINK("x")', "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\t=1", "\r=1"]
    for month, comment in enumerate(comments, start=1):
        add_value(
            engine,
            kpi,
            f"2022-23-Q{(month - 1) % 4 + 1}" if month <= 4 else f"2023-24-Q{month - 4}",
            "1",
            commentary=comment,
        )

    response = client.get(VALUES_URL, headers={**reader, "Accept": "text/csv"})

    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert sorted(r["commentary"] for r in rows) == sorted("'" + c for c in comments)


def test_csv_with_accept_text_csv(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01", polarity="none")
    for q in range(1, 4):
        add_value(engine, kpi, f"2022-23-Q{q}", f"-{q}.5", commentary='=HYPERLINK("x")' if q == 1 else "")

    response = client.get(VALUES_URL, params={"limit": 2}, headers={**reader, "Accept": "text/csv"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["period_code"] for r in rows] == ["2022-23-Q1", "2022-23-Q2"]
    assert [r["actual"] for r in rows] == ["-1.5", "-2.5"]  # numbers as they are
    assert rows[0]["commentary"] == '\'=HYPERLINK("x")'  # a formula shown as text
    assert rows[1]["direction_vs_previous"] == "decreasing"
    assert rows[0]["previous_actual"] == ""
    assert 'rel="next"' in response.headers["Link"]
    [next_url] = re.findall(r'<([^>]+)>; rel="next"', response.headers["Link"])
    rest = client.get(next_url, headers={**reader, "Accept": "text/csv"})
    assert [r["period_code"] for r in csv.DictReader(io.StringIO(rest.text))] == ["2022-23-Q3"]
    # JSON and CSV are different representations: different tags.
    assert (
        client.get(VALUES_URL, params={"limit": 2}, headers=reader).headers["ETag"]
        != response.headers["ETag"]
    )


def test_definitions_as_csv(client, engine, org, reader):
    add_kpi(engine, org, "CS-01", description="+44 helpline")
    response = client.get(DEFINITIONS_URL, headers={**reader, "Accept": "text/csv"})
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["code"], row["description"], row["decimal_places"]) == ("CS-01", "'+44 helpline", "1")


# Revalidation -----------------------------------------------------------------------------


def test_if_none_match_gives_304_until_something_changes(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    add_value(engine, kpi, "2023-24-Q1", "1")
    first = client.get(VALUES_URL, params={"code": "CS-01"}, headers=reader)
    tag = first.headers["ETag"]

    again = client.get(VALUES_URL, params={"code": "CS-01"}, headers={**reader, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    weak = client.get(VALUES_URL, params={"code": "CS-01"}, headers={**reader, "If-None-Match": f"W/{tag}"})
    assert weak.status_code == 304
    # Another query is another representation.
    other = client.get(VALUES_URL, params={"code": "CS-02"}, headers={**reader, "If-None-Match": tag})
    assert other.status_code == 200

    add_value(engine, kpi, "2023-24-Q2", "2", status="draft")  # any KPI write moves the revision on
    changed = client.get(VALUES_URL, params={"code": "CS-01"}, headers={**reader, "If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_a_304_reads_only_the_feed_state_row(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    add_value(engine, kpi, "2023-24-Q1", "1")
    tag = client.get(VALUES_URL, headers=reader).headers["ETag"]
    statuses: list[int] = []
    ran = statements_while(
        engine,
        lambda: statuses.append(client.get(VALUES_URL, headers={**reader, "If-None-Match": tag}).status_code),
    )
    statements = [statement for statement, _ in ran]
    assert statuses == [304]
    assert not [s for s in statements if "kpi_values" in s or "FROM kpis" in s]
    assert [s for s in statements if "kpi_feed_states" in s]


def test_a_page_read_again_is_served_written_out_and_a_change_is_never_served_stale(
    client, engine, org, other_org, reader, other_admin
):
    """The second read of a page at the same feed revision reads no value (the written-out page
    is kept by its tag); a correction moves the revision on, and the next read has it."""
    kpi = add_kpi(engine, org, "CS-01")
    value = add_value(engine, kpi, "2023-24-Q1", "10")
    add_value(engine, add_kpi(engine, other_org, "CS-01"), "2023-24-Q1", "20")
    first = client.get(VALUES_URL, params={"code": "CS-01"}, headers=reader)
    answers = []
    ran = statements_while(
        engine, lambda: answers.append(client.get(VALUES_URL, params={"code": "CS-01"}, headers=reader))
    )
    statements = [statement for statement, _ in ran]
    [again] = answers
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert not [s for s in statements if "kpi_values" in s]
    assert [s for s in statements if "kpi_feed_states" in s]  # the revision is still read each time

    correct_value(engine, value, "11")
    corrected = client.get(VALUES_URL, params={"code": "CS-01"}, headers=reader).json()["items"]
    assert [item["actual"] for item in corrected] == ["11"]
    # The same query from another council is its own page.
    theirs = client.get(VALUES_URL, params={"code": "CS-01"}, headers=api_client_headers(client, other_admin))
    assert [item["actual"] for item in theirs.json()["items"]] == ["20"]


def test_a_poll_is_a_plain_read_and_a_held_share_of_the_limit_touches_no_counter(client, engine, org, reader):
    """A poll takes no write lock (SQLite's BEGIN IMMEDIATE would queue it behind every writer):
    the request count takes its shares in a transaction of its own, and a request admitted
    from a share this process holds does not touch the counter at all."""
    add_value(engine, add_kpi(engine, org, "CS-01"), "2023-24-Q1", "1")
    tag = client.get(VALUES_URL, headers=reader).headers["ETag"]  # takes a share of the limit
    statuses: list[int] = []

    def ask() -> None:
        statuses.append(client.get(VALUES_URL, headers={**reader, "If-None-Match": tag}).status_code)
        # A page not yet written out (another limit), so the route reads it.
        statuses.append(client.get(VALUES_URL, params={"limit": "5"}, headers=reader).status_code)

    statements = [statement for statement, _ in statements_while(engine, ask)]
    assert statuses == [304, 200]
    assert not [s for s in statements if "rate_limit_counters" in s]
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    # The 304 reads its revision in one statement outside any transaction, and the page's
    # transaction is a read (more than one when a reading of the auth generation, trusted for
    # 0.5 s, is read again on a loaded machine).
    assert statements[0].startswith("SELECT kpi_feed_states.revision")
    if engine.dialect.name == "sqlite":
        assert "BEGIN IMMEDIATE" not in statements
        assert "PRAGMA query_only=0" not in statements
        assert statements.count("PRAGMA query_only=1") >= 1
    else:
        assert statements.count(READ_ONLY_POSTGRES) >= 1


def test_if_modified_since_gives_304_and_last_modified_moves_on(client, engine, org, reader):
    kpi = add_kpi(engine, org, "CS-01")
    add_value(engine, kpi, "2023-24-Q1", "1")
    # The last change was a while ago (Last-Modified is only given once its second is over).
    with Session(engine) as session:
        session.execute(update(KpiFeedState).values(changed_at=datetime.now(UTC) - timedelta(minutes=5)))
        session.commit()
    first = client.get(VALUES_URL, headers=reader)
    last_modified = first.headers["Last-Modified"]

    again = client.get(VALUES_URL, headers={**reader, "If-Modified-Since": last_modified})
    assert again.status_code == 304
    older = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert client.get(VALUES_URL, headers={**reader, "If-Modified-Since": older}).status_code == 200
    assert client.get(VALUES_URL, headers={**reader, "If-Modified-Since": "yesterday"}).status_code == 200

    add_value(engine, kpi, "2023-24-Q2", "2")
    time.sleep(1.05)
    changed = client.get(VALUES_URL, headers={**reader, "If-Modified-Since": last_modified})
    assert changed.status_code == 200
    assert changed.headers["Last-Modified"] != last_modified


def test_last_modified_is_held_back_within_the_second_of_a_change(client, engine, org, reader):
    add_value(engine, add_kpi(engine, org, "CS-01"), "2023-24-Q1", "1")
    with Session(engine) as session:
        session.execute(update(KpiFeedState).values(changed_at=datetime.now(UTC) + timedelta(seconds=30)))
        session.commit()
    assert "Last-Modified" not in client.get(VALUES_URL, headers=reader).headers


# Who may read, and how often ---------------------------------------------------------------


def test_a_client_without_kpis_read_is_refused(client, admin):
    headers = api_client_headers(client, admin, scopes=("portfolio:read",))
    for url in (VALUES_URL, DEFINITIONS_URL):
        response = client.get(url, headers=headers)
        assert response.status_code == 403
        assert "kpis:read" in response.json()["detail"]
    assert client.get(VALUES_URL).status_code == 401


def test_staff_read_the_published_feed_too(client, engine, org, factory):
    viewer = factory.person(org, Role.viewer)
    kpi = add_kpi(engine, org, "CS-01")
    published = add_value(engine, kpi, "2023-24-Q1", "1")
    add_value(engine, kpi, "2023-24-Q2", "2", status="draft")
    assert _ids(client.get(VALUES_URL, headers=viewer.headers)) == [str(published.id)]


def test_clients_are_rate_limited_with_retry_after(client, admin, monkeypatch):
    monkeypatch.setattr(get_settings(), "client_requests_per_minute", 3)
    reader = api_client_headers(client, admin)
    other_reader = api_client_headers(client, admin)
    # Keep clear of a minute's end, where the window would reset half way through.
    if time.time() % 60 > 55:
        time.sleep(6)

    statuses = [client.get(VALUES_URL, headers=reader).status_code for _ in range(3)]
    refused = client.get(DEFINITIONS_URL, headers=reader)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Per client: another client of the same council is not held back.
    assert client.get(VALUES_URL, headers=other_reader).status_code == 200


def test_the_limit_holds_across_processes_sharing_the_counter(engine, monkeypatch):
    """Two server processes (simulated by clearing this process's shares) together admit no
    more than the limit: shares are taken from the shared counter in the database."""
    client_id = uuid.uuid4()
    admitted = 0
    now = float(int(time.time()) // 60 * 60 + 1)
    refused = 0
    for _ in range(25):
        feed_ratelimit._shares.clear()  # a different process: nothing held in memory
        try:
            asyncio.run(feed_ratelimit.count_request(engine, client_id, 10, now=now))
            admitted += 1
        except TooManyRequests:
            refused += 1
    assert (admitted, refused) == (10, 15)
    # Within one process, a share of a larger limit is handed out from memory.
    assert feed_ratelimit.share_size(600) == 12
    assert feed_ratelimit.share_size(1_000_000) == 1000
    assert feed_ratelimit.share_size(10_000) == 200


def test_the_next_share_is_taken_ahead_and_requests_wait_for_it(engine, monkeypatch):
    """Half a share left, the next is taken in the background; a request that finds the share
    used up while it is on its way waits for it instead of writing a share of its own (the
    writes queued on SQLite's lock). The limit is exact all the same."""
    taken_by_requests, taken_ahead = 0, 0
    take_share = feed_ratelimit._take_share

    def slow_take_share(*args, admitting=True, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal taken_by_requests, taken_ahead
        if admitting:
            taken_by_requests += 1
        else:
            taken_ahead += 1
            time.sleep(0.05)  # slower than the half share left: the requests catch it up
        return take_share(*args, admitting=admitting, **kwargs)

    monkeypatch.setattr(feed_ratelimit, "_take_share", slow_take_share)
    client_id, limit = uuid.uuid4(), 500
    assert feed_ratelimit.share_size(limit) == 10
    assert feed_ratelimit.refill_at(10) == 5
    now = float(int(time.time()) // 60 * 60 + 1)

    async def poll(times: int) -> list[int]:
        statuses = []
        for _ in range(times):
            try:
                await feed_ratelimit.count_request(engine, client_id, limit, now=now)
                statuses.append(200)
            except TooManyRequests:
                statuses.append(429)
        return statuses

    statuses = asyncio.run(poll(520))
    feed_ratelimit.wait_for_shares_taken_ahead()

    assert statuses == [200] * 500 + [429] * 20
    # Only the first request took a share itself; 49 more were taken ahead, and the last try
    # ahead found the limit reached.
    assert (taken_by_requests - 20, taken_ahead) == (1, 50)


def test_a_share_taken_for_a_window_that_is_over_leaves_the_new_windows_share(engine):
    client_id, limit = uuid.uuid4(), 500
    window = int(time.time()) // 60 * 60
    asyncio.run(feed_ratelimit.count_request(engine, client_id, limit, now=window + 61.0))
    held = feed_ratelimit._shares[client_id]

    # A share of the window before comes back late (taken ahead, or by a request of that window).
    feed_ratelimit._take_share(engine, client_id, limit, window, retry_after=1, admitting=False)
    feed_ratelimit._take_share(engine, client_id, limit, window, retry_after=1)

    assert feed_ratelimit._shares[client_id] == held
