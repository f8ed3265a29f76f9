"""What the server works out for a KPI value (DOMAIN.md section 6), in exact decimals.

Actuals and targets are rounded to the KPI's decimal places (half up, as people round)
before they are compared, so 72.50 against a target of 72.5 is green and 0.1 + 0.2 is 0.3.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

DEFAULT_TOLERANCE_PERCENT = Decimal(5)
MAX_DECIMAL_PLACES = 6


class Unit(StrEnum):
    number = "number"
    percentage = "percentage"
    money = "money"
    ratio = "ratio"
    yes_no = "yes_no"
    duration = "duration"


class Polarity(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    none = "none"


class Rag(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


class KpiDirection(StrEnum):
    improving = "improving"
    worsening = "worsening"
    no_change = "no_change"
    # For a KPI with no polarity, where neither way is better.
    increasing = "increasing"
    decreasing = "decreasing"


def at_places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def unit_error(unit: str, value: Decimal) -> str | None:
    """Why `value` cannot be a value of `unit`, or None if it can."""
    if unit == Unit.percentage and not Decimal(0) <= value <= Decimal(100):
        return "a percentage must be between 0 and 100"
    if unit == Unit.yes_no and value not in (Decimal(0), Decimal(1)):
        return "a yes/no value must be 1 (yes) or 0 (no)"
    if unit in (Unit.duration, Unit.ratio) and value < 0:
        return f"a {unit} cannot be negative"
    return None


def rag(
    actual: Decimal,
    target: Decimal | None,
    *,
    polarity: str,
    places: int,
    tolerance_percent: Decimal = DEFAULT_TOLERANCE_PERCENT,
) -> Rag | None:
    """Green on or better than target; amber within `tolerance_percent` of it; red beyond.

    No target or no polarity: no RAG (not red: a missing target is not a failure).
    """
    if target is None or polarity == Polarity.none:
        return None
    actual, target = at_places(actual, places), at_places(target, places)
    band = abs(target) * tolerance_percent / 100
    shortfall = target - actual if polarity == Polarity.higher_is_better else actual - target
    if shortfall <= 0:
        return Rag.green
    if shortfall <= band:
        return Rag.amber
    return Rag.red


def direction(
    current: Decimal, earlier: Decimal | None, *, polarity: str, places: int
) -> KpiDirection | None:
    """How `current` moved from `earlier` (the previous period, or a year before)."""
    if earlier is None:
        return None
    current, earlier = at_places(current, places), at_places(earlier, places)
    if current == earlier:
        return KpiDirection.no_change
    went_up = current > earlier
    if polarity == Polarity.none:
        return KpiDirection.increasing if went_up else KpiDirection.decreasing
    better = went_up if polarity == Polarity.higher_is_better else not went_up
    return KpiDirection.improving if better else KpiDirection.worsening


def percent_change(current: Decimal, earlier: Decimal | None, *, places: int) -> Decimal | None:
    """Change from `earlier` in percent of it, to one decimal place; None from zero or nothing."""
    if earlier is None:
        return None
    current, earlier = at_places(current, places), at_places(earlier, places)
    if earlier == 0:
        return None
    return at_places((current - earlier) / abs(earlier) * 100, 1)
