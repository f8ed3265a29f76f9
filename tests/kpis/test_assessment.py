"""`pmo.kpis.assessment.assess`: RAG, direction and % change worked out for many values at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import event
from sqlmodel import Session

from pmo.core.periods import parse_period_code
from pmo.kpis.assessment import assess
from pmo.kpis.calculations import KpiDirection, Rag
from pmo.kpis.models import Kpi, KpiTarget, KpiValue
from pmo.organisations.models import Organisation


def _kpi(session: Session, org: Organisation, **fields: object) -> Kpi:
    kpi = Kpi(
        organisation_id=org.id,
        **{"code": "CS-01", "name": "Satisfaction", "unit": "percentage", "polarity": "higher_is_better"}
        | {"frequency": "quarterly", "decimal_places": 1}
        | fields,
    )
    session.add(kpi)
    session.flush()
    return kpi


def _value(session: Session, kpi: Kpi, code: str, actual: str, status: str = "published") -> KpiValue:
    period = parse_period_code(code, kpi.frequency)
    value = KpiValue(
        organisation_id=kpi.organisation_id,
        kpi_id=kpi.id,
        period_code=code,
        period_start=period.start,
        period_end=period.end,
        actual=Decimal(actual),
        status=status,
    )
    session.add(value)
    session.flush()
    return value


def _target(session: Session, kpi: Kpi, code: str, target: str, tolerance: str | None = None) -> None:
    period = parse_period_code(code, kpi.frequency)
    session.add(
        KpiTarget(
            organisation_id=kpi.organisation_id,
            kpi_id=kpi.id,
            period_code=code,
            period_start=period.start,
            period_end=period.end,
            target=Decimal(target),
            tolerance_percent=Decimal(tolerance) if tolerance else None,
        )
    )
    session.flush()


@contextmanager
def count_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_on_target_exactly_is_green_and_directions_against_previous_and_year_before(
    session: Session, org: Organisation
) -> None:
    kpi = _kpi(session, org)
    _value(session, kpi, "2022-23-Q2", "70")
    _value(session, kpi, "2023-24-Q2", "80")
    current = _value(session, kpi, "2023-24-Q3", "72.5")
    _target(session, kpi, "2023-24-Q3", "72.5")
    _value(session, kpi, "2022-23-Q3", "60")

    result = assess(session, [current], published_only=True)[current.id]

    assert result.rag == Rag.green
    assert result.target == Decimal("72.5")
    assert result.tolerance_percent == Decimal(5)  # the organisation's default
    assert result.previous_period == "2023-24-Q2"
    assert result.previous_actual == Decimal(80)
    assert result.direction_vs_previous == KpiDirection.worsening
    assert result.change_vs_previous_percent == Decimal("-9.4")
    assert result.year_before_period == "2022-23-Q3"
    assert result.direction_vs_year_before == KpiDirection.improving
    assert result.change_vs_year_before_percent == Decimal("20.8")


def test_amber_within_tolerance_red_beyond_and_tolerance_precedence(
    session: Session, org: Organisation
) -> None:
    kpi = _kpi(session, org, tolerance_percent=Decimal(10))
    amber = _value(session, kpi, "2023-24-Q1", "66")  # 8.3% short: within the KPI's 10%
    _target(session, kpi, "2023-24-Q1", "72")
    red = _value(session, kpi, "2023-24-Q2", "66")  # the target's own 5% overrides
    _target(session, kpi, "2023-24-Q2", "72", tolerance="5")

    result = assess(session, [amber, red], published_only=False)

    assert (result[amber.id].rag, result[amber.id].tolerance_percent) == (Rag.amber, Decimal(10))
    assert (result[red.id].rag, result[red.id].tolerance_percent) == (Rag.red, Decimal(5))
    assert result[red.id].direction_vs_previous == KpiDirection.no_change
    assert result[red.id].change_vs_previous_percent == Decimal("0.0")


def test_no_target_is_no_rag_not_red(session: Session, org: Organisation) -> None:
    kpi = _kpi(session, org)
    value = _value(session, kpi, "2023-24-Q1", "1")

    result = assess(session, [value], published_only=True)[value.id]

    assert result.rag is None
    assert result.target is None
    assert result.previous_actual is None
    assert result.direction_vs_previous is None
    assert result.change_vs_previous_percent is None


def test_no_polarity_gives_no_rag_and_increasing_or_decreasing(session: Session, org: Organisation) -> None:
    kpi = _kpi(session, org, polarity="none", unit="number", decimal_places=0)
    _value(session, kpi, "2022-23-Q4", "300")
    _value(session, kpi, "2023-24-Q3", "100")
    current = _value(session, kpi, "2023-24-Q4", "200")
    _target(session, kpi, "2023-24-Q4", "150")

    result = assess(session, [current], published_only=True)[current.id]

    assert result.rag is None
    assert result.direction_vs_previous == KpiDirection.increasing
    assert result.change_vs_previous_percent == Decimal("100.0")
    assert result.direction_vs_year_before == KpiDirection.decreasing


def test_lower_is_better_mirrors(session: Session, org: Organisation) -> None:
    kpi = _kpi(session, org, code="ICT-01", polarity="lower_is_better", unit="number", decimal_places=0)
    _value(session, kpi, "2023-24-Q1", "4")
    current = _value(session, kpi, "2023-24-Q2", "3")
    _target(session, kpi, "2023-24-Q2", "2")

    result = assess(session, [current], published_only=True)[current.id]

    assert result.rag == Rag.red
    assert result.direction_vs_previous == KpiDirection.improving


def test_published_only_ignores_unpublished_comparisons(session: Session, org: Organisation) -> None:
    kpi = _kpi(session, org)
    _value(session, kpi, "2023-24-Q1", "50", status="verified")
    current = _value(session, kpi, "2023-24-Q2", "60")

    assert assess(session, [current], published_only=True)[current.id].previous_actual is None
    assert assess(session, [current], published_only=False)[current.id].previous_actual == Decimal(50)


def test_monthly_and_annual_periods(session: Session, org: Organisation) -> None:
    monthly = _kpi(session, org, code="M-01", frequency="monthly")
    annual = _kpi(session, org, code="A-01", frequency="annual")
    april = _value(session, monthly, "2023-04", "10")
    year = _value(session, annual, "2023-24", "10")

    result = assess(session, [april, year], published_only=True)

    assert (result[april.id].previous_period, result[april.id].year_before_period) == ("2023-03", "2022-04")
    assert (result[year.id].previous_period, result[year.id].year_before_period) == ("2022-23", "2022-23")


def test_a_constant_number_of_queries_whatever_the_number_of_values(
    session: Session, org: Organisation
) -> None:
    kpis = [_kpi(session, org, code=f"K-{n}") for n in range(5)]
    values = [
        _value(session, kpi, f"{year}-{(year + 1) % 100:02d}-Q{q}", str(q * 10))
        for kpi in kpis
        for year in (2022, 2023)
        for q in (1, 2, 3, 4)
    ]
    for kpi in kpis:
        _target(session, kpi, "2023-24-Q4", "35")

    with count_queries(session) as one:
        assess(session, values[:1], published_only=True)
    with count_queries(session) as many:
        result = assess(session, values, published_only=True)

    assert len(many) == len(one) <= 4
    assert len(result) == 40
    assert {result[v.id].rag for v in values if v.period_code == "2023-24-Q4"} == {Rag.green}
