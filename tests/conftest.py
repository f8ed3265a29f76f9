"""Test set-up: a migrated database per test worker (SQLite, or PostgreSQL when
PMO_TEST_DATABASE_URL names a server), emptied after every test, and factories."""

from __future__ import annotations

import atexit
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

_TMP = Path(tempfile.mkdtemp(prefix="pmo-tests-"))
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

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import pmo.models  # noqa: E402, F401
from pmo.core.config import get_settings  # noqa: E402
from pmo.core.db import get_engine  # noqa: E402
from pmo.core.permissions import Role  # noqa: E402
from pmo.core.security import create_access_token, hash_password  # noqa: E402
from pmo.main import create_app  # noqa: E402
from pmo.migrations import upgrade  # noqa: E402
from pmo.organisations import service as org_service  # noqa: E402
from pmo.organisations.models import Organisation, User  # noqa: E402
from pmo.organisations.schemas import RoleAssignmentCreate, UserCreate  # noqa: E402

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


def is_postgres() -> bool:
    return get_engine().dialect.name == "postgresql"


@pytest.fixture(scope="session")
def engine() -> Engine:
    engine = get_engine()
    upgrade(engine)
    return engine


@pytest.fixture(autouse=True)
def _empty_database(engine: Engine) -> Iterator[None]:
    yield
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # TRUNCATE, not DELETE: the audit table refuses DELETE by design.
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


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
