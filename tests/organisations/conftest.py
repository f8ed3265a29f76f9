"""Fixtures for the organisation tests."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from pmo.organisations.models import Directorate


@pytest.fixture
def directorate(factory, org) -> Directorate:  # type: ignore[no-untyped-def]
    return factory.directorate(org, "Digital, HR and Customer Services")


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
