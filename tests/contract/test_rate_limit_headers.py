"""The IETF `RateLimit` and `RateLimit-Policy` fields: the document declares them on the
answers that send them, and only there (declared == sent, for a sample of operations)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import Person
from pmo.core.config import get_settings
from pmo.main import create_app
from support.api import API, Api, Bearer

FIELDS = {"RateLimit", "RateLimit-Policy"}
# The structured field form of draft-ietf-httpapi-ratelimit-headers.
POLICY = re.compile(r'^"(?P<name>[a-z-]+)";q=(?P<q>\d+);w=(?P<w>\d+)$')
LIMIT = re.compile(r'^"(?P<name>[a-z-]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(json.dumps(create_app().openapi()))


def declared(document: dict[str, Any], method: str, path: str, status: int) -> set[str]:
    response = document["paths"][path][method]["responses"][str(status)]
    return FIELDS & set(response.get("headers", {}))


def sent(response: Any) -> dict[str, str]:
    return {name: response.headers[name] for name in FIELDS if name in response.headers}


def check(document: dict[str, Any], method: str, path: str, response: Any) -> dict[str, str]:
    """Declared == sent; and what is sent is well formed, one policy named alike in both fields."""
    fields = sent(response)
    assert set(fields) == declared(document, method, path, response.status_code), (path, response.status_code)
    if fields:
        policy = POLICY.match(fields["RateLimit-Policy"])
        limit = LIMIT.match(fields["RateLimit"])
        assert policy, fields
        assert limit, fields
        assert policy["name"] == limit["name"]
        assert int(limit["r"]) <= int(policy["q"])
        assert int(limit["t"]) <= int(policy["w"])
    return fields


def client_token(client: TestClient, admin: Person) -> Bearer:
    created = Api(client).post(admin, "/api-clients", {"name": "Performance system", "scopes": ["kpis:read"]})
    token = client.post(
        f"{API}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert token.status_code == 200, token.text
    return Bearer(token.json()["access_token"])


def test_the_kpi_feed_counts_down_on_every_answer_of_an_api_client(
    client: TestClient, admin: Person, document: dict[str, Any]
) -> None:
    reader = client_token(client, admin)
    limit = get_settings().client_requests_per_minute
    first = client.get(f"{API}/kpi-feed/values", headers=reader.headers)
    csv = client.get(f"{API}/kpi-feed/definitions.csv", headers=reader.headers)
    again = client.get(
        f"{API}/kpi-feed/values", headers={**reader.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert (first.status_code, csv.status_code, again.status_code) == (200, 200, 304)

    counted = [
        check(document, "get", "/api/v1/kpi-feed/values", first),
        check(document, "get", "/api/v1/kpi-feed/definitions.csv", csv),
        check(document, "get", "/api/v1/kpi-feed/values", again),
    ]
    assert {fields["RateLimit-Policy"] for fields in counted} == {f'"kpi-feed";q={limit};w=60'}
    parsed = [LIMIT.match(fields["RateLimit"]) for fields in counted]
    remaining = [int(match["r"]) for match in parsed if match]
    resets = [int(match["t"]) for match in parsed if match]
    # Remaining goes down one a request, unless a new window began in between (its reset jumps up).
    if resets == sorted(resets, reverse=True):
        assert remaining == [limit - 1, limit - 2, limit - 3]


def test_the_feed_refusal_says_nothing_is_left(
    client: TestClient, admin: Person, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "client_requests_per_minute", 1)
    reader = client_token(client, admin)
    answers = [client.get(f"{API}/kpi-feed/values", headers=reader.headers) for _ in range(3)]
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused, [answer.status_code for answer in answers]
    fields = check(document, "get", "/api/v1/kpi-feed/values", refused[0])
    assert re.match(r'^"kpi-feed";r=0;t=\d+$', fields["RateLimit"])
    assert int(refused[0].headers["Retry-After"]) >= 1


def test_staff_are_not_counted_and_get_no_fields(client: TestClient, viewer: Person) -> None:
    """Staff reading the feed are not limited, so nothing is sent (the document's fields are optional)."""
    answer = client.get(f"{API}/kpi-feed/values", headers=viewer.headers)
    assert answer.status_code == 200
    assert sent(answer) == {}


def test_the_public_record_counts_per_address(
    client: TestClient, admin: Person, document: dict[str, Any]
) -> None:
    settings = Api(client).patch(admin, "/decision-settings", {"publish_officer_decisions": True})
    assert settings.status_code == 200, settings.text
    path = "/api/v1/public/organisations/{organisation_id}/officer-decisions"
    answer = client.get(path.format(organisation_id=admin.user.organisation_id))
    assert answer.status_code == 200
    fields = check(document, "get", path, answer)
    limit = get_settings().public_requests_per_minute
    assert fields["RateLimit-Policy"] == f'"public";q={limit};w=60'


def test_a_sign_in_refusal_carries_the_policy_reached(
    client: TestClient, admin: Person, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "login_failures_per_address", 1)
    form = {"grant_type": "password", "username": "nobody@chesterfield.test", "password": "guess"}
    failed = client.post(f"{API}/auth/token", data=form)
    refused = client.post(f"{API}/auth/token", data=form)
    assert (failed.status_code, refused.status_code) == (400, 429)
    assert sent(failed) == {}  # a sign-in is counted only when it fails, and says so only when refused
    fields = check(document, "post", "/api/v1/auth/token", refused)
    window = get_settings().login_window_seconds
    assert fields["RateLimit-Policy"] == f'"sign-in-address";q=1;w={window}'
    assert fields["RateLimit"].startswith('"sign-in-address";r=0;')


def test_unlimited_operations_neither_declare_nor_send(
    client: TestClient, viewer: Person, document: dict[str, Any]
) -> None:
    answer = client.get(f"{API}/programmes", headers=viewer.headers)
    assert answer.status_code == 200
    assert declared(document, "get", "/api/v1/programmes", 200) == set()
    assert sent(answer) == {}
