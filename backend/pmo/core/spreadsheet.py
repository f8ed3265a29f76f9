"""Spreadsheet exports: every CSV and XLSX export is made of `Table`s written here.

A `Table` is one header row and its rows; each `Column` says what kind of value it holds, so
one table definition gives both files: a CSV (one table, RFC 4180, UTF-8) and an XLSX sheet
that looks finished (bold frozen header, column widths, money as numbers in pounds with the
`£` format, dates as dates, timestamps as ISO 8601 UTC text ending in `Z`). Text cells go
through `safe_text`, so no cell is ever run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pmo.core.money import pounds_text
from pmo.core.schemas import utc_text

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

# Pounds and pence; negative amounts (Appendix B's cashable benefits) in brackets.
MONEY_FORMAT = '"£"#,##0.00;("£"#,##0.00);"£"0.00'
DATE_FORMAT = "dd/mm/yyyy"
INTEGER_FORMAT = "0"

# A spreadsheet runs a cell starting with = + - @ as a formula; some also take their
# fullwidth forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) for the ASCII ones, or skip a leading tab or
# carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")
NARROWEST, WIDEST = 8, 60  # column widths, in characters


def safe_text(text: str) -> str:
    """The text, shown by a spreadsheet and never run: a leading `'` before a formula start.

    Only for text: numbers (a negative amount) are written as they are."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def label(code: str | None) -> str | None:
    """A code as people read it: `awaiting_decision` -> "Awaiting decision"."""
    return code.replace("_", " ").capitalize() if code else code


class Kind(StrEnum):
    text = "text"
    money = "money"  # an int of pence
    date = "date"
    timestamp = "timestamp"  # an aware datetime
    integer = "integer"


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.text


@dataclass(frozen=True)
class Table:
    """One table: a CSV file, or a sheet of a workbook (`title` names the sheet)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]] = ()


def _csv_cell(kind: Kind, value: Any) -> str:
    if value is None:
        return ""
    if kind is Kind.money:
        return pounds_text(value)
    if kind is Kind.date:
        return str(value.isoformat())
    if kind is Kind.timestamp:
        return utc_text(value)
    if kind is Kind.integer:
        return str(value)
    return safe_text(str(value))


def to_csv(table: Table) -> bytes:
    """The table as CSV: its header row, then its rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c.kind, v) for c, v in zip(table.columns, row, strict=True)])
    return buffer.getvalue().encode("utf-8")


def _xlsx_cell(kind: Kind, value: Any) -> tuple[Any, str | None, int]:
    """The cell's value, its number format and how many characters it shows."""
    if kind is Kind.money:
        return Decimal(value) / 100, MONEY_FORMAT, len(pounds_text(value)) + 5  # "£", commas, brackets
    if kind is Kind.date:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"a date column holds dates, not {value!r}")
        return value, DATE_FORMAT, 10
    if kind is Kind.integer:
        return value, INTEGER_FORMAT, len(str(value))
    text = utc_text(value) if kind is Kind.timestamp else safe_text(str(value))
    return text, None, len(text)


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with a sheet for each table."""
    workbook = Workbook()
    first = workbook.active
    if first is not None:  # a new workbook starts with one empty sheet
        workbook.remove(first)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])  # Excel's longest sheet name
        widths = [len(c.title) for c in table.columns]
        sheet.append([safe_text(c.title) for c in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row_number, row in enumerate(table.rows, start=2):
            for index, (column, value) in enumerate(zip(table.columns, row, strict=True)):
                if value is None:
                    continue
                shown, number_format, width = _xlsx_cell(column.kind, value)
                cell = sheet.cell(row=row_number, column=index + 1, value=shown)
                if number_format:
                    cell.number_format = number_format
                widths[index] = max(widths[index], width)
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(
                max(width + 2, NARROWEST), WIDEST
            )
        sheet.freeze_panes = "A2"  # the header stays in view
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
