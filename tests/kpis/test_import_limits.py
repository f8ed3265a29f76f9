"""KPI imports that cannot stall the service: hostile or damaged files are refused with 422,
quickly, before any database work, and other councils see no error meanwhile."""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import event

from pmo.core.permissions import Role
from pmo.kpis.import_service import MAX_ZIP_MEMBERS, Limits, UnreadableFile, read_file

from .test_feed import add_kpi
from .test_import import IMPORTS_URL, XLSX, count, problems

BIG_DIMENSION = "A1:XFD20000"


@pytest.fixture
def pmo(factory, org):  # type: ignore[no-untyped-def]
    return factory.person(org, Role.pmo, email="pmo@chesterfield.test")


def workbook_bytes(rows: list[list[object]], title: str = "values") -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet(title)
    workbook.remove(workbook.worksheets[0])
    for row in rows:
        sheet.append(row)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def patched(content: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's XML changed, as a hostile file would have it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info, change(data) if info.filename == member else data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
VALUES = [["kpi_code", "period_code", "actual"], ["CS-01", "2023-24-Q1", 5]]


def crafted(last_row: int = 20_000, last_column: int = 1) -> bytes:
    """4.9 KB whose sheet declares A1:XFD20000, with one cell far down (the issue's file)."""
    workbook = Workbook()
    sheet = workbook.create_sheet("values")
    workbook.remove(workbook.worksheets[0])
    for row in VALUES:
        sheet.append(row)
    sheet.cell(row=last_row, column=last_column, value="CS-01")
    written = io.BytesIO()
    workbook.save(written)
    return patched(
        written.getvalue(),
        SHEET,
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{BIG_DIMENSION}"'.encode(), xml),
    )


def post_xlsx(client: TestClient, person, content: bytes, **params: object):  # type: ignore[no-untyped-def]
    return client.post(
        IMPORTS_URL, params=params, content=content, headers={**person.headers, "Content-Type": XLSX}
    )


@pytest.fixture
def statements(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every SQL statement the application runs meanwhile."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def file_problem(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    message: str = response.json()["errors"][0]["message"]
    return message


# The declared dimension ------------------------------------------------------------------------


def test_the_declared_dimension_is_ignored_so_rows_are_as_wide_as_their_cells(client, engine, org, pmo):
    """The issue's file took 45 s of CPU; its cells are three columns and two rows."""
    add_kpi(engine, org, "CS-01")
    content = crafted()
    assert len(content) < 6000

    started = time.perf_counter()
    response = post_xlsx(client, pmo, content, dry_run="true")
    elapsed = time.perf_counter() - started

    # Row 20,000 is read (a values row without its period), nothing padded to 16,384 columns.
    assert [(row, column) for _, row, column, _ in problems(response)] == [
        (20000, "period_code"),
        (20000, "actual"),
    ]
    assert elapsed < 10, elapsed  # 27 s to parse alone before the dimension was ignored
    # The same, with no column limit to hide padding: every row is as wide as its cells.
    parsed = read_file(content, limits=Limits(rows=1_000_000, columns=20))
    assert [number for number, _ in parsed.sheets[0].rows] == [2, 20000]


def test_a_cell_beyond_the_column_limit_is_refused_before_any_sql(client, engine, org, pmo, statements):
    content = crafted(last_row=3, last_column=16384)  # XFD3

    response = post_xlsx(client, pmo, content, dry_run="true")

    message = file_problem(response)
    assert "16384 columns" in message
    assert "PMO_MAX_IMPORT_COLUMNS" in message
    assert response.json()["errors"][0]["location"] == ["body", "values", 3]
    assert statements == []  # not even the account check: the file went first


def test_rows_beyond_the_row_limit_are_refused_before_any_sql(client, org, pmo, statements):
    content = crafted(last_row=200_002)  # blank rows count: 200,001 after the header

    response = post_xlsx(client, pmo, content, dry_run="true")

    message = file_problem(response)
    assert "more than 200000 rows" in message
    assert "PMO_MAX_IMPORT_ROWS" in message
    assert statements == []


def test_csv_rows_and_columns_are_bounded_too(client, org, pmo, statements):
    wide = ",".join(f"c{n}" for n in range(101)) + "\n"
    response = client.post(
        IMPORTS_URL, content=wide.encode(), headers={**pmo.headers, "Content-Type": "text/csv"}
    )
    assert "101 columns" in file_problem(response)

    long = "kpi_code,period_code,actual\n" + "\n" * 200_001
    response = client.post(
        IMPORTS_URL, content=long.encode(), headers={**pmo.headers, "Content-Type": "text/csv"}
    )
    assert "more than 200000 rows" in file_problem(response)
    assert statements == []


def test_a_file_within_the_limits_still_imports(client, engine, org, pmo):
    add_kpi(engine, org, "CS-01")
    content = workbook_bytes(VALUES)
    response = post_xlsx(client, pmo, content)
    assert response.status_code == 200, response.text
    assert response.json()["values"] == 1


# Damaged and hostile archives ------------------------------------------------------------------


def test_truncated_and_non_zip_files_are_422(client, org, pmo, statements):
    good = workbook_bytes(VALUES)
    for content in (good[: len(good) // 2], b"PK\x03\x04" + b"not a zip at all" * 10, good[:-30]):
        message = file_problem(post_xlsx(client, pmo, content))
        assert "not a readable XLSX workbook" in message or "cannot be read" in message
    assert statements == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, org, pmo):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr(SHEET, b"<" + b" " * (30 * 1_048_576) + b"/>")  # 30 MB in about 30 KB
    content = out.getvalue()
    assert len(content) < 100_000

    message = file_problem(post_xlsx(client, pmo, content))

    assert "zip bomb" in message
    assert SHEET in message


def test_an_archive_of_too_many_parts_is_refused(client, org, pmo):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"part{n}.xml", b"<a/>")
    message = file_problem(post_xlsx(client, pmo, out.getvalue()))
    assert f"at most {MAX_ZIP_MEMBERS} are read" in message


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]>"
)
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("declaration", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
@pytest.mark.parametrize("member", [SHEET, "xl/workbook.xml"])
def test_xml_entities_are_refused(client, org, pmo, declaration, member):
    def declare(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
        return declaration + body

    content = patched(workbook_bytes(VALUES), member, declare)

    message = file_problem(post_xlsx(client, pmo, content))

    assert "entities" in message


def test_nan_and_infinite_numbers_are_422_naming_the_cell(client, engine, org, pmo):
    add_kpi(engine, org, "CS-01")
    good = workbook_bytes(VALUES)
    infinite = patched(good, SHEET, lambda xml: xml.replace(b"<v>5</v>", b"<v>1E+400</v>"))
    response = post_xlsx(client, pmo, infinite)
    message = file_problem(response)
    assert "not a finite number" in message
    assert response.json()["errors"][0]["location"] == ["body", "values", 2, "actual"]

    not_a_number = patched(good, SHEET, lambda xml: xml.replace(b"<v>5</v>", b"<v>NaN</v>"))
    assert "cannot be read" in file_problem(post_xlsx(client, pmo, not_a_number))

    text = "kpi_code,period_code,actual\nCS-01,2023-24-Q1,NaN\nCS-01,2023-24-Q2,Infinity\n"
    text += "CS-01,2023-24-Q3,-inf\n"
    response = client.post(
        IMPORTS_URL, content=text.encode(), headers={**pmo.headers, "Content-Type": "text/csv"}
    )
    assert [(row, column) for _, row, column, _ in problems(response)] == [
        (2, "actual"),
        (3, "actual"),
        (4, "actual"),
    ]


def test_the_read_itself_needs_no_database(engine):
    """read_file is given bytes and returns rows: the router calls it before any SQL."""
    with pytest.raises(UnreadableFile):
        read_file(crafted(last_row=3, last_column=16384))


# Other councils meanwhile ----------------------------------------------------------------------


def test_other_councils_see_no_error_while_the_crafted_file_is_uploaded(
    app, client, engine, org, other_org, factory, pmo
):
    other = factory.person(other_org, Role.pmo)
    hostile = crafted(last_row=3, last_column=16384)
    issue_file = crafted()
    errors: list[str] = []
    done = threading.Event()

    def upload() -> None:
        with TestClient(app, raise_server_exceptions=False) as own:
            while not done.is_set():
                for content in (hostile, issue_file):
                    response = post_xlsx(own, pmo, content, dry_run="true")
                    if response.status_code != 422:
                        errors.append(f"upload: {response.status_code} {response.text[:200]}")

    def other_council() -> None:
        with TestClient(app, raise_server_exceptions=False) as own:
            for n in range(15):
                read = own.get("/api/v1/kpis", headers=other.headers)
                body = {
                    "code": f"B-{n}",
                    "name": "Council B's KPI",
                    "unit": "number",
                    "polarity": "higher_is_better",
                    "frequency": "quarterly",
                }
                written = own.post("/api/v1/kpis", json=body, headers=other.headers)
                errors.extend(
                    f"B: {r.status_code} {r.text[:200]}" for r in (read, written) if r.status_code >= 300
                )

    uploader = threading.Thread(target=upload)
    uploader.start()
    time.sleep(0.2)
    others = [threading.Thread(target=other_council)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(timeout=120)
    done.set()
    uploader.join(timeout=120)

    assert errors == []
    from pmo.kpis.models import Kpi

    assert count(engine, Kpi) == 15
