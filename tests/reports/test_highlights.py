"""Highlight reports: the pre-filled draft, submission and the sponsor's review, who may do
what, other organisations, ETags, bad input, the late list and the programme board's pack."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlmodel import Session, col

from pmo.audit.models import AuditEvent
from pmo.core.periods import parse_period_code, period_containing, today
from pmo.core.permissions import Role
from pmo.documents import DOCX, PDF
from pmo.portfolio.models import Project
from pmo.reports.highlights_service import due_on, last_due_month
from support import documents as docs
from support.api import API, problem

from .highlight_helpers import Highlights, in_month, last_month

Person = Any
SCREENSHOTS = Path(__file__).resolve().parents[2] / "frontend" / "screenshots"


# The fixtures live here, not in a conftest: tests/reports is shared with the committee packs.
@pytest.fixture
def api(client: TestClient) -> Highlights:
    return Highlights(client)


@pytest.fixture
def sponsor(factory: Any, org: Any) -> Any:
    """A sponsor for the whole organisation: reviews every project's reports."""
    return factory.person(org, Role.sponsor)


def test_a_draft_is_prefilled_from_milestones_raid_and_kpis(
    api: Highlights, manager: Person, pmo: Person, project: dict[str, Any], programme: dict[str, Any]
) -> None:
    month = last_month()
    following = month.next
    pid = project["id"]
    milestones = f"/projects/{pid}/milestones"
    api.post(
        manager,
        milestones,
        {
            "title": "Contract signed",
            "planned_date": in_month(month, 3),
            "status": "done",
            "completed_on": in_month(month, 10),
        },
    )
    api.post(manager, milestones, {"title": "Data migrated", "planned_date": in_month(month, 20)})
    api.post(manager, milestones, {"title": "Supplier chosen", "planned_date": in_month(month.previous, 5)})
    api.post(manager, milestones, {"title": "Staff trained", "planned_date": in_month(following, 15)})
    api.post(
        manager,
        milestones,
        {
            "title": "Finished long ago",
            "planned_date": in_month(month.previous, 2),
            "status": "done",
            "completed_on": in_month(month.previous, 2),
        },
    )
    red = api.post(
        manager,
        "/risks",
        {
            "project_id": pid,
            "title": "Supplier fails",
            "category": "commercial",
            "inherent_likelihood": 4,
            "inherent_impact": 4,
        },
    )
    api.post(
        manager,
        "/risks",
        {
            "project_id": pid,
            "title": "Minor delay",
            "category": "delivery",
            "inherent_likelihood": 1,
            "inherent_impact": 2,
        },
    )
    serious = api.post(
        manager, "/issues", {"project_id": pid, "title": "Server down", "priority": "critical"}
    )
    api.post(manager, "/issues", {"project_id": pid, "title": "Typo in manual", "priority": "low"})
    escalated = api.post(
        manager, "/issues", {"project_id": pid, "title": "Union consultation", "priority": "low"}
    )
    api.post(
        manager,
        f"/issues/{escalated['id']}/escalate",
        {"level": "programme", "reason": "Needs HR director"},
        200,
    )
    kpi = api.post(
        pmo,
        "/kpis",
        {
            "code": "HL-1",
            "name": "Calls answered",
            "unit": "percentage",
            "polarity": "higher_is_better",
            "frequency": "monthly",
            "decimal_places": 1,
            "project_id": pid,
        },
    )
    api.post(pmo, f"/kpis/{kpi['id']}/targets", {"period_code": month.code, "target": "90"})
    value = api.post(pmo, f"/kpis/{kpi['id']}/values", {"period_code": month.code, "actual": "80.0"})
    for step in ("submit", "verify", "publish"):
        value = api.post(pmo, f"/kpi-values/{value['id']}/{step}", None, 200)
    other_kpi = api.post(
        pmo,
        "/kpis",
        {
            "code": "HL-2",
            "name": "Other",
            "unit": "number",
            "polarity": "higher_is_better",
            "frequency": "monthly",
            "programme_id": programme["id"],
        },
    )
    assert other_kpi["project_id"] is None

    report = api.start(manager, project, month.code)

    assert (report["status"], report["period"], report["period_label"]) == ("draft", month.code, month.label)
    facts = report["facts"]
    assert [m["title"] for m in facts["milestones_completed"]] == ["Contract signed"]
    assert [m["title"] for m in facts["milestones_due"]] == ["Data migrated"]
    assert [m["title"] for m in facts["milestones_overdue"]] == ["Supplier chosen"]
    assert "Contract signed" in report["achievements"]
    assert "Staff trained" in report["next_period"]
    assert "Data migrated" in report["next_period"]
    assert "1 milestone(s) completed" in report["time_note"]
    escalations = {(e["item_type"], e["reference"]): e for e in report["escalations"]}
    assert set(escalations) == {
        ("risk", red["reference"]),
        ("issue", serious["reference"]),
        ("issue", escalated["reference"]),
    }
    assert escalations[("risk", red["reference"])]["rating"] == "red"
    assert escalations[("issue", escalated["reference"])]["note"] == "Needs HR director"
    assert [(k["code"], k["actual"], k["rag"]) for k in facts["kpis"]] == [("HL-1", "80.0", "red")]
    # RAGs are the project manager's judgement: the draft leaves them empty.
    assert [report[f"{d}_rag"] for d in ("time", "cost", "scope", "benefits")] == [None] * 4


def test_submit_return_resubmit_accept(
    api: Highlights, manager: Person, sponsor: Person, project: dict[str, Any], client, engine
) -> None:
    month = last_month()
    report = api.start(manager, project, month.code)

    incomplete = problem(
        client.post(
            f"{api.url(report)}/submit", headers={**manager.headers, "If-Match": api.tag(manager, report)}
        ),
        422,
    )
    assert {tuple(e["location"]) for e in incomplete["errors"]} == {
        ("report", "summary"),
        *{("report", f"{d}_rag") for d in ("time", "cost", "scope", "benefits")},
        *{("report", f"{d}_note") for d in ("cost", "scope", "benefits")},
    }
    api.complete(manager, report)
    submitted = api.act(manager, report, "submit")
    assert submitted["status"] == "submitted"
    assert submitted["submitted_by_id"] == str(manager.id)
    assert submitted["first_submitted_on"] == today().isoformat()
    assert submitted["late"] is (today() > date.fromisoformat(submitted["due_on"]))
    # Submitted: no more edits, no second submission.
    problem(
        client.patch(
            api.url(report),
            json={"summary": "x"},
            headers={**manager.headers, "If-Match": api.tag(manager, report)},
        ),
        409,
    )
    api.act(manager, report, "submit", status=409)

    no_comment = api.act(sponsor, report, "review", {"outcome": "returned"}, status=422)
    assert no_comment["errors"][0]["location"] == ["body", "comments"]
    returned = api.act(sponsor, report, "review", {"outcome": "returned", "comments": "Say why costs rose."})
    assert (returned["status"], returned["review_comments"]) == ("returned", "Say why costs rose.")
    api.act(sponsor, report, "review", {"outcome": "accepted"}, status=409)  # not submitted now

    api.edit(manager, report, cost_note="Licence costs rose 4% with inflation.")
    again = api.act(manager, report, "submit")
    assert again["status"] == "submitted"
    assert again["reviewed_by_id"] is None
    accepted = api.act(sponsor, report, "review", {"outcome": "accepted", "comments": "Thanks."})
    assert (accepted["status"], accepted["reviewed_by_id"]) == ("accepted", str(sponsor.id))
    api.edit(manager, report, status=409, summary="Too late to change")

    with Session(engine) as session:
        actions = (
            session.execute(
                select(AuditEvent.action)
                .where(col(AuditEvent.record_id) == uuid.UUID(report["id"]))
                .order_by(col(AuditEvent.seq))
            )
            .scalars()
            .all()
        )
    assert actions == ["create", "update", "submit", "review", "update", "submit", "review"]


def test_one_report_per_project_per_month_and_bad_input(
    api: Highlights, manager: Person, project: dict[str, Any], programme: dict[str, Any], pmo: Person, client
) -> None:
    month = last_month()
    report = api.start(manager, project, month.code)
    clash = problem(
        client.post(
            f"{API}/highlight-reports",
            json={"project_id": project["id"], "period": month.code},
            headers=manager.headers,
        ),
        409,
    )
    assert report["id"] in clash["detail"]
    future = period_containing("monthly", today()).next
    body = problem(
        client.post(
            f"{API}/highlight-reports",
            json={"project_id": project["id"], "period": future.code},
            headers=manager.headers,
        ),
        422,
    )
    assert body["errors"][0]["location"] == ["body", "period"]
    for bad in ("2026-13", "2026/27", "2026-1", "November"):
        body = problem(
            client.post(
                f"{API}/highlight-reports",
                json={"project_id": project["id"], "period": bad},
                headers=manager.headers,
            ),
            422,
        )
        assert body["errors"][0]["location"] == ["body", "period"], bad
    unknown = problem(
        client.post(
            f"{API}/highlight-reports",
            json={"project_id": project["id"], "period": month.code, "status": "accepted"},
            headers=manager.headers,
        ),
        422,
    )
    assert unknown["errors"][0]["location"] == ["body", "status"]
    bad_rag = api.edit(manager, report, status=422, time_rag="blue")
    assert bad_rag["errors"][0]["location"] == ["body", "time_rag"]

    # Escalations are risks and issues of the report's own project, each once.
    elsewhere = api.project(pmo, programme)
    own_risk = api.post(
        manager,
        "/risks",
        {
            "project_id": project["id"],
            "title": "Ours",
            "category": "x",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        },
    )
    other_risk = api.post(
        pmo,
        "/risks",
        {
            "project_id": elsewhere["id"],
            "title": "Theirs",
            "category": "x",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        },
    )
    entry = {"item_type": "risk", "item_id": own_risk["id"], "note": "Board to note"}
    wrong = api.edit(
        manager,
        report,
        status=422,
        escalations=[
            entry,
            {"item_type": "risk", "item_id": other_risk["id"]},
            entry,
            {"item_type": "issue", "item_id": own_risk["id"]},
        ],
    )
    assert [e["location"] for e in wrong["errors"]] == [
        ["body", "escalations", i, "item_id"] for i in (1, 2, 3)
    ]
    saved = api.edit(manager, report, escalations=[entry])
    assert [(e["reference"], e["note"]) for e in saved["escalations"]] == [
        (own_risk["reference"], "Board to note")
    ]


def test_edits_need_the_current_etag(
    api: Highlights, manager: Person, project: dict[str, Any], client
) -> None:
    report = api.start(manager, project, last_month().code)
    url = api.url(report)
    tag = api.tag(manager, report)
    assert client.get(url, headers={**manager.headers, "If-None-Match": tag}).status_code == 304
    problem(client.patch(url, json={"summary": "a"}, headers=manager.headers), 428)
    assert (
        client.patch(url, json={"summary": "a"}, headers={**manager.headers, "If-Match": tag}).status_code
        == 200
    )
    problem(client.patch(url, json={"summary": "b"}, headers={**manager.headers, "If-Match": tag}), 412)
    problem(client.post(f"{url}/submit", headers={**manager.headers, "If-Match": tag}), 412)
    problem(client.post(f"{url}/submit", headers=manager.headers), 428)


def test_who_writes_reviews_and_reads(
    api: Highlights,
    factory,
    org,
    manager: Person,
    sponsor: Person,
    pmo: Person,
    admin: Person,
    viewer: Person,
    project: dict[str, Any],
    client,
) -> None:
    month = last_month()
    other_manager = factory.person(org, Role.project_manager)
    other_sponsor = factory.scoped(org, Role.sponsor, factory.directorate(org))
    body = {"project_id": project["id"], "period": month.code}
    # Writing: the project's own manager only.
    for who in (other_manager, pmo, viewer, sponsor):
        problem(client.post(f"{API}/highlight-reports", json=body, headers=who.headers), 403)
    report = api.start(manager, project, month.code)
    api.complete(manager, report)

    # A draft: its writer, the project's sponsor, the PMO and admins read it; others do not
    # learn it exists.
    for who in (manager, sponsor, pmo, admin):
        api.get(who, f"/highlight-reports/{report['id']}")
        assert [r["id"] for r in api.get(who, "/highlight-reports")["items"]] == [report["id"]]
    for who in (viewer, other_manager, other_sponsor):
        problem(client.get(api.url(report), headers=who.headers), 404)
        assert api.get(who, "/highlight-reports")["total"] == 0
    problem(
        client.patch(
            api.url(report),
            json={"summary": "mine now"},
            headers={**other_manager.headers, "If-Match": api.tag(pmo, report)},
        ),
        404,
    )

    api.act(manager, report, "submit")
    # Submitted: everyone in the organisation reads it.
    for who in (viewer, other_manager, other_sponsor):
        assert api.get(who, f"/highlight-reports/{report['id']}")["status"] == "submitted"
    # Reviewing: the project's sponsor, not a sponsor of another directorate, not the writer.
    tag = api.tag(pmo, report)
    denied = problem(
        client.post(
            f"{api.url(report)}/review",
            json={"outcome": "accepted"},
            headers={**other_sponsor.headers, "If-Match": tag},
        ),
        403,
    )
    assert project["reference"] in denied["detail"]
    for who in (manager, pmo, viewer):
        problem(
            client.post(
                f"{api.url(report)}/review",
                json={"outcome": "accepted"},
                headers={**who.headers, "If-Match": tag},
            ),
            403,
        )
    # Another project manager cannot submit or change it either.
    problem(client.post(f"{api.url(report)}/submit", headers={**other_manager.headers, "If-Match": tag}), 403)
    # The late list is the PMO's and admins'.
    for who in (manager, sponsor, viewer):
        problem(client.get(f"{API}/highlight-reports/late", headers=who.headers), 403)
    for who in (pmo, admin):
        api.get(who, "/highlight-reports/late")


def test_a_sponsor_who_submitted_does_not_review_their_own_report(
    api: Highlights, factory, org, pmo: Person, programme: dict[str, Any], client
) -> None:
    both = factory.person(org, Role.project_manager, Role.sponsor)
    project = api.project(pmo, programme, project_manager_id=str(both.id))
    report = api.submitted(both, project, last_month().code)
    denied = problem(
        client.post(
            f"{api.url(report)}/review",
            json={"outcome": "accepted"},
            headers={**both.headers, "If-Match": api.tag(both, report)},
        ),
        403,
    )
    assert "another sponsor" in denied["detail"]


def test_other_organisations_see_nothing(
    api: Highlights,
    factory,
    other_org,
    manager: Person,
    project: dict[str, Any],
    programme: dict[str, Any],
    client,
) -> None:
    month = last_month()
    report = api.submitted(manager, project, month.code)
    outsiders = [factory.person(other_org, role) for role in (Role.pmo, Role.project_manager, Role.sponsor)]
    for who in outsiders:
        problem(client.get(api.url(report), headers=who.headers), 404)
        assert api.get(who, "/highlight-reports")["total"] == 0
        problem(
            client.get(
                f"{API}/programmes/{programme['id']}/highlight-pack",
                params={"period": month.code},
                headers=who.headers,
            ),
            404,
        )
    # Their PMO's late list holds none of our projects.
    late = api.get(outsiders[0], "/highlight-reports/late", period=month.previous.code)
    assert late["items"] == []
    # Their own project manager cannot start a report on our project, nor review ours.
    problem(
        client.post(
            f"{API}/highlight-reports",
            json={"project_id": project["id"], "period": month.code},
            headers=outsiders[1].headers,
        ),
        404,
    )
    problem(
        client.post(
            f"{api.url(report)}/review",
            json={"outcome": "accepted"},
            headers={**outsiders[2].headers, "If-Match": "*"},
        ),
        404,
    )


def _backdate(engine: Any, *projects: dict[str, Any], to: date) -> None:
    """Projects made before the month they report on (tests make them today)."""
    ids = [uuid.UUID(p["id"]) for p in projects]
    made = datetime.combine(to, time(), tzinfo=UTC)
    with Session(engine) as session:
        session.execute(update(Project).where(col(Project.id).in_(ids)).values(created_at=made))
        session.commit()


def test_due_day_and_the_boundaries_of_late() -> None:
    november = parse_period_code("2026-11", "monthly")
    assert due_on(november, 5) == date(2026, 12, 5)
    assert due_on(parse_period_code("2026-12", "monthly"), 28) == date(2027, 1, 28)
    # On the due day the month's reports are not yet late; the day after, they are.
    assert last_due_month(date(2026, 12, 5), 5).code == "2026-10"
    assert last_due_month(date(2026, 12, 6), 5).code == "2026-11"
    assert last_due_month(date(2027, 1, 1), 5).code == "2026-11"


def test_the_late_list(
    api: Highlights,
    admin: Person,
    pmo: Person,
    manager: Person,
    sponsor: Person,
    programme: dict[str, Any],
    engine,
    client,
) -> None:
    month = period_containing("monthly", today()).previous.previous  # its due day has passed
    missing, drafted, returned, accepted, closed_late = (
        api.project(pmo, programme, project_manager_id=str(manager.id)) for _ in range(5)
    )
    newer = api.project(pmo, programme, project_manager_id=str(manager.id))  # made after the month
    planned_later = api.project(
        pmo, programme, project_manager_id=str(manager.id), planned_start=month.next.start.isoformat()
    )
    planned_earlier = api.project(
        pmo, programme, project_manager_id=str(manager.id), planned_start=month.end.isoformat()
    )
    _backdate(engine, missing, drafted, returned, accepted, closed_late, to=month.start)
    api.start(manager, drafted, month.code)
    sent_back = api.submitted(manager, returned, month.code)
    api.act(sponsor, sent_back, "review", {"outcome": "returned", "comments": "Redo the costs."})
    done = api.submitted(manager, accepted, month.code)
    api.act(sponsor, done, "review", {"outcome": "accepted"})
    with Session(engine) as session:
        closing = update(Project).where(col(Project.id) == uuid.UUID(closed_late["id"]))
        session.execute(closing.values(stage="closed"))
        session.commit()

    late = api.get(pmo, "/highlight-reports/late", period=month.code)
    assert late["period"] == month.code
    assert date.fromisoformat(late["due_on"]) == due_on(month, 5)
    by_project = {item["project_id"]: item for item in late["items"]}
    # Started by the month's end (backdated, or planned so): owes a report.
    assert set(by_project) == {missing["id"], drafted["id"], returned["id"], planned_earlier["id"]}
    assert (by_project[missing["id"]]["status"], by_project[missing["id"]]["report_id"]) == ("missing", None)
    assert by_project[drafted["id"]]["status"] == "draft"
    assert by_project[returned["id"]]["status"] == "returned"
    assert by_project[missing["id"]]["days_late"] == (today() - due_on(month, 5)).days
    assert newer["id"] not in by_project
    assert planned_later["id"] not in by_project
    # The accepted report was submitted after its due day: it says it was late.
    assert api.get(pmo, f"/highlight-reports/{done['id']}")["late"] is True

    # The organisation moves the due day; 1 to 28 only.
    for bad in (0, 29, "5"):
        response = client.patch(
            f"{API}/organisation",
            json={"highlight_report_due_day": bad},
            headers={
                **admin.headers,
                "If-Match": client.get(f"{API}/organisation", headers=admin.headers).headers["ETag"],
            },
        )
        assert problem(response, 422)["errors"][0]["location"] == ["body", "highlight_report_due_day"]
    assert api.patch(admin, "/organisation", {"highlight_report_due_day": 20}).status_code == 200
    assert (
        api.get(pmo, "/highlight-reports/late", period=month.code)["due_on"] == due_on(month, 20).isoformat()
    )
    # A month whose due day has not come yet has no late reports.
    this_month = period_containing("monthly", today())
    assert api.get(pmo, "/highlight-reports/late", period=this_month.code)["items"] == []


def test_the_programme_boards_pack(
    api: Highlights,
    pmo: Person,
    manager: Person,
    sponsor: Person,
    viewer: Person,
    programme: dict[str, Any],
    engine,
    client,
) -> None:
    month = last_month()
    first, second, third = (api.project(pmo, programme, project_manager_id=str(manager.id)) for _ in range(3))
    _backdate(engine, first, second, third, to=month.start - timedelta(days=1))
    accepted = api.submitted(manager, first, month.code)
    api.act(sponsor, accepted, "review", {"outcome": "accepted"})
    submitted = api.submitted(manager, second, month.code)
    api.start(manager, third, month.code)  # a draft: not in the pack
    api.submitted(manager, third, month.previous.code)  # another month: not in the pack

    pack = api.get(viewer, f"/programmes/{programme['id']}/highlight-pack", period=month.code)
    assert (pack["programme_name"], pack["period_label"]) == (programme["name"], month.label)
    assert [r["id"] for r in pack["reports"]] == [accepted["id"], submitted["id"]]
    assert [r["status"] for r in pack["reports"]] == ["accepted", "submitted"]
    assert [p["project_id"] for p in pack["not_submitted"]] == [third["id"]]
    problem(client.get(f"{API}/programmes/{programme['id']}/highlight-pack", headers=viewer.headers), 422)


def _page_images(pdf: bytes, tmp_path: Path) -> None:
    """The pack's pages as pictures (pdftoppm), into frontend/screenshots/, for people to look at."""
    assert shutil.which("pdftoppm"), "needs poppler-utils (pdftoppm); .ci/run installs it"
    source = tmp_path / "highlight-pack.pdf"
    source.write_bytes(pdf)
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("highlight-pack-*.png"):
        old.unlink()
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "60", str(source), str(SCREENSHOTS / "highlight-pack")],  # noqa: S607
        check=True,
        timeout=60,
    )
    assert len(list(SCREENSHOTS.glob("highlight-pack-*.png"))) == docs.pdf_pages(pdf)


def test_the_pack_as_word_and_tagged_pdf(
    api: Highlights,
    pmo: Person,
    manager: Person,
    sponsor: Person,
    viewer: Person,
    programme: dict[str, Any],
    engine,
    client,
    factory,
    other_org,
    tmp_path: Path,
) -> None:
    month = last_month()
    first, second = (api.project(pmo, programme, project_manager_id=str(manager.id)) for _ in range(2))
    _backdate(engine, first, second, to=month.start)
    risk = api.post(
        manager,
        "/risks",
        {
            "project_id": first["id"],
            "title": "Supplier fails",
            "category": "commercial",
            "inherent_likelihood": 4,
            "inherent_impact": 4,
        },
    )
    report = api.start(manager, first, month.code)
    api.complete(manager, report)
    api.edit(
        manager,
        report,
        decisions_needed="Approve the extra licences.",
        escalations=[{"item_type": "risk", "item_id": risk["id"], "note": "Board to note"}],
    )
    api.act(manager, report, "submit")
    api.act(sponsor, report, "review", {"outcome": "accepted", "comments": "Clear."})

    base = f"{API}/programmes/{programme['id']}/highlight-pack"
    word = client.get(f"{base}.docx", params={"period": month.code}, headers=viewer.headers)
    assert word.status_code == 200, word.text
    assert word.headers["content-type"] == DOCX.media_type
    assert word.headers["content-disposition"].endswith(f'-{month.code}.docx"')
    tables = docs.docx_tables(word.content)
    summary = docs.table_with_header(tables, "Scope")
    name = f"{first['reference']} {first['name']}"
    assert summary == [
        ["Project", "Status", "Time", "Cost", "Scope", "Benefits"],
        [name, "Accepted", "Green", "Amber", "Green", "Green"],
    ]
    rag = docs.table_with_header(tables, "Dimension")
    assert rag[2] == ["Cost", "Amber", "Licence costs rose 4%."]
    escalated = docs.table_with_header(tables, "Reference")
    assert escalated[1] == [risk["reference"], "Supplier fails", "Red", "Not escalated", "Board to note"]
    text = docs.docx_text(word.content)
    assert "Approve the extra licences." in text
    front = dict(map(tuple, docs.table_with_header(tables, "Programme")))
    assert front["Projects without a submitted report"] == f"{second['reference']} {second['name']}"
    assert front["Reports in this pack"] == "1"
    # The front sheet's labels head their rows; every other table has a header row.
    assert docs.docx_header_rows(word.content)[1:] == [True, True, True]
    assert docs.docx_language(word.content) == "en-GB"

    pdf = client.get(f"{base}.pdf", params={"period": month.code}, headers=viewer.headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == PDF.media_type
    tags = docs.pdf_tags(pdf.content)
    assert tags.tagged
    assert tags.language == "en-GB"
    assert tags.title_shown
    assert {"H1", "Table"} <= set(tags.structure)
    pdf_text = docs.pdf_text(pdf.content)
    for figure in (name, "Licence costs rose 4%.", risk["reference"], "Approve the extra licences."):
        assert figure in pdf_text.replace("\n", " "), figure

    _page_images(pdf.content, tmp_path)

    outsider = factory.person(other_org, Role.pmo)
    for suffix in (".docx", ".pdf"):
        problem(client.get(f"{base}{suffix}", params={"period": month.code}, headers=outsider.headers), 404)
        problem(client.get(f"{base}{suffix}", params={"period": "2026-13"}, headers=viewer.headers), 422)
