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
from sqlmodel import Session, select

from pmo.core.errors import ProblemError
from pmo.core.permissions import Role
from pmo.kpis.import_service import MAX_ZIP_MEMBERS, Limits, import_kpis, read_file
from pmo.kpis.models import Kpi, KpiValue

from .test_feed import add_kpi, add_value
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
    assert count(engine, Kpi) == 15


# Checking rows holds no transaction --------------------------------------------------------


def _values_csv(*periods: str) -> bytes:
    return ("kpi_code,period_code,actual\n" + "".join(f"CS-01,{p},1\n" for p in periods)).encode()


def test_rows_are_checked_with_no_transaction_open(engine, org, other_org):
    """Checking 100,000 rows took 8 s inside the transaction (SQLite's write lock with it)."""
    add_kpi(engine, org, "CS-01")
    other_kpi = add_kpi(engine, other_org, "OTHER-01")
    open_while_checking: list[bool] = []

    with Session(engine) as session:

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "checking values" and not open_while_checking:
                open_while_checking.append(session.in_transaction())
                # Another council writes meanwhile, and is not kept waiting for a lock.
                add_value(engine, other_kpi, "2023-24-Q1", "1")

        parsed = read_file(_values_csv("2023-24-Q1", "2023-24-Q2"))
        result = import_kpis(session, None, org.id, parsed, dry_run=True, progress=progress)
        session.rollback()

    assert result.values == 2
    assert open_while_checking == [False]


def test_a_change_between_the_check_and_the_write_is_checked_again(engine, org):
    kpi = add_kpi(engine, org, "CS-01")
    parsed = read_file(_values_csv("2023-24-Q1", "2023-24-Q2"))

    def meanwhile(period: str) -> Callable[[str, int, int], None]:
        done: list[str] = []

        def progress(stage: str, _done: int, _total: int) -> None:
            if stage == "checking values" and not done:
                done.append(stage)
                add_value(engine, kpi, period, "9")  # committed by someone else

        return progress

    # Another value came in, for another period: checked again, still good, written.
    with Session(engine) as session:
        import_kpis(session, None, org.id, parsed, progress=meanwhile("2023-24-Q3"))
        session.commit()
    assert count(engine, KpiValue) == 3

    # One for a period the file holds: refused as a duplicate, nothing of the file written.
    again = read_file(_values_csv("2023-24-Q4", "2024-25-Q1"))
    with Session(engine) as session, pytest.raises(ProblemError) as refused:
        import_kpis(session, None, org.id, again, progress=meanwhile("2024-25-Q1"))
    assert refused.value.status == 422
    assert [(p.location, "already has a value" in p.message) for p in refused.value.errors or []] == [
        (["body", "values", 3, "period_code"], True)
    ]
    assert count(engine, KpiValue) == 4  # the three, and the one that came in between


def test_owners_programmes_and_projects_are_found_from_what_was_read(client, engine, org, pmo):
    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        response = client.post(f"/api/v1{path}", json=body, headers=pmo.headers)
        assert response.status_code == 201, response.text
        result: dict[str, object] = response.json()
        return result

    portfolio = post("/portfolios", {"name": "Organisational Development"})
    programme = post("/programmes", {"portfolio_id": portfolio["id"], "name": "Customer Experience"})
    project = post("/projects", {"programme_id": programme["id"], "name": "New website"})
    text = (
        "code,name,unit,polarity,frequency,owner_email,programme,project\n"
        "A-1,By name,number,none,annual,PMO@Chesterfield.test,Customer Experience,\n"
        f"A-2,By id,number,none,annual,,{programme['id']},\n"
        f"A-3,By reference,number,none,annual,,,{str(project['reference']).lower()}\n"
        "A-4,Unknown,number,none,annual,nobody@chesterfield.test,No such programme,P-9999\n"
    )
    response = client.post(
        IMPORTS_URL, content=text.encode(), headers={**pmo.headers, "Content-Type": "text/csv"}
    )
    assert [(row, column) for _, row, column, _ in problems(response)] == [
        (5, "owner_email"),
        (5, "programme"),
        (5, "project"),
    ]

    response = client.post(
        IMPORTS_URL,
        content=text.rsplit("A-4", 1)[0].encode(),
        headers={**pmo.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    with Session(engine) as session:
        kpis = {k.code: k for k in session.exec(select(Kpi))}
    assert (kpis["A-1"].owner_id, str(kpis["A-1"].programme_id)) == (pmo.id, programme["id"])
    assert str(kpis["A-2"].programme_id) == programme["id"]
    assert str(kpis["A-3"].project_id) == project["id"]
