"""Examples in the OpenAPI document, recorded from the product itself (issue 15).

`pmo openapi --record-examples` loads the demo data into a throwaway SQLite database, with the
clock and the random numbers fixed so that every run gives the same ids and timestamps, and
calls every `GET` of the document as a demo user (an API client for the KPI feed; nobody for
the public record). It keeps one trimmed answer per operation (lists cut to two items, CSVs
to two rows) in `openapi/examples.json`. An operation that is not a `GET` gets the example of
the schema it answers with, and a JSON request body the fields of its resource's example
that the body's schema takes (only if the result is valid against that schema).
`pmo openapi` (and the served document) puts the file's examples into the document.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmo.core.config import PROJECT_ROOT

if TYPE_CHECKING:
    from fastapi import FastAPI

EXAMPLES_PATH = PROJECT_ROOT / "openapi" / "examples.json"
# The recording's clock and base URL: fixed, so that the file does not drift between runs.
RECORDED_AT = "2026-11-30T10:00:00Z"
PUBLIC_URL = "https://pmo.example.gov.uk"
MAX_ITEMS = 2
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
# Who reads: the first of them whose answer is a success is recorded.
READERS = (
    "pmo@demo.test",
    "admin@demo.test",
    "finance@demo.test",
    "sponsor@demo.test",
    "democratic@demo.test",
    "pm@demo.test",
)
# Where each path parameter's value comes from: the first item of this list (whose own
# parameters are filled the same way).
SOURCES = {
    "api_client_id": "/api/v1/api-clients",
    "directorate_id": "/api/v1/directorates",
    "user_id": "/api/v1/users",
    "role_assignment_id": "/api/v1/role-assignments",
    "event_id": "/api/v1/audit-events",
    "portfolio_id": "/api/v1/portfolios",
    "body_id": "/api/v1/governance-bodies",
    "programme_id": "/api/v1/programmes",
    "project_id": "/api/v1/projects",
    "milestone_id": "/api/v1/projects/{project_id}/milestones",
    "lifecycle_id": "/api/v1/lifecycles",
    "review_id": "/api/v1/gate-reviews",
    "risk_id": "/api/v1/risks",
    "action_id": "/api/v1/risks/{risk_id}/actions",
    "issue_id": "/api/v1/issues",
    "assumption_id": "/api/v1/assumptions",
    "dependency_id": "/api/v1/dependencies",
    "cost_line_id": "/api/v1/cost-lines",
    "benefit_id": "/api/v1/benefits",
    "funding_source_id": "/api/v1/funding-sources",
    "rule_id": "/api/v1/delegation-rules",
    "drawdown_id": "/api/v1/drawdowns",
    "record_id": "/api/v1/officer-decisions",
    "entry_id": "/api/v1/forward-plan",
    "kpi_id": "/api/v1/kpis",
    "target_id": "/api/v1/kpis/{kpi_id}/targets",
    "value_id": "/api/v1/kpi-values",
    "report_id": "/api/v1/highlight-reports",
    "meeting_id": "/api/v1/meetings",
    "pack_id": "/api/v1/programmes/{programme_id}/report-packs",
    "subscription_id": "/api/v1/webhook-subscriptions",
    "delivery_id": "/api/v1/webhook-subscriptions/{subscription_id}/deliveries",
}
# Where a parameter of one route comes from, where its name means another thing elsewhere.
ROUTE_SOURCES = {("/api/v1/history/{kind}/{record_id}", "record_id"): "/api/v1/projects"}
# Query parameters a read requires.
QUERIES = {
    "/api/v1/search": {"q": "cloud"},
    "/api/v1/programmes/{programme_id}/highlight-pack": {"period": "2026-10"},
}
# How many records are tried for a parameter before a read is given up.
CANDIDATES = 100
# Path parameters that are not an item of a list.
FIXED_PARAMETERS = {"kind": "project"}
# Media types whose answers are files: described by the document, not exemplified.
BINARY_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/octet-stream",
    "multipart/form-data",
)


def add_examples(document: dict[str, Any], path: Path = EXAMPLES_PATH) -> None:
    """Put the recorded examples into the document (those of operations it no longer has are
    left out; tests/contract/test_openapi_examples.py says to record again)."""
    if not path.exists():
        return
    recorded: dict[str, Any] = json.loads(path.read_text())
    for key, parts in recorded.items():
        method, route = key.split(" ", 1)
        operation = document["paths"].get(route, {}).get(method.lower())
        if operation is None:
            continue
        for status, media in parts.get("responses", {}).items():
            content = operation["responses"].get(status, {}).get("content", {})
            for media_type, example in media.items():
                if media_type in content:
                    content[media_type]["example"] = example
        body = operation.get("requestBody", {}).get("content", {})
        for media_type, example in parts.get("requestBody", {}).items():
            if media_type in body:
                body[media_type]["example"] = example


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for route, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield method, route, item[method]


def trim(value: Any) -> Any:
    """The example's shape with every list cut to its first items."""
    if isinstance(value, list):
        return [trim(item) for item in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {key: trim(item) for key, item in value.items()}
    return value


def trim_csv(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))[: MAX_ITEMS + 1]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n").writerows(rows)
    return out.getvalue()


def record_examples(output: Path = EXAMPLES_PATH) -> None:
    """Record the examples in a child process: its own database, settings and fixed clock."""
    with tempfile.TemporaryDirectory(prefix="pmo-examples-") as folder:
        env = {
            **os.environ,
            "PMO_DATABASE_URL": f"sqlite:///{folder}/examples.db",
            "PMO_ENVIRONMENT": "development",
            "PMO_SECRET_KEY": "examples-recording-key-not-a-secret-0123456789",
            "PMO_PUBLIC_URL": PUBLIC_URL,
            "PMO_PASSWORD_HASH_TIME_COST": "1",
            "PMO_PASSWORD_HASH_MEMORY_KIB": "1024",
            "PMO_LOG_LEVEL": "WARNING",
            "PYTHONHASHSEED": "0",
            "TZ": "UTC",
        }
        subprocess.run(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-c", f"from pmo.openapi_examples import _record; _record({str(output)!r})"],
            env=env,
            check=True,
        )


@contextmanager
def _fixed_randomness() -> Iterator[None]:
    """uuid4 and `secrets` read os.urandom: a seeded generator makes ids and secrets repeat."""
    generator = random.Random(15)  # noqa: S311 - repeatable on purpose, for a throwaway database
    saved = os.urandom, random._urandom  # type: ignore[attr-defined]
    os.urandom = random._urandom = generator.randbytes  # type: ignore[attr-defined]
    try:
        yield
    finally:
        os.urandom, random._urandom = saved  # type: ignore[attr-defined]


def _record(output: str) -> None:
    import time_machine

    from pmo.main import create_app

    app = create_app()
    # time-machine stops the clock itself (datetime's own classes keep working, as orjson needs).
    with time_machine.travel(RECORDED_AT, tick=False), _fixed_randomness():
        recorded = _Recorder(app).run()
    Path(output).write_text(json.dumps(recorded, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {output}: examples for {len(recorded)} operations")


class _Recorder:
    def __init__(self, app: FastAPI) -> None:
        from fastapi.testclient import TestClient
        from sqlmodel import Session

        from pmo.core.db import get_engine
        from pmo.demo import load_demo
        from pmo.migrations import upgrade

        engine = get_engine()
        upgrade(engine)
        with Session(engine) as session:
            load_demo(session)
            session.commit()
        self.document: dict[str, Any] = json.loads(json.dumps(app.openapi()))
        self.client = TestClient(app, base_url=PUBLIC_URL)
        self.recorded: dict[str, Any] = {}
        self.headers = {email: self._sign_in(email) for email in READERS}
        self.client_headers = self._api_client()

    def _sign_in(self, email: str) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": "demo-password"},
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def _api_client(self) -> dict[str, str]:
        created = self._write(
            "admin@demo.test",
            "POST",
            "/api/v1/api-clients",
            {"name": "Performance dashboard (Power BI)", "scopes": ["kpis:read", "webhooks:manage"]},
        )
        form = {
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        }
        token = self.client.post("/api/v1/auth/token", data=form)
        token.raise_for_status()
        self._keep(
            "POST", "/api/v1/auth/token", self.document["paths"]["/api/v1/auth/token"]["post"], token, form
        )
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    def run(self) -> dict[str, Any]:
        gets = sorted(
            (route for method, route, _ in operations(self.document) if method == "get"),
            key=lambda route: (route.count("{"), route),
        )
        self._scenario()
        for route in gets:
            self._record_get(route)
        self._reuse_for_other_methods()
        return self.recorded

    def _reuse_for_other_methods(self) -> None:
        """An operation that answers with a schema a `GET` answers with gets that example; a
        JSON request body the fields of its resource's example that its schema takes."""
        by_schema: dict[str, Any] = {}
        by_request: dict[str, Any] = {}  # request bodies the writes recorded, by schema
        for key, recorded in self.recorded.items():
            method, route = key.split(" ", 1)
            operation = self.document["paths"][route][method.lower()]
            for status, media in recorded["responses"].items():
                for media_type, example in media.items():
                    schema = operation["responses"][status]["content"][media_type].get("schema", {})
                    by_schema.setdefault(json.dumps(schema, sort_keys=True), example)
            for media_type, example in recorded.get("requestBody", {}).items():
                schema = operation["requestBody"]["content"][media_type].get("schema", {})
                by_request.setdefault(json.dumps(schema, sort_keys=True), example)
        for method, route, operation in operations(self.document):
            if method == "get" or f"{method.upper()} {route}" in self.recorded:
                continue
            parts: dict[str, Any] = {}
            for status, response in operation["responses"].items():
                for media_type, content in response.get("content", {}).items():
                    example = by_schema.get(json.dumps(content.get("schema", {}), sort_keys=True))
                    if status.startswith("2") and example is not None:
                        parts.setdefault("responses", {}).setdefault(status, {})[media_type] = example
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            recorded_body = (
                by_request.get(json.dumps(body.get("schema", {}), sort_keys=True)) if body else None
            )
            if recorded_body is not None:
                parts["requestBody"] = {"application/json": recorded_body}
            elif body is not None:
                answers = [m.get("application/json") for m in parts.get("responses", {}).values()]
                sources = [*answers, self._example("GET", route)]
                example = self._request_example(body["schema"], [s for s in sources if isinstance(s, dict)])
                if example is not None:
                    parts["requestBody"] = {"application/json": example}
            if parts:
                self.recorded[f"{method.upper()} {route}"] = parts

    def _request_example(self, schema: dict[str, Any], sources: list[dict[str, Any]]) -> Any:
        """The first source's fields that the body's schema takes, if they make a valid body."""
        resolved = resolve(self.document, schema)
        properties = resolved.get("properties", {})
        for source in sources:
            fields = {
                name: source[name]
                for name in properties
                if name in source and is_valid(self.document, properties[name], source[name])
            }
            if fields and is_valid(self.document, schema, fields):
                return fields
        return None

    def _urls(self, route: str, bound: dict[str, str] | None = None) -> Iterator[str]:
        """The route with its parameters filled, record after record (a project with
        milestones, say, is found by trying the projects in turn)."""
        bound = dict(bound or {})
        names = [name for name in re.findall(r"{(\w+)}", route) if name not in bound]
        if not names:
            yield re.sub(r"{(\w+)}", lambda match: bound[match.group(1)], route)
            return
        name = names[0]
        for value in self._candidates(route, name):
            yield from self._urls(route, {**bound, name: value})

    def _candidates(self, route: str, name: str) -> Iterator[str]:
        if name in FIXED_PARAMETERS:
            yield FIXED_PARAMETERS[name]
            return
        if name == "organisation_id":
            yield str(self._get(self.headers["pmo@demo.test"], "/api/v1/organisation")["id"])
            return
        source = ROUTE_SOURCES.get((route, name), SOURCES.get(name))
        if source is None:
            return
        for url in islice(self._urls(source), CANDIDATES):
            for headers in (self.client_headers, *self.headers.values()):
                response = self.client.get(url, params={"limit": CANDIDATES}, headers=headers)
                if response.is_success:
                    items = response.json()
                    for item in items.get("items", []) if isinstance(items, dict) else items:
                        yield str(item["id"])
                    break

    def _get(self, headers: dict[str, str], url: str) -> Any:
        response = self.client.get(url, headers=headers)
        response.raise_for_status()
        return response.json()

    def _example(self, method: str, route: str) -> Any:
        responses = self.recorded.get(f"{method} {route}", {}).get("responses", {})
        for media in responses.values():
            if "application/json" in media:
                return media["application/json"]
        return None

    def _record_get(self, route: str) -> None:
        operation = self.document["paths"][route]["get"]
        tags = operation.get("tags", [])
        if "kpi-feed" in tags:
            callers = [self.client_headers]
        elif "security" not in operation:  # public: read without signing in
            callers = [{}, *self.headers.values()]
        else:
            callers = list(self.headers.values())
        for url in islice(self._urls(route), CANDIDATES):
            for headers in callers:
                response = self.client.get(url, params=QUERIES.get(route, {}), headers=headers)
                if response.is_success:
                    self._keep("GET", route, operation, response)
                    return

    def _keep(
        self, method: str, route: str, operation: dict[str, Any], response: Any, body: Any = None
    ) -> None:
        media_type = response.headers.get("content-type", "").split(";")[0]
        declared = operation["responses"].get(str(response.status_code), {}).get("content", {})
        key = next((name for name in declared if name.split(";")[0] == media_type), None)
        if key is None or key in BINARY_MEDIA_TYPES:
            return
        example = trim(response.json()) if media_type == "application/json" else trim_csv(response.text)
        parts: dict[str, Any] = {"responses": {str(response.status_code): {key: example}}}
        if body is not None:
            request = operation["requestBody"]["content"]
            parts["requestBody"] = {next(iter(request)): body}
        self.recorded[f"{method} {route}"] = parts

    def _write(self, email: str, method: str, route: str, body: Any = None, **ids: str) -> Any:
        """Make a write as a demo user (or the API client), keeping its body and answer."""
        headers = self.client_headers if email == "client" else self.headers[email]
        url = route.format(**ids)
        operation = self.document["paths"][route][method.lower()]
        if any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])):
            # A change names the version it changes: the record's, or for an action
            # (`.../rebaseline`) its record's.
            record = url if method in ("PATCH", "PUT") else url.rsplit("/", 1)[0]
            headers = {**headers, "If-Match": self.client.get(record, headers=headers).headers["etag"]}
        response = self.client.request(method, url, json=body, headers=headers)
        if not response.is_success:
            # Said, not raised: the operation is left without an example, which the rule
            # in tests/contract/test_openapi_rules.py reports.
            print(
                f"not recorded: {method} {url} as {email}: {response.status_code} {response.text}",
                file=sys.stderr,
            )
            return None
        self._keep(method, route, operation, response, body)
        return response.json() if response.content else None

    def _second(self, path: str) -> Any:
        response = self.client.get(path, headers=self.headers["pmo@demo.test"])
        response.raise_for_status()
        return response.json()["items"][1]

    def _first_url(self, route: str) -> str:
        return next(self._urls(route))

    def _first(self, path: str, **params: str) -> Any:
        response = self.client.get(path, params=params, headers=self.headers["pmo@demo.test"])
        response.raise_for_status()
        return response.json()["items"][0]

    def _scenario(self) -> None:
        """Writes officers and an API client make, recorded with their bodies: they make what
        the demo lacks for some reads (a meeting and its report pack, a forward plan entry, a
        webhook subscription) and show writes whose answers no read gives."""
        pmo, admin = "pmo@demo.test", "admin@demo.test"
        self._write(
            admin,
            "PATCH",
            "/api/v1/decision-settings",
            {"publish_officer_decisions": True, "publish_forward_plan": True},
        )
        body = self._first("/api/v1/governance-bodies")
        meeting = self._write(
            pmo,
            "POST",
            "/api/v1/meetings",
            {
                "body_id": body["id"],
                "meets_on": "2027-01-19",
                "title": f"{body['name']}: January meeting",
                "location": "Committee Room 1, Town Hall, Rose Hill, Chesterfield",
            },
        )
        programme = self._first("/api/v1/programmes")
        self._write(
            pmo,
            "POST",
            "/api/v1/programmes/{programme_id}/report-packs",
            {
                "meeting_id": meeting["id"],
                "report_author": "Priya Patel, Programme Management Office",
                "wards_affected": "All",
                "key_decision": False,
                "purpose": f"To update the steering group on the progress of {programme['name']}.",
                "recommendations": ["That the steering group notes the progress of the programme."],
            },
            programme_id=programme["id"],
        )
        referred = self._first("/api/v1/drawdowns", route="cabinet")
        self._write(
            "democratic@demo.test",
            "POST",
            "/api/v1/forward-plan",
            {
                "drawdown_id": referred["id"],
                "meeting_date": "2027-02-23",
                "published_on": "2026-11-30",
                "title": "Organisational Development Programme: investment from the Service Redesign Reserve",
                "wards_affected": ["All wards"],
            },
        )
        subscription = self._write(
            "client",
            "POST",
            "/api/v1/webhook-subscriptions",
            {
                "url": "https://performance.chesterfield.example.gov.uk/hooks/pmo",
                "event_types": ["kpi.value.published"],
                "description": "Performance dashboard: refresh a KPI when its value is published",
            },
        )
        self._write(
            "client",
            "POST",
            "/api/v1/webhook-subscriptions/{subscription_id}/ping",
            subscription_id=subscription["id"],
        )
        project = self._first("/api/v1/projects")
        self._write(
            "sponsor@demo.test",
            "POST",
            "/api/v1/projects/{project_id}/confidence",
            {
                "rating": "amber",
                "commentary": "On track for the digital platform go-live; the data migration "
                "plan is not yet agreed with the service.",
            },
            project_id=project["id"],
        )
        funding = self._first("/api/v1/funding-sources")
        self._write(
            "pm@demo.test",
            "POST",
            "/api/v1/drawdowns/route-preview",
            {
                "project_id": referred["project_id"],  # one pm@demo.test manages
                "funding_source_id": funding["id"],
                "amount": "25000.00",
                "financial_year": "2026/27",
                "purpose": "Backfill of a customer services adviser while the team is trained",
                "business_case_reference": "BC-2026-014",
            },
        )
        self._write(
            pmo,
            "POST",
            "/api/v1/governance-bodies/{body_id}/members",
            {"user_id": self._get(self.headers["finance@demo.test"], "/api/v1/me")["id"], "role": "member"},
            body_id=body["id"],
        )
        risk = self._first("/api/v1/risks")
        self._write(
            pmo,
            "POST",
            "/api/v1/risks/{risk_id}/occurred",
            {
                "description": "Two projects could not start in the quarter: no business analyst was free.",
                "priority": "high",
                "severity": "medium",
            },
            risk_id=risk["id"],
        )
        self._write(
            admin,
            "POST",
            "/api/v1/users",
            {
                "email": "a.khan@chesterfield.example.gov.uk",
                "display_name": "Aisha Khan",
                "password": "Crooked-Spire-above-Chesterfield-1234",
            },
        )
        self._write(
            pmo,
            "POST",
            "/api/v1/risks/{risk_id}/escalate",
            {
                "level": "programme",
                "reason": "The shortage of business analysts now holds up projects in two programmes.",
            },
            risk_id=self._second("/api/v1/risks")["id"],  # the first has occurred
        )
        milestone_url = self._first_url("/api/v1/milestones/{milestone_id}")
        self._write(
            pmo,
            "POST",
            "/api/v1/milestones/{milestone_id}/rebaseline",
            {"planned_quarter": "2027/28 Q1", "reason": "The supplier's go-live moved to April 2027."},
            milestone_id=milestone_url.rsplit("/", 1)[1],
        )
        kpi = self._first("/api/v1/kpis")
        self._write(
            pmo,
            "POST",
            "/api/v1/kpis/{kpi_id}/targets",
            {"period_code": "2027-28-Q1", "target": "90"},
            kpi_id=kpi["id"],
        )
        self._write(
            pmo,
            "POST",
            "/api/v1/risks/{risk_id}/close",
            {
                "reason": "The programme board agreed the risk has passed: "
                "every project now has its resources."
            },
            risk_id=self._second("/api/v1/risks")["id"],
        )
        invitation = self._write(
            admin,
            "POST",
            "/api/v1/invitations",
            {
                "email": "j.bloggs@chesterfield.example.gov.uk",
                "display_name": "Jo Bloggs",
                "roles": ["viewer"],
            },
        )
        if invitation and "token" in invitation:
            self._write(admin, "POST", "/api/v1/invitations/lookup", {"token": invitation["token"]})
        self._write("pm@demo.test", "POST", "/api/v1/me/notifications/read-all")
        self._write(
            pmo, "POST", "/api/v1/auth/session", {"email": "pm@demo.test", "password": "demo-password"}
        )
        self.client.cookies.clear()  # the reads that follow send their bearer tokens only


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` names (one level)."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    found: Any = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return dict(found)


def validation_errors(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    """What is wrong with `instance` as JSON Schema 2020-12 sees it, `$ref`s resolved in the
    document (its components ride along at the root, where `#/components/...` points)."""
    from jsonschema import Draft202012Validator

    root = {**schema, "components": document["components"]}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def is_valid(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> bool:
    return not validation_errors(document, schema, instance)
