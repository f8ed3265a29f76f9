"""The value workflow (draft -> submitted -> verified -> published), who may take each step,
who sees what, and the earlier versions of a published value changed later."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from pmo.audit.models import AuditEvent
from pmo.core.permissions import Role
from support.api import API, problem

from .kpi_helpers import Kpis

Person = Any


def test_project_manager_submits_pmo_verifies_and_publishes(
    kpis: Kpis, pmo: Person, manager: Person, viewer: Person, project: dict[str, Any], session: Session
) -> None:
    kpi = kpis.kpi(pmo, project_id=project["id"])
    value = kpis.value(manager, kpi, "2023-24-Q1", "70")
    assert value["status"] == "draft"
    submitted = kpis.step(manager, value, "submit")
    assert (submitted["status"], submitted["submitted_by_id"]) == ("submitted", str(manager.id))
    assert submitted["submitted_at"] is not None
    assert [v["id"] for v in kpis.get(pmo, "/kpi-values", status="submitted")["items"]] == [value["id"]]
    verified = kpis.step(pmo, value, "verify")
    assert (verified["status"], verified["verified_by_id"]) == ("verified", str(pmo.id))
    published = kpis.step(pmo, value, "publish")
    assert (published["status"], published["published_by_id"]) == ("published", str(pmo.id))
    assert published["published_at"] is not None
    assert kpis.get(viewer, f"/kpi-values/{value['id']}")["status"] == "published"
    actions = (
        session.execute(
            select(AuditEvent.action).where(AuditEvent.record_type == "kpi_value").order_by(AuditEvent.seq)
        )
        .scalars()
        .all()
    )
    assert actions == ["create", "submit", "verify", "publish"]


def test_wrong_steps_are_409(kpis: Kpis, pmo: Person) -> None:
    value = kpis.value(pmo, kpis.kpi(pmo), "2023-24-Q1", "1")
    kpis.step(pmo, value, "verify", status=409)
    kpis.step(pmo, value, "publish", status=409)
    kpis.step(pmo, value, "return", status=409, reason="why")
    kpis.step(pmo, value, "submit")
    kpis.step(pmo, value, "submit", status=409)
    kpis.step(pmo, value, "publish", status=409)
    kpis.step(pmo, value, "verify")
    kpis.step(pmo, value, "verify", status=409)
    kpis.step(pmo, value, "publish")
    for step in ("submit", "verify", "publish"):
        kpis.step(pmo, value, step, status=409)
    kpis.step(pmo, value, "return", status=409, reason="too late")


def test_return_to_draft_needs_a_reason_and_clears_the_steps(
    kpis: Kpis, pmo: Person, manager: Person, project: dict[str, Any], session: Session
) -> None:
    kpi = kpis.kpi(pmo, project_id=project["id"])
    value = kpis.step(manager, kpis.value(manager, kpi, "2023-24-Q1", "1"), "submit")
    problem(kpis.client.post(f"{API}/kpi-values/{value['id']}/return", json={}, headers=pmo.headers), 422)
    kpis.step(pmo, value, "verify")
    returned = kpis.step(pmo, value, "return", reason="The figure excludes March.")
    assert (returned["status"], returned["submitted_by_id"], returned["verified_by_id"]) == (
        "draft",
        None,
        None,
    )
    event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "return", AuditEvent.record_type == "kpi_value")
    ).scalar_one()
    assert event.after is not None
    assert event.after["reason"] == "The figure excludes March."
    session.rollback()
    # Back with the project manager, who corrects and submits it again.
    corrected = kpis.patch(manager, f"/kpi-values/{value['id']}", {"actual": "2"})
    assert corrected.status_code == 200, corrected.text
    assert kpis.step(manager, value, "submit")["actual"] == "2.0"


def test_role_denials(
    kpis: Kpis, pmo: Person, manager: Person, viewer: Person, factory: Any, org: Any, project: dict[str, Any]
) -> None:
    kpi = kpis.kpi(pmo, project_id=project["id"])
    url = f"{API}/kpis/{kpi['id']}/values"
    body = {"period_code": "2023-24-Q1", "actual": "1"}
    # A viewer cannot enter or submit a value.
    problem(kpis.client.post(url, json=body, headers=viewer.headers), 403)
    # A project manager of another project cannot either.
    stranger = factory.person(org, Role.project_manager)
    problem(kpis.client.post(url, json=body, headers=stranger.headers), 403)
    value = kpis.value(manager, kpi, "2023-24-Q1", "1")
    kpis.step(stranger, value, "submit", status=404)  # cannot even see the draft
    # The project manager submits but cannot verify or publish.
    kpis.step(viewer, value, "submit", status=403)
    kpis.step(manager, value, "submit")
    kpis.step(manager, value, "verify", status=403)
    kpis.step(pmo, value, "verify")
    kpis.step(manager, value, "publish", status=403)
    kpis.step(manager, value, "return", status=403, reason="no")
    # Nor change it while the PMO has it.
    problem(kpis.patch(manager, f"/kpi-values/{value['id']}", {"actual": "5"}), 403)
    problem(kpis.client.delete(f"{API}/kpi-values/{value['id']}", headers=manager.headers), 403)
    kpis.step(pmo, value, "publish")
    # Nobody but the PMO changes a published value.
    problem(kpis.patch(manager, f"/kpi-values/{value['id']}", {"actual": "5", "reason": "oops"}), 403)
    assert kpis.get(pmo, f"/kpi-values/{value['id']}")["actual"] == "1.0"


def test_owner_and_sponsor_in_scope_submit(
    kpis: Kpis, pmo: Person, factory: Any, org: Any, programme: dict[str, Any]
) -> None:
    owner = factory.person(org, Role.finance)  # finance may submit values of KPIs they own
    sro = factory.person(org, Role.sponsor)
    sro_programme = kpis.programme(pmo, sro_id=str(sro.id))
    owned = kpis.kpi(pmo, owner_id=str(owner.id))
    programme_kpi = kpis.kpi(pmo, programme_id=sro_programme["id"])
    kpis.step(owner, kpis.value(owner, owned, "2023-24-Q1", "1"), "submit")
    kpis.step(sro, kpis.value(sro, programme_kpi, "2023-24-Q1", "1"), "submit")
    # The owner's role must still carry the permission: a viewer who owns a KPI cannot submit.
    viewer_owner = factory.person(org, Role.viewer)
    viewers = kpis.kpi(pmo, owner_id=str(viewer_owner.id))
    kpis.value(viewer_owner, viewers, "2023-24-Q1", "1", status=403)
    # An owner of one KPI does not reach the others.
    other_sponsor_kpi = kpis.kpi(pmo, programme_id=programme["id"])
    owner_value = kpis.value(pmo, other_sponsor_kpi, "2023-24-Q1", "1")
    kpis.step(owner, owner_value, "submit", status=404)


def test_visibility_of_unpublished_values(
    kpis: Kpis, pmo: Person, manager: Person, viewer: Person, admin: Person, project: dict[str, Any]
) -> None:
    kpi = kpis.kpi(pmo, project_id=project["id"])
    published = kpis.published(pmo, kpi, "2023-24-Q1", "1")
    draft = kpis.value(manager, kpi, "2023-24-Q2", "2")
    unlinked_draft = kpis.value(pmo, kpis.kpi(pmo), "2023-24-Q2", "3")

    def seen(who: Any) -> set[str]:
        return {v["id"] for v in kpis.get(who, "/kpi-values")["items"]}

    assert seen(viewer) == {published["id"]}
    assert seen(manager) == {published["id"], draft["id"]}
    assert seen(pmo) == seen(admin) == {published["id"], draft["id"], unlinked_draft["id"]}
    kpis.get(viewer, f"/kpi-values/{draft['id']}", expect=404)
    kpis.get(manager, f"/kpi-values/{unlinked_draft['id']}", expect=404)
    kpis.get(admin, f"/kpi-values/{unlinked_draft['id']}")
    assert {v["id"] for v in kpis.get(viewer, f"/kpis/{kpi['id']}/values")["items"]} == {published["id"]}


def test_an_api_client_reading_a_draft_gets_404(kpis: Kpis, pmo: Person, admin: Person) -> None:
    kpi = kpis.kpi(pmo)
    published = kpis.published(pmo, kpi, "2023-24-Q1", "1")
    draft = kpis.value(pmo, kpi, "2023-24-Q2", "2")
    system = kpis.api_client_headers(admin, ["kpis:read"])
    problem(kpis.client.get(f"{API}/kpi-values/{draft['id']}", headers=system.headers), 404)
    problem(kpis.client.get(f"{API}/kpi-values/{draft['id']}/revisions", headers=system.headers), 404)
    assert kpis.get(system, f"/kpi-values/{published['id']}")["status"] == "published"
    assert [v["id"] for v in kpis.get(system, "/kpi-values")["items"]] == [published["id"]]
    problem(kpis.client.post(f"{API}/kpi-values/{draft['id']}/submit", headers=system.headers), 403)


def test_another_organisations_value_is_404(kpis: Kpis, pmo: Person, factory: Any, other_org: Any) -> None:
    other_pmo = factory.person(other_org, Role.pmo)
    theirs = kpis.published(other_pmo, kpis.kpi(other_pmo), "2023-24-Q1", "1")
    problem(kpis.client.get(f"{API}/kpi-values/{theirs['id']}", headers=pmo.headers), 404)
    problem(
        kpis.client.post(
            f"{API}/kpi-values/{theirs['id']}/return", json={"reason": "x"}, headers=pmo.headers
        ),
        404,
    )
    problem(kpis.client.delete(f"{API}/kpi-values/{theirs['id']}", headers=pmo.headers), 404)
    assert kpis.get(pmo, "/kpi-values")["total"] == 0


def test_a_published_value_changed_keeps_its_earlier_version(
    kpis: Kpis, pmo: Person, viewer: Person, session: Session
) -> None:
    kpi = kpis.kpi(pmo)
    value = kpis.published(pmo, kpi, "2023-24-Q1", "70")
    path = f"/kpi-values/{value['id']}"
    body = problem(kpis.patch(pmo, path, {"actual": "71"}), 422)
    assert body["errors"][0]["location"] == ["body", "reason"]

    changed = kpis.patch(
        pmo, path, {"actual": "71.5", "commentary": "Late returns", "reason": "Late returns added"}
    )

    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["status"], after["actual"], after["commentary"]) == ("published", "71.5", "Late returns")
    assert after["updated_at"] > value["updated_at"]
    assert after["version"] > value["version"]
    revisions = kpis.get(viewer, f"{path}/revisions")["items"]
    assert len(revisions) == 1
    assert revisions[0]["actual"] == "70.0"
    assert revisions[0]["status"] == "published"
    assert revisions[0]["published_at"] == value["published_at"]
    assert revisions[0]["reason"] == "Late returns added"
    assert revisions[0]["replaced_by_id"] == str(pmo.id)
    assert revisions[0]["version"] == value["version"]
    kpis.patch(pmo, path, {"actual": "72", "reason": "Second correction"})
    assert [r["actual"] for r in kpis.get(pmo, f"{path}/revisions")["items"]] == ["70.0", "71.5"]
    # Published values are records: never deleted.
    problem(kpis.client.delete(f"{API}{path}", headers=pmo.headers), 409)
    # Still checked like any value.
    problem(kpis.patch(pmo, path, {"actual": "101", "reason": "typo"}), 422)


def test_drafts_are_deleted_by_whoever_may_edit_them(
    kpis: Kpis, pmo: Person, manager: Person, viewer: Person, project: dict[str, Any], session: Session
) -> None:
    kpi = kpis.kpi(pmo, project_id=project["id"])
    value = kpis.value(manager, kpi, "2023-24-Q1", "1")
    problem(kpis.client.delete(f"{API}/kpi-values/{value['id']}", headers=viewer.headers), 403)
    assert kpis.client.delete(f"{API}/kpi-values/{value['id']}", headers=manager.headers).status_code == 204
    kpis.get(pmo, f"/kpi-values/{value['id']}", expect=404)
    assert (
        "delete"
        in session.execute(select(AuditEvent.action).where(AuditEvent.record_type == "kpi_value"))
        .scalars()
        .all()
    )


def test_value_patch_needs_if_match(kpis: Kpis, pmo: Person) -> None:
    value = kpis.value(pmo, kpis.kpi(pmo), "2023-24-Q1", "1")
    url = f"{API}/kpi-values/{value['id']}"
    problem(kpis.client.patch(url, json={"actual": "2"}, headers=pmo.headers), 428)
    problem(kpis.client.patch(url, json={"actual": "2"}, headers={**pmo.headers, "If-Match": '"old"'}), 412)


def test_a_project_manager_role_held_for_one_directorate_submits_for_their_project(
    kpis: Kpis, pmo: Person, admin: Person, factory: Any, org: Any, programme: dict[str, Any]
) -> None:
    directorate = kpis.post(admin, "/directorates", {"name": "Housing"})
    scoped = factory.person(org)
    kpis.post(
        admin,
        "/role-assignments",
        {"user_id": str(scoped.id), "role": "project_manager", "directorate_id": directorate["id"]},
    )
    project = kpis.project(
        pmo, programme, project_manager_id=str(scoped.id), lead_directorate_id=directorate["id"]
    )
    kpi = kpis.kpi(pmo, project_id=project["id"])
    value = kpis.value(scoped, kpi, "2023-24-Q1", "1")
    assert kpis.step(scoped, value, "submit")["status"] == "submitted"
