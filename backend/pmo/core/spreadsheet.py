"""Text bound for a spreadsheet: every CSV and XLSX export writes its text cells through here."""

from __future__ import annotations

# A spreadsheet runs a cell starting with = + - @ as a formula; some also take their
# fullwidth forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) for the ASCII ones, or skip a leading tab or
# carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")


def safe_text(text: str) -> str:
    """The text, shown by a spreadsheet and never run: a leading `'` before a formula start.

    Only for text: numbers (a negative amount) are written as they are."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
