"""Money is exact: integer pence in the database, a decimal string of pounds in JSON.

DOMAIN.md section 9: `"50000.00"`, never a float. A JSON number is refused rather than
converted, because a float such as 0.1 + 0.2 has no exact pence value and a client that sends
one has a rounding bug we should not hide.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

# ASCII digits only, matched whole: Python's \d, int() and Decimal() also take Arabic-Indic
# or fullwidth digits, surrounding whitespace and (with `$`) a trailing newline.
_POUNDS_RE = re.compile(r"-?[0-9]{1,13}(\.[0-9]{1,2})?", re.ASCII)
MAX_PENCE = 10**15 - 1  # £9,999,999,999,999.99: above any council budget, inside a BIGINT


def pence_from_text(text: str) -> int:
    """ "50000.00" (or "50000", "50000.5") -> 5000000. Raises ValueError for anything else,
    including "-0.00": zero has one spelling."""
    if not _POUNDS_RE.fullmatch(text):
        raise PydanticCustomError("money", "Enter an amount in pounds and pence, like 49,999.99")
    pence = int(Decimal(text) * 100)
    if pence == 0 and text.startswith("-"):
        raise PydanticCustomError(
            "money_negative_zero", 'Enter an amount in pounds and pence: zero is "0.00"'
        )
    return pence


def pounds_text(pence: int) -> str:
    """5000000 -> "50000.00"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def _parse(value: Any, *, positive: bool) -> int:
    if isinstance(value, bool) or not isinstance(value, str):
        raise PydanticCustomError(
            "money_json_number",
            'Send the amount as text in pounds and pence, like "49999.99", not a JSON number',
        )
    pence = pence_from_text(value)
    if positive and pence <= 0:
        raise PydanticCustomError("money_not_positive", "The amount must be more than £0")
    if abs(pence) > MAX_PENCE:
        raise PydanticCustomError(
            "money_too_large", "The amount must be {limit} or less", {"limit": pounds_text(MAX_PENCE)}
        )
    return pence


def _positive(value: Any) -> int:
    return _parse(value, positive=True)


def _signed(value: Any) -> int:
    return _parse(value, positive=False)


_SCHEMA = {"type": "string", "pattern": r"^-?\d{1,13}(\.\d{1,2})?$", "examples": ["50000.00"]}
_POSITIVE_SCHEMA = {**_SCHEMA, "pattern": r"^\d{1,13}(\.\d{1,2})?$"}
_serialise = PlainSerializer(pounds_text, return_type=str)

# Input fields hold pence (an int) once validated; output fields hold pence and are written as
# pounds. One type each way keeps "money is never a float" in one place.
Amount = Annotated[
    int,
    BeforeValidator(_positive),
    _serialise,
    WithJsonSchema({**_POSITIVE_SCHEMA, "description": 'Pounds, more than zero, e.g. "50000.00".'}),
]
SignedAmount = Annotated[
    int,
    BeforeValidator(_signed),
    _serialise,
    WithJsonSchema({**_SCHEMA, "description": 'Pounds, may be negative or zero, e.g. "-1200.50".'}),
]
# In responses: pence shown as pounds. (Outputs are built from stored pence, never parsed.)
Pounds = Annotated[
    int,
    _serialise,
    WithJsonSchema({**_SCHEMA, "description": 'Pounds with two decimal places, e.g. "50000.00".'}),
    Field(),
]
