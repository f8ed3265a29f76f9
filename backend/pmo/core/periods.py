"""UK financial years and quarters: the year runs 1 April to 31 March, written "2022/23".

Quarters follow it: Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March
(of the later calendar year). People write "2022/23 Q2"; machines `2022-23-Q2` (DOMAIN.md
section 6); both are read, and both forms are offered on the values returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError


def _iso_date(value: object) -> object:
    # Lax parsing would take a number as seconds since 1970; the API speaks ISO 8601 only.
    if isinstance(value, date):
        return value
    if value == "":
        raise PydanticCustomError("iso_date_empty", "Enter the date")
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise PydanticCustomError("iso_date", "Enter a real date, like 2026-03-27")
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A calendar date in ISO 8601 (`2022-04-01`) and nothing else.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

FIRST_YEAR, LAST_YEAR = 1900, 2199


class InvalidPeriod(ValueError):
    """Not a financial year or quarter."""


@dataclass(frozen=True)
class FinancialYear:
    start_year: int  # the calendar year it begins in: 2022 for 2022/23

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def code(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def quarter(self, number: int) -> Quarter:
        return Quarter(self, number)


@dataclass(frozen=True)
class Quarter:
    year: FinancialYear
    number: int  # 1 to 4

    @property
    def label(self) -> str:
        return f"{self.year.label} Q{self.number}"

    @property
    def code(self) -> str:
        return f"{self.year.code}-Q{self.number}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)  # 4, 7, 10, 13
        return date(self.year.start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        following = (
            self.year.quarter(self.number + 1).start if self.number < 4 else self.year.end + timedelta(1)
        )
        return following - timedelta(days=1)


_YEAR = r"(?P<start>\d{4})[/-](?P<end>\d{2})"
_YEAR_RE = re.compile(rf"^{_YEAR}$")
_QUARTER_RE = re.compile(rf"^{_YEAR}(?: |-)Q(?P<q>[1-4])$", re.IGNORECASE)


def _year(match: re.Match[str], text: str) -> FinancialYear:
    start = int(match["start"])
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise InvalidPeriod(f"'{text}' is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    if int(match["end"]) != (start + 1) % 100:
        raise InvalidPeriod(
            f"'{text}' is not a financial year: the second part must be the year after the first, "
            f"like {start}/{(start + 1) % 100:02d}"
        )
    return FinancialYear(start)


def parse_financial_year(text: str) -> FinancialYear:
    """ "2022/23" (or `2022-23`) -> the year 1 April 2022 to 31 March 2023."""
    match = _YEAR_RE.match(text.strip())
    if not match:
        raise InvalidPeriod(f"'{text}' is not a financial year like 2022/23")
    return _year(match, text)


def parse_quarter(text: str) -> Quarter:
    """ "2022/23 Q2" (or `2022-23-Q2`) -> 1 July 2022 to 30 September 2022."""
    match = _QUARTER_RE.match(text.strip())
    if not match:
        raise InvalidPeriod(f"'{text}' is not a financial quarter like 2022/23 Q2")
    return _year(match, text).quarter(int(match["q"]))


# English month names, whatever the server's locale.
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Month:
    year: int
    month: int  # 1 to 12

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{_MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - timedelta(days=1)


# The three reporting frequencies of a KPI, and the machine codes of their periods
# (DOMAIN.md section 6): `2022-23` a financial year, `2022-23-Q1` a quarter, `2022-04` a month.
FREQUENCIES = ("annual", "quarterly", "monthly")
_MONTH_CODE_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
_YEAR_CODE_RE = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2})$")
_QUARTER_CODE_RE = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2})-Q(?P<q>[1-4])$")


@dataclass(frozen=True)
class Period:
    """One reporting period of a KPI: its frequency, machine code, label and ISO dates.

    `previous` is the period before it of the same frequency; `year_before` the same period a
    year earlier (what "direction of travel" compares against).
    """

    frequency: str  # annual, quarterly, monthly
    code: str
    label: str
    start: date
    end: date

    @property
    def previous(self) -> Period:
        return period_containing(self.frequency, self.start - timedelta(days=1))

    @property
    def year_before(self) -> Period:
        return period_containing(self.frequency, date(self.start.year - 1, self.start.month, 1))

    @property
    def next(self) -> Period:
        return period_containing(self.frequency, self.end + timedelta(days=1))


def _period(frequency: str, part: FinancialYear | Quarter | Month) -> Period:
    return Period(frequency, part.code, part.label, part.start, part.end)


# Periods are immutable and few: a page of KPI values asks for the same ones again and again.
@lru_cache(maxsize=8192)
def period_containing(frequency: str, day: date) -> Period:
    """The period of `frequency` that `day` falls in."""
    if frequency == "annual":
        return _period(frequency, financial_year_of(day))
    if frequency == "quarterly":
        return _period(frequency, quarter_of(day))
    if frequency == "monthly":
        return _period(frequency, Month(day.year, day.month))
    raise InvalidPeriod(f"'{frequency}' is not a frequency: use one of {', '.join(FREQUENCIES)}")


@lru_cache(maxsize=8192)
def parse_period_code(code: str, frequency: str | None = None) -> Period:
    """`2022-23` (a financial year), `2022-23-Q1` (a quarter) or `2022-04` (a month).

    A few codes read both ways: `2011-12` is December 2011 and also the year 2011/12. Give the
    KPI's `frequency` and the code is read as that kind of period, and refused if it is not
    one; without it, such a code is read as a month.
    """
    text = code.strip()
    readings: list[Period] = []
    if match := _QUARTER_CODE_RE.match(text):
        readings.append(_period("quarterly", _year(match, text).quarter(int(match["q"]))))
    if (match := _MONTH_CODE_RE.match(text)) and 1 <= int(match["month"]) <= 12:
        if not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
            raise InvalidPeriod(f"'{text}' is outside the years {FIRST_YEAR} to {LAST_YEAR}")
        readings.append(_period("monthly", Month(int(match["year"]), int(match["month"]))))
    if (match := _YEAR_CODE_RE.match(text)) and int(match["end"]) == (int(match["start"]) + 1) % 100:
        readings.append(_period("annual", _year(match, text)))
    if not readings:
        raise InvalidPeriod(
            f"'{code}' is not a period code: use 2022-23 for a financial year, 2022-23-Q1 for a "
            "quarter or 2022-04 for a month"
        )
    if frequency is None:
        return readings[0]
    for reading in readings:
        if reading.frequency == frequency:
            return reading
    article = {"annual": "an", "quarterly": "a", "monthly": "a"}
    raise InvalidPeriod(
        f"'{text}' is {article[readings[0].frequency]} {readings[0].frequency} period, "
        f"not {article.get(frequency, 'a')} {frequency} one"
    )


def financial_year_of(day: date) -> FinancialYear:
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


def quarter_of(day: date) -> Quarter:
    months_in = (day.month - 4) % 12  # April is 0
    return financial_year_of(day).quarter(months_in // 3 + 1)


def _quarter_label(text: str) -> str:
    try:
        return parse_quarter(text).label
    except InvalidPeriod:
        raise PydanticCustomError("financial_quarter", "Enter a financial quarter, like 2026/27 Q2") from None


def _year_label(text: str) -> str:
    try:
        return parse_financial_year(text).label
    except InvalidPeriod:
        raise PydanticCustomError("financial_year", "Enter a financial year, like 2026/27") from None


# One notation for each kind of period, in JSON, CSV, XLSX and query strings alike (README,
# "Periods and their notations"). Each pattern is both the document's and the validation's;
# `[0-9]`, not `\d`, which Python reads as any Unicode digit.
FINANCIAL_YEAR_PATTERN = r"^[0-9]{4}/[0-9]{2}$"  # 2025/26
QUARTER_PATTERN = r"^[0-9]{4}/[0-9]{2} Q[1-4]$"  # 2025/26 Q2
# A KPI's period: 2025-26 (a financial year), 2025-26-Q2 (a quarter), 2025-04 (a month).
PERIOD_CODE_PATTERN = r"^[0-9]{4}-[0-9]{2}(-Q[1-4])?$"
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"  # 2026-11, a highlight report's month
# Where a list of KPI values starts or ends: a period code or an ISO date (2025-04-01).
PERIOD_BOUND_PATTERN = r"^[0-9]{4}-[0-9]{2}(-Q[1-4]|-[0-9]{2})?$"


def _period_text(kind: str, message: str, pattern: str) -> object:
    """Text in the period's notation, or the period's own error: "2022" is not a year."""
    shape = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, str) and shape.match(value):
            return value
        raise PydanticCustomError(kind, message)

    return BeforeValidator(check)


# Input fields: validated (a nonsense period is a 422) in the one notation of their kind. The
# pattern is declared for the document; the validator before it words the error.
QuarterText = Annotated[
    str,
    StringConstraints(pattern=QUARTER_PATTERN),
    _period_text("financial_quarter", "Enter a financial quarter, like 2026/27 Q2", QUARTER_PATTERN),
    AfterValidator(_quarter_label),
    Field(
        description='A financial quarter, e.g. "2022/23 Q2" (Q1 is April to June).', examples=["2022/23 Q2"]
    ),
]
FinancialYearText = Annotated[
    str,
    StringConstraints(pattern=FINANCIAL_YEAR_PATTERN),
    _period_text("financial_year", "Enter a financial year, like 2026/27", FINANCIAL_YEAR_PATTERN),
    AfterValidator(_year_label),
    Field(description='A financial year, e.g. "2022/23" (1 April to 31 March).', examples=["2022/23"]),
]


def today() -> date:
    """Today in England: what "overdue" and "due within 30 days" count from."""
    return datetime.now(_LONDON).date()


try:
    _LONDON: tzinfo = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone database: UTC is at most an hour out
    _LONDON = UTC
