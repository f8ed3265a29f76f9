"""The import's fast paths (issue 16) store exactly what the plain paths stored: the bulk insert
the same cells as SQLAlchemy's insert, the change sequence the same numbers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import column, insert, select
from sqlmodel import Session

from pmo.core import bulk
from pmo.core.bulk import insert_rows
from pmo.kpis.import_service import _FieldCache
from pmo.kpis.models import KpiFeedState, KpiValue
from pmo.kpis.schemas import ValueCreate

from .test_feed import add_kpi, add_value
from .test_import import post_csv


def _rows(kpi_id: uuid.UUID, org_id: uuid.UUID, person: uuid.UUID | None) -> list[dict[str, Any]]:
    one = Decimal("1")
    now = datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=timezone(timedelta(hours=1)))  # stored as UTC
    commentaries = ["", "tab\there", "line\nbreak\r\n", "back\\slash \\N", "naïve café — ✓", "\\", "NULL"]
    actuals = [
        one,
        Decimal("1.0"),
        one,
        Decimal("-0.25"),
        Decimal("123456789.123456"),
        Decimal("0E-3"),
        Decimal("1E+2"),
    ]
    rows = []
    for n, (commentary, actual) in enumerate(zip(commentaries, actuals, strict=True)):
        published = n % 2 == 0
        rows.append(
            {
                "id": uuid.uuid4(),
                "organisation_id": org_id,
                "kpi_id": kpi_id,
                "period_code": f"2020-{n + 1:02d}",
                "period_start": date(2020, n + 1, 1),
                "period_end": date(2020, n + 1, 28),
                "actual": actual,
                "commentary": commentary,
                "status": "published" if published else "draft",
                "entered_by_id": person,
                "submitted_by_id": person if published else None,
                "submitted_at": now if published else None,
                "verified_by_id": None,
                "verified_at": None,
                "published_by_id": person if published else None,
                "published_at": now if published else None,
                "created_at": now,
                "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
                "version": 1 + n,
                "feed_sequence": 7 if published else 0,
            }
        )
    return rows


def _stored(engine, kpi_id: uuid.UUID) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """The cells as the database holds them (SQLite's text, PostgreSQL's types), but the ids."""
    table = KpiValue.__table__  # type: ignore[attr-defined]
    # Untyped columns: no result processing, the cells as read from the driver.
    columns = [column(c.name) for c in table.c if c.name not in ("id", "kpi_id")]
    with engine.connect() as connection:
        statement = select(*columns).select_from(table).where(table.c.kpi_id == kpi_id)
        return [tuple(r) for r in connection.execute(statement.order_by(table.c.period_code))]


def test_bulk_insert_stores_the_cells_sqlalchemy_stores(engine, org, pmo):
    plain, bulk = (
        add_kpi(engine, org, "PLAIN", frequency="monthly"),
        add_kpi(engine, org, "BULK", frequency="monthly"),
    )
    with Session(engine) as session:
        session.execute(insert(KpiValue.__table__), _rows(plain.id, org.id, pmo.id))  # type: ignore[attr-defined]
        insert_rows(session, KpiValue.__table__, _rows(bulk.id, org.id, pmo.id))  # type: ignore[attr-defined]
        session.commit()

    expected = _stored(engine, plain.id)
    assert len(expected) == 7
    assert _stored(engine, bulk.id) == expected
    with Session(engine) as session:
        read = session.execute(
            select(KpiValue).where(KpiValue.kpi_id == bulk.id).order_by(KpiValue.period_code)
        )
        values = read.scalars().all()
    assert [str(v.actual) for v in values] == ["1", "1.0", "1", "-0.25", "123456789.123456", "0.000", "100"]
    assert values[1].commentary == "tab\there"
    assert values[2].commentary == "line\nbreak\r\n"
    assert values[3].commentary == "back\\slash \\N"
    assert values[6].commentary == "NULL"
    assert values[0].created_at == datetime(2026, 12, 7, 0, 2, 3, 456789, tzinfo=UTC)
    assert values[1].submitted_at is None


def test_an_import_numbers_new_and_stored_values_as_one_change(client, engine, org, pmo):
    """The import's published values, new and stored, of the KPIs it touches share the next
    number of the change sequence; drafts keep 0; other KPIs keep theirs."""
    touched, other = add_kpi(engine, org, "CS-01"), add_kpi(engine, org, "CS-02")
    stored = add_value(engine, touched, "2022-23-Q1", "1")
    stored_draft = add_value(engine, touched, "2022-23-Q4", "4", status="draft")
    untouched = add_value(engine, other, "2022-23-Q1", "1")
    with Session(engine) as session:
        revision = session.get_one(KpiFeedState, org.id).revision
        untouched_number = session.get_one(KpiValue, untouched.id).feed_sequence

    text = "kpi_code,period_code,actual,status\nCS-01,2022-23-Q2,2,\nCS-01,2022-23-Q3,3,draft\n"
    response = post_csv(client, pmo, text)

    assert response.status_code == 200, response.text
    with Session(engine) as session:
        # One move for the import, one for the change sequence's number, as before.
        assert session.get_one(KpiFeedState, org.id).revision == revision + 2
        numbers = {
            v.period_code: (v.kpi_id, v.status, v.feed_sequence)
            for v in session.execute(select(KpiValue)).scalars()
        }
    assert numbers == {
        "2022-23-Q1": numbers["2022-23-Q1"],  # two KPIs have Q1: checked below by id
        "2022-23-Q2": (touched.id, "published", revision + 2),
        "2022-23-Q3": (touched.id, "draft", 0),
        "2022-23-Q4": (touched.id, "draft", 0),
    }
    with Session(engine) as session:
        assert session.get_one(KpiValue, stored.id).feed_sequence == revision + 2
        assert session.get_one(KpiValue, stored_draft.id).feed_sequence == 0
        assert session.get_one(KpiValue, untouched.id).feed_sequence == untouched_number


def test_fields_checked_once_per_text_give_what_the_model_gives():
    """`_FieldCache` answers as `ValueCreate(**given)` does (None where the model refuses)."""
    cache = _FieldCache(ValueCreate, {"period_code": "2022-23", "actual": "0"})
    rows: list[dict[str, str]] = [
        {"period_code": "2022-04", "actual": "72.5"},
        {"period_code": "2022-04", "actual": "72.5", "commentary": "fine"},
        {"period_code": "2022-23-Q1", "actual": "-0.000001", "commentary": "tab\tand \x07 bell"},
        {"period_code": "2022-04", "actual": "1E3"},
        {"period_code": "2022-04", "actual": "-0"},
        {"period_code": "2022-04", "actual": "1234567890123456"},
        {"period_code": "2022-04", "actual": "١٢"},  # Arabic-Indic digits
        {"period_code": "April", "actual": "1"},
        {"period_code": "2022-04"},
        {"actual": "1"},
        {"period_code": "2022-04", "actual": "1", "commentary": "x" * 10_001},
        {"period_code": "2022-04", "actual": "1", "colour": "red"},
    ]
    for given in rows * 2:  # the second time from the cache
        try:
            expected: dict[str, Any] | None = ValueCreate(**given).model_dump()
        except ValidationError:
            expected = None
        got = cache.valid(given)
        assert got == expected, given
        if got is not None and expected is not None:
            assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}
            assert {k: str(v) for k, v in got.items()} == {k: str(v) for k, v in expected.items()}


def test_a_large_insert_puts_sqlites_page_cache_back(engine, org, pmo, monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache")
    monkeypatch.setattr(bulk, "LARGE_INSERT_ROWS", 1)
    kpi = add_kpi(engine, org, "BULK", frequency="monthly")
    with Session(engine) as session:
        before = session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one()
        seen: list[int] = []
        bulk.insert_rows(session, KpiValue.__table__, _rows(kpi.id, org.id, pmo.id), done=seen.append)  # type: ignore[attr-defined]
        assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one() == before
        session.commit()
    assert seen == [7]
    assert len(_stored(engine, kpi.id)) == 7
