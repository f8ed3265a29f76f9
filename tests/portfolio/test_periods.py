"""UK financial years and quarters (Q1 = April to June)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from pmo.core.periods import (
    FinancialYearText,
    InvalidPeriod,
    QuarterText,
    financial_year_of,
    parse_financial_year,
    parse_quarter,
    quarter_of,
)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022/23 Q1", date(2022, 4, 1), date(2022, 6, 30)),
        ("2022/23 Q2", date(2022, 7, 1), date(2022, 9, 30)),
        ("2022/23 Q3", date(2022, 10, 1), date(2022, 12, 31)),
        ("2022/23 Q4", date(2023, 1, 1), date(2023, 3, 31)),
        ("2023/24 Q4", date(2024, 1, 1), date(2024, 3, 31)),
        ("1999/00 Q4", date(2000, 1, 1), date(2000, 3, 31)),
        ("2022-23-Q2", date(2022, 7, 1), date(2022, 9, 30)),  # the machine form
        (" 2022/23 q3 ", date(2022, 10, 1), date(2022, 12, 31)),
    ],
)
def test_quarters(text: str, start: date, end: date) -> None:
    quarter = parse_quarter(text)
    assert (quarter.start, quarter.end) == (start, end)
    assert quarter.label == f"{quarter.year.label} Q{quarter.number}"
    assert parse_quarter(quarter.code) == quarter


def test_years() -> None:
    year = parse_financial_year("2022/23")
    assert (year.start, year.end, year.label, year.code) == (
        date(2022, 4, 1),
        date(2023, 3, 31),
        "2022/23",
        "2022-23",
    )
    assert parse_financial_year("1999/00").end == date(2000, 3, 31)


@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (date(2022, 4, 1), "2022/23", "2022/23 Q1"),
        (date(2022, 3, 31), "2021/22", "2021/22 Q4"),
        (date(2022, 9, 30), "2022/23", "2022/23 Q2"),
        (date(2022, 12, 31), "2022/23", "2022/23 Q3"),
        (date(2023, 1, 1), "2022/23", "2022/23 Q4"),
    ],
)
def test_period_of_a_date(day: date, year: str, quarter: str) -> None:
    assert financial_year_of(day).label == year
    assert quarter_of(day).label == quarter
    assert parse_quarter(quarter).start <= day <= parse_quarter(quarter).end


@pytest.mark.parametrize(
    "text",
    [
        "2022/24 Q1",
        "2022/23 Q5",
        "2022/23 Q0",
        "2022/23",
        "Q2 2022/23",
        "2022/2023 Q1",
        "",
        "1800/01 Q1",
        "abcd/ef Q1",
    ],
)
def test_nonsense_quarters_are_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_quarter(text)


@pytest.mark.parametrize("text", ["2022/24", "2022", "22/23", "2022/23 Q1", "2099/01"])
def test_nonsense_years_are_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_financial_year(text)


class Plan(BaseModel):
    quarter: QuarterText
    year: FinancialYearText | None = None


def test_input_types_take_one_notation_and_refuse() -> None:
    assert Plan(quarter="2022/23 Q2", year="2022/23").model_dump() == {
        "quarter": "2022/23 Q2",
        "year": "2022/23",
    }
    # One notation per kind of period: the machine codes are a KPI's, not these fields'.
    with pytest.raises(ValidationError, match="Enter a financial quarter"):
        Plan(quarter="2022-23-q2")
    with pytest.raises(ValidationError, match="Enter a financial year"):
        Plan(quarter="2022/23 Q2", year="2022-23")
    with pytest.raises(ValidationError):
        Plan(quarter="2022/24 Q2")
    with pytest.raises(ValidationError):
        Plan(quarter="2022/23 Q2", year="2022/24")
