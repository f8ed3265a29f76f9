"""Bulk import of KPI definitions, targets and values: `POST /api/v1/kpi-imports`, `pmo import kpis`."""

from __future__ import annotations

import io
import time
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from pmo.audit.models import AuditEvent
from pmo.cli import app as cli_app
from pmo.core.permissions import Role
from pmo.kpis.models import Kpi, KpiFeedState, KpiTarget, KpiValue

from .test_feed import add_kpi, add_value, api_client_headers

IMPORTS_URL = "/api/v1/kpi-imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def post_csv(client, person, text: str, **params: object):  # type: ignore[no-untyped-def]
    return client.post(
        IMPORTS_URL,
        params=params,
        files={"file": ("kpis.csv", text.encode(), "text/csv")},
        headers=person.headers,
    )


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def problems(response) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    return [(*e["location"][1:], e["message"]) for e in response.json()["errors"]]


BAD_VALUES = """kpi_code,period_code,actual,commentary
CS-01,2023-24-Q1,72.5,fine
CS-01,2023-24-Q2,seventy,
NOPE-1,2023-24-Q1,1,
CS-01,2023-24-13,1,
CS-01,2023-24-Q1,70,again
CS-01,2023-24-Q3,150,
CS-01,2023-24-Q4,72.55,
"""


def test_dry_run_reports_every_bad_row_with_row_column_and_message_and_writes_nothing(
    client, engine, org, pmo
):
    add_kpi(engine, org, "CS-01", unit="percentage")

    response = post_csv(client, pmo, BAD_VALUES, dry_run="true")

    found = problems(response)
    assert [(sheet, row, column) for sheet, row, column, _ in found] == [
        ("values", 3, "actual"),
        ("values", 4, "kpi_code"),
        ("values", 5, "period_code"),
        ("values", 6, "period_code"),
        ("values", 7, "actual"),
        ("values", 8, "actual"),
    ]
    messages = {row: message for _, row, _, message in found}
    assert "decimal string" in str(messages[3])
    assert "unknown KPI NOPE-1" in str(messages[4])
    assert "period code" in str(messages[5])
    assert "also in values row 2" in str(messages[6])
    assert "between 0 and 100" in str(messages[7])
    assert "decimal places" in str(messages[8])
    body = response.json()
    assert body["bad_rows"] == {"values": [3, 4, 5, 6, 7, 8]}
    assert body["problem_count"] == 6
    assert "nothing was imported" in body["detail"]
    assert count(engine, KpiValue) == 0


def test_a_good_dry_run_counts_and_writes_nothing(client, engine, org, pmo):
    add_kpi(engine, org, "CS-01")
    response = post_csv(client, pmo, "kpi_code,period_code,actual\nCS-01,2023-24-Q1,1\n", dry_run="true")
    assert response.status_code == 200, response.text
    assert response.json() == {"dry_run": True, "definitions": 0, "targets": 0, "values": 1}
    assert count(engine, KpiValue) == 0


def test_one_bad_row_and_nothing_is_committed(client, engine, org, pmo):
    add_kpi(engine, org, "CS-01")
    # A month, for a quarterly KPI.
    text = "kpi_code,period_code,actual\nCS-01,2023-24-Q1,1\nCS-01,2023-24-Q2,2\nCS-01,2023-10,3\n"
    with Session(engine) as session:
        revision = session.get_one(KpiFeedState, org.id).revision

    response = post_csv(client, pmo, text)

    [(_, row, column, message)] = problems(response)
    assert (row, column) == (4, "period_code")
    assert "monthly period, not a quarterly one" in str(message)
    assert count(engine, KpiValue) == 0
    with Session(engine) as session:
        assert session.get_one(KpiFeedState, org.id).revision == revision


def test_a_good_csv_is_written_published_by_the_importer_with_one_audit_event(
    client, engine, org, pmo, admin
):
    kpi = add_kpi(engine, org, "CS-01", unit="percentage")
    events_before = count(engine, AuditEvent)
    text = "kpi_code,period_code,actual,commentary,status\n" + "".join(
        f"cs-01,2022-23-Q{q},{70 + q}.5,Quarter {q},{'draft' if q == 4 else ''}\n" for q in range(1, 5)
    )

    response = post_csv(client, pmo, text)

    assert response.status_code == 200, response.text
    assert response.json() == {"dry_run": False, "definitions": 0, "targets": 0, "values": 4}
    with Session(engine) as session:
        values = session.execute(select(KpiValue).order_by(KpiValue.period_code)).scalars().all()
        assert [v.actual for v in values] == [
            Decimal("71.5"),
            Decimal("72.5"),
            Decimal("73.5"),
            Decimal("74.5"),
        ]
        assert [v.status for v in values] == ["published"] * 3 + ["draft"]
        assert {v.kpi_id for v in values} == {kpi.id}
        assert values[0].published_by_id == pmo.id
        assert values[0].published_at is not None
        assert values[3].published_at is None
        assert values[0].period_start.isoformat() == "2022-04-01"
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.record_type == "kpi_import")).scalars().all()
        )
    assert count(engine, AuditEvent) == events_before + 1
    [event] = events
    assert event.after["values"] == 4
    assert event.actor_id == pmo.id
    # The feed has the three published values.
    reader = api_client_headers(client, admin)
    feed = client.get("/api/v1/kpi-feed/values", headers=reader).json()["items"]
    assert sorted(i["period_code"] for i in feed) == ["2022-23-Q1", "2022-23-Q2", "2022-23-Q3"]


def test_values_already_stored_are_duplicates(client, engine, org, pmo):
    kpi = add_kpi(engine, org, "CS-01")
    add_value(engine, kpi, "2023-24-Q1", "5", status="draft")
    response = post_csv(client, pmo, "kpi_code,period_code,actual\nCS-01,2023-24-Q1,6\n")
    [(sheet, row, column, message)] = problems(response)
    assert (sheet, row, column) == ("values", 2, "period_code")
    assert "already has a value for 2023/24 Q1" in str(message)


def test_header_problems_are_row_1(client, engine, org, pmo):
    add_kpi(engine, org, "CS-01")
    response = post_csv(client, pmo, "kpi_code,period_code,actual,colour\nCS-01,2023-24-Q1,1,red\n")
    assert [(s, r, c) for s, r, c, _ in problems(response)] == [("values", 1, "colour")]
    response = post_csv(client, pmo, "kpi_code,actual\nCS-01,1\n", kind="values")
    assert [(s, r, c) for s, r, c, _ in problems(response)] == [("values", 1, "period_code")]
    response = post_csv(client, pmo, "a,b\n1,2\n")
    assert response.status_code == 422
    assert "kind=" in response.json()["detail"]


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_with_definitions_targets_and_values(client, engine, org, pmo, admin):
    content = xlsx(
        {
            "Notes": [["Exported from the old system"]],
            "definitions": [
                ["code", "name", "unit", "polarity", "frequency", "decimal_places", "tolerance_percent"],
                ["ICT-01", "Major ICT incidents", "number", "lower_is_better", "quarterly", 0, None],
                ["CS-01", "Calls answered", "percentage", "higher_is_better", "monthly", 1, 2.5],
            ],
            "targets": [
                ["kpi_code", "period_code", "target"],
                ["CS-01", "2023-04", 80],
                ["ICT-01", "2023-24-Q1", 3],
            ],
            "values": [
                ["kpi_code", "period_code", "actual", "commentary"],
                ["CS-01", "2023-04", 79.5, "Nearly"],
                ["ICT-01", "2023-24-Q1", 5, None],
            ],
        }
    )

    response = client.post(IMPORTS_URL, content=content, headers={**pmo.headers, "Content-Type": XLSX})

    assert response.status_code == 200, response.text
    assert response.json() == {"dry_run": False, "definitions": 2, "targets": 2, "values": 2}
    with Session(engine) as session:
        kpis = {k.code: k for k in session.execute(select(Kpi)).scalars()}
        assert kpis["CS-01"].tolerance_percent == Decimal("2.5")
        assert kpis["CS-01"].decimal_places == 1
    assert count(engine, KpiTarget) == 2
    reader = api_client_headers(client, admin)
    feed = {i["kpi_code"]: i for i in client.get("/api/v1/kpi-feed/values", headers=reader).json()["items"]}
    assert (feed["CS-01"]["actual"], feed["CS-01"]["rag"]) == ("79.5", "amber")
    assert feed["ICT-01"]["rag"] == "red"  # lower is better: 5 against 3


def test_xlsx_errors_name_the_sheet(client, engine, org, pmo):
    content = xlsx(
        {
            "definitions": [
                ["code", "name", "unit", "polarity", "frequency"],
                ["X-1", "X", "furlongs", "none", "annual"],
            ],
            "values": [["kpi_code", "period_code", "actual"], ["X-1", "2023-24", 1]],
        }
    )
    response = client.post(IMPORTS_URL, files={"file": ("old.xlsx", content, XLSX)}, headers=pmo.headers)
    found = problems(response)
    assert [(s, r, c) for s, r, c, _ in found] == [("definitions", 2, "unit"), ("values", 2, "kpi_code")]
    assert "definitions row 2, which is not valid" in str(found[1][3])
    # With a kind, only that sheet: there is none here.
    response = client.post(
        IMPORTS_URL,
        params={"kind": "targets"},
        files={"file": ("old.xlsx", content, XLSX)},
        headers=pmo.headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == 'The workbook has no sheet "targets".'


def test_another_organisations_kpi_codes_are_unknown(client, engine, org, other_org, pmo):
    add_kpi(engine, other_org, "THEIRS-1")
    response = post_csv(client, pmo, "kpi_code,period_code,actual\nTHEIRS-1,2023-24-Q1,1\n")
    [(_, row, column, message)] = problems(response)
    assert (row, column) == (2, "kpi_code")
    assert "unknown KPI THEIRS-1" in str(message)
    # And a definition of the same code in this council is not a duplicate of theirs.
    text = "code,name,unit,polarity,frequency\nTHEIRS-1,Ours now,number,none,annual\n"
    assert post_csv(client, pmo, text).status_code == 200


def test_only_the_pmo_may_import(client, engine, org, factory, admin):
    text = "kpi_code,period_code,actual\n"
    for role in (Role.viewer, Role.project_manager, Role.admin):
        person = factory.person(org, role)
        response = post_csv(client, person, text)
        assert response.status_code == 403, role
        assert "kpis:manage" in response.json()["detail"]
    reader = api_client_headers(client, admin)
    response = client.post(IMPORTS_URL, content=text.encode(), headers={**reader, "Content-Type": "text/csv"})
    assert response.status_code == 403


def test_uploads_above_the_import_limit_are_413_before_they_are_read(client, pmo):
    body = b"x" * (50 * 1024 * 1024)
    response = client.post(IMPORTS_URL, content=body, headers={**pmo.headers, "Content-Type": "text/csv"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert str(20 * 1024 * 1024) in response.json()["detail"]
    # Other routes keep the 1 MiB limit.
    response = client.post("/api/v1/directorates", content=b"x" * (2 * 1024 * 1024), headers=pmo.headers)
    assert response.status_code == 413


def test_an_upload_above_the_json_limit_but_within_the_import_limit_is_read(client, engine, org, pmo):
    add_kpi(engine, org, "CS-01")
    padding = "x" * 2000
    text = "kpi_code,period_code,actual,commentary\n" + "".join(
        f"CS-01,{year}-{(year + 1) % 100:02d}-Q{q},1,{padding}\n"
        for year in range(2000, 2200)
        for q in range(1, 5)
    )
    assert len(text) > 1024 * 1024
    response = post_csv(client, pmo, text, dry_run="true")
    assert response.status_code == 200, response.text[:500]
    assert response.json()["values"] == 800


def test_a_hundred_thousand_values_in_one_go(client, engine, org, pmo):
    lines = ["code,name,unit,polarity,frequency"]
    lines += [f"K-{n:04d},KPI {n},number,higher_is_better,monthly" for n in range(1000)]
    definitions = "\n".join(lines) + "\n"
    assert post_csv(client, pmo, definitions).status_code == 200
    values = "kpi_code,period_code,actual\n" + "".join(
        f"K-{n:04d},{2015 + m // 12}-{m % 12 + 1:02d},{n * 100 + m}\n"
        for n in range(1000)
        for m in range(100)
    )

    started = time.perf_counter()
    response = post_csv(client, pmo, values)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200, response.text[:2000]
    assert response.json()["values"] == 100_000
    assert count(engine, KpiValue) == 100_000
    assert elapsed < 120  # generous: a guard against one-row-at-a-time writes, not a benchmark


def test_the_command_imports_with_a_summary_and_reports_bad_rows(engine, org, pmo, tmp_path):
    add_kpi(engine, org, "CS-01")
    good = tmp_path / "good.csv"
    good.write_text("kpi_code,period_code,actual\nCS-01,2023-24-Q1,1\nCS-01,2023-24-Q2,2\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi_code,period_code,actual\nCS-01,2023-24-Q3,x\n")
    runner = CliRunner()

    dry = runner.invoke(cli_app, ["import", "kpis", str(good), "--organisation", org.name, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 values" in dry.output
    assert count(engine, KpiValue) == 0

    failed = runner.invoke(cli_app, ["import", "kpis", str(bad), "--organisation", org.name])
    assert failed.exit_code == 1
    assert "values row 2, actual:" in failed.output

    done = runner.invoke(
        cli_app, ["import", "kpis", str(good), "--organisation", org.name, "--as", "pmo@chesterfield.test"]
    )
    assert done.exit_code == 0, done.output
    assert "imported" in done.output
    with Session(engine) as session:
        published_by = {v.published_by_id for v in session.execute(select(KpiValue)).scalars()}
    assert published_by == {pmo.id}

    unknown = runner.invoke(cli_app, ["import", "kpis", str(good), "--organisation", "Nowhere"])
    assert unknown.exit_code != 0
