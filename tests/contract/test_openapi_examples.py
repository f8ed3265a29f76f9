"""The document's examples (recorded from the demo data by `pmo openapi --record-examples`,
pmo.openapi_examples) are true to the code: each validates against its own schema, and the
file names only operations, answers and media types the document has (issue 15, item 1)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from pmo.openapi_examples import (
    EXAMPLES_PATH,
    PLACEHOLDER,
    SECRET_FIELDS,
    ExampleProvider,
    add_examples,
    hide_secrets,
    trim,
    trim_csv,
    validation_errors,
)

from .test_openapi_drift import operations

pytestmark = pytest.mark.document_only


def _examples(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    found = []
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            for media_type, content in response.get("content", {}).items():
                if "example" in content:
                    found.append(
                        (f"{method.upper()} {path} {status} {media_type}", content, content["example"])
                    )
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            if "example" in content:
                found.append((f"{method.upper()} {path} request {media_type}", content, content["example"]))
    return found


def test_every_example_validates_against_its_schema(document: dict[str, Any]) -> None:
    examples = _examples(document)
    assert len(examples) > 250  # the recorded file was merged
    problems = [
        f"{where}: {error}"
        for where, content, example in examples
        for error in validation_errors(document, content.get("schema", {}), example)[:3]
    ]
    assert not problems, "record again (`pmo openapi --record-examples`):\n" + "\n".join(problems[:40])


def test_a_wrong_example_is_caught(document: dict[str, Any]) -> None:
    # The check above can fail: a project example without its name, or with a number for it.
    content = document["paths"]["/api/v1/projects/{project_id}"]["get"]["responses"]["200"]["content"]
    schema, example = content["application/json"]["schema"], content["application/json"]["example"]
    assert not validation_errors(document, schema, example)
    assert validation_errors(document, schema, {key: v for key, v in example.items() if key != "name"})
    assert validation_errors(document, schema, {**example, "name": 42})


def test_the_examples_file_names_only_what_the_document_has(document: dict[str, Any]) -> None:
    recorded = json.loads(EXAMPLES_PATH.read_text())
    stale = []
    for key, parts in recorded.items():
        method, path = key.split(" ", 1)
        operation = document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            stale.append(f"{key}: no such operation")
            continue
        for status, media in parts.get("responses", {}).items():
            declared = operation["responses"].get(status, {}).get("content", {})
            stale += [f"{key} {status} {m}: not declared" for m in media if m not in declared]
        body = operation.get("requestBody", {}).get("content", {})
        stale += [f"{key} request {m}: not declared" for m in parts.get("requestBody", {}) if m not in body]
    assert not stale, "record again (`pmo openapi --record-examples`):\n" + "\n".join(stale)


def test_examples_are_put_where_the_file_says(tmp_path: Any) -> None:
    document: dict[str, Any] = {
        "paths": {
            "/api/v1/things": {
                "get": {"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {}}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {}}}}},
                },
            }
        }
    }
    file = tmp_path / "examples.json"
    file.write_text(
        json.dumps(
            {
                "GET /api/v1/things": {"responses": {"200": {"text/csv": "a,b\n1,2\n"}}},
                "POST /api/v1/things": {
                    "requestBody": {"application/json": {"name": "x"}},
                    "responses": {"201": {"application/json": {"id": "1"}}},
                },
                "DELETE /api/v1/gone": {"responses": {"204": {}}},
            }
        )
    )
    add_examples(document, file)
    things = document["paths"]["/api/v1/things"]
    assert things["get"]["responses"]["200"]["content"]["text/csv"]["example"] == "a,b\n1,2\n"
    assert things["post"]["requestBody"]["content"]["application/json"]["example"] == {"name": "x"}
    assert things["post"]["responses"]["201"]["content"]["application/json"]["example"] == {"id": "1"}


def test_lists_and_csvs_are_cut_to_two() -> None:
    assert trim({"items": [{"tags": [1, 2, 3]}, {}, {}], "total": 3}) == {
        "items": [{"tags": [1, 2]}, {}],
        "total": 3,
    }
    assert trim_csv('a,b\r\n1,"x\r\ny"\r\n2,z\r\n3,w\r\n') == 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n'


# Three base64url parts: a JWT if the first decodes to a JSON header naming an `alg`.
JWT = re.compile(r"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


def _strings(value: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """Every string in an example, with the name of the field holding it."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, field)
    elif isinstance(value, str):
        yield field, value


def _jwt_header(part: str) -> dict[str, Any] | None:
    try:
        header = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except ValueError:
        return None
    return header if isinstance(header, dict) and "alg" in header else None


def live_tokens(example: Any) -> list[str]:
    """JWTs that could be someone's: any, except in a token field (`logout_token`) when signed
    with a key whose id marks it as an example (the recording's own provider)."""
    found = []
    for field, text in _strings(example):
        for match in JWT.finditer(text):
            header = _jwt_header(match.group().split(".")[0])
            marked = field.endswith("_token") and str((header or {}).get("kid", "")).startswith("example-")
            if header is not None and not marked:
                found.append(f"{field}: {match.group()[:40]}...")
    return found


def unhidden_secrets(example: Any) -> list[str]:
    """Secret fields whose value is not a placeholder that says it is one."""
    found = []
    for field, text in _strings(example):
        if field in SECRET_FIELDS:
            shown = text
            if field == "signing_secret" and text.startswith("whsec_"):
                shown = base64.b64decode(text.removeprefix("whsec_")).decode(errors="replace")
            if not shown.startswith(PLACEHOLDER):
                found.append(f"{field}: {text}")
    return found


def test_the_examples_hold_no_live_token_or_secret() -> None:
    """What the recording was given (a client's secret, access tokens) worked only in its
    throwaway database, but a secret scanner cannot know that: placeholders stand in."""
    recorded = json.loads(EXAMPLES_PATH.read_text())
    assert not live_tokens(recorded)
    assert not unhidden_secrets(recorded)
    # The one JWT left is the provider's logout token, signed with the example key.
    logout = "POST /api/v1/auth/oidc/organisations/{slug}/backchannel-logout"
    token = recorded[logout]["requestBody"]["application/x-www-form-urlencoded"]["logout_token"]
    assert JWT.fullmatch(token)
    assert _jwt_header(token.split(".")[0]) == {
        "alg": "ES256",
        "kid": ExampleProvider.key_id,
        "typ": "logout+jwt",
    }


def test_live_tokens_and_secrets_are_caught() -> None:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    payload = part({"sub": "someone", "exp": 4102444800})
    signature = part({"not": "a signature"})
    live = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{payload}.{signature}"
    example = f"{part({'alg': 'ES256', 'kid': 'example-signing-key-1'})}.{payload}.{signature}"
    assert live_tokens({"access_token": live})
    assert live_tokens({"items": [{"detail": f"Bearer {live}"}]})
    assert live_tokens({"detail": example})  # marked, but not in a token field
    assert not live_tokens({"logout_token": example})
    assert not live_tokens({"version": "1.0.0.dev.20261130"})
    assert unhidden_secrets({"client_secret": "made-up-but-random-looking-Zx9Qw2Er4Ty6"})
    assert unhidden_secrets({"signing_secret": "whsec_bWFkZS11cC1mb3ItdGhlLXRlc3Q="})
    assert not unhidden_secrets({"client_secret": "pmo_example_client_secret_1"})


def test_secrets_are_hidden_alike_wherever_they_recur() -> None:
    recorded = {
        "POST /api/v1/api-clients": {
            "responses": {"201": {"application/json": {"client_secret": "s3cr3t-value-1234567890"}}}
        },
        "POST /api/v1/auth/token": {
            "requestBody": {
                "application/x-www-form-urlencoded": {"client_secret": "s3cr3t-value-1234567890"}
            },
            "responses": {
                "200": {"application/json": {"access_token": "aaa.bbb.ccc", "refresh_token": None}}
            },
        },
        "POST /api/v1/invitations": {
            "responses": {
                "201": {"application/json": {"invitation_url": "https://x.test/invitations/tok123"}}
            }
        },
        "POST /api/v1/invitations/accept": {"requestBody": {"application/json": {"token": "tok123"}}},
    }
    hidden = json.dumps(hide_secrets(recorded))
    for secret in ("s3cr3t", "aaa.bbb", "tok123"):
        assert secret not in hidden
    assert hidden.count('"pmo_example_client_secret_1"') == 2
    assert hidden.count("pmo_example_token_1") == 2
    assert '"refresh_token": null' in hidden
