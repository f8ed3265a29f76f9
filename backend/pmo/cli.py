"""The `pmo` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, select

from pmo.core.config import PROJECT_ROOT, get_settings
from pmo.core.db import get_engine
from pmo.core.errors import ProblemError

app = typer.Typer(
    help="Council change portfolio: run the service and look after its data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
app.add_typer(import_app, name="import")

OPENAPI_PATH = PROJECT_ROOT / "openapi" / "openapi.json"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes (PostgreSQL only).")] = 1,
) -> None:
    """Run the API (and, once built, the web app) with uvicorn."""
    import uvicorn

    from pmo.core.logging import logging_config

    settings = get_settings()
    if workers > 1 and settings.is_sqlite:
        raise typer.BadParameter(
            "several workers need PostgreSQL; SQLite allows one writer", param_hint="--workers"
        )
    uvicorn.run(
        "pmo.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level),
        proxy_headers=True,
        server_header=False,
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run what is due, then exit.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 0 if a worker on this host is alive (a health check).")
    ] = False,
) -> None:
    """Run the scheduled jobs (purges; later the outbox) until SIGTERM or SIGINT."""
    import logging.config
    import signal
    import socket
    import threading

    from sqlalchemy.exc import SQLAlchemyError

    from pmo.core.db import utcnow
    from pmo.core.logging import logging_config
    from pmo.worker.service import last_heartbeat, run_due, run_until_stopped, this_worker

    settings = get_settings()
    engine = get_engine()
    if check:
        try:
            seen = last_heartbeat(engine, socket.gethostname())
        except SQLAlchemyError as exc:
            typer.echo(f"cannot read the heartbeats: {type(exc).__name__}", err=True)
            raise typer.Exit(1) from exc
        # A few missed cycles are allowed: a long job delays the next heartbeat.
        limit = 3 * settings.worker_poll_seconds + 30
        if seen is None or (utcnow() - seen).total_seconds() > limit:
            typer.echo(f"no worker on this host has been seen in the last {limit:g} seconds", err=True)
            raise typer.Exit(1)
        typer.echo(f"worker alive, last seen {seen.isoformat()}")
        return
    logging.config.dictConfig(logging_config(settings.log_level))
    if once:
        results = run_due(engine, this_worker())
        raise typer.Exit(0 if all(results.values()) else 1)
    stop = threading.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: stop.set())
    run_until_stopped(engine, this_worker(), settings.worker_poll_seconds, stop)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from pmo.migrations import upgrade

    upgrade(get_engine())
    typer.echo("database is up to date")


@app.command()
def demo(
    scale: Annotated[
        str | None,
        typer.Option(
            help="`large`: instead, a council at benchmark scale (2,000 projects, 40,000 risks, "
            "1,000 KPIs x 120 months, 20,000 draw-downs; pmo.scale_demo)."
        ),
    ] = None,
    factor: Annotated[
        float, typer.Option(min=0.001, max=10.0, help="With --scale: multiply the counts by this.")
    ] = 1.0,
) -> None:
    """Load the demo data (idempotent: does nothing if it is already there)."""
    import time

    from pmo.demo import load_demo
    from pmo.scale_demo import ScaleSize, load_scale

    if scale not in (None, "large"):
        raise typer.BadParameter("the only scale is `large`", param_hint="--scale")
    started = time.perf_counter()
    with Session(get_engine(), expire_on_commit=False) as session:
        created = load_scale(session, ScaleSize.large(factor)) if scale else load_demo(session)
        session.commit()
    what = "scale demo data" if scale else "demo data"
    seconds = f" in {time.perf_counter() - started:.1f} s" if created and scale else ""
    typer.echo(f"{what} loaded{seconds}" if created else f"{what} already present")


@app.command("create-organisation")
def create_organisation(name: Annotated[str, typer.Argument(help="The council's name.")]) -> None:
    """Add an organisation (a council) to this deployment."""
    from pydantic import ValidationError

    from pmo.organisations import service
    from pmo.organisations.schemas import OrganisationUpdate

    try:
        OrganisationUpdate(name=name)  # the same rules as renaming it through the API
    except ValidationError as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from exc
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            organisation = service.create_organisation(session, name)
        except ProblemError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(1) from exc
        session.commit()
    typer.echo(str(organisation.id))


@app.command("create-user")
def create_user(
    organisation: Annotated[str, typer.Option(help="The organisation's name or id.")],
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[list[str], typer.Option(help="A role; repeat for several.")] = [],  # noqa: B006
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Add a person with roles (for the whole organisation)."""
    from pydantic import ValidationError

    from pmo.core.permissions import Role
    from pmo.organisations import service
    from pmo.organisations.schemas import RoleAssignmentCreate, UserCreate

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        roles = [Role(r) for r in role]
        data = UserCreate(email=email, display_name=name, password=password)
    except (ValueError, ValidationError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            org = _find_organisation(session, organisation)
            user = service.create_user(session, None, org.id, data)
            for r in roles:
                service.assign_role(session, None, org.id, RoleAssignmentCreate(user_id=user.id, role=r))
        except ProblemError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(1) from exc
        session.commit()
    typer.echo(str(user.id))


def _find_organisation(session: Session, name_or_id: str):  # type: ignore[no-untyped-def]
    import uuid

    from pmo.core.errors import NotFound
    from pmo.organisations.models import Organisation

    try:
        condition = Organisation.id == uuid.UUID(name_or_id)
    except ValueError:
        condition = Organisation.name == name_or_id
    organisation = session.execute(select(Organisation).where(condition)).scalar_one_or_none()
    if organisation is None:
        raise NotFound(f"no organisation '{name_or_id}'")
    return organisation


@app.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the document.")] = OPENAPI_PATH,
    record_examples: Annotated[
        bool,
        typer.Option(
            "--record-examples",
            help="First record every operation's example again from the demo data "
            "(openapi/examples.json; pmo.openapi_examples).",
        ),
    ] = False,
) -> None:
    """Write the OpenAPI document the code serves (commit it: integrators build on it)."""
    from pmo.main import create_app
    from pmo.openapi_examples import record_examples as record

    if record_examples:
        record()

    document = create_app().openapi()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {output}")


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (must not exist yet).")],
) -> None:
    """Back up the whole database to FILE (safe while the service runs)."""
    from pmo.backup import BackupError, backup

    try:
        backup(get_settings().database_url, file)
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"backed up the whole database to {file}")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A backup made by `pmo backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the WHOLE database, every organisation in it, with FILE; then verify the audit trail."""
    from pmo.backup import BackupError, check_restorable, database_name, restore

    database_url = get_settings().database_url
    try:
        check_restorable(database_url, file)  # before asking: a refused file changes nothing
        if not yes:
            name = database_name(database_url)
            typed = typer.prompt(
                f"This replaces the whole database, every organisation in it, with {file}.\n"
                f"Type the database name ({name}) to go on"
            )
            if typed.strip() != name:
                typer.echo("not restored: the name typed was not the database's", err=True)
                raise typer.Exit(1)
        get_engine().dispose()  # this process's own pooled connections are not the service's
        restore(database_url, file)
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"restored the whole database from {file}")
    audit_verify()


@audit_app.command("verify")
def audit_verify() -> None:
    """Check that no audit event was edited, deleted or reordered."""
    from pmo.audit.service import verify_chains

    with Session(get_engine()) as session:
        checked, breaks = verify_chains(session)
    for problem in breaks:
        where = f"event {problem.seq}" if problem.seq is not None else "end of chain"
        typer.echo(f"organisation {problem.organisation_id}, {where}: {problem.problem}", err=True)
    if breaks:
        typer.echo(f"audit trail BROKEN: {len(breaks)} problem(s) in {checked} events", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {checked} events verified")


def _report_problems(exc: ProblemError) -> None:
    typer.echo(f"error: {exc.detail}", err=True)
    for problem in exc.errors or []:
        where = [str(p) for p in problem.location if p != "body"]
        place = f"{where[0]} row {where[1]}" if len(where) >= 2 else " ".join(where) or "file"
        column = f", {where[2]}" if len(where) >= 3 else ""
        typer.echo(f"  {place}{column}: {problem.message}", err=True)


@import_app.command("kpis")
def import_kpis(
    file: Annotated[Path, typer.Argument(help="A CSV or XLSX file (columns in the README).", exists=True)],
    organisation: Annotated[str, typer.Option(help="The organisation's name or id.")],
    dry_run: Annotated[bool, typer.Option(help="Check every row and report, writing nothing.")] = False,
    kind: Annotated[
        str | None,
        typer.Option(help="What a CSV holds: definitions, targets or values (default: from its header)."),
    ] = None,
    as_email: Annotated[
        str | None, typer.Option("--as", help="The person recorded as entering and publishing the values.")
    ] = None,
) -> None:
    """Import KPI definitions, targets and values, all or nothing, with a progress bar."""
    from rich.progress import Progress

    from pmo.core.permissions import Actor
    from pmo.kpis.import_service import import_kpis as run_import
    from pmo.kpis.import_service import read_file
    from pmo.organisations.models import User
    from pmo.organisations.service import grants_of

    if kind is not None and kind not in ("definitions", "targets", "values"):
        raise typer.BadParameter("use definitions, targets or values", param_hint="--kind")
    content = file.read_bytes()
    try:
        parsed = read_file(content, kind)  # before the database, as the API does
    except ProblemError as exc:
        _report_problems(exc)
        raise typer.Exit(1) from exc
    with Session(get_engine(), expire_on_commit=False) as session, Progress(transient=True) as progress:
        task = progress.add_task("reading", total=None)

        def show(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        try:
            org = _find_organisation(session, organisation)
            actor = None
            if as_email is not None:
                user = session.execute(
                    select(User).where(User.email == as_email.strip().lower(), User.organisation_id == org.id)
                ).scalar_one_or_none()
                if user is None:
                    raise typer.BadParameter(f"no person {as_email} in {org.name}", param_hint="--as")
                grants = tuple(grants_of(session, [user.id])[user.id])
                actor = Actor(
                    kind="user", id=user.id, organisation_id=org.id, label=user.email, grants=grants
                )
            result = run_import(
                session,
                actor,
                org.id,
                parsed,
                dry_run=dry_run,
                file_name=file.name,
                progress=show,
            )
        except ProblemError as exc:
            session.rollback()
            progress.stop()
            _report_problems(exc)
            raise typer.Exit(1) from exc
        if dry_run:
            session.rollback()
        else:
            session.commit()
    counts = f"{result.definitions} definitions, {result.targets} targets, {result.values} values"
    typer.echo(f"dry run: all rows are good; would import {counts}" if dry_run else f"imported {counts}")
