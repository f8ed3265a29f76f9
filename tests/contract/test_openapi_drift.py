"""The committed OpenAPI document is the contract: it must be exactly what the code serves,
and every operation in it must be usable by a generated client (stable ids, tags, errors)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.routing import APIRoute

from pmo.cli import OPENAPI_PATH
from pmo.core.errors import PROBLEM_MEDIA_TYPE
from pmo.main import DOMAIN_ROUTERS, create_app

pytestmark = pytest.mark.document_only

METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
# Routes anyone may call: the token is the credential (OAuth2 token endpoint, logout).
PUBLIC_OPERATIONS = {
    "auth-issue_token",
    "auth-logout",
    "auth-start_session",
    "auth-refresh_session",
    "auth-end_session",
    # Signing in with the council's identity provider (pmo.identity.sign_in_router).
    "directory-sign-in-sign_in_options_for_email",
    "directory-sign-in-sign_in_options",
    "directory-sign-in-start_sign_in",
    "directory-sign-in-finish_sign_in",
    "directory-sign-in-back_channel_logout",
    "directory-sign-in-sign_out",
    # An invitee setting a first password (pmo.invitations): the token in the body.
    "invitations-read_invitation",
    "invitations-accept_invitation",
    "public-record-list_published_officer_decisions",
    "public-record-get_published_officer_decision",
    "public-record-get_published_forward_plan",
    "public-record-export_published_forward_plan_csv",
    "public-record-export_published_forward_plan_pdf",
    "public-record-published_officer_decision_pdf",
}
# The token endpoint's own refusals are RFC 6749 section 5.2 JSON, as OAuth libraries expect.
TOKEN_OPERATION = "auth-issue_token"
TOKEN_ERRORS = {"400", "401", "429"}
PROTECTED_ERRORS = {"401", "403", "422", "500"}
PUBLIC_ERRORS = {"422", "500"}


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    assert OPENAPI_PATH.exists(), f"{OPENAPI_PATH} is missing: run `pmo openapi` and commit"
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    # A fresh app: the document must not depend on anything a test did to a shared one.
    # Round-tripped through JSON, as `pmo openapi` writes it (tuples become lists, and so on).
    return json.loads(json.dumps(create_app().openapi()))


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _differences(committed: Any, served: Any, where: str = "") -> list[str]:
    if isinstance(committed, dict) and isinstance(served, dict):
        found = []
        for key in sorted(committed.keys() | served.keys()):
            place = f"{where}/{key}"
            if key not in served:
                found.append(f"{place}: only in the committed document")
            elif key not in committed:
                found.append(f"{place}: only in the code")
            else:
                found.extend(_differences(committed[key], served[key], place))
        return found
    if committed != served:
        return [f"{where or '/'}: committed {json.dumps(committed)[:120]} != code {json.dumps(served)[:120]}"]
    return []


def test_committed_document_matches_the_code(committed: dict[str, Any], served: dict[str, Any]) -> None:
    if committed != served:
        differences = _differences(committed, served)
        shown = "\n  ".join(differences[:25])
        more = f"\n  ... and {len(differences) - 25} more" if len(differences) > 25 else ""
        pytest.fail(
            f"openapi/openapi.json has drifted from the code; run `pmo openapi` and commit.\n  {shown}{more}",
            pytrace=False,
        )


def test_document_has_operations(committed: dict[str, Any]) -> None:
    assert committed["openapi"].startswith("3.")
    assert len(operations(committed)) >= 20
    assert all(path.startswith("/api/v1/") for path in committed["paths"])


def test_operation_ids_are_tag_and_function(committed: dict[str, Any]) -> None:
    # The Python function names of the documented routes.
    names = {
        route.name
        for router in DOMAIN_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
    }
    seen: dict[str, str] = {}
    for method, path, operation in operations(committed):
        label = f"{method.upper()} {path}"
        tags = operation.get("tags")
        assert tags, f"{label} has no tags"
        operation_id = operation.get("operationId")
        assert operation_id, f"{label} has no operationId"
        assert operation_id.startswith(f"{tags[0]}-"), (
            f"{label}: operationId {operation_id!r} is not <tag>-<fn>"
        )
        function = operation_id.removeprefix(f"{tags[0]}-")
        assert function.isidentifier(), f"{label}: {function!r} is not a function name"
        assert function in names, f"{label}: no route function called {function!r}"
        assert operation_id not in seen, f"{label} and {seen[operation_id]} share operationId {operation_id}"
        seen[operation_id] = label


def test_tags_are_described(committed: dict[str, Any]) -> None:
    described = {tag["name"] for tag in committed.get("tags", [])}
    used = {tag for _, _, operation in operations(committed) for tag in operation["tags"]}
    assert used <= described, f"tags used but not described in the document: {sorted(used - described)}"


def _requires_token(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    security = operation.get("security", document.get("security", []))
    return any("OAuth2" in requirement for requirement in security)


def test_errors_are_declared_as_problem_json(committed: dict[str, Any]) -> None:
    problems = []
    for method, path, operation in operations(committed):
        label = f"{method.upper()} {path} ({operation['operationId']})"
        responses = operation["responses"]
        public = operation["operationId"] in PUBLIC_OPERATIONS
        if public:
            assert not _requires_token(committed, operation), f"{label} is public but asks for a token"
        else:
            assert _requires_token(committed, operation), f"{label} declares no OAuth2 security"
        expected = PUBLIC_ERRORS if public else PROTECTED_ERRORS
        if operation["operationId"] == TOKEN_OPERATION:
            expected = expected - {"422"}  # an invalid request is RFC 6749's 400 invalid_request
        missing = expected - responses.keys()
        if missing:
            problems.append(f"{label}: does not declare {sorted(missing)}")
        for status, response in responses.items():
            if not status.isdigit() or int(status) < 400:
                continue
            if operation["operationId"] == TOKEN_OPERATION and status in TOKEN_ERRORS:
                continue  # RFC 6749's JSON: tests/auth/test_oauth.py checks them
            content = response.get("content", {})
            if set(content) != {PROBLEM_MEDIA_TYPE}:
                problems.append(f"{label}: {status} is {sorted(content)}, not only {PROBLEM_MEDIA_TYPE}")
            elif content[PROBLEM_MEDIA_TYPE].get("schema") != {"$ref": "#/components/schemas/Problem"}:
                problems.append(f"{label}: {status} is not described by the Problem schema")
        successes = [s for s in responses if s.isdigit() and 200 <= int(s) < 300]
        # A browser's round trip (directory sign-in) succeeds with its one redirect.
        successes = successes or [s for s in responses if s in ("302", "303")]
        if len(successes) != 1:
            problems.append(f"{label}: declares {len(successes)} success statuses")
    assert not problems, "\n".join(problems)


def test_problem_schema_is_rfc_9457(committed: dict[str, Any]) -> None:
    problem = committed["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])


def test_oauth2_security_scheme(committed: dict[str, Any]) -> None:
    schemes = committed["components"]["securitySchemes"]
    # People (password flow) and other council systems (client credentials, with scopes).
    for name, flow in (("OAuth2", "password"), ("OAuth2ClientCredentials", "clientCredentials")):
        assert schemes[name]["type"] == "oauth2"
        assert schemes[name]["flows"][flow]["tokenUrl"] == "/api/v1/auth/token"
    assert "/api/v1/auth/token" in committed["paths"]
