"""Text that cannot be stored alike on every database, over-long text and bad emails: 422."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import quote

import pytest
from sqlmodel import select

from pmo.core.errors import PROBLEM_MEDIA_TYPE as PROBLEM
from pmo.core.middleware import CONTROL_MESSAGE
from pmo.core.permissions import Role
from pmo.organisations.models import Directorate, User
from support.api import API, problem
from support.database import snapshot

from .helpers import ORG_TABLES, error_locations

PASSWORD = "a long enough password"


def _raw(client, method, url, body, headers):  # type: ignore[no-untyped-def]
    # json.dumps escapes a lone surrogate as \ud800, which is valid JSON (httpx would refuse to encode it).
    return client.request(
        method,
        url,
        content=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )


BAD_TEXT = {"nul": "a\u0000b", "lone surrogate": "a\ud800b", "low surrogate": "\udfff"}

# (method, path, body with {} where the bad text goes, field, needs If-Match)
TEXT_FIELDS = [
    (
        "POST",
        "/users",
        {"email": "n@chesterfield.test", "display_name": "{}", "password": PASSWORD},
        "display_name",
    ),
    (
        "POST",
        "/users",
        {"email": "n@chesterfield.test", "display_name": "N", "password": "{}" + "x" * 12},
        "password",
    ),
    (
        "POST",
        "/users",
        {"email": "{}n@chesterfield.test", "display_name": "N", "password": PASSWORD},
        "email",
    ),
    ("PATCH", "/users/{admin}", {"display_name": "{}"}, "display_name"),
    ("POST", "/directorates", {"name": "{}"}, "name"),
    ("POST", "/directorates", {"name": "Housing", "description": "{}"}, "description"),
    ("PATCH", "/organisation", {"name": "{}"}, "name"),
    ("POST", "/api-clients", {"name": "{}", "scopes": ["kpis:read"]}, "name"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"), TEXT_FIELDS, ids=[f"{t[1]}.{t[3]}" for t in TEXT_FIELDS]
)
def test_unstorable_text_is_422(client, engine, admin, method, path, body, field):
    before = snapshot(engine, *ORG_TABLES)
    headers = {**admin.headers, "If-Match": "*"}
    for kind, bad in BAD_TEXT.items():
        filled = {k: (v.replace("{}", bad) if isinstance(v, str) else v) for k, v in body.items()}
        response = _raw(client, method, API + path.format(admin=admin.id), filled, headers)
        assert ("body", field) in error_locations(problem(response, 422)), kind
    assert snapshot(engine, *ORG_TABLES) == before


@pytest.mark.parametrize("path", ["/users", "/directorates"])
def test_unstorable_search_text_is_422(client, admin, path):
    for q in ("a%00b", "%00"):  # NUL
        problem(client.get(f"{API}{path}?q={q}", headers=admin.headers), 422)
    # A surrogate encoded as UTF-8 is not UTF-8: the server decodes it as U+FFFD, harmlessly.
    response = client.get(f"{API}{path}?q=a%ED%A0%80b", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["total"] == 0


def test_unstorable_text_in_the_password_change_is_422(client, admin):
    body = {"current_password": "x\u0000", "new_password": "a new password\ud800 here"}
    response = _raw(client, "POST", f"{API}/me/password", body, admin.headers)
    locations = error_locations(problem(response, 422))
    assert {("body", "current_password"), ("body", "new_password")} <= locations


def test_other_unicode_is_kept(client, admin):
    name = "Økonomi - Cúram \u00e9t\u00e9 \U0001f3db"
    response = client.post(f"{API}/directorates", json={"name": name}, headers=admin.headers)
    assert response.status_code == 201
    assert client.get(response.headers["location"], headers=admin.headers).json()["name"] == name


# Lengths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/users",
            {"email": "n@chesterfield.test", "display_name": "x" * 201, "password": PASSWORD},
            "display_name",
        ),
        (
            "/users",
            {"email": "n@chesterfield.test", "display_name": "", "password": PASSWORD},
            "display_name",
        ),
        ("/users", {"email": "n@chesterfield.test", "display_name": "N", "password": "x" * 257}, "password"),
        ("/users", {"email": "n@chesterfield.test", "display_name": "N", "password": "x" * 11}, "password"),
        (
            "/users",
            {"email": "x" * 243 + "@council.test", "display_name": "N", "password": PASSWORD},
            "email",
        ),
        ("/directorates", {"name": "x" * 201}, "name"),
        ("/directorates", {"name": ""}, "name"),
        ("/directorates", {"name": "Housing", "description": "x" * 10_001}, "description"),
        ("/api-clients", {"name": "x" * 201, "scopes": ["kpis:read"]}, "name"),
    ],
)
def test_over_long_or_empty_text_is_422(client, engine, admin, path, body, field):
    before = snapshot(engine, *ORG_TABLES)
    response = client.post(API + path, json=body, headers=admin.headers)
    assert ("body", field) in error_locations(problem(response, 422))
    assert snapshot(engine, *ORG_TABLES) == before


def test_longest_allowed_text_is_accepted(client, admin, db):
    email = "x" * 241 + "@council.test"
    assert len(email) == 254
    response = client.post(
        f"{API}/users",
        json={"email": email, "display_name": "d" * 200, "password": "p" * 256},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    response = client.post(
        f"{API}/directorates", json={"name": "n" * 200, "description": "d" * 10_000}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    assert len(db.one(select(Directorate)).description) == 10_000


def test_over_long_patch_is_422(client, admin, db):
    response = client.patch(
        f"{API}/users/{admin.id}",
        json={"display_name": "x" * 201},
        headers={**admin.headers, "If-Match": "*"},
    )
    problem(response, 422)
    problem(
        client.patch(
            f"{API}/organisation", json={"name": "x" * 201}, headers={**admin.headers, "If-Match": "*"}
        ),
        422,
    )
    assert db.get(User, admin.id).display_name == "Test Person"


def test_over_long_search_is_422(client, admin):
    problem(client.get(f"{API}/users", params={"q": "x" * 201}, headers=admin.headers), 422)


# Emails ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "",
        "no-at-sign",
        "a@b",
        "a@@council.test",
        "two words@council.test",
        "name@council .test",
        "@council.test",
        "name@",
        "name@council.",
        "tab\t@council.test",
        12345,
        None,
    ],
)
def test_bad_email_is_422(client, engine, admin, email):
    before = snapshot(engine, *ORG_TABLES)
    response = client.post(
        f"{API}/users",
        json={"email": email, "display_name": "N", "password": PASSWORD},
        headers=admin.headers,
    )
    assert ("body", "email") in error_locations(problem(response, 422))
    if email is not None:  # (null on a PATCH means "leave it as it is")
        patch = client.patch(
            f"{API}/users/{admin.id}", json={"email": email}, headers={**admin.headers, "If-Match": "*"}
        )
        assert ("body", "email") in error_locations(problem(patch, 422))
    assert snapshot(engine, *ORG_TABLES) == before


def test_emails_are_stored_lower_case_and_trimmed(client, admin, factory, org, db):
    response = client.post(
        f"{API}/users",
        json={"email": "  Mixed.Case@Council.GOV.UK ", "display_name": "M", "password": PASSWORD},
        headers=admin.headers,
    )
    assert response.status_code == 201
    assert response.json()["email"] == "mixed.case@council.gov.uk"
    assert db.one(select(User).where(User.display_name == "M")).email == "mixed.case@council.gov.uk"

    person = factory.person(org, email="p@chesterfield.test")
    response = client.patch(
        f"{API}/users/{person.id}",
        json={"email": "New.Address@Chesterfield.TEST"},
        headers={**admin.headers, "If-Match": "*"},
    )
    assert response.status_code == 200
    assert db.get(User, person.id).email == "new.address@chesterfield.test"
    # Upper-case duplicates are caught as duplicates.
    problem(
        client.post(
            f"{API}/users",
            json={"email": "NEW.ADDRESS@chesterfield.test", "display_name": "Dup", "password": PASSWORD},
            headers=admin.headers,
        ),
        409,
    )


# Control characters in the path and the query ---------------------------------------------


def _query_parameters(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(method, path, parameter) for every query parameter of every operation."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found.append((method.upper(), path, parameter["name"]))
    return found


def test_a_nul_in_any_query_parameter_of_any_operation_is_422_naming_it(app, client, engine, factory, org):
    """A NUL reached PostgreSQL in `category`, `code` and others (a 500 there): it is refused
    for every query parameter of every operation, before the handler, on every database."""
    person = factory.person(org, Role.admin, Role.pmo, Role.finance)
    walked = _query_parameters(app)
    assert len(walked) > 100  # the walk really covers the API
    before = snapshot(engine, *ORG_TABLES)
    failures = []
    for method, path, name in walked:
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = client.request(method, url, params={name: "a\x00b"}, headers=person.headers)
        body = response.json() if response.headers.get("content-type") == PROBLEM else {}
        if response.status_code != 422 or ("query", name) not in error_locations(body):
            failures.append((method, path, name, response.status_code))
    assert failures == []
    assert snapshot(engine, *ORG_TABLES) == before


@pytest.mark.parametrize("character", ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f"])
def test_every_control_character_is_refused_in_a_query(client, admin, character):
    response = client.get(f"{API}/users", params={"q": f"a{character}b"}, headers=admin.headers)
    body = problem(response, 422)
    assert body["errors"] == [{"location": ["query", "q"], "message": CONTROL_MESSAGE, "type": "value_error"}]
    assert "query.q" in body["detail"]
    # ... and in a parameter's name.
    assert problem(client.get(f"{API}/users?a{quote(character)}b=1", headers=admin.headers), 422)


def test_other_text_in_a_query_is_kept(client, admin):
    for text in ("é", "\uff1d1", "a b", "\u00a0", "\u2028"):
        response = client.get(f"{API}/users", params={"q": text}, headers=admin.headers)
        assert response.status_code == 200, (text, response.text)


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/projects%00",
        "/assets/app%00.js",
        "/a%0Ab",
        "/a%09b",
        "/a%7Fb",
        f"{API}/projects/%00",
        f"{API}/users/4c1f0c8e-5f1e-4f0e-9a57-2d4f3a1b6c7d%0A",  # fixed: xdist workers must collect alike
        f"{API}/raid-exports/risks%00.csv",
    ],
)
def test_a_control_character_in_the_path_is_400(client, admin, path):
    for method in ("GET", "POST"):
        body = problem(client.request(method, path, headers=admin.headers), 400)
        assert "control characters" in body["detail"]
