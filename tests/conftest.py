"""Test set-up: a migrated database per test worker (SQLite, or PostgreSQL when
PMO_TEST_DATABASE_URL names a server), emptied after every test; the app and its client;
factories, people in each role, a programme and project, and the demo data. The plain
helpers the tests share are in tests/support/."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# Every SQLite commit waits for the disk (fsync: about 7 ms here under load, 0.05 ms in memory).
# A test database lives for one run, so it goes in memory-backed /dev/shm where there is one,
# as the PostgreSQL test cluster runs with fsync off; removed when the run ends.
_MEMORY_DIR = "/dev/shm"  # noqa: S108 - mkdtemp makes a private directory of its own in it
_IN_MEMORY = os.access(_MEMORY_DIR, os.W_OK)
_TMP = Path(tempfile.mkdtemp(prefix="pmo-tests-", dir=_MEMORY_DIR if _IN_MEMORY else None))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url() -> str:
    server = os.environ.get("PMO_TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{_TMP / f'{_WORKER}.db'}"
    # A database of its own for each test process on the server, made afresh, so that
    # parallel workers (and parallel runs) never share one.
    url = make_url(server)
    name = f"pmo_test_{_WORKER}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    atexit.register(_drop_database, url.set(database="postgres"), name)
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_database(server: object, name: str) -> None:
    from pmo.core.db import get_engine

    get_engine().dispose()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")  # type: ignore[call-overload]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Settings are read from the environment once; set it before the application is imported.
os.environ["PMO_DATABASE_URL"] = _database_url()
os.environ["PMO_SECRET_KEY"] = "test-secret-" + "x" * 40
os.environ["PMO_ENVIRONMENT"] = "development"
os.environ.setdefault("PMO_LOG_LEVEL", "WARNING")
# Argon2 at its production cost takes a third of a second a hash or check, and the suite signs
# in thousands of times. New hashes are cheap here (and in the servers and commands tests
# start, which inherit this environment); tests/core/test_core_settings.py proves that
# production's cost is the default and that production refuses less.
os.environ["PMO_PASSWORD_HASH_TIME_COST"] = "1"
os.environ["PMO_PASSWORD_HASH_MEMORY_KIB"] = "1024"

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import pmo.models  # noqa: E402
from pmo.cli import app as cli_app  # noqa: E402
from pmo.core.config import get_settings  # noqa: E402
from pmo.core.db import get_engine  # noqa: E402
from pmo.core.permissions import Role  # noqa: E402
from pmo.core.security import create_access_token, hash_password  # noqa: E402
from pmo.main import create_app  # noqa: E402
from pmo.migrations import upgrade  # noqa: E402
from pmo.organisations import service as org_service  # noqa: E402
from pmo.organisations.models import Directorate, Organisation, User  # noqa: E402
from pmo.organisations.schemas import DirectorateCreate, RoleAssignmentCreate, UserCreate  # noqa: E402
from support.api import Api  # noqa: E402
from support.database import copy_rows, empty_database, put_back_rows  # noqa: E402

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once for every person the factory makes


def is_postgres() -> bool:
    return get_engine().dialect.name == "postgresql"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A check of the OpenAPI document gives the same answer on either database: the test
    command's SQLite pass runs it, and its PostgreSQL pass spends the time on the rest."""
    if not is_postgres():
        return
    once = pytest.mark.skip(reason="document_only: reads no database, run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("document_only"):
            item.add_marker(once)


@pytest.fixture(scope="session")
def engine() -> Engine:
    engine = get_engine()
    upgrade(engine)
    return engine


@pytest.fixture(autouse=True)
def _empty_database(engine: Engine) -> Iterator[None]:
    yield
    empty_database(engine)


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    return create_app()


@pytest.fixture
def client(app, engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@dataclass
class Person:
    user: User
    token: str
    organisation: Organisation

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


def token_for(user: User, roles: list[str] | None = None) -> str:
    token, _ = create_access_token(
        get_settings(),
        subject=user.id,
        subject_type="user",
        organisation_id=user.organisation_id,
        roles=roles or [],
        scopes=[],
    )
    return token


class Factory:
    """Makes organisations and people straight through the services (each committed)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def organisation(self, name: str | None = None) -> Organisation:
        with Session(self.engine, expire_on_commit=False) as session:
            organisation = org_service.create_organisation(session, name or f"Council {uuid.uuid4().hex[:8]}")
            session.commit()
            return organisation

    def person(self, organisation: Organisation, *roles: Role, email: str | None = None) -> Person:
        with Session(self.engine, expire_on_commit=False) as session:
            data = UserCreate(
                email=email or f"{uuid.uuid4().hex[:10]}@council.test",
                display_name="Test Person",
                password=PASSWORD,
            )
            user = org_service.create_user(session, None, organisation.id, data, password_hash=_PASSWORD_HASH)
            for role in roles:
                org_service.assign_role(
                    session, None, organisation.id, RoleAssignmentCreate(user_id=user.id, role=role)
                )
            session.commit()
            return Person(
                user=user, token=token_for(user, [r.value for r in roles]), organisation=organisation
            )

    def directorate(self, organisation: Organisation, name: str | None = None) -> Directorate:
        with Session(self.engine, expire_on_commit=False) as session:
            data = DirectorateCreate(name=name or f"Directorate {uuid.uuid4().hex[:6]}")
            directorate = org_service.create_directorate(session, None, organisation.id, data)
            session.commit()
            return directorate

    def scoped(
        self,
        organisation: Organisation,
        role: Role,
        directorate: Directorate | None = None,
        *,
        programme_id: Any = None,
        project_id: Any = None,
    ) -> Person:
        """A person holding `role` for one directorate, programme or project only."""
        person = self.person(organisation)
        with Session(self.engine) as session:
            org_service.assign_role(
                session,
                None,
                organisation.id,
                RoleAssignmentCreate(
                    user_id=person.id,
                    role=role,
                    directorate_id=directorate.id if directorate else None,
                    programme_id=programme_id,
                    project_id=project_id,
                ),
            )
            session.commit()
        return person


@pytest.fixture
def factory(engine: Engine) -> Factory:
    return Factory(engine)


@pytest.fixture
def org(factory: Factory) -> Organisation:
    return factory.organisation("Chesterfield Borough Council")


@pytest.fixture
def other_org(factory: Factory) -> Organisation:
    return factory.organisation("Dacorum Borough Council")


@pytest.fixture
def admin(factory: Factory, org: Organisation) -> Person:
    return factory.person(org, Role.admin, email="admin@chesterfield.test")


@pytest.fixture
def other_admin(factory: Factory, other_org: Organisation) -> Person:
    return factory.person(other_org, Role.admin, email="admin@dacorum.test")


# People in the other roles, and a programme with a project to work in (made through the API).


@pytest.fixture
def pmo(factory: Factory, org: Organisation) -> Person:
    return factory.person(org, Role.pmo, email="pmo@chesterfield.test")


@pytest.fixture
def other_pmo(factory: Factory, other_org: Organisation) -> Person:
    return factory.person(other_org, Role.pmo, email="pmo@dacorum.test")


@pytest.fixture
def manager(factory: Factory, org: Organisation) -> Person:
    return factory.person(org, Role.project_manager)


@pytest.fixture
def finance(factory: Factory, org: Organisation) -> Person:
    return factory.person(org, Role.finance)


@pytest.fixture
def viewer(factory: Factory, org: Organisation) -> Person:
    return factory.person(org, Role.viewer)


@pytest.fixture
def programme(client: TestClient, pmo: Person) -> dict[str, Any]:
    return Api(client).programme(pmo)


@pytest.fixture
def project(client: TestClient, pmo: Person, programme: dict[str, Any], manager: Person) -> dict[str, Any]:
    """A project managed by `manager`."""
    return Api(client).project(pmo, programme, project_manager_id=str(manager.id))


# The demo data's rows, as the first test in this process to want them loaded them.
_DEMO_ROWS: dict[str, list[dict[str, Any]]] = {}


@pytest.fixture
def demo(engine: Engine) -> None:
    """The demo data (`pmo demo`), in the empty database.

    Loading it takes seconds (thousands of audited writes), so the first test of each process
    runs the command and keeps a copy of the rows it wrote; later tests get the same rows
    copied back, which is the same database, in a fraction of the time.
    """
    if _DEMO_ROWS:
        put_back_rows(engine, _DEMO_ROWS)
        return
    result = CliRunner().invoke(cli_app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.stdout
    _DEMO_ROWS.update(copy_rows(engine))
