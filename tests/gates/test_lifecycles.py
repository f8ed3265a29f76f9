"""Lifecycles: the built-in ones every organisation gets, custom ones, the default."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from sqlmodel import Session, select

from pmo.audit.models import AuditEvent
from pmo.core.pagination import public_url_of
from pmo.core.permissions import Role
from pmo.gates import service as gates
from pmo.organisations.models import Organisation
from support.api import API

CUSTOM: dict[str, Any] = {
    "name": "Small change",
    "description": "Idea, build, done.",
    "stages": [
        {"key": "idea", "name": "Idea"},
        {"key": "build", "name": "Build"},
        {"key": "done", "name": "Done"},
    ],
    "gates": [
        {
            "key": "go",
            "name": "Go",
            "from_stage": "idea",
            "to_stage": "build",
            "criteria": [{"key": "worth_it", "text": "It is worth doing."}],
            "deciders": [{"type": "governance_body"}],
            "approval": "all",
        },
        {
            "key": "finish",
            "name": "Finish",
            "from_stage": "build",
            "to_stage": "done",
            "criteria": [{"key": "delivered", "text": "It is delivered."}],
            "deciders": [{"type": "role", "role": "sponsor"}, {"type": "elected_members"}],
        },
    ],
}


def _lifecycles(client, who) -> list[dict[str, Any]]:
    response = client.get(f"{API}/lifecycles", headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_new_organisation_has_the_builtin_lifecycles(client, engine, org, factory):
    viewer = factory.person(org, Role.viewer)
    lifecycles = {lc["builtin_key"]: lc for lc in _lifecycles(client, viewer)}
    assert set(lifecycles) == {"chesterfield", "green_book", "ipa_gateway"}
    chesterfield = lifecycles["chesterfield"]
    assert chesterfield["is_default"] is True
    assert [lc["is_default"] for lc in lifecycles.values()].count(True) == 1
    assert [s["name"] for s in chesterfield["stages"]] == [
        "Discover and Define",
        "Design and Develop",
        "Delivery",
        "Closed",
    ]
    entry, business_case, closure = chesterfield["gates"]
    assert (entry["from_stage"], entry["to_stage"]) == ("discover_define", "design_develop")
    assert len(entry["criteria"]) == 4
    assert entry["deciders"] == [{"type": "governance_body", "role": None}]
    assert business_case["business_case_sections"] == [
        "scope",
        "costs",
        "benefits",
        "resource_requirements",
        "key_risks",
        "dependencies",
        "delivery_plan",
    ]
    assert {d["type"] for d in business_case["deciders"]} == {"governance_body", "elected_members"}
    assert closure["deciders"] == [{"type": "role", "role": "sponsor"}]
    assert len(lifecycles["green_book"]["stages"]) == 5
    assert [s["key"] for s in lifecycles["ipa_gateway"]["stages"]] == [f"gate_{n}" for n in range(6)]
    with Session(engine) as session:
        organisation = session.get_one(Organisation, org.id)
        assert str(organisation.default_lifecycle_id) == chesterfield["id"]
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.organisation_id == org.id, AuditEvent.record_type == "lifecycle"
            )
        ).all()
        assert sorted(str(e.record_id) for e in events) == sorted(lc["id"] for lc in lifecycles.values())
        assert {(e.action, e.actor_type) for e in events} == {("create", "system")}


def test_installing_the_builtins_again_changes_nothing(engine, org):
    with Session(engine) as session:
        gates.install_builtin_lifecycles(session, org.id)
        session.flush()
        assert (
            len(session.exec(select(gates.Lifecycle).where(gates.Lifecycle.organisation_id == org.id)).all())
            == 3
        )
        session.rollback()


def test_default_lifecycle_and_first_stage(engine, org):
    with Session(engine) as session:
        lifecycle = gates.default_lifecycle(session, org.id)
        assert lifecycle.builtin_key == "chesterfield"
        assert gates.first_stage(lifecycle) == "discover_define"


def test_get_a_lifecycle_with_etag(client, org, factory):
    viewer = factory.person(org, Role.viewer)
    first = _lifecycles(client, viewer)[0]
    response = client.get(f"{API}/lifecycles/{first['id']}", headers=viewer.headers)
    assert response.status_code == 200
    assert response.json() == first
    again = client.get(
        f"{API}/lifecycles/{first['id']}",
        headers={**viewer.headers, "If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_another_organisations_lifecycle_is_not_found(client, org, other_org, factory, other_admin):
    pmo = factory.person(org, Role.pmo)
    theirs = _lifecycles(client, other_admin)[0]
    assert client.get(f"{API}/lifecycles/{theirs['id']}", headers=pmo.headers).status_code == 404
    assert (
        client.post(f"{API}/lifecycles/{theirs['id']}/make-default", headers=pmo.headers).status_code == 404
    )
    assert theirs["id"] not in {lc["id"] for lc in _lifecycles(client, pmo)}


def test_define_a_custom_lifecycle(client, engine, org, factory):
    pmo = factory.person(org, Role.pmo)
    response = client.post(
        f"{API}/lifecycles", json=CUSTOM, headers={**pmo.headers, "Idempotency-Key": "lc-1"}
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["Location"] == public_url_of(f"/api/v1/lifecycles/{made['id']}")
    assert made["builtin_key"] is None
    assert made["is_default"] is False
    assert [g["key"] for g in made["gates"]] == ["go", "finish"]
    assert made["gates"][0]["approval"] == "all"
    assert made["gates"][1]["approval"] == "any"
    # A retry with the same key makes nothing new.
    again = client.post(f"{API}/lifecycles", json=CUSTOM, headers={**pmo.headers, "Idempotency-Key": "lc-1"})
    assert again.json()["id"] == made["id"]
    assert len(_lifecycles(client, pmo)) == 4
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.record_id == uuid.UUID(made["id"]))).one()
        assert (event.action, event.actor_id) == ("create", pmo.id)
    # The same name again is a conflict.
    assert client.post(f"{API}/lifecycles", json=CUSTOM, headers=pmo.headers).status_code == 409


def test_gates_given_in_any_order_are_stored_in_stage_order(client, org, factory):
    pmo = factory.person(org, Role.pmo)
    body = copy.deepcopy(CUSTOM)
    body["gates"].reverse()
    made = client.post(f"{API}/lifecycles", json=body, headers=pmo.headers).json()
    assert [g["key"] for g in made["gates"]] == ["go", "finish"]


def _broken(change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(CUSTOM)
    change(body)
    return body


BAD_LIFECYCLES = {
    "one stage": _broken(lambda b: b.update(stages=b["stages"][:1], gates=[])),
    "repeated stage key": _broken(lambda b: b["stages"][2].update(key="build")),
    "bad stage key": _broken(lambda b: b["stages"][0].update(key="Idea Stage")),
    "key too long": _broken(lambda b: b["stages"][0].update(key="a" * 61)),
    "a gate missing": _broken(lambda b: b["gates"].pop()),
    "a gate skipping a stage": _broken(lambda b: b["gates"][1].update(from_stage="idea", to_stage="done")),
    "a gate backwards": _broken(lambda b: b["gates"][1].update(from_stage="done", to_stage="build")),
    "a gate to an unknown stage": _broken(lambda b: b["gates"][1].update(to_stage="nowhere")),
    "two gates for one step": _broken(lambda b: b["gates"].append({**b["gates"][0], "key": "go_again"})),
    "repeated gate key": _broken(lambda b: b["gates"][1].update(key="go")),
    "no criteria": _broken(lambda b: b["gates"][0].update(criteria=[])),
    "blank criterion": _broken(lambda b: b["gates"][0]["criteria"][0].update(text="   ")),
    "repeated criterion": _broken(
        lambda b: b["gates"][0]["criteria"].append({"key": "worth_it", "text": "x"})
    ),
    "no deciders": _broken(lambda b: b["gates"][0].update(deciders=[])),
    "unknown decider type": _broken(lambda b: b["gates"][0].update(deciders=[{"type": "mayor"}])),
    "role decider without a role": _broken(lambda b: b["gates"][0].update(deciders=[{"type": "role"}])),
    "unknown role": _broken(lambda b: b["gates"][0].update(deciders=[{"type": "role", "role": "king"}])),
    "role on a body decider": _broken(
        lambda b: b["gates"][0].update(deciders=[{"type": "governance_body", "role": "sponsor"}])
    ),
    "bad approval": _broken(lambda b: b["gates"][0].update(approval="most")),
    "unknown field": _broken(lambda b: b.update(is_default=True)),
    "unknown gate field": _broken(lambda b: b["gates"][0].update(colour="red")),
    "blank name": _broken(lambda b: b.update(name="  ")),
    "NUL in a name": _broken(lambda b: b["stages"][0].update(name="Id\x00ea")),
}


@pytest.mark.parametrize("body", BAD_LIFECYCLES.values(), ids=BAD_LIFECYCLES.keys())
def test_a_bad_lifecycle_is_refused(client, org, factory, body):
    pmo = factory.person(org, Role.pmo)
    response = client.post(f"{API}/lifecycles", json=body, headers=pmo.headers)
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert len(_lifecycles(client, pmo)) == 3


def test_a_bad_lifecycle_is_told_in_words_at_its_fields(client, org, factory):
    """The web app's form shows these by their fields: sentences, not counts of items or codes."""
    pmo = factory.person(org, Role.pmo)
    body = copy.deepcopy(CUSTOM)
    body["gates"][0].update(criteria=[], deciders=[{"type": "role"}])
    body["gates"][1].update(deciders=[{"type": "elected_members", "role": "member"}])
    response = client.post(f"{API}/lifecycles", json=body, headers=pmo.headers)
    assert response.status_code == 422, response.text
    assert {(".".join(map(str, e["location"])), e["message"]) for e in response.json()["errors"]} == {
        ("body.gates.0.criteria", "Enter at least one criterion"),
        ("body.gates.0.deciders.0.role", "Choose the role that decides"),
        ("body.gates.1.deciders.0.role", "Only holders of a role (type 'role') are named by a role"),
    }
    body = {**copy.deepcopy(CUSTOM), "stages": []}
    errors = client.post(f"{API}/lifecycles", json=body, headers=pmo.headers).json()["errors"]
    stages = [e["message"] for e in errors if e["location"] == ["body", "stages"]]
    assert stages == ["Enter at least two stages"]


@pytest.mark.parametrize("role", [Role.viewer, Role.member, Role.sponsor, Role.project_manager, Role.finance])
def test_only_the_pmo_and_administrators_define_lifecycles(client, org, factory, role):
    person = factory.person(org, role)
    assert client.post(f"{API}/lifecycles", json=CUSTOM, headers=person.headers).status_code == 403
    default = next(lc for lc in _lifecycles(client, person) if lc["is_default"])
    assert (
        client.post(f"{API}/lifecycles/{default['id']}/make-default", headers=person.headers).status_code
        == 403
    )


def test_an_administrator_defines_a_lifecycle_and_makes_it_the_default(client, org, factory):
    """The lifecycle new projects follow is an organisation setting: administrators keep it too."""
    admin = factory.person(org, Role.admin)
    created = client.post(f"{API}/lifecycles", json=CUSTOM, headers=admin.headers)
    assert created.status_code == 201, created.text
    made = client.post(f"{API}/lifecycles/{created.json()['id']}/make-default", headers=admin.headers)
    assert made.status_code == 200
    assert [lc["id"] for lc in _lifecycles(client, admin) if lc["is_default"]] == [created.json()["id"]]


def test_lifecycles_cannot_be_changed(client, org, factory):
    pmo = factory.person(org, Role.pmo)
    lifecycle = _lifecycles(client, pmo)[0]
    for method in ("PATCH", "PUT", "DELETE"):
        response = client.request(method, f"{API}/lifecycles/{lifecycle['id']}", json={}, headers=pmo.headers)
        assert response.status_code == 405


def test_make_a_lifecycle_the_default(client, engine, setup, org, factory):
    pmo = factory.person(org, Role.pmo)
    green_book = next(lc for lc in _lifecycles(client, pmo) if lc["builtin_key"] == "green_book")
    older = setup.project(org)
    response = client.post(f"{API}/lifecycles/{green_book['id']}/make-default", headers=pmo.headers)
    assert response.status_code == 200
    assert response.json()["is_default"] is True
    defaults = [lc["builtin_key"] for lc in _lifecycles(client, pmo) if lc["is_default"]]
    assert defaults == ["green_book"]
    newer = setup.project(org)
    assert setup.stage_of(newer) == "strategic_outline_case"
    assert setup.stage_of(older) == "discover_define"  # existing projects keep theirs
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.record_type == "organisation", AuditEvent.actor_id == pmo.id)
        ).one()
        assert event.after is not None
        assert event.after["default_lifecycle_id"] == green_book["id"]
    # Making it the default again changes nothing and writes no event.
    assert (
        client.post(f"{API}/lifecycles/{green_book['id']}/make-default", headers=pmo.headers).status_code
        == 200
    )
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.actor_id == pmo.id)).all()
        assert len(events) == 1


def test_reading_lifecycles_needs_a_token(client):
    assert client.get(f"{API}/lifecycles").status_code == 401
