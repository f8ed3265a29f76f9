"""The `pmo` command: audit verify, organisations and users, demo data, migrate, openapi."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select
from typer.testing import CliRunner

from pmo.audit.models import AuditEvent
from pmo.cli import app
from pmo.core.permissions import Role
from pmo.demo import DEMO_PASSWORD, USERS
from pmo.organisations.models import Organisation, RoleAssignment, User

runner = CliRunner()


def test_audit_verify_on_a_clean_trail(factory, org):
    factory.person(org, Role.admin)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout
    # The organisation, its 3 built-in lifecycles, its default delegation rule, a user, a role.
    assert "7 events" in result.stdout


def test_audit_verify_on_a_tampered_trail(factory, org, other_org, events_of, tampering):
    factory.person(org, Role.admin)
    second = events_of(org.id)[1]
    with tampering() as connection:
        connection.execute(
            update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == second.id).values(actor_label="x")
        )
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"organisation {org.id}, event 2" in result.stderr
    assert str(other_org.id) not in result.stderr
    assert "BROKEN" in result.stderr
    assert "intact" not in result.stdout


def test_create_organisation(engine):
    result = runner.invoke(app, ["create-organisation", "Bolsover District Council"])
    assert result.exit_code == 0, result.output
    organisation_id = uuid.UUID(result.stdout.strip())
    with Session(engine) as session:
        organisation = session.get_one(Organisation, organisation_id)
        assert organisation.name == "Bolsover District Council"
        events = session.exec(
            select(AuditEvent).where(AuditEvent.organisation_id == organisation_id).order_by(AuditEvent.seq)  # type: ignore[arg-type]
        ).all()
        # Its built-in lifecycles, its default delegation rule, then the organisation itself, all
        # by the command line.
        assert [(e.action, e.record_type) for e in events] == [("create", "lifecycle")] * 3 + [
            ("create", "delegation_rule"),
            ("create", "organisation"),
        ]
        assert {(e.actor_type, e.actor_id) for e in events} == {("system", None)}

    again = runner.invoke(app, ["create-organisation", "Bolsover District Council"])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert "Traceback" not in again.output
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(Organisation)).scalar_one()
    assert count == 1


@pytest.mark.parametrize("name", ["", "x" * 201, "nul\x00name"])
def test_create_organisation_refuses_bad_names(engine, name):
    result = runner.invoke(app, ["create-organisation", name])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0


def test_create_user_with_roles(engine, org, client):
    result = runner.invoke(
        app,
        [
            "create-user",
            "--organisation",
            org.name,
            "--email",
            "Chief.Exec@Council.test",
            "--name",
            "Chief Executive",
            "--role",
            "admin",
            "--role",
            "pmo",
            "--password-stdin",
        ],
        input="a very long password\n",
    )
    assert result.exit_code == 0, result.output
    user_id = uuid.UUID(result.stdout.strip())
    assert "a very long password" not in result.output
    with Session(engine) as session:
        user = session.get_one(User, user_id)
        assert user.email == "chief.exec@council.test"
        assert user.organisation_id == org.id
        roles = session.exec(select(RoleAssignment.role).where(RoleAssignment.user_id == user_id)).all()
    assert sorted(roles) == ["admin", "pmo"]

    token = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "chief.exec@council.test",
            "password": "a very long password",
        },
    )
    assert token.status_code == 200


def test_create_user_by_organisation_id(engine, org):
    result = runner.invoke(
        app,
        [
            "create-user",
            "--organisation",
            str(org.id),
            "--email",
            "a@council.test",
            "--name",
            "A",
            "--password-stdin",
        ],
        input="a very long password\n",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("arguments", "password", "message"),
    [
        (["--organisation", "No Such Council"], "a very long password", "no organisation"),
        (["--role", "emperor"], "a very long password", "emperor"),
        ([], "short", "12"),
    ],
)
def test_create_user_refusals(engine, org, arguments, password, message):
    base = ["create-user", "--organisation", org.name, "--email", "b@council.test", "--name", "B"]
    result = runner.invoke(app, [*base, *arguments, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    with Session(engine) as session:
        assert session.exec(select(User).where(User.email == "b@council.test")).first() is None


def test_demo_is_idempotent_and_can_sign_in(engine, client):
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "loaded" in first.stdout
    with Session(engine) as session:
        users = session.execute(select(func.count()).select_from(User)).scalar_one()
        emails = set(session.exec(select(User.email)).all())

    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0
    assert "already present" in second.stdout
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(User)).scalar_one() == users

    expected = {email for email, _, _ in USERS} | {"admin@other.test"}
    assert expected <= emails
    assert {"admin@demo.test", "viewer@demo.test"} <= emails

    for email in ("admin@demo.test", "viewer@demo.test", "admin@other.test"):
        response = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": DEMO_PASSWORD},
        )
        assert response.status_code == 200, (email, response.text)
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
        assert me.json()["email"] == email

    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0
    assert "intact" in verify.stdout


def test_migrate(engine):
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout


def test_openapi(tmp_path):
    output = tmp_path / "x.json"
    result = runner.invoke(app, ["openapi", "--output", str(output)])
    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text())
    assert document["openapi"].startswith("3.")
    assert "/api/v1/audit-events" in document["paths"]
    assert "Problem" in document["components"]["schemas"]
