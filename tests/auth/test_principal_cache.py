"""Principals held in memory per process (`pmo.auth.principal_cache`): every kind of
revocation made through one worker is refused by another worker, with its own engine and its
own cache, within a second; organisation isolation and scopes hold from memory; and without
the auth generation, principals are read from the database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, event, text, update
from sqlmodel import Session, col, select

from conftest import PASSWORD, Person
from pmo.auth import service as auth_service
from pmo.auth.models import RefreshToken
from pmo.core.config import get_settings
from pmo.core.db import make_engine, utcnow
from pmo.core.permissions import Role
from pmo.main import create_app
from pmo.organisations import service as org_service
from pmo.organisations.models import Directorate, Organisation, User
from pmo.organisations.schemas import RoleAssignmentCreate
from support.api import API, problem
from support.database import db_id

from .helpers import ME_URL, TOKEN_URL, bearer

CLIENTS_URL = f"{API}/api-clients"
# A revocation must reach every worker within this (the cache trusts a reading for 0.5 s).
WITHIN = 1.0


@pytest.fixture(scope="module")
def worker_engine(engine: Engine) -> Iterator[Engine]:
    """Another worker's engine on the same database: its own pool, so its own cache."""
    other = make_engine(get_settings().database_url)
    yield other
    other.dispose()


@pytest.fixture(scope="module")
def other_worker(worker_engine: Engine) -> Iterator[TestClient]:
    """The app as a second worker process would run it, on its own engine."""
    with TestClient(create_app(engine=worker_engine), raise_server_exceptions=False) as worker:
        yield worker


def until(
    check: Callable[[], Response], done: Callable[[Response], bool], within: float = WITHIN
) -> Response:
    """Ask again (no fixed wait) until `done`, which must come to every request sent more than
    `within` seconds after the change. Timed by when a request is sent, not answered: on a
    loaded machine an answer can come long after, to a request sent within the bound."""
    began = time.monotonic()
    while True:
        sent = time.monotonic() - began
        response = check()
        if done(response) or sent > within:
            assert done(response), (response.status_code, response.text, f"sent after {sent:.2f} s")
            return response
        time.sleep(0.02)


def refused(status: int) -> Callable[[Response], bool]:
    return lambda response: response.status_code == status


# API clients -----------------------------------------------------------------------------


def new_api_client(client: TestClient, admin: Person, scopes: list[str]) -> tuple[dict[str, Any], str]:
    created = client.post(
        CLIENTS_URL, json={"name": "Performance system", "scopes": scopes}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    data = {
        "grant_type": "client_credentials",
        "client_id": body["client_id"],
        "client_secret": body["client_secret"],
    }
    token = client.post(TOKEN_URL, data=data)
    assert token.status_code == 200, token.text
    return body, token.json()["access_token"]


def _revoke(client: TestClient, admin: Person, created: dict[str, Any]) -> None:
    assert client.post(f"{CLIENTS_URL}/{created['id']}/revoke", headers=admin.headers).status_code == 200


def _rotate(client: TestClient, admin: Person, created: dict[str, Any]) -> None:
    assert (
        client.post(f"{CLIENTS_URL}/{created['id']}/rotate-secret", headers=admin.headers).status_code == 200
    )


def _retire(client: TestClient, admin: Person, created: dict[str, Any]) -> None:
    url = f"{CLIENTS_URL}/{created['id']}/secrets"
    assert client.post(url, headers=admin.headers).status_code == 201
    the_one_in_use = created["secrets"][0]["id"]
    assert client.post(f"{url}/{the_one_in_use}/retire", headers=admin.headers).status_code == 200


@pytest.mark.parametrize(
    "revoke", [_revoke, _rotate, _retire], ids=["revoked", "secret-rotated", "secret-retired"]
)
def test_a_revoked_client_or_retired_secret_is_refused_by_every_worker_within_a_second(
    client, other_worker, admin, revoke
):
    created, token = new_api_client(client, admin, ["kpis:read"])
    for worker in (client, other_worker, other_worker):  # warm both caches
        assert worker.get(ME_URL, headers=bearer(token)).status_code == 200

    revoke(client, admin, created)

    problem(client.get(ME_URL, headers=bearer(token)), 401)  # the worker that revoked: at once
    answer = until(lambda: other_worker.get(ME_URL, headers=bearer(token)), refused(401))
    problem(answer, 401)


def test_narrowed_scopes_are_refused_by_every_worker_within_a_second(client, other_worker, admin):
    created, token = new_api_client(client, admin, ["kpis:read", "portfolio:read"])
    for worker in (client, other_worker, other_worker):
        assert worker.get(f"{API}/programmes", headers=bearer(token)).status_code == 200

    url = f"{CLIENTS_URL}/{created['id']}"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    narrowed = client.patch(url, json={"scopes": ["kpis:read"]}, headers={**admin.headers, "If-Match": etag})
    assert narrowed.status_code == 200, narrowed.text

    answer = until(lambda: other_worker.get(f"{API}/programmes", headers=bearer(token)), refused(403))
    problem(answer, 403)
    # The scopes it keeps still work, from memory again.
    assert other_worker.get(f"{API}/kpi-feed/definitions", headers=bearer(token)).status_code == 200


def test_scopes_and_organisations_hold_from_memory(client, other_worker, admin, other_admin):
    _, token = new_api_client(client, admin, ["kpis:read"])
    theirs, _ = new_api_client(client, other_admin, ["kpis:read"])
    for _ in range(3):  # the first answer reads the database, the others come from memory
        problem(other_worker.get(f"{API}/programmes", headers=bearer(token)), 403)
        assert other_worker.get(f"{API}/kpi-feed/definitions", headers=bearer(token)).status_code == 200
        problem(other_worker.get(f"{CLIENTS_URL}/{theirs['id']}", headers=admin.headers), 404)
        assert (
            other_worker.get(f"{CLIENTS_URL}/{theirs['id']}", headers=other_admin.headers).status_code == 200
        )


def test_a_warm_worker_reads_no_client_or_person_for_a_request(
    client, other_worker, worker_engine, admin, factory, org
):
    _, token = new_api_client(client, admin, ["kpis:read"])
    person = factory.person(org, email="reader@council.test")
    signed_in = client.post(
        TOKEN_URL, data={"grant_type": "password", "username": "reader@council.test", "password": PASSWORD}
    )
    person_token = signed_in.json()["access_token"]
    for worker_token in (token, person_token):
        assert other_worker.get(ME_URL, headers=bearer(worker_token)).status_code == 200
    statements: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(worker_engine, "before_cursor_execute", note)
    try:
        for worker_token in (token, person_token):
            assert other_worker.get(ME_URL, headers=bearer(worker_token)).status_code == 200
    finally:
        event.remove(worker_engine, "before_cursor_execute", note)

    read = " ".join(statements)
    # `/me` is answered from the principal: its names are held with it.
    tables = (
        "api_clients",
        "api_client_secrets",
        "refresh_tokens",
        "role_assignments",
        "users",
        "organisations",
    )
    for table in tables:
        assert table not in read, statements
    assert person.user.email


def _rename_the_organisation(client: TestClient, admin: Person) -> None:
    url = f"{API}/organisation"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    renamed = client.patch(
        url, json={"name": "Renamed Borough Council"}, headers={**admin.headers, "If-Match": etag}
    )
    assert renamed.status_code == 200, renamed.text


def _rename_the_person(client: TestClient, admin: Person) -> None:
    url = f"{API}/users/{admin.id}"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    renamed = client.patch(
        url, json={"display_name": "Renamed Borough Council"}, headers={**admin.headers, "If-Match": etag}
    )
    assert renamed.status_code == 200, renamed.text


@pytest.mark.parametrize(
    ("rename", "shown"),
    [
        (_rename_the_organisation, lambda me: me["organisation"]["name"]),
        (_rename_the_person, lambda me: me["display_name"]),
    ],
    ids=["organisation", "person"],
)
def test_me_shows_a_new_name_on_every_worker_within_a_second(client, other_worker, admin, rename, shown):
    for worker in (client, other_worker, other_worker):  # warm both
        assert shown(worker.get(ME_URL, headers=admin.headers).json()) != "Renamed Borough Council"

    rename(client, admin)

    assert shown(client.get(ME_URL, headers=admin.headers).json()) == "Renamed Borough Council"  # at once
    until(
        lambda: other_worker.get(ME_URL, headers=admin.headers),
        lambda answer: shown(answer.json()) == "Renamed Borough Council",
    )


# People ----------------------------------------------------------------------------------

EMAIL = "officer@council.test"


@pytest.fixture
def officer(factory, org):
    return factory.person(org, email=EMAIL)


def sign_in(client: TestClient) -> dict[str, Any]:
    response = client.post(
        TOKEN_URL, data={"grant_type": "password", "username": EMAIL, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _deactivate(client, admin, officer, pair):  # type: ignore[no-untyped-def]
    assert client.post(f"{API}/users/{officer.id}/deactivate", headers=admin.headers).status_code == 200


def _delete(client, admin, officer, pair):  # type: ignore[no-untyped-def]
    assert client.delete(f"{API}/users/{officer.id}", headers=admin.headers).status_code == 204


def _sign_out_everywhere(client, admin, officer, pair):  # type: ignore[no-untyped-def]
    assert client.post(f"{API}/auth/logout-all", headers=bearer(pair["access_token"])).status_code == 204


def _sign_out(client, admin, officer, pair):  # type: ignore[no-untyped-def]
    body = {"refresh_token": pair["refresh_token"]}
    assert client.post(f"{API}/auth/logout", json=body).status_code == 204


def _change_password(client, admin, officer, pair):  # type: ignore[no-untyped-def]
    body = {"current_password": PASSWORD, "new_password": "a new long passphrase"}
    assert (
        client.post(f"{API}/me/password", json=body, headers=bearer(pair["access_token"])).status_code == 204
    )


@pytest.mark.parametrize(
    "revoke",
    [_deactivate, _delete, _sign_out_everywhere, _sign_out, _change_password],
    ids=["deactivated", "deleted", "signed-out-everywhere", "signed-out", "password-changed"],
)
def test_a_revoked_person_is_refused_by_every_worker_within_a_second(
    client, other_worker, admin, officer, revoke
):
    pair = sign_in(client)
    for worker in (client, other_worker, other_worker):
        assert worker.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200

    revoke(client, admin, officer, pair)

    problem(client.get(ME_URL, headers=bearer(pair["access_token"])), 401)
    answer = until(lambda: other_worker.get(ME_URL, headers=bearer(pair["access_token"])), refused(401))
    problem(answer, 401)


def test_a_changed_role_reaches_every_worker_within_a_second(client, other_worker, admin, officer):
    given = client.post(
        f"{API}/role-assignments", json={"user_id": str(officer.id), "role": "pmo"}, headers=admin.headers
    )
    assert given.status_code == 201, given.text
    pair = sign_in(client)
    headers = bearer(pair["access_token"])
    for worker in (client, other_worker, other_worker):
        assert [g["role"] for g in worker.get(ME_URL, headers=headers).json()["roles"]] == ["pmo"]
        assert (
            worker.post(f"{API}/programmes", json={}, headers=headers).status_code == 422
        )  # allowed, then invalid

    assert (
        client.delete(f"{API}/role-assignments/{given.json()['id']}", headers=admin.headers).status_code
        == 204
    )

    answer = until(lambda: other_worker.get(ME_URL, headers=headers), lambda r: r.json()["roles"] == [])
    assert answer.json()["roles"] == [], answer.json()
    problem(other_worker.post(f"{API}/programmes", json={}, headers=headers), 403)


def test_without_the_generation_every_request_reads_the_database(client, other_worker, engine, officer):
    pair = sign_in(client)
    for worker in (client, other_worker, other_worker):
        assert worker.get(ME_URL, headers=bearer(pair["access_token"])).status_code == 200

    # Written past the session (no event sees it): only the missing generation stops the
    # memory from answering.
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM auth_generation"))
        connection.execute(
            text("UPDATE users SET is_active = :no WHERE id = :id"),
            {"no": False, "id": db_id(engine, officer.id)},
        )

    answer = until(lambda: other_worker.get(ME_URL, headers=bearer(pair["access_token"])), refused(401))
    problem(answer, 401)


# What moves the generation on ------------------------------------------------------------


def generation(engine: Engine) -> int | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT value FROM auth_generation")).scalar_one_or_none()


def _change(engine: Engine, officer: Person, change: Callable[[Session, Person], None]) -> bool:
    """Whether committing `change` moved the generation on."""
    before = generation(engine)
    with Session(engine) as session:
        change(session, officer)
        session.commit()
    return generation(engine) != before


def _set_user(name: str, value: Any) -> Callable[[Session, Person], None]:
    def change(session: Session, officer: Person) -> None:
        user = session.get_one(User, officer.id)
        setattr(user, name, value)
        session.add(user)

    return change


def _new_session(session: Session, officer: Person) -> None:
    auth_service.issue_user_tokens(session, get_settings(), session.get_one(User, officer.id))


def _end_sessions(session: Session, officer: Person) -> None:
    org_service.end_sessions(session, session.get_one(User, officer.id))


def _use_refresh_tokens(session: Session, officer: Person) -> None:
    session.execute(
        update(RefreshToken).where(col(RefreshToken.user_id) == officer.id).values(used_at=utcnow())
    )


def _give_role(session: Session, officer: Person) -> None:
    data = RoleAssignmentCreate(user_id=officer.id, role=Role.viewer)
    org_service.assign_role(session, None, officer.organisation.id, data)


def _rename_directorate(name: str) -> Callable[[Session, Person], None]:
    def change(session: Session, officer: Person) -> None:
        directorate = session.exec(
            select(Directorate).where(Directorate.organisation_id == officer.organisation.id)
        ).one()
        setattr(directorate, name, "Renamed")
        session.add(directorate)

    return change


def _rename_organisation(session: Session, officer: Person) -> None:
    organisation = session.get_one(Organisation, officer.organisation.id)
    organisation.name = "Renamed Borough Council"
    session.add(organisation)


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        (_set_user("is_active", False), True),
        (_set_user("token_generation", 1), True),
        (_set_user("email", "renamed@council.test"), True),
        (_give_role, True),
        (_end_sessions, True),
        (_rename_directorate("name"), True),
        (_set_user("last_login_at", utcnow()), False),
        (_set_user("display_name", "Another name"), True),
        (_rename_organisation, True),
        (_new_session, False),
        (_use_refresh_tokens, False),
        (_rename_directorate("description"), False),
    ],
    ids=[
        "deactivated",
        "token-generation",
        "email",
        "role-given",
        "sessions-ended",
        "directorate-renamed",
        "signed-in-at",
        "display-name",
        "organisation-renamed",
        "new-session",
        "refresh-token-used",
        "directorate-described",
    ],
)
def test_what_moves_the_generation_on(engine, factory, org, officer, change, moves):
    factory.directorate(org)
    _change(engine, officer, _new_session)

    assert _change(engine, officer, change) is moves
