"""Formats every export shares (issue 15), checked on the demo over the whole document:

- every timestamp is ISO 8601 UTC ending in `Z`, in every JSON answer of a `GET` and in every
  CSV export (a walk over the document's `GET` operations, as an officer holding admin, PMO
  and finance);
- every XLSX export looks finished: a bold, frozen header row, column widths, money as numbers
  in pounds with the `£` format, dates as dates (`pmo.core.spreadsheet`).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from conftest import token_for
from pmo.core.spreadsheet import DATE_FORMAT, MONEY_FORMAT, XLSX_MEDIA_TYPE
from pmo.organisations.models import User

from .test_openapi_drift import operations

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
PARAMETER = re.compile(r"{(\w+)}")


@pytest.fixture
def officer(demo: None, engine: Any) -> dict[str, str]:
    # `demo`: the demo is loaded.
    with Session(engine) as session:
        admin = session.execute(select(User).where(User.email == "admin@demo.test")).scalar_one()
    return {"Authorization": f"Bearer {token_for(admin, ['admin', 'pmo', 'finance'])}"}


@functools.cache
def _document() -> dict[str, Any]:
    # The committed document: test_openapi_drift.py proves it is what the code serves.
    return json.loads((Path(__file__).parents[2] / "openapi" / "openapi.json").read_text())  # type: ignore[no-any-return]


def _collection(parameter: str) -> str:
    """`funding_source_id` -> `/api/v1/funding-sources`: where records of that kind are listed."""
    return "/api/v1/" + parameter.removesuffix("_id").replace("_", "-") + "s"


def _gets(client: TestClient, officer: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every `GET` of the document whose path parameters the demo can fill (the first record
    of their list), as (URL, operation)."""
    ids: dict[str, str | None] = {}
    for method, path, operation in operations(_document()):
        if method != "get":
            continue
        for name in PARAMETER.findall(path):
            if name not in ids:
                listed = client.get(_collection(name), params={"limit": 1}, headers=officer)
                items = listed.json().get("items", []) if listed.status_code == 200 else []
                ids[name] = items[0]["id"] if items else None
        if all(ids[name] for name in PARAMETER.findall(path)):
            yield PARAMETER.sub(lambda m: str(ids[m.group(1)]), path), operation


def _timestamps(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _timestamps(item)
    elif isinstance(value, str) and TIMESTAMP.match(value):
        yield value


def _media_types(operation: dict[str, Any]) -> set[str]:
    return set(operation["responses"].get("200", {}).get("content", {}))


def test_every_timestamp_in_json_and_csv_ends_in_z(client: TestClient, officer: dict[str, str]) -> None:
    wrong: list[str] = []
    seen = {"json": 0, "csv": 0, "timestamps": 0}
    for url, operation in _gets(client, officer):
        media_types = _media_types(operation)
        if "text/csv" in media_types:
            response = client.get(url, headers=officer)
            assert response.status_code == 200, (url, response.text)
            values = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
            seen["csv"] += 1
        elif "application/json" in media_types:
            response = client.get(url, headers=officer)
            if response.status_code != 200 or not response.headers["content-type"].startswith(
                "application/json"
            ):
                continue
            values = list(_timestamps(response.json()))
            seen["json"] += 1
        else:
            continue
        stamps = [v for v in values if TIMESTAMP.match(v)]
        seen["timestamps"] += len(stamps)
        wrong += [f"{url}: {v}" for v in stamps if not v.endswith("Z")]
    assert not wrong, "\n".join(wrong[:40])
    # The walk reached the lists and the exports, and they held timestamps.
    assert seen["json"] > 60, seen
    assert seen["csv"] >= 6, seen
    assert seen["timestamps"] > 1000, seen


def test_every_xlsx_export_looks_finished(client: TestClient, officer: dict[str, str]) -> None:
    exports = [url for url, operation in _gets(client, officer) if XLSX_MEDIA_TYPE in _media_types(operation)]
    assert len(exports) >= 3  # the RAID register, a programme's and a portfolio's summary
    money_cells = date_cells = 0
    for url in exports:
        response = client.get(url, headers=officer)
        assert response.status_code == 200, (url, response.text)
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        for sheet in book:
            header = next(iter(sheet.iter_rows(min_row=1, max_row=1)))
            assert all(cell.font.bold for cell in header), (url, sheet.title)
            assert sheet.freeze_panes == "A2", (url, sheet.title)
            for cell in header:
                assert sheet.column_dimensions[cell.column_letter].width >= len(str(cell.value)), (
                    url,
                    sheet.title,
                    cell.value,
                )
                column = list(sheet.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column))
                filled = [row[0] for row in column if row[0].value is not None]
                if str(cell.value).endswith("£"):
                    assert all(isinstance(c.value, int | float) for c in filled), (url, cell.value)
                    assert all(c.number_format == MONEY_FORMAT for c in filled), (url, cell.value)
                    money_cells += len(filled)
                if cell.value in ("Review or due", "Meeting date"):
                    assert all(c.is_date and c.number_format == DATE_FORMAT for c in filled), (
                        url,
                        cell.value,
                    )
                    date_cells += len(filled)
                # Labels, not codes: no cell reads like `awaiting_decision`.
                assert not [c.value for c in filled if re.fullmatch(r"[a-z]+(_[a-z]+)+", str(c.value))]
    assert money_cells > 50
    assert date_cells > 10
