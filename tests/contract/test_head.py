"""`HEAD` works on every `GET` of the document (issue 15): same status and headers, no body;
and the headers the document declares for a `GET`'s answer are sent."""

from __future__ import annotations

import json
import re
import uuid

from fastapi.testclient import TestClient

from pmo.main import create_app

from .helpers import Seeded
from .test_openapi_drift import operations

RATE_LIMIT_FIELDS = ("RateLimit", "RateLimit-Policy")
# Path parameters whose seeded record has another name in `Seeded`.
SEEDED_NAMES = {
    "user_id": "member_id",
    "event_id": "audit_event_id",
    "target_id": "kpi_target_id",
    "value_id": "kpi_value_id",
}


def _url(path: str, seeded: Seeded) -> str:
    def record(match: re.Match[str]) -> str:
        name = match.group(1)
        # A record the seed does not make is looked for anyway: HEAD must be a 404 like GET.
        return str(getattr(seeded, SEEDED_NAMES.get(name, name), "") or uuid.uuid4())

    return re.sub(r"{(\w+)}", record, path)


def test_head_answers_every_get_like_the_get_without_a_body(client: TestClient, seeded: Seeded) -> None:
    document = json.loads(json.dumps(create_app().openapi()))
    headers = {"Authorization": f"Bearer {seeded.admin_token()}"}
    gets = [(path, operation) for method, path, operation in operations(document) if method == "get"]
    problems = []
    statuses = set()
    for path, operation in gets:
        url = _url(path, seeded)
        got = client.get(url, headers=headers)
        head = client.head(url, headers=headers)
        statuses.add(got.status_code)
        # The headers the document declares for the answer are sent.
        declared = operation["responses"].get(str(got.status_code), {}).get("headers", {})
        # The RateLimit fields go to counted callers only (API clients on the KPI feed), not to
        # this staff reader: tests/contract/test_rate_limit_headers.py checks them.
        expected = [name for name in declared if name not in RATE_LIMIT_FIELDS]
        problems += [f"GET {url}: declared {name} not sent" for name in expected if name not in got.headers]
        if head.status_code != got.status_code:
            problems.append(f"HEAD {url}: {head.status_code}, GET {got.status_code}")
        if head.content:
            problems.append(f"HEAD {url}: a body of {len(head.content)} bytes")
        for name in ("content-type", "etag", "link"):
            if head.headers.get(name) != got.headers.get(name):
                problems.append(f"HEAD {url}: {name} {head.headers.get(name)!r} != {got.headers.get(name)!r}")
    assert not problems, "\n".join(problems)
    assert len(gets) > 50
    assert 200 in statuses  # real records were reached, not only 404s


def test_a_405_names_head_where_get_is_served(client: TestClient, seeded: Seeded) -> None:
    headers = {"Authorization": f"Bearer {seeded.admin_token()}"}
    response = client.put(f"/api/v1/users/{seeded.member_id}", json={}, headers=headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PATCH, DELETE"
