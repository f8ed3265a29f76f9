"""Fixtures for the organisation tests."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from pmo.organisations import service as org_service
from pmo.organisations.models import Directorate, Organisation
from pmo.organisations.schemas import DirectorateCreate


@pytest.fixture
def make_directorate(engine):  # type: ignore[no-untyped-def]
    """Create a directorate straight through the service (committed)."""

    def make(organisation: Organisation, name: str = "Digital, HR and Customer Services") -> Directorate:
        with Session(engine, expire_on_commit=False) as session:
            directorate = org_service.create_directorate(
                session, None, organisation.id, DirectorateCreate(name=name)
            )
            session.commit()
            return directorate

    return make


@pytest.fixture
def directorate(make_directorate, org) -> Directorate:  # type: ignore[no-untyped-def]
    return make_directorate(org)


class Db:
    """Short reads of the database, each in its own transaction.

    (A long-lived session would hold SQLite's write lock, taken at BEGIN, and block the app.)
    """

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine

    def get(self, model, ident):  # type: ignore[no-untyped-def]
        with Session(self.engine) as session:
            found = session.get(model, ident)
            if found is not None:
                session.expunge(found)
            return found

    def all(self, statement):  # type: ignore[no-untyped-def]
        with Session(self.engine) as session:
            found = list(session.exec(statement).all())
            session.expunge_all()
            return found

    def one(self, statement):  # type: ignore[no-untyped-def]
        found = self.all(statement)
        assert len(found) == 1, found
        return found[0]


@pytest.fixture
def db(engine) -> Db:  # type: ignore[no-untyped-def]
    return Db(engine)
