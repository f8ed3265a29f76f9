"""What the server works out for each KPI value, for many values at once.

For every value: the target of its period and the tolerance used, the RAG, and the direction
of travel and % change against the previous period and the same period a year before
(DOMAIN.md section 6). The arithmetic is `pmo.kpis.calculations` (exact decimals at the KPI's
decimal places); this module only gathers what it needs in a fixed number of queries, so a
page of 200 values costs the same handful of queries as a page of one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select as sa_select  # typed for any number of columns
from sqlmodel import Session, col

from pmo.core.periods import parse_period_code
from pmo.kpis.calculations import KpiDirection, Rag, direction, percent_change, rag
from pmo.kpis.models import Kpi, KpiTarget, KpiValue
from pmo.organisations.models import Organisation

PUBLISHED = "published"


@dataclass(frozen=True)
class Assessment:
    target: Decimal | None
    tolerance_percent: Decimal  # the one used: target's, else KPI's, else organisation's
    rag: Rag | None
    previous_period: str  # period code of the previous period
    previous_actual: Decimal | None
    direction_vs_previous: KpiDirection | None
    change_vs_previous_percent: Decimal | None
    year_before_period: str
    year_before_actual: Decimal | None
    direction_vs_year_before: KpiDirection | None
    change_vs_year_before_percent: Decimal | None


class Assessed(Protocol):
    """What an assessment reads of a value: a `KpiValue`, or a row of those columns (the
    feed reads rows, not ORM objects, as it serves 100 values a request)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def kpi_id(self) -> uuid.UUID: ...
    @property
    def period_code(self) -> str: ...
    @property
    def actual(self) -> Decimal: ...


def assess(
    session: Session, values: Sequence[Assessed], *, published_only: bool
) -> dict[uuid.UUID, Assessment]:
    """Keyed by value id. Four queries whatever len(values): the KPIs, the organisations'
    tolerances, the targets of those periods, the comparison values. With `published_only`,
    comparisons use only published values (what API clients and readers see). Columns are
    read as rows, not ORM objects: building those cost more than the queries."""
    if not values:
        return {}
    kpi_ids = {v.kpi_id for v in values}
    kpi_columns = (
        col(Kpi.id),
        col(Kpi.organisation_id),
        col(Kpi.frequency),
        col(Kpi.decimal_places),
        col(Kpi.tolerance_percent),
        col(Kpi.polarity),
    )
    kpis = {k.id: k for k in session.execute(sa_select(*kpi_columns).where(col(Kpi.id).in_(kpi_ids)))}
    org_ids = {k.organisation_id for k in kpis.values()}
    organisation_tolerance = dict(
        session.execute(
            sa_select(col(Organisation.id), col(Organisation.kpi_tolerance_percent)).where(
                col(Organisation.id).in_(org_ids)
            )
        ).all()
    )

    periods = {v.id: parse_period_code(v.period_code, kpis[v.kpi_id].frequency) for v in values}
    target_keys = {(v.kpi_id, v.period_code) for v in values}
    compare_keys = {
        (v.kpi_id, code)
        for v in values
        for code in (periods[v.id].previous.code, periods[v.id].year_before.code)
    }

    targets = {
        (kpi_id, code): (target, tolerance)
        for kpi_id, code, target, tolerance in _rows_by_period(
            session, KpiTarget, ("target", "tolerance_percent"), target_keys
        )
    }
    actuals = {
        (kpi_id, code): actual
        for kpi_id, code, actual, status in _rows_by_period(
            session, KpiValue, ("actual", "status"), compare_keys
        )
        if status == PUBLISHED or not published_only
    }

    result: dict[uuid.UUID, Assessment] = {}
    for value in values:
        kpi = kpis[value.kpi_id]
        period = periods[value.id]
        places = kpi.decimal_places
        target_value, target_tolerance = targets.get((kpi.id, value.period_code), (None, None))
        tolerance = next(
            t
            for t in (target_tolerance, kpi.tolerance_percent, organisation_tolerance[kpi.organisation_id])
            if t is not None
        )
        previous = actuals.get((kpi.id, period.previous.code))
        year_before = actuals.get((kpi.id, period.year_before.code))
        result[value.id] = Assessment(
            target=target_value,
            tolerance_percent=tolerance,
            rag=rag(
                value.actual, target_value, polarity=kpi.polarity, places=places, tolerance_percent=tolerance
            ),
            previous_period=period.previous.code,
            previous_actual=previous,
            direction_vs_previous=direction(value.actual, previous, polarity=kpi.polarity, places=places),
            change_vs_previous_percent=percent_change(value.actual, previous, places=places),
            year_before_period=period.year_before.code,
            year_before_actual=year_before,
            direction_vs_year_before=direction(
                value.actual, year_before, polarity=kpi.polarity, places=places
            ),
            change_vs_year_before_percent=percent_change(value.actual, year_before, places=places),
        )
    return result


def _rows_by_period(
    session: Session,
    model: type[KpiTarget] | type[KpiValue],
    columns: tuple[str, ...],
    keys: set[tuple[uuid.UUID, str]],
) -> list[tuple[Any, ...]]:
    """(kpi_id, period_code, *columns) of the rows of `model` whose (kpi_id, period_code) is one
    of `keys`, found through the unique index on those two columns.

    A join against a VALUES list, sent as written: with SQLAlchemy's row-value IN, SQLite read
    the whole table (a page got slower as the table grew) and compiling the statement's hundreds
    of parameters cost more than running it. Column types convert the values both ways, as
    SQLAlchemy would.
    """
    if not keys:
        return []
    dialect = session.get_bind().dialect
    table = model.__table__  # type: ignore[union-attr]
    types = [table.c[name].type for name in ("kpi_id", "period_code", *columns)]
    to_db = types[0].bind_processor(dialect) or (lambda v: v)
    readers = [t.result_processor(dialect, None) or (lambda v: v) for t in types]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    pairs = ", ".join([f"({mark}, {mark})"] * len(keys))
    selected = ", ".join(f"t.{name}" for name in ("kpi_id", "period_code", *columns))
    # Only the model's own table and column names are spliced in; every value is bound.
    sql = (
        f"WITH wanted(kpi_id, period_code) AS (VALUES {pairs}) "  # noqa: S608
        f"SELECT {selected} FROM wanted JOIN {table.name} t "
        "ON t.kpi_id = wanted.kpi_id AND t.period_code = wanted.period_code"
    )
    parameters = tuple(p for kpi_id, code in keys for p in (to_db(kpi_id), code))
    rows = session.connection().exec_driver_sql(sql, parameters).all()
    return [tuple(read(cell) for read, cell in zip(readers, row, strict=True)) for row in rows]
