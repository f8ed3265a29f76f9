"""Projects: create with a reference and the lifecycle's first stage, filters, edits, the stage rule."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from pmo.core.permissions import Role
from pmo.core.references import next_reference
from pmo.gates.models import Lifecycle
from support.api import API, problem
from support.database import audit_count, audit_events


def test_create_gives_reference_lifecycle_and_first_stage(register, pmo, programme, engine) -> None:
    first = register.project(pmo, programme, name="Replace the Leisure Management System")
    second = register.project(pmo, programme)
    assert (first["reference"], second["reference"]) == ("P-0001", "P-0002")
    assert first["stage"] == "discover_define"
    assert first["confidence"] is None
    with Session(engine) as session:
        lifecycle = session.get(Lifecycle, uuid.UUID(first["lifecycle_id"]))
        assert lifecycle is not None
        assert lifecycle.builtin_key == "chesterfield"
    events = audit_events(engine, first["id"])
    assert [(e["action"], e["record_type"]) for e in events] == [("create", "project")]
    assert events[0]["after"]["reference"] == "P-0001"


def test_create_with_another_lifecycle(register, pmo, programme, engine, org) -> None:
    with Session(engine) as session:
        green_book = session.execute(
            select(Lifecycle).where(
                Lifecycle.organisation_id == org.id, Lifecycle.builtin_key == "green_book"
            )
        ).scalar_one()
        first = green_book.stages[0]["key"]
    project = register.project(pmo, programme, lifecycle_id=str(green_book.id))
    assert (project["lifecycle_id"], project["stage"]) == (str(green_book.id), first)


def test_references_are_per_organisation_and_never_reused(
    register, pmo, other_pmo, programme, client, engine
) -> None:
    mine = register.project(pmo, programme)
    theirs = register.project(other_pmo, register.programme(other_pmo))
    assert mine["reference"] == theirs["reference"] == "P-0001"
    # A record gone from the table (as a deleted RAID item will be) leaves its number used.
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM projects WHERE reference = 'P-0001' AND organisation_id = :org"),
            {"org": _org_param(engine, pmo.organisation.id)},
        )
    again = register.project(pmo, programme)
    assert again["reference"] == "P-0002"


def _org_param(engine: Any, value: Any) -> Any:
    return value if engine.dialect.name == "postgresql" else value.hex


def test_concurrent_references_are_all_different(engine, org) -> None:
    """Many transactions at once each get their own number (PostgreSQL locks the counter row;
    SQLite queues writers)."""
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def take() -> None:
        try:
            start.wait()
            with Session(engine) as session:
                reference = next_reference(session, org.id, "R")
                session.commit()
            results.append(reference)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [f"R-{n:04d}" for n in range(1, 9)]


def test_concurrent_project_creation_gives_distinct_references(register, pmo, programme, client) -> None:
    references: list[str] = []
    start = threading.Barrier(5)

    def create(n: int) -> None:
        start.wait()
        response = client.post(
            f"{API}/projects",
            json={"programme_id": programme["id"], "name": f"Parallel {n}"},
            headers=pmo.headers,
        )
        assert response.status_code == 201, response.text
        references.append(response.json()["reference"])

    threads = [threading.Thread(target=create, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(references) == [f"P-{n:04d}" for n in range(1, 6)]


def test_reference_prefix_is_checked(engine, org) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="prefix"):
        next_reference(session, org.id, "p-1")


def test_get_and_etag(register, pmo, project, client) -> None:
    body, tag = register.get(pmo, f"/projects/{project['id']}")
    assert body == project
    again = client.get(f"{API}/projects/{project['id']}", headers={**pmo.headers, "If-None-Match": tag})
    assert again.status_code == 304


def test_patch_changes_fields_and_audits(register, factory, pmo, project, engine, org) -> None:
    sro = register.factory.person(org, Role.sponsor)
    directorate = factory.directorate(org)
    response = register.patch(
        pmo,
        f"/projects/{project['id']}",
        {
            "name": "Replace the LMS",
            "description": "A new leisure system.",
            "sro_id": str(sro.id),
            "lead_directorate_id": str(directorate.id),
            "planned_start": "2022-04-01",
            "planned_end": "2023-03-31",
            "strategic_outcomes": ["Digital first"],
            "stage": "discover_define",  # the current stage: accepted, nothing changes
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Replace the LMS"
    assert body["sro_id"] == str(sro.id)
    assert body["planned_end"] == "2023-03-31"
    assert body["stage"] == "discover_define"
    events = audit_events(engine, project["id"])
    assert [e["action"] for e in events] == ["create", "update"]
    assert events[1]["before"]["name"] == project["name"]
    assert events[1]["after"]["name"] == "Replace the LMS"


def test_patch_needs_if_match(register, pmo, project, client) -> None:
    path = f"{API}/projects/{project['id']}"
    problem(client.patch(path, json={"name": "x"}, headers=pmo.headers), 428)
    stale = {**pmo.headers, "If-Match": '"stale"'}
    problem(client.patch(path, json={"name": "x"}, headers=stale), 412)


def test_stage_jump_in_patch_is_409(register, pmo, project, engine) -> None:
    before = audit_count(engine)
    body = problem(register.patch(pmo, f"/projects/{project['id']}", {"stage": "delivery"}), 409)
    assert "gate review" in body["detail"]
    assert f"/api/v1/projects/{project['id']}/gate-reviews" in body["detail"]
    assert register.get(pmo, f"/projects/{project['id']}")[0]["stage"] == "discover_define"
    assert audit_count(engine) == before


def test_dates_out_of_order_are_422(register, pmo, project, programme, client) -> None:
    problem(
        register.patch(
            pmo, f"/projects/{project['id']}", {"planned_start": "2024-01-01", "planned_end": "2023-01-01"}
        ),
        422,
    )
    register.patch(pmo, f"/projects/{project['id']}", {"planned_end": "2023-01-01"})
    problem(register.patch(pmo, f"/projects/{project['id']}", {"planned_start": "2024-01-01"}), 422)
    response = client.post(
        f"{API}/projects",
        json={
            "programme_id": programme["id"],
            "name": "x",
            "planned_start": "2024-01-01",
            "planned_end": "2023-01-01",
        },
        headers=pmo.headers,
    )
    problem(response, 422)
    problem(register.patch(pmo, f"/projects/{project['id']}", {"planned_end": 1700000000}), 422)


def test_unknown_fields_are_refused(register, pmo, project, programme, client) -> None:
    problem(register.patch(pmo, f"/projects/{project['id']}", {"reference": "P-9999"}), 422)
    problem(register.patch(pmo, f"/projects/{project['id']}", {"confidence": "green"}), 422)
    response = client.post(
        f"{API}/projects",
        json={"programme_id": programme["id"], "name": "x", "stage": "delivery"},
        headers=pmo.headers,
    )
    problem(response, 422)


def test_moving_to_a_programme_of_another_organisation_is_404(
    register, pmo, other_pmo, project, engine
) -> None:
    theirs = register.programme(other_pmo)
    before = audit_count(engine)
    problem(register.patch(pmo, f"/projects/{project['id']}", {"programme_id": theirs["id"]}), 404)
    assert register.get(pmo, f"/projects/{project['id']}")[0]["programme_id"] == project["programme_id"]
    assert audit_count(engine) == before
    # Within the organisation it moves.
    mine = register.programme(pmo)
    moved = register.patch(pmo, f"/projects/{project['id']}", {"programme_id": mine["id"]})
    assert moved.status_code == 200
    assert moved.json()["programme_id"] == mine["id"]


@pytest.mark.parametrize(
    "field", ["sro_id", "project_manager_id", "lead_directorate_id", "governance_body_id"]
)
def test_references_to_another_organisation_are_404(
    register, factory, pmo, other_pmo, project, programme, client, field
) -> None:
    other_org = other_pmo.organisation
    target = {
        "sro_id": lambda: other_pmo.id,
        "project_manager_id": lambda: other_pmo.id,
        "lead_directorate_id": lambda: factory.directorate(other_org).id,
        "governance_body_id": lambda: register.post(
            other_pmo, "/governance-bodies", {"name": "Their board", "kind": "steering_group"}
        )["id"],
    }[field]()
    problem(register.patch(pmo, f"/projects/{project['id']}", {field: str(target)}), 404)
    response = client.post(
        f"{API}/projects",
        json={"programme_id": programme["id"], "name": "x", field: str(target)},
        headers=pmo.headers,
    )
    problem(response, 404)


def test_other_organisations_projects_are_404(register, pmo, other_pmo, project, client) -> None:
    problem(client.get(f"{API}/projects/{project['id']}", headers=other_pmo.headers), 404)
    response = client.patch(
        f"{API}/projects/{project['id']}", json={"name": "x"}, headers={**other_pmo.headers, "If-Match": "*"}
    )
    problem(response, 404)
    assert client.get(f"{API}/projects", headers=other_pmo.headers).json()["total"] == 0
    # Creating a project in our programme from the other organisation: not found.
    problem(
        client.post(
            f"{API}/projects",
            json={"programme_id": project["programme_id"], "name": "x"},
            headers=other_pmo.headers,
        ),
        404,
    )


def test_projects_are_never_deleted(pmo, project, client) -> None:
    response = client.delete(f"{API}/projects/{project['id']}", headers=pmo.headers)
    assert response.status_code == 405


def test_concurrent_edits_with_the_same_etag_one_wins(register, pmo, project, client) -> None:
    path = f"{API}/projects/{project['id']}"
    _, tag = register.get(pmo, f"/projects/{project['id']}")
    statuses: list[int] = []
    start = threading.Barrier(2)

    def edit(name: str) -> None:
        start.wait()
        response = client.patch(path, json={"name": name}, headers={**pmo.headers, "If-Match": tag})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    name = register.get(pmo, f"/projects/{project['id']}")[0]["name"]
    assert name in {"First", "Second"}


# Lists ---------------------------------------------------------------------------------


@pytest.fixture
def catalogue(register, factory, pmo, org) -> dict[str, Any]:
    """Two portfolios, three programmes, five projects with different people and directorates."""
    housing, digital = factory.directorate(org, "Housing"), factory.directorate(org, "Digital")
    sro = register.factory.person(org, Role.sponsor)
    manager = register.factory.person(org, Role.project_manager)
    od = register.portfolio(pmo, "OD Programme")
    other = register.portfolio(pmo, "Future Council")
    ict = register.programme(pmo, od, name="ICT Improvement")
    cx = register.programme(pmo, od, name="Customer Experience")
    fut = register.programme(pmo, other, name="Future Ways")
    projects = [
        register.project(
            pmo,
            ict,
            name="Replace the Leisure Management System",
            lead_directorate_id=str(digital.id),
            sro_id=str(sro.id),
            planned_end="2023-03-31",
        ),
        register.project(
            pmo,
            ict,
            name="Telephony upgrade",
            description="Cloud contact centre",
            lead_directorate_id=str(digital.id),
            project_manager_id=str(manager.id),
            planned_end="2022-12-31",
        ),
        register.project(
            pmo,
            cx,
            name="Housing repairs online",
            lead_directorate_id=str(housing.id),
            project_manager_id=str(manager.id),
        ),
        register.project(pmo, cx, name="Website redesign", planned_end="2024-06-30"),
        register.project(pmo, fut, name="Hybrid working", sro_id=str(sro.id)),
    ]
    response = register.client.post(
        f"{API}/projects/{projects[0]['id']}/confidence",
        json={"rating": "amber", "commentary": "Supplier late."},
        headers=pmo.headers,
    )
    assert response.status_code == 201
    return {
        "projects": projects,
        "ict": ict,
        "cx": cx,
        "od": od,
        "other": other,
        "housing": housing,
        "digital": digital,
        "sro": sro,
        "manager": manager,
    }


def _names(client, who, **params: Any) -> list[str]:
    response = client.get(f"{API}/projects", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]) or "limit" in params
    return [p["name"] for p in body["items"]]


def test_filters(client, pmo, catalogue) -> None:
    c = catalogue
    assert len(_names(client, pmo)) == 5
    assert _names(client, pmo, programme_id=c["ict"]["id"]) == [
        "Replace the Leisure Management System",
        "Telephony upgrade",
    ]
    assert len(_names(client, pmo, portfolio_id=c["od"]["id"])) == 4
    assert _names(client, pmo, portfolio_id=c["other"]["id"]) == ["Hybrid working"]
    assert _names(client, pmo, directorate_id=str(c["housing"].id)) == ["Housing repairs online"]
    assert _names(client, pmo, sro_id=str(c["sro"].id)) == [
        "Replace the Leisure Management System",
        "Hybrid working",
    ]
    assert _names(client, pmo, project_manager_id=str(c["manager"].id)) == [
        "Telephony upgrade",
        "Housing repairs online",
    ]
    assert _names(client, pmo, confidence="amber") == ["Replace the Leisure Management System"]
    assert _names(client, pmo, confidence="red") == []
    assert len(_names(client, pmo, stage="discover_define")) == 5
    assert _names(client, pmo, stage="delivery") == []
    assert _names(client, pmo, q="CONTACT") == ["Telephony upgrade"]  # description, any case
    assert _names(client, pmo, q="p-0003") == ["Housing repairs online"]  # reference
    assert _names(client, pmo, q="100%") == []  # LIKE wildcards are literal
    problem(client.get(f"{API}/projects", params={"confidence": "purple"}, headers=pmo.headers), 422)
    problem(client.get(f"{API}/projects", params={"sort": "secret"}, headers=pmo.headers), 422)


def test_sorting_and_paging(client, pmo, catalogue) -> None:
    assert _names(client, pmo, sort="-reference")[0] == "Hybrid working"
    assert _names(client, pmo, sort="name")[0] == "Housing repairs online"
    assert _names(client, pmo, sort="planned_end")[:3] == [
        "Telephony upgrade",
        "Replace the Leisure Management System",
        "Website redesign",
    ]
    assert _names(client, pmo, sort="-planned_end")[-1] == "Telephony upgrade"
    page = client.get(
        f"{API}/projects", params={"limit": 2, "offset": 2, "sort": "reference"}, headers=pmo.headers
    ).json()
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)
    assert [p["reference"] for p in page["items"]] == ["P-0003", "P-0004"]
    assert len(_names(client, pmo, sort="stage")) == len(_names(client, pmo, sort="-updated_at")) == 5
