"""Committee report packs (issue 17 item 1): asked for through the API, made in the request or
by the worker, stored, downloaded as DOCX and tagged PDF; checked on the Chesterfield demo
against seed 002 (appendix B's totals, the risk table's ratings before and after)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from pmo.core.db import utcnow
from pmo.core.periods import today
from pmo.demo import DEMO_PASSWORD
from pmo.portfolio.models import Portfolio
from pmo.reports.models import ReportPack
from pmo.reports.service import make_queued_packs
from pmo.worker.jobs import JOBS
from support.api import API, Api, Bearer, problem, sign_in
from support.documents import (
    docx_header_rows,
    docx_headings,
    docx_language,
    docx_tables,
    pdf_tags,
    pdf_text,
    table_with_header,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "frontend" / "screenshots"
FRONT_SHEET = {
    "report_author": "Service Director - Digital, HR and Customer Services",
    "wards_affected": "All",
    "key_decision": False,
    "recommendations": [
        "That Cabinet notes the progress of the programme.",
        "That Cabinet notes Appendix B.",
    ],
}


def _meeting(client, who, body_id: str, day: str, title: str = "Cabinet") -> dict[str, Any]:
    return Api(client).post(who, "/meetings", {"body_id": body_id, "meets_on": day, "title": title})


# On a small programme: made in the request, stored, and guarded -----------------------------


@pytest.fixture
def board(client, pmo):
    return Api(client).post(pmo, "/governance-bodies", {"name": "Programme Board", "kind": "programme_board"})


def test_a_small_programme_is_made_at_once_and_downloads_the_same_bytes(
    client, pmo, viewer, programme, project, board
) -> None:
    meeting = _meeting(client, pmo, board["id"], "2030-05-01", "Programme Board")
    response = client.post(
        f"{API}/programmes/{programme['id']}/report-packs",
        json={"meeting_id": meeting["id"], **FRONT_SHEET},
        headers=viewer.headers,  # anyone who reads the programme may ask
    )
    assert response.status_code == 201, response.text
    pack = response.json()
    assert (pack["status"], pack["scope"], pack["meeting_date"]) == ("ready", "programme", "2030-05-01")
    assert pack["title"] == f"{programme['name']} progress report"
    assert pack["pages"] >= 2
    docx = client.get(f"{API}/report-packs/{pack['id']}/docx", headers=viewer.headers)
    assert docx.status_code == 200
    assert docx.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert docx.headers["content-disposition"].startswith('attachment; filename="')
    pdf = client.get(f"{API}/report-packs/{pack['id']}/pdf", headers=viewer.headers)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert client.get(f"{API}/report-packs/{pack['id']}/pdf", headers=pmo.headers).content == pdf.content
    assert client.get(f"{API}/report-packs/{pack['id']}/docx", headers=pmo.headers).content == docx.content
    listed = client.get(f"{API}/programmes/{programme['id']}/report-packs", headers=viewer.headers).json()
    assert [p["id"] for p in listed["items"]] == [pack["id"]]
    # The meeting a pack was made for stays on the record.
    problem(client.delete(f"{API}/meetings/{meeting['id']}", headers=pmo.headers), 409)


def test_another_organisation_finds_nothing(client, pmo, other_pmo, programme, board) -> None:
    meeting = _meeting(client, pmo, board["id"], "2030-05-01")
    pack = Api(client).post(
        pmo, f"/programmes/{programme['id']}/report-packs", {"meeting_id": meeting["id"], **FRONT_SHEET}
    )
    for path in ("", "/docx", "/pdf"):
        problem(client.get(f"{API}/report-packs/{pack['id']}{path}", headers=other_pmo.headers), 404)
    problem(client.get(f"{API}/programmes/{programme['id']}/report-packs", headers=other_pmo.headers), 404)
    problem(
        client.post(
            f"{API}/programmes/{programme['id']}/report-packs",
            json={"meeting_id": meeting["id"], **FRONT_SHEET},
            headers=other_pmo.headers,
        ),
        404,
    )
    # Nor may our programme's pack be asked for another council's meeting.
    their_board = Api(client).post(other_pmo, "/governance-bodies", {"name": "Board", "kind": "other"})
    theirs = _meeting(client, other_pmo, their_board["id"], "2030-05-01")
    found = problem(
        client.post(
            f"{API}/programmes/{programme['id']}/report-packs",
            json={"meeting_id": theirs["id"], **FRONT_SHEET},
            headers=pmo.headers,
        ),
        422,
    )
    assert found["errors"][0]["location"] == ["body", "meeting_id"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"report_author": " "}, ["body", "report_author"]),
        ({"key_decision": "perhaps"}, ["body", "key_decision"]),
        ({"exempt": True}, ["body"]),
        ({"recommendations": ["  "]}, ["body", "recommendations", 0]),
        ({"meeting_id": "26 April"}, ["body", "meeting_id"]),
        ({"colour": "red"}, ["body", "colour"]),
    ],
)
def test_bad_requests_are_422_and_make_nothing(client, pmo, programme, board, engine, change, where) -> None:
    meeting = _meeting(client, pmo, board["id"], "2030-05-01")
    found = problem(
        client.post(
            f"{API}/programmes/{programme['id']}/report-packs",
            json={"meeting_id": meeting["id"], **FRONT_SHEET, **change},
            headers=pmo.headers,
        ),
        422,
    )
    assert where in [e["location"] for e in found["errors"]], found
    with Session(engine) as session:
        assert session.exec(select(ReportPack)).all() == []


def test_an_api_client_may_not_ask(client, admin, pmo, programme, board) -> None:
    meeting = _meeting(client, pmo, board["id"], "2030-05-01")
    created = Api(client).post(admin, "/api-clients", {"name": "Website", "scopes": ["portfolio:read"]})
    token = client.post(
        f"{API}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    ).json()["access_token"]
    problem(
        client.post(
            f"{API}/programmes/{programme['id']}/report-packs",
            json={"meeting_id": meeting["id"], **FRONT_SHEET},
            headers=Bearer(token).headers,
        ),
        403,
    )


# The Chesterfield demo: the whole Organisational Development Programme, made by the worker ----


def _demo_pack(client, engine) -> dict[str, Any]:
    headers = sign_in(client, "pmo@demo.test", DEMO_PASSWORD)

    class Pmo:
        pass

    pmo = Pmo()
    pmo.headers = headers  # type: ignore[attr-defined]
    bodies = client.get(f"{API}/governance-bodies", params={"kind": "cabinet"}, headers=headers).json()
    cabinet = bodies["items"][0]["id"]
    _meeting(client, pmo, cabinet, (today() - timedelta(days=60)).isoformat())
    meeting = _meeting(client, pmo, cabinet, (today() + timedelta(days=14)).isoformat())
    with Session(engine) as session:
        portfolio = session.exec(select(Portfolio)).first()
        assert portfolio is not None
        portfolio_id = portfolio.id
    response = client.post(
        f"{API}/portfolios/{portfolio_id}/report-packs",
        json={"meeting_id": meeting["id"], **FRONT_SHEET, "key_decision": True},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    queued = response.json()
    assert (queued["status"], queued["pdf_url"]) == ("queued", None)  # 75 projects: the worker's
    problem(client.get(f"{API}/report-packs/{queued['id']}/pdf", headers=headers), 409)
    assert JOBS["make-report-packs"].run is make_queued_packs
    with Session(engine) as session:
        assert make_queued_packs(session, utcnow()) == 1
        session.commit()
    pack = client.get(f"{API}/report-packs/{queued['id']}", headers=headers).json()
    assert pack["status"] == "ready", pack
    return {
        "pack": pack,
        "docx": client.get(f"{API}{pack['docx_url'].removeprefix('/api/v1')}", headers=headers).content,
        "pdf": client.get(f"{API}{pack['pdf_url'].removeprefix('/api/v1')}", headers=headers).content,
    }


def test_the_demo_pack(client, engine, demo, tmp_path) -> None:
    """One pack of the demo portfolio (made once: it takes seconds), checked three ways."""
    pack = _demo_pack(client, engine)
    _check_docx(pack)
    _check_pdf(pack)
    _page_images(pack, tmp_path)


def _check_docx(demo_pack: dict[str, Any]) -> None:
    content = demo_pack["docx"]
    headings = [text for _, text in docx_headings(content)]
    assert headings[1:] == [
        "1. Purpose of report",
        "2. Recommendations",
        "3. Background",
        "4. Financial implications",
        "5. Risk management",
        "6. Performance",
        "Appendix A: milestones by quarter",
        "Appendix B: estimated financial benefits",
    ]
    tables = docx_tables(content)
    front = dict(map(tuple, tables[0]))
    assert front["Key decision"] == "Yes"
    assert front["Exempt information"].startswith("No")
    assert front["Wards affected"] == "All"

    benefits = table_with_header(tables, "Cashable benefits total £")
    header = benefits[0]
    assert header[5:] == [
        "Cashable benefits 2022/23 £",
        "Cashable benefits 2023/24 £",
        "Cashable benefits 2024/25 £",
        "Cashable benefits 2025/26 £",
        "Cashable benefits total £",
    ]
    rows = {row[0]: row[4:] for row in benefits}
    assert rows["Total project costs / (cashable benefits)"] == [
        "90,000",
        "(129,000)",
        "(320,500)",
        "(360,500)",
        "(392,000)",
        "(1,202,000)",
    ]
    assert rows["(Cashable benefits) already in MTFP"][-1] == "(372,000)"
    assert rows["Total new cashable benefits"][1:] == [
        "(114,000)",
        "(201,500)",
        "(241,500)",
        "(273,000)",
        "(830,000)",
    ]
    assert rows["Recurring annual cashable benefits thereafter"][4] == "(392,000)"
    costs = table_with_header(tables, "Total £")
    assert (costs[-1][0], costs[-1][-1]) == ("Total costs", "497,000")

    risks = table_with_header(tables, "Description of the risk")
    ratings = {row[1]: (row[2], row[3], row[6], row[7]) for row in risks[1:]}
    # Section 12 of the report: impact and likelihood before, then after, the mitigating action.
    seed = {
        "Failure to develop a fit for purpose programme of work": ("High", "Medium", "Medium", "Low"),
        "Failure to resource the priorities set out in the programme": ("Medium", "Medium", "Medium", "Low"),
        "The OD Programme does not realise the benefits identified": ("High", "Medium", "High", "Low"),
    }
    assert {title: ratings[title] for title in seed} == seed
    assert all(marked for marked in docx_header_rows(content)[1:])
    assert docx_language(content) == "en-GB"


def _check_pdf(demo_pack: dict[str, Any]) -> None:
    content = demo_pack["pdf"]
    tags = pdf_tags(content)
    assert (tags.tagged, tags.language, tags.title_shown) == (True, "en-GB", True)
    assert {"Table", "TH", "TD", "H1", "H2", "Caption"} <= set(tags.structure)
    text = pdf_text(content)
    for figure in ("(1,202,000)", "(830,000)", "(392,000)", "(129,000)", "(320,500)", "497,000"):
        assert figure in text, figure
    assert "Failure to resource" in text  # the risk table (cells wrap, so a short phrase)
    assert "Draw-downs decided since the last meeting" in text


def _page_images(demo_pack: dict[str, Any], tmp_path: Path) -> None:
    """Page images for people to look at (frontend/screenshots/report-pack-page-NN.png)."""
    assert shutil.which("pdftoppm"), "needs poppler-utils (pdftoppm); .ci/run installs it"
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(demo_pack["pdf"])
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("report-pack-page-*.png"):
        old.unlink()
    subprocess.run(  # noqa: S603 - a fixed command on our own file
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENSHOTS / "report-pack-page")],  # noqa: S607
        check=True,
        timeout=120,
    )
    images = sorted(SCREENSHOTS.glob("report-pack-page-*.png"))
    assert len(images) == demo_pack["pack"]["pages"]


def test_the_worker_makes_queued_packs_and_fails_those_whose_requester_left(
    client, engine, pmo, manager, programme, project, board
) -> None:
    meeting = _meeting(client, pmo, board["id"], "2030-05-01")
    with Session(engine) as session:
        for who in (pmo, manager):
            session.add(
                ReportPack(
                    organisation_id=who.user.organisation_id,
                    programme_id=uuid.UUID(programme["id"]),
                    meeting_id=uuid.UUID(meeting["id"]),
                    title=f"Queued for {who.user.email}",
                    report_author="PMO",
                    wards_affected="All",
                    key_decision=False,
                    exempt=False,
                    purpose="",
                    background="",
                    requested_by_id=who.user.id,
                    requested_at=utcnow(),
                )
            )
        session.execute(
            text("UPDATE users SET is_active = :no WHERE email = :email"),
            {"no": False, "email": manager.user.email},
        )
        session.commit()
    with Session(engine) as session:
        assert make_queued_packs(session, utcnow()) == 2
        session.commit()
    listed = client.get(f"{API}/programmes/{programme['id']}/report-packs", headers=pmo.headers).json()[
        "items"
    ]
    by_title = {p["title"]: p for p in listed}
    made = by_title[f"Queued for {pmo.user.email}"]
    left = by_title[f"Queued for {manager.user.email}"]
    assert (made["status"], made["pages"] is not None) == ("ready", True)
    assert (left["status"], left["error"], left["pdf_url"]) == ("failed", "The requester left.", None)
    problem(client.get(f"{API}/report-packs/{left['id']}/pdf", headers=pmo.headers), 409)
    with Session(engine) as session:
        assert make_queued_packs(session, utcnow()) == 0  # nothing left queued
