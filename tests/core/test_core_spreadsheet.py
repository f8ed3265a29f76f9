"""The one helper every CSV and XLSX export writes text through."""

from __future__ import annotations

import pytest

from pmo.core.spreadsheet import safe_text

# Each would start a formula in some spreadsheet program (fullwidth forms included).
FORMULAS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\uff1d1+1",
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_start_is_quoted(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Plain", "1+1", "a=b", " =1", "\uff21", "'=already quoted"])
def test_other_text_is_untouched(text: str) -> None:
    assert safe_text(text) == text
