"""`pmo backup` and `pmo restore` on the database the tests run on (SQLite or PostgreSQL):
every table's rows and the audit chain come back as they were, a backup taken while the
service writes is consistent, and a refused restore changes nothing."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel
from typer.testing import CliRunner

from pmo import backup as backup_module
from pmo.backup import BackupError, head_revision
from pmo.cli import app
from pmo.core.config import get_settings
from pmo.core.permissions import Role
from pmo.demo import DEMO_PASSWORD

API = "/api/v1"
runner = CliRunner()


def table_rows(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table (Alembic's version too), in a stable order."""
    tables = [table.name for table in SQLModel.metadata.sorted_tables] + ["alembic_version"]
    with engine.connect() as connection:
        return {
            table: sorted(connection.execute(text(f"SELECT * FROM {table}")).all(), key=repr)
            for table in tables
        }


def signed_in(client: Any, email: str) -> dict[str, str]:
    response = client.post(
        f"{API}/auth/token", data={"grant_type": "password", "username": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def run_backup(file: Path) -> None:
    result = runner.invoke(app, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert file.is_file()
    assert file.stat().st_mode & 0o777 == 0o600  # every council's data: its owner's eyes only


@pytest.fixture
def populated(client: Any, engine: Engine, factory: Any) -> dict[str, Any]:
    """Three organisations: the two demo councils (every domain) and one more, with changes made
    through the API on top, each audited."""
    assert runner.invoke(app, ["demo"]).exit_code == 0
    admin = signed_in(client, "admin@demo.test")
    pmo = signed_in(client, "pmo@demo.test")
    directorate = client.post(f"{API}/directorates", json={"name": "Backups and Archives"}, headers=admin)
    assert directorate.status_code == 201, directorate.text
    project = client.get(f"{API}/projects", headers=pmo).json()["items"][0]
    milestone = client.post(
        f"{API}/projects/{project['id']}/milestones",
        json={"title": "Restore rehearsed", "planned_quarter": "2026/27 Q3"},
        headers=pmo,
    )
    assert milestone.status_code == 201, milestone.text
    other = signed_in(client, "admin@other.test")
    assert (
        client.post(f"{API}/directorates", json={"name": "Dacorum Place"}, headers=other).status_code == 201
    )
    third = factory.organisation("Bolsover District Council")
    factory.person(third, Role.admin)
    return {"admin": admin, "pmo": pmo, "directorate": directorate.json(), "milestone": milestone.json()}


def test_restore_brings_back_every_record_and_the_audit_chain(client, engine, populated, tmp_path):
    file = tmp_path / "pmo.backup"
    before = table_rows(engine)
    assert len(before["audit_events"]) > 100
    run_backup(file)

    # Change and delete records in two organisations, and add an organisation.
    admin, pmo = populated["admin"], populated["pmo"]
    directorate = f"{API}/directorates/{populated['directorate']['id']}"
    renamed = client.patch(directorate, json={"name": "Renamed"}, headers={**admin, "If-Match": "*"})
    assert renamed.status_code == 200, renamed.text
    milestone = f"{API}/milestones/{populated['milestone']['id']}"
    assert client.delete(milestone, headers=pmo).status_code == 204
    assert client.delete(directorate, headers=admin).status_code == 204
    assert runner.invoke(app, ["create-organisation", "Created After The Backup"]).exit_code == 0
    assert table_rows(engine) != before

    result = runner.invoke(app, ["restore", str(file), "--yes"])
    assert result.exit_code == 0, result.output
    assert "restored the whole database" in result.stdout
    assert f"audit trail intact: {len(before['audit_events'])} events verified" in result.stdout
    assert table_rows(engine) == before
    # The service reads it as it was.
    assert client.get(milestone, headers=pmo).json()["title"] == "Restore rehearsed"
    assert client.get(directorate, headers=admin).json()["name"] == "Backups and Archives"


@pytest.mark.skipif("sqlite" in get_settings().database_url, reason="the trigger is PostgreSQL's")
def test_restore_keeps_the_audit_trail_append_only(engine, populated, tmp_path):
    file = tmp_path / "pmo.backup"
    run_backup(file)
    assert runner.invoke(app, ["restore", str(file), "--yes"]).exit_code == 0
    with pytest.raises(DBAPIError, match="audit events cannot be changed or deleted"), engine.begin() as c:
        c.execute(text("DELETE FROM audit_events"))


def test_backup_while_writes_run_is_consistent(engine, factory, org, tmp_path):
    """Writers keep committing (a person and a role, each audited) while backups are taken; a
    backup that overlapped writes restores to a database whose audit chain verifies."""
    writes = 0
    stop = threading.Event()

    def write() -> None:
        nonlocal writes
        while not stop.is_set():
            factory.person(org, Role.viewer)
            writes += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while writes < 3:
            stop.wait(0.01)
        overlapped = None
        for attempt in range(20):
            file = tmp_path / f"pmo-{attempt}.backup"
            started = writes
            run_backup(file)
            if writes > started:
                overlapped = file
                break
    finally:
        stop.set()
        writer.join()
    assert overlapped is not None, "no backup overlapped a write"
    with engine.connect() as connection:
        people_at_end = connection.execute(text("SELECT count(*) FROM users")).scalar_one()

    result = runner.invoke(app, ["restore", str(overlapped), "--yes"])
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.stdout
    with engine.connect() as connection:
        people = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert 3 <= people < people_at_end


def test_restore_refuses_a_backup_of_another_schema_version(engine, org, tmp_path):
    file = tmp_path / "old.backup"
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0123456789ab'"))
    try:
        run_backup(file)
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )
    before = table_rows(engine)

    result = runner.invoke(app, ["restore", str(file), "--yes"])
    assert result.exit_code == 1
    assert f"from schema version 0123456789ab, but this code is at {head_revision()}" in result.stderr
    assert "Traceback" not in result.output
    assert table_rows(engine) == before


def test_restore_asks_for_the_database_name(engine, factory, org, tmp_path):
    file = tmp_path / "pmo.backup"
    run_backup(file)
    factory.organisation("Made After The Backup")
    changed = table_rows(engine)
    name = backup_module.database_name(get_settings().database_url)

    refused = runner.invoke(app, ["restore", str(file)], input="restore\n")
    assert refused.exit_code == 1
    assert "This replaces the whole database, every organisation in it" in refused.output
    assert f"Type the database name ({name})" in refused.output
    assert "not restored" in refused.stderr
    assert table_rows(engine) == changed

    confirmed = runner.invoke(app, ["restore", str(file)], input=f"{name}\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "audit trail intact" in confirmed.stdout
    assert table_rows(engine) != changed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code,name\nK-1,A KPI\n", "is not a backup made by `pmo backup`"),
        (b"SQLite format 3\x00" + b"\x00" * 200, None),  # the other database's kind, or not a database
        (b"PGDMP" + b"\x00" * 200, None),
    ],
)
def test_restore_refuses_what_is_not_a_backup_of_this_database(engine, org, tmp_path, content, message):
    file = tmp_path / "not-a-backup"
    file.write_bytes(content)
    before = table_rows(engine)
    result = runner.invoke(app, ["restore", str(file), "--yes"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    if message:
        assert message in result.stderr
    sqlite = "sqlite" in get_settings().database_url
    if content.startswith(b"PGDMP") and sqlite:
        assert "is a PostgreSQL backup; this deployment uses SQLite" in result.stderr
    if content.startswith(b"SQLite") and not sqlite:
        assert "is a SQLite backup; this deployment uses PostgreSQL" in result.stderr
    assert "Traceback" not in result.output
    assert table_rows(engine) == before


def test_restore_of_a_missing_file(engine, tmp_path):
    result = runner.invoke(app, ["restore", str(tmp_path / "nowhere"), "--yes"])
    assert result.exit_code == 1
    assert f"no file {tmp_path / 'nowhere'}" in result.stderr


def test_backup_never_overwrites(engine, org, tmp_path):
    file = tmp_path / "pmo.backup"
    file.write_text("yesterday's backup")
    result = runner.invoke(app, ["backup", str(file)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert file.read_text() == "yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["pmo.backup"]


def test_missing_postgresql_programs_are_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backup_module, "POSTGRES_BIN_DIRS", str(tmp_path / "postgresql" / "*" / "bin"))
    with pytest.raises(
        BackupError, match=r"pg_dump not found on PATH nor in .*install the PostgreSQL client"
    ):
        backup_module._postgres_program("pg_dump")
    # The newest version's directory wins when nothing is on PATH.
    for version in ("9", "15", "16"):
        program = tmp_path / "postgresql" / version / "bin" / "pg_dump"
        program.parent.mkdir(parents=True)
        shutil.copy("/bin/true", program)
    assert backup_module._postgres_program("pg_dump") == str(
        tmp_path / "postgresql" / "16" / "bin" / "pg_dump"
    )


def test_the_password_never_goes_on_the_command_line():
    from sqlalchemy.engine import make_url

    url = make_url("postgresql+psycopg://pmo:s3cret pass@db.internal:5433/pmo?sslmode=require")
    conninfo = backup_module._conninfo(url)
    assert "s3cret" not in conninfo
    assert conninfo == "host=db.internal port=5433 user=pmo dbname=pmo sslmode=require"


@pytest.mark.skipif("sqlite" in get_settings().database_url, reason="PostgreSQL's table locks")
def test_restore_under_a_running_service_stops_cleanly(engine, org, tmp_path):
    """A request's open transaction would hold its tables, and pg_restore would wait for it
    for ever: the restore refuses while anything else is connected, changing nothing."""
    file = tmp_path / "pmo.backup"
    run_backup(file)
    with engine.begin() as connection:
        connection.execute(text("UPDATE organisations SET name = 'Renamed After The Backup'"))
    before = table_rows(engine)
    # The service: another process's connection, in the middle of a request's transaction.
    with psycopg.connect(backup_module._conninfo(engine.url), password=engine.url.password) as service:
        service.execute("SELECT count(*) FROM organisations")
        result = runner.invoke(app, ["restore", str(file), "--yes"])
    assert result.exit_code == 1
    assert "1 other connection(s) to database" in result.stderr
    assert "stop the service" in result.stderr
    assert table_rows(engine) == before
