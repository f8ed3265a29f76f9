"""CSV export (the lists' filters, formula injection) and import (dry run, all or nothing)."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from pmo.audit.models import AuditEvent
from pmo.core.config import Settings, get_settings
from pmo.core.pagination import PageParams
from pmo.core.permissions import Role
from pmo.raid import items_service
from pmo.raid.common import RaidFilters
from pmo.raid.models import Assumption, Dependency, Issue, Risk

API = "/api/v1"
PROBLEM = "application/problem+json"
Person = Any


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def rows_of(response: Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def csv_text(header: list[str], *rows: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: int(session.execute(select(func.count()).select_from(model)).scalar_one())
            for model in (Risk, Issue, Assumption, Dependency, AuditEvent)
        }


class Setup:
    def __init__(self, client: TestClient, pmo: Person) -> None:
        self.client = client
        self.pmo = pmo
        portfolio = self.post("/portfolios", {"name": f"Portfolio {uuid.uuid4().hex[:6]}"})
        self.programme = self.post("/programmes", {"portfolio_id": portfolio["id"], "name": "Programme A"})
        self.other_programme = self.post(
            "/programmes", {"portfolio_id": portfolio["id"], "name": "Programme B"}
        )
        self.project = self.post("/projects", {"programme_id": self.programme["id"], "name": "Project one"})
        self.project2 = self.post(
            "/projects", {"programme_id": self.other_programme["id"], "name": "Project two"}
        )

    def post(self, path: str, body: dict[str, Any], who: Person | None = None) -> dict[str, Any]:
        response = self.client.post(f"{API}{path}", json=body, headers=(who or self.pmo).headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def risk(self, project: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {
            "project_id": project["id"],
            "title": f"Risk {uuid.uuid4().hex[:6]}",
            "category": "Delivery",
            "inherent_likelihood": 4,
            "inherent_impact": 4,
            "residual_likelihood": 2,
            "residual_impact": 3,
            **fields,
        }
        return self.post("/risks", body)

    def imports(self, log: str, text: str, who: Person | None = None, **params: Any) -> Response:
        return self.client.post(
            f"{API}/raid-imports/{log}",
            content=text.encode(),
            params=params,
            headers={**(who or self.pmo).headers, "Content-Type": "text/csv"},
        )


@pytest.fixture
def setup(client: TestClient, pmo: Person) -> Setup:
    return Setup(client, pmo)


# Export ------------------------------------------------------------------------------------


def test_risk_export_with_filters_equals_the_list(client, setup, pmo):
    a = setup.risk(
        setup.project,
        title="Red one",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=4,
        owner_id=str(pmo.id),
        review_date="2026-01-10",
    )
    b = setup.risk(setup.project2, title="Green one", residual_likelihood=1, residual_impact=2)
    setup.risk(setup.project, title="Amber one", residual_likelihood=2, residual_impact=3)

    for params in (
        {},
        {"project_id": setup.project["id"]},
        {"programme_id": setup.other_programme["id"]},
        {"band": "red"},
        {"band": "green", "basis": "residual"},
        {"owner_id": str(pmo.id)},
        {"review_from": "2026-01-01", "review_to": "2026-01-31"},
        {"sort": "-residual_score"},
        {"q": "amber"},
    ):
        listed = client.get(f"{API}/risks", params={**params, "limit": 200}, headers=pmo.headers).json()
        exported = rows_of(client.get(f"{API}/raid-exports/risks.csv", params=params, headers=pmo.headers))
        assert [r["reference"] for r in exported] == [i["reference"] for i in listed["items"]], params

    rows = {
        r["reference"]: r for r in rows_of(client.get(f"{API}/raid-exports/risks.csv", headers=pmo.headers))
    }
    red = rows[a["reference"]]
    assert red["project"] == setup.project["reference"]
    assert red["project_name"] == "Project one"
    assert red["programme"] == "Programme A"
    assert red["owner_email"] == "pmo@chesterfield.test"
    assert (red["inherent_score"], red["inherent_rag"]) == ("25", "red")
    assert (red["residual_score"], red["residual_rag"]) == ("16", "red")
    assert red["review_date"] == "2026-01-10"
    assert red["status"] == "open"
    assert rows[b["reference"]]["residual_rag"] == "green"


def test_export_headers_file_name_and_openapi(client, setup, pmo):
    response = client.get(f"{API}/raid-exports/risks.csv", headers=pmo.headers)
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="risks-')
    assert disposition.endswith('.csv"')
    header = response.text.splitlines()[0].split(",")
    assert header[:4] == ["reference", "project", "project_name", "programme"]
    for log in ("issues", "assumptions", "dependencies"):
        response = client.get(f"{API}/raid-exports/{log}.csv", headers=pmo.headers)
        assert response.status_code == 200, response.text
        assert response.text.startswith("reference,project,")  # a header even when empty
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "text/csv" in paths[f"{API}/raid-exports/risks.csv"]["get"]["responses"]["200"]["content"]
    # The export's path is not a risk id.
    assert problem(client.get(f"{API}/raid-exports/risks.csv?band=purple", headers=pmo.headers), 422)


def test_formula_injection_is_neutralised(client, setup, pmo):
    setup.risk(
        setup.project,
        title='=HYPERLINK("http://evil")',
        cause="+cmd|' /C calc'!A0",
        event="-2+3",
        effect="@SUM(A1)",
    )
    row = rows_of(client.get(f"{API}/raid-exports/risks.csv", headers=pmo.headers))[0]
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["cause"] == "'+cmd|' /C calc'!A0"
    assert row["event"] == "'-2+3"
    assert row["effect"] == "'@SUM(A1)"
    assert row["category"] == "Delivery"


def test_fullwidth_formula_starts_and_a_leading_tab_or_return_are_neutralised(client, setup, pmo):
    setup.risk(
        setup.project,
        title='\uff1dHYPERLINK("http://evil")',
        cause="\uff0bcmd|' /C calc'!A0",
        event="\t=2+3",
        effect="\r@SUM(A1)",
    )
    setup.risk(setup.project, title="\uff20SUM(A1)", cause="\uff0d2")
    first, second = rows_of(client.get(f"{API}/raid-exports/risks.csv", headers=pmo.headers))
    assert first["title"] == '\'\uff1dHYPERLINK("http://evil")'
    assert first["cause"] == "'\uff0bcmd|' /C calc'!A0"
    assert first["event"] == "'\t=2+3"
    assert first["effect"] == "'\r@SUM(A1)"
    assert second["title"] == "'\uff20SUM(A1)"
    assert second["cause"] == "'\uff0d2"


def test_export_is_read_only_for_everyone_and_other_organisations_see_nothing(
    client, setup, factory, org, other_org
):
    setup.risk(setup.project)
    viewer = factory.person(org, Role.viewer)
    assert len(rows_of(client.get(f"{API}/raid-exports/risks.csv", headers=viewer.headers))) == 1
    stranger = factory.person(other_org, Role.pmo)
    assert rows_of(client.get(f"{API}/raid-exports/risks.csv", headers=stranger.headers)) == []
    assert client.get(f"{API}/raid-exports/risks.csv").status_code == 401


def test_item_exports_equal_their_lists(client, engine, setup, pmo):
    project = setup.project["reference"]
    other = setup.project2["reference"]
    assert (
        setup.imports(
            "issues",
            csv_text(
                ["project", "title", "priority", "due_date"],
                [project, "Late supplier", "high", "2026-02-01"],
                [other, "Missing data", "low", ""],
            ),
        ).status_code
        == 200
    )
    assert (
        setup.imports(
            "assumptions",
            csv_text(["project", "statement", "validate_by"], [project, "Funding holds", "2026-03-01"]),
        ).status_code
        == 200
    )
    assert (
        setup.imports(
            "dependencies",
            csv_text(
                ["project", "other_project", "external_party", "direction", "title"],
                [project, other, "", "outbound", "Needs the platform"],
                [other, "", "Supplier Ltd", "inbound", "Gives data"],
            ),
        ).status_code
        == 200
    )

    with Session(engine) as session:
        from pmo.organisations.models import User
        from pmo.portfolio.demo import actor_for

        actor = actor_for(session, session.get_one(User, pmo.id))
        page = PageParams(limit=200, offset=0)
        listed = {
            "issues": items_service.list_issues(
                session, actor, page, RaidFilters(project_id=uuid.UUID(setup.project["id"]))
            ),
            "assumptions": items_service.list_assumptions(session, actor, page, RaidFilters()),
            # Dependencies: the other programme's filter takes in the cross-programme one.
            "dependencies": items_service.list_dependencies(
                session, actor, page, RaidFilters(programme_id=uuid.UUID(setup.other_programme["id"]))
            ),
        }
    params = {
        "issues": {"project_id": setup.project["id"]},
        "assumptions": {},
        "dependencies": {"programme_id": setup.other_programme["id"]},
    }
    for log, page_ in listed.items():
        rows = rows_of(client.get(f"{API}/raid-exports/{log}.csv", params=params[log], headers=pmo.headers))
        assert [r["reference"] for r in rows] == [i.reference for i in page_.items], log
    dependencies = rows_of(client.get(f"{API}/raid-exports/dependencies.csv", headers=pmo.headers))
    cross = next(d for d in dependencies if d["other_project"])
    assert (cross["project"], cross["other_project"], cross["other_programme"]) == (
        project,
        other,
        "Programme B",
    )
    issue = rows_of(
        client.get(f"{API}/raid-exports/issues.csv", params={"priority": "high"}, headers=pmo.headers)
    )
    assert [(i["title"], i["due_date"], i["project_name"]) for i in issue] == [
        ("Late supplier", "2026-02-01", "Project one")
    ]


# Import ------------------------------------------------------------------------------------

RISK_HEADER = [
    "project",
    "title",
    "category",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "response_type",
    "owner_email",
    "review_date",
]


def test_dry_run_reports_every_bad_row_with_row_and_column(setup, engine):
    project = setup.project["reference"]
    text = csv_text(
        RISK_HEADER,
        [project, "Good", "Delivery", "3", "4", "2", "2", "reduce", "pmo@chesterfield.test", "2026-05-01"],
        [project, "Off the scale", "Delivery", "6", "4", "", "", "", "", ""],
        ["P-9999", "No such project", "Delivery", "3", "3", "", "", "", "", ""],
        [project, "", "Delivery", "3", "3", "", "", "", "nobody@chesterfield.test", "01/05/2026"],
        [project, "Wrong response", "Delivery", "3", "3", "", "", "exploit", "", ""],
    )
    before = counts(engine)
    body = problem(setup.imports("risks", text, dry_run="true"), 422)
    where = {(e["location"][1], e["location"][2] if len(e["location"]) > 2 else None) for e in body["errors"]}
    assert (3, "inherent_likelihood") in where
    assert (4, "project") in where
    assert {(5, "title"), (5, "owner_email"), (5, "review_date")} <= where
    assert (6, "response_type") in where
    assert not any(row == 2 for row, _ in where)
    assert body["bad_rows"] == [3, 4, 5, 6]
    assert all(e["location"][0] == "body" and e["message"] for e in body["errors"])
    assert counts(engine) == before


def test_dry_run_with_good_rows_previews_and_writes_nothing(setup, engine):
    project = setup.project["reference"]
    text = "\ufeff" + csv_text(
        RISK_HEADER,
        [project, "One", "Delivery", "3", "4", "2", "2", "reduce", "", ""],
        [project, "Two", "Finance", "2", "2", "", "", "", "", ""],
    )
    before = counts(engine)
    response = setup.imports("risks", text, dry_run="true")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["dry_run"] is True
    assert result["count"] == 2
    assert [(i["row"], i["title"], i["reference"], i["project"]) for i in result["items"]] == [
        (2, "One", None, project),
        (3, "Two", None, project),
    ]
    assert counts(engine) == before
    # Nothing was used up: the first real risk is still R-0001.
    assert setup.risk(setup.project)["reference"] == "R-0001"


def test_a_csv_with_one_bad_row_imports_nothing(setup, engine):
    project = setup.project["reference"]
    text = csv_text(
        RISK_HEADER,
        *[[project, f"Risk {n}", "Delivery", "3", "3", "", "", "", "", ""] for n in range(5)],
        [project, "Bad", "Delivery", "3", "x", "", "", "", "", ""],
    )
    before = counts(engine)
    body = problem(setup.imports("risks", text), 422)
    assert [e["location"] for e in body["errors"]] == [["body", 7, "inherent_impact"]]
    assert counts(engine) == before  # no risks, no audit events


def test_a_good_csv_imports_every_row_with_references_and_one_audit_event(setup, engine, client, pmo, org):
    project = setup.project["reference"]
    text = csv_text(
        [*RISK_HEADER, "reference", "inherent_score"],  # the export's own columns are ignored
        [
            project,
            "One",
            "Delivery",
            "3",
            "4",
            "2",
            "2",
            "reduce",
            "PMO@chesterfield.test",
            "2026-05-01",
            "R-0500",
            "99",
        ],
        [setup.project2["reference"].lower(), "Two", "Finance", "2", "2", "", "", "", "", "", "", ""],
    )
    before = counts(engine)
    response = setup.imports("risks", text)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["count"] == 2
    assert result["dry_run"] is False
    assert [i["reference"] for i in result["items"]] == ["R-0001", "R-0002"]
    after = counts(engine)
    assert after["Risk"] == before["Risk"] + 2
    # One event says who imported what (not one per row: the rows carry their created_at).
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    with Session(engine) as session:
        event = session.execute(
            select(AuditEvent).where(AuditEvent.record_type == "risk_import")
        ).scalar_one()
        assert (event.action, event.actor_id, event.organisation_id) == (
            "import",
            pmo.id,
            pmo.organisation.id,
        )
        assert event.after is not None
        assert event.after["count"] == 2
        assert (event.after["first_reference"], event.after["last_reference"]) == ("R-0001", "R-0002")
        assert event.after["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    one = client.get(f"{API}/risks", params={"q": "One"}, headers=pmo.headers).json()["items"][0]
    assert (one["inherent_score"], one["residual_score"], one["owner_id"]) == (12, 4, str(pmo.id))


def test_multipart_upload_is_accepted(setup, client, pmo):
    text = csv_text(["project", "statement"], [setup.project["reference"], "Staff are available"])
    response = client.post(
        f"{API}/raid-imports/assumptions",
        files={"file": ("assumptions.csv", text.encode(), "text/csv")},
        headers=pmo.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["reference"] == "A-0001"


def test_each_log_imports_and_duplicates_within_the_file_are_bad_rows(setup, engine):
    project, other = setup.project["reference"], setup.project2["reference"]
    response = setup.imports(
        "issues",
        csv_text(
            ["project", "title", "issue_type", "status", "resolution"],
            [project, "Solved", "off_specification", "resolved", "Fixed"],
            [project, "Closed", "problem_concern", "closed", ""],
        ),
    )
    body = problem(response, 422)
    assert [e["location"][1] for e in body["errors"]] == [3]
    header = ["project", "other_project", "external_party", "direction", "title"]
    body = problem(
        setup.imports(
            "dependencies",
            csv_text(
                header,
                [project, other, "", "outbound", "A"],
                [project, other, "", "outbound", "Again"],
                [project, project, "", "outbound", "Self"],
                [project, "", "", "inbound", "No end"],
            ),
        ),
        422,
    )
    assert sorted({e["location"][1] for e in body["errors"]}) == [3, 4, 5]
    assert counts(engine)["Dependency"] == 0


def test_another_organisations_project_is_a_bad_row(setup, factory, other_org, engine):
    stranger = factory.person(other_org, Role.pmo)
    portfolio = setup.post("/portfolios", {"name": "Theirs"}, who=stranger)
    programme = setup.post("/programmes", {"portfolio_id": portfolio["id"], "name": "Theirs"}, who=stranger)
    theirs = [
        setup.post("/projects", {"programme_id": programme["id"], "name": f"Theirs {n}"}, who=stranger)
        for n in range(3)
    ]
    assert theirs[2]["reference"] == "P-0003"  # we have P-0001 and P-0002 only
    text = csv_text(["project", "statement"], [setup.project["reference"], "Ours"], ["P-0003", "Theirs"])
    body = problem(setup.imports("assumptions", text), 422)
    assert [(e["location"], e["type"]) for e in body["errors"]] == [(["body", 3, "project"], "not_found")]
    assert counts(engine)["Assumption"] == 0


def test_references_resolve_within_the_organisation(setup, factory, other_org, engine):
    # Both councils have a P-0001: a row naming it means ours.
    stranger = factory.person(other_org, Role.pmo)
    portfolio = setup.post("/portfolios", {"name": "Theirs"}, who=stranger)
    programme = setup.post("/programmes", {"portfolio_id": portfolio["id"], "name": "Theirs"}, who=stranger)
    theirs = setup.post("/projects", {"programme_id": programme["id"], "name": "Their project"}, who=stranger)
    assert theirs["reference"] == setup.project["reference"] == "P-0001"
    response = setup.imports(
        "assumptions", csv_text(["project", "statement"], ["P-0001", "Ours"]), who=stranger
    )
    assert response.status_code == 200
    with Session(engine) as session:
        made = session.execute(select(Assumption)).scalars().one()
        assert str(made.project_id) == theirs["id"]
        assert str(made.organisation_id) == str(other_org.id)


def test_permissions_viewer_403_and_per_row_policy(setup, factory, org, engine):
    viewer = factory.person(org, Role.viewer)
    text = csv_text(["project", "statement"], [setup.project["reference"], "Ours"])
    problem(setup.imports("assumptions", text, who=viewer), 403)
    problem(setup.imports("assumptions", text, who=viewer, dry_run="true"), 403)
    # A project manager may import only into the projects they manage.
    pm = factory.person(org, Role.project_manager)
    mine = setup.post(
        "/projects", {"programme_id": setup.programme["id"], "name": "Mine", "project_manager_id": str(pm.id)}
    )
    text = csv_text(
        ["project", "statement"], [mine["reference"], "Mine"], [setup.project2["reference"], "Not mine"]
    )
    body = problem(setup.imports("assumptions", text, who=pm), 422)
    assert [(e["location"], e["type"]) for e in body["errors"]] == [(["body", 3, "project"], "forbidden")]
    assert counts(engine)["Assumption"] == 0
    assert (
        setup.imports(
            "assumptions", csv_text(["project", "statement"], [mine["reference"], "Mine"]), who=pm
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", ["body", 1]),
        ("project,title\n", ["body", 2]),
        ("project,colour\nP-0001,red\n", ["body", 1, "colour"]),
        ("project,project\nP-0001,P-0001\n", ["body", 1, "project"]),
        ('project,title\nP-0001,"unterminated\n', None),
    ],
)
def test_malformed_csv_is_422(setup, text, where):
    body = problem(setup.imports("risks", text), 422)
    if where is not None:
        assert body["errors"][0]["location"] == where


def test_not_utf8_is_400(setup):
    response = setup.client.post(
        f"{API}/raid-imports/risks",
        content=b"project,title\n\xff\xfe,x\n",
        headers={**setup.pmo.headers, "Content-Type": "text/csv"},
    )
    problem(response, 400)


# Bulk risk import: many rows, one request ---------------------------------------------------


def risk_rows(project: str, count: int, *, cause: str = "") -> list[list[str]]:
    header_cells = len(RISK_HEADER)
    rows = [
        [project, f"Bulk risk {n}", "Delivery", "3", "4", "2", "2", "reduce", "", ""] for n in range(count)
    ]
    if cause:
        return [[*row[:header_cells], cause] for row in rows]
    return rows


def test_a_bad_row_deep_in_a_large_file_imports_nothing(setup, engine):
    # Above the old 1,000-row and 1 MiB limits: 2,000 rows of about 700 bytes.
    project = setup.project["reference"]
    rows = risk_rows(project, 2000, cause="c" * 650)
    rows[1990][4] = "9"  # inherent_impact off the 5x5 scale, at spreadsheet row 1992
    text = csv_text([*RISK_HEADER, "cause"], *rows)
    assert len(text.encode()) > 1_048_576
    before = counts(engine)
    body = problem(setup.imports("risks", text), 422)
    assert [e["location"] for e in body["errors"]] == [["body", 1992, "inherent_impact"]]
    assert body["bad_rows"] == [1992]
    assert counts(engine) == before
    # No reference was used up either.
    assert setup.risk(setup.project)["reference"] == "R-0001"


def test_more_rows_than_the_limit_are_refused_before_any_check(setup, engine, monkeypatch):
    # 100,000 by default (a file that size is the bench's work); a small limit proves the check.
    assert Settings.model_fields["max_raid_import_rows"].default == 100_000
    monkeypatch.setattr(get_settings(), "max_raid_import_rows", 40)
    project = setup.project["reference"]
    assert setup.imports("risks", csv_text(RISK_HEADER, *risk_rows(project, 40))).status_code == 200
    body = problem(setup.imports("risks", csv_text(RISK_HEADER, *risk_rows(project, 41))), 422)
    assert body["errors"] == [
        {"location": ["body", 42], "message": "too many rows", "type": "csv_too_many_rows"}
    ]
    assert "At most 40 rows" in body["detail"]
    assert counts(engine)["Risk"] == 40


def test_an_upload_over_the_import_size_is_413(setup):
    response = setup.client.post(
        f"{API}/raid-imports/risks",
        content=b"x" * (20 * 1_048_576 + 1),
        headers={**setup.pmo.headers, "Content-Type": "text/csv"},
    )
    problem(response, 413)


def test_references_run_on_from_single_creates_without_gaps_or_clashes(setup, engine):
    project = setup.project["reference"]
    assert setup.risk(setup.project)["reference"] == "R-0001"
    response = setup.imports("risks", csv_text(RISK_HEADER, *risk_rows(project, 300)))
    assert response.status_code == 200, response.text
    imported = [i["reference"] for i in response.json()["items"]]
    assert imported == [f"R-{n:04d}" for n in range(2, 302)]
    last = setup.risk(setup.project, title="Zebra crossing works")
    assert last["reference"] == "R-0302"
    with Session(engine) as session:
        references = session.execute(select(Risk.reference)).scalars().all()
        assert sorted(references) == [f"R-{n:04d}" for n in range(1, 303)]
        # The rows are whole: defaults, scores and the search index as a single create's.
        risk = session.execute(select(Risk).where(Risk.reference == "R-0300")).scalar_one()
        assert (risk.status, risk.scale, risk.escalation_level, risk.version) == ("open", "5x5", "project", 1)
        assert (risk.inherent_score, risk.residual_score, risk.response_type) == (12, 4, "reduce")
    # The search index has the imported rows, and its trigger is back for single creates.
    for words, reference in (("Bulk risk 298", "R-0300"), (last["title"], "R-0302")):
        found = setup.client.get(f"{API}/search", params={"q": words}, headers=setup.pmo.headers)
        assert found.status_code == 200, found.text
        assert reference in {i.get("reference") for i in found.json()["items"]}


def test_a_project_manager_imports_risks_only_into_their_projects(setup, factory, org, engine):
    pm = factory.person(org, Role.project_manager)
    mine = setup.post(
        "/projects", {"programme_id": setup.programme["id"], "name": "Mine", "project_manager_id": str(pm.id)}
    )
    text = csv_text(RISK_HEADER, *risk_rows(mine["reference"], 3), *risk_rows(setup.project2["reference"], 1))
    body = problem(setup.imports("risks", text, who=pm), 422)
    assert [(e["location"], e["type"]) for e in body["errors"]] == [(["body", 5, "project"], "forbidden")]
    assert counts(engine)["Risk"] == 0
    response = setup.imports("risks", csv_text(RISK_HEADER, *risk_rows(mine["reference"], 3)), who=pm)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 3


def test_single_creates_racing_an_import_get_numbers_without_gaps_or_clashes(setup, engine):
    # The import takes its numbers in one counter update, which single creates queue behind
    # (PostgreSQL's row lock, SQLite's one writer): whatever the interleaving, every number
    # is used once and the import's are consecutive.
    project = setup.project["reference"]
    text = csv_text(RISK_HEADER, *risk_rows(project, 600))
    with ThreadPoolExecutor(max_workers=4) as pool:
        imported = pool.submit(setup.imports, "risks", text)
        singles = [pool.submit(setup.risk, setup.project) for _ in range(6)]
        response = imported.result()
        single_references = [f.result()["reference"] for f in singles]
    assert response.status_code == 200, response.text
    numbers = [int(i["reference"][2:]) for i in response.json()["items"]]
    assert numbers == list(range(numbers[0], numbers[0] + 600))
    with Session(engine) as session:
        references = session.execute(select(Risk.reference)).scalars().all()
    assert sorted(references) == [f"R-{n:04d}" for n in range(1, 607)]
    assert set(single_references).isdisjoint(f"R-{n:04d}" for n in numbers)


# Issues, assumptions and dependencies in bulk: the create service's rules, one way ------------

# The same item, as an API body (placement and people by id) and as CSV cells.
SAME_ITEM: dict[str, dict[str, str]] = {
    "risks": {
        "title": "Supplier fails",
        "category": "Commercial",
        "cause": "One supplier",
        "nature": "threat",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
        "target_likelihood": "1",
        "target_impact": "2",
        "proximity": "Within 6 months",
        "response_type": "transfer",
        "review_date": "2027-02-01",
    },
    "issues": {
        "title": "Server room too hot",
        "description": "Cooling failed",
        "issue_type": "off_specification",
        "category": "Estates",
        "priority": "high",
        "severity": "critical",
        "due_date": "2027-01-31",
        "resolution": "Portable cooling hired",
        "status": "resolved",
    },
    "assumptions": {
        "statement": "Staff are released for training",
        "category": "People",
        "validate_by": "2027-03-01",
        "status": "valid",
    },
    "dependencies": {
        "external_party": "Derbyshire County Council",
        "direction": "inbound",
        "title": "Shared data centre",
        "description": "Rack space",
        "category": "ICT",
        "needed_by": "2027-04-30",
        "status": "met",
    },
}
SINGULAR = {"risks": "risk", "issues": "issue", "assumptions": "assumption", "dependencies": "dependency"}


@pytest.mark.parametrize("log", list(SAME_ITEM))
def test_an_imported_item_equals_the_same_item_created_through_the_api(setup, engine, log, pmo):
    cells = SAME_ITEM[log]
    created = setup.post(f"/{log}", {"project_id": setup.project["id"], "owner_id": str(pmo.id), **cells})
    text = csv_text(
        ["project", *cells, "owner_email"], [setup.project["reference"], *cells.values(), pmo.user.email]
    )
    response = setup.imports(log, text)
    assert response.status_code == 200, response.text
    [row] = response.json()["items"]

    def read(reference: str) -> dict[str, Any]:
        found = setup.client.get(f"{API}/{log}", params={"q": reference}, headers=pmo.headers)
        [item] = [i for i in found.json()["items"] if i["reference"] == reference]
        detail = setup.client.get(f"{API}/{log}/{item['id']}", headers=pmo.headers).json()
        # Its own: id, reference, times; closed or not is the same.
        detail["closed"] = detail.pop("closed_at") is not None
        return {k: v for k, v in detail.items() if k not in ("id", "reference", "created_at", "updated_at")}

    imported = read(row["reference"])
    assert imported == read(created["reference"])
    # Defaults the create service fills are filled alike (an issue is raised by the importer).
    assert imported["closed"] is (log != "risks")
    if log == "issues":
        assert imported["raised_by_id"] == str(pmo.id)
    with Session(engine) as session:
        events = session.execute(select(AuditEvent.record_type, AuditEvent.after)).all()
    imports = [after for kind, after in events if kind == f"{SINGULAR[log]}_import"]
    assert [(i["count"], i["first_reference"], i["sha256"]) for i in imports] == [
        (1, row["reference"], hashlib.sha256(text.encode()).hexdigest())
    ]


def _row_messages(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["type"], e["message"]) for e in body["errors"]]


def test_a_row_the_api_refuses_is_refused_with_the_api_words(setup, engine, factory, org):
    project, other = setup.project, setup.project2
    # An issue resolved without a resolution: the input model's own check.
    api = problem(
        setup.client.post(
            f"{API}/issues",
            json={"project_id": project["id"], "title": "X", "status": "closed"},
            headers=setup.pmo.headers,
        ),
        422,
    )
    rows = problem(
        setup.imports(
            "issues", csv_text(["project", "title", "status"], [project["reference"], "X", "closed"])
        ),
        422,
    )
    assert _row_messages(rows) == _row_messages(api)
    # A date in the wrong shape.
    api = problem(
        setup.client.post(
            f"{API}/assumptions",
            json={"project_id": project["id"], "statement": "S", "validate_by": "01/03/2027"},
            headers=setup.pmo.headers,
        ),
        422,
    )
    rows = problem(
        setup.imports(
            "assumptions",
            csv_text(["project", "statement", "validate_by"], [project["reference"], "S", "01/03/2027"]),
        ),
        422,
    )
    assert _row_messages(rows) == _row_messages(api)
    assert rows["errors"][0]["location"] == ["body", 2, "validate_by"]
    # A project manager's item outside their projects: the policy's reason.
    pm = factory.person(org, Role.project_manager)
    api = problem(
        setup.client.post(
            f"{API}/assumptions", json={"project_id": other["id"], "statement": "S"}, headers=pm.headers
        ),
        403,
    )
    rows = problem(
        setup.imports("assumptions", csv_text(["project", "statement"], [other["reference"], "S"]), who=pm),
        422,
    )
    assert _row_messages(rows) == [("forbidden", api["detail"])]
    # A dependency already recorded, from either side: the duplicate rule names it.
    existing = setup.post(
        "/dependencies",
        {
            "project_id": project["id"],
            "other_project_id": other["id"],
            "direction": "outbound",
            "title": "Data",
        },
    )
    header = ["project", "other_project", "direction", "title"]
    for from_, to, direction in ((project, other, "outbound"), (other, project, "inbound")):
        body = {
            "project_id": from_["id"],
            "other_project_id": to["id"],
            "direction": direction,
            "title": "Again",
        }
        api = problem(setup.client.post(f"{API}/dependencies", json=body, headers=setup.pmo.headers), 409)
        rows = problem(
            setup.imports(
                "dependencies", csv_text(header, [from_["reference"], to["reference"], direction, "Again"])
            ),
            422,
        )
        assert _row_messages(rows) == [("conflict", api["detail"])]
        assert existing["reference"] in api["detail"]
    assert counts(engine)["Dependency"] == 1


def test_dependency_duplicates_within_a_file_and_what_is_not_one(setup, engine):
    a, b = setup.project["reference"], setup.project2["reference"]
    header = ["project", "other_project", "direction", "title", "status"]
    text = csv_text(
        header,
        [a, b, "outbound", "A needs B", ""],
        [b, a, "inbound", "The same, from B", ""],  # row 3: row 2 again
        [a, b, "inbound", "B needs A", ""],  # the other way round: another dependency
        [a, b, "outbound", "An old one", "closed"],  # closed: never a duplicate
    )
    body = problem(setup.imports("dependencies", text), 422)
    assert [(e["location"], e["message"]) for e in body["errors"]] == [
        (
            ["body", 3],
            "Row 2 of the file already records this dependency between the two projects; update it instead.",
        )
    ]
    response = setup.imports(
        "dependencies",
        csv_text(header, *[r for n, r in enumerate(csv.reader(io.StringIO(text))) if n not in (0, 2)]),
    )
    assert response.status_code == 200, response.text
    assert [i["reference"] for i in response.json()["items"]] == ["D-0001", "D-0002", "D-0003"]
    # Against those recorded: B needs A from B's side is D-0002 (the closed D-0003 counts for nothing).
    body = problem(setup.imports("dependencies", csv_text(header, [b, a, "outbound", "B needs A", ""])), 422)
    assert [e["message"] for e in body["errors"]] == [
        "D-0002 already records this dependency between the two projects; update it instead."
    ]
    assert counts(engine)["Dependency"] == 3


@pytest.mark.parametrize("log", ["issues", "assumptions", "dependencies"])
def test_issue_assumption_and_dependency_imports_are_bulk(setup, engine, monkeypatch, log):
    # Above the old 1,000-row limit, up to PMO_MAX_RAID_IMPORT_ROWS, numbered in file order
    # after a single create, with one audit event, and searchable where search looks.
    a = setup.project["reference"]
    header, make = {
        "issues": (["project", "title"], lambda n: [a, f"Bulk issue {n}"]),
        "assumptions": (["project", "statement"], lambda n: [a, f"Bulk assumption {n}"]),
        "dependencies": (
            ["project", "external_party", "direction", "title"],
            lambda n: [a, f"Party {n}", "inbound", f"Bulk dependency {n}"],
        ),
    }[log]
    prefix = {"issues": "I", "assumptions": "A", "dependencies": "D"}[log]
    first = {
        "issues": {"title": "One"},
        "assumptions": {"statement": "One"},
        "dependencies": {"other_project_id": setup.project2["id"], "direction": "outbound", "title": "One"},
    }[log]
    setup.post(f"/{log}", {"project_id": setup.project["id"], **first})
    before = counts(engine)
    response = setup.imports(log, csv_text(header, *[make(n) for n in range(1200)]))
    assert response.status_code == 200, response.text
    assert [i["reference"] for i in response.json()["items"]] == [f"{prefix}-{n:04d}" for n in range(2, 1202)]
    after = counts(engine)
    model = {"issues": "Issue", "assumptions": "Assumption", "dependencies": "Dependency"}[log]
    assert (after[model], after["AuditEvent"]) == (before[model] + 1200, before["AuditEvent"] + 1)
    if log == "issues":  # the issue log is searched: rows indexed, the trigger back for single creates
        setup.post("/issues", {"project_id": setup.project["id"], "title": "Zebra crossing works"})
        for words, reference in (("Bulk issue 1198", "I-1200"), ("Zebra crossing", "I-1202")):
            found = setup.client.get(f"{API}/search", params={"q": words}, headers=setup.pmo.headers)
            assert reference in {i.get("reference") for i in found.json()["items"]}, found.text
    monkeypatch.setattr(get_settings(), "max_raid_import_rows", 3)
    body = problem(setup.imports(log, csv_text(header, *[make(n) for n in range(4)])), 422)
    assert body["errors"][0]["type"] == "csv_too_many_rows"
