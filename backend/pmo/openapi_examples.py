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

import base64
import csv
import hashlib
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
from urllib.parse import parse_qsl, urlsplit

from pmo.core.config import PROJECT_ROOT

if TYPE_CHECKING:
    from fastapi import FastAPI

EXAMPLES_PATH = PROJECT_ROOT / "openapi" / "examples.json"
# The recording's clock and base URL: fixed, so that the file does not drift between runs.
RECORDED_AT = "2026-11-30T10:00:00Z"
PUBLIC_URL = "https://pmo.example.gov.uk"
MAX_ITEMS = 2
# The sign-in name of the council whose directory sign-in is recorded.
DIRECTORY_SLUG = "chesterfield"
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
# The imports the recording uploads (header row first), by route: one or two rows each.
IMPORTS = {
    "/api/v1/raid-imports/risks": [
        "project,title,category,cause,event,effect,inherent_likelihood,inherent_impact,response_type,"
        "review_date,owner_email",
        "P-0016,Telephony supplier cannot meet the go-live date,Commercial,The supplier's engineers are "
        "committed elsewhere,Go-live slips beyond the extended contract,A further extension at a higher "
        "price,2,3,reduce,2027-01-31,pm@demo.test",
        "P-0018,Housing officers not trained before go-live,Resources,Training clashes with the rent "
        "review,Officers cannot answer housing calls,Calls passed back to housing,2,2,reduce,"
        "2027-02-28,pm@demo.test",
    ],
    "/api/v1/raid-imports/issues": [
        "project,title,description,priority,severity,owner_email,due_date",
        "P-0016,Call recordings cannot be exported from the old system,The supplier charges for each "
        "export,high,medium,pm@demo.test,2027-01-15",
    ],
    "/api/v1/raid-imports/assumptions": [
        "project,statement,category,owner_email,validate_by",
        "P-0018,Housing rents data is refreshed nightly from the housing system,Data,pm@demo.test,2027-01-31",
    ],
    "/api/v1/raid-imports/dependencies": [
        "project,other_project,direction,title,category,owner_email,needed_by",
        "P-0016,P-0018,outbound,Telephony routing for housing calls,Digital platform,pm@demo.test,2027-03-31",
    ],
    "/api/v1/kpi-imports": [
        "code,name,unit,polarity,frequency,decimal_places,owner_email",
        "HR-04,Staff turnover (rolling 12 months),percentage,lower_is_better,quarterly,1,pmo@demo.test",
    ],
}
# Fields whose recorded values are secrets or tokens, and how their placeholders begin.
SECRET_FIELDS = ("access_token", "refresh_token", "client_secret", "signing_secret", "csrf_token", "token")
PLACEHOLDER = "pmo_example_"
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
        self.headers_of_writers: dict[str, dict[str, str]] = {}
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
            if f"GET {route}" not in self.recorded:  # the scenario's reads are kept
                self._record_get(route)
        self._reuse_for_other_methods()
        return hide_secrets(self.recorded)

    def _reuse_for_other_methods(self) -> None:
        """An operation that answers with a schema a `GET` answers with gets that example; a
        JSON request body the fields of its resource's example that its schema takes."""
        by_schema: dict[str, Any] = {}
        by_request: dict[str, Any] = {}  # request bodies the writes recorded, by schema
        for key, recorded in self.recorded.items():
            method, route = key.split(" ", 1)
            operation = self.document["paths"][route][method.lower()]
            for status, media in recorded.get("responses", {}).items():
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

    def _record_get(
        self, route: str, bound: dict[str, str] | None = None, query: dict[str, str] | None = None
    ) -> None:
        operation = self.document["paths"][route]["get"]
        tags = operation.get("tags", [])
        if "kpi-feed" in tags:
            callers = [self.client_headers]
        elif "security" not in operation:  # public: read without signing in
            callers = [{}, *self.headers.values()]
        else:
            callers = list(self.headers.values())
        for url in islice(self._urls(route, bound), CANDIDATES):
            for headers in callers:
                response = self.client.get(url, params=query or QUERIES.get(route, {}), headers=headers)
                if response.is_success:
                    self._keep("GET", route, operation, response)
                    return

    def _keep(
        self, method: str, route: str, operation: dict[str, Any], response: Any, body: Any = None
    ) -> None:
        media_type = response.headers.get("content-type", "").split(";")[0]
        declared = operation["responses"].get(str(response.status_code), {}).get("content", {})
        key = next((name for name in declared if name.split(";")[0] == media_type), None)
        parts: dict[str, Any] = {}
        if key is not None and key not in BINARY_MEDIA_TYPES:
            example = trim(response.json()) if media_type == "application/json" else trim_csv(response.text)
            parts["responses"] = {str(response.status_code): {key: example}}
        if body is not None:  # kept also when the answer has no body (204)
            request = operation["requestBody"]["content"]
            parts["requestBody"] = {next(iter(request)): body}
        if parts:
            self.recorded[f"{method} {route}"] = parts

    def _write(
        self,
        email: str,
        method: str,
        route: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        form: bool = False,
        **ids: str,
    ) -> Any:
        """Make a write as a demo user, the API client (`client`), nobody signed in (`nobody`)
        or whoever `headers` sign in, keeping its body and answer."""
        if headers is None:
            headers = self.client_headers if email == "client" else {} if email == "nobody" else None
        if headers is None:
            if email not in self.headers:  # a writer who reads nothing (member@)
                self.headers_of_writers.setdefault(email, self._sign_in(email))
            headers = self.headers.get(email) or self.headers_of_writers[email]
        url = route.format(**ids)
        operation = self.document["paths"][route][method.lower()]
        if any(p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])):
            # A change names the version it changes: the record's, or for an action
            # (`.../rebaseline`) its record's.
            record = url if method in ("PATCH", "PUT") else url.rsplit("/", 1)[0]
            tag = self.client.get(record, headers=headers).headers.get("etag")
            if tag is not None:  # none: a PUT that creates what is not there yet
                headers = {**headers, "If-Match": tag}
        sent = {"data": body} if form else {"json": body}
        response = self.client.request(method, url, headers=headers, **sent)
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
        # Listed 9 clear days before Cabinet's meeting of 26 November: the general exception
        # is recorded (in _decisions) before Cabinet decides.
        self._write(
            "democratic@demo.test",
            "POST",
            "/api/v1/forward-plan",
            {
                "drawdown_id": referred["id"],
                "meeting_date": "2026-11-26",
                "published_on": "2026-11-16",
                "title": "Organisational Development Programme: investment from the Service Redesign Reserve",
                "wards_affected": ["All wards"],
                # Appendix B's new cashable benefits by 2025/26: above the £500,000 threshold,
                # so a key decision.
                "saving": "830000.00",
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
        self._newcomer(invitation["invitation_url"].rsplit("/", 1)[1])
        self._decisions(referred)
        self._raid()
        self._kpis()
        self._imports()
        self._directory_sign_in()
        pm = self.headers["pm@demo.test"]
        # The draw-down decisions above told pm@ (the requester): one is read, then the rest.
        told = self.client.get("/api/v1/me/notifications", params={"limit": 100}, headers=pm).json()["items"]
        decided = next(n for n in told if n["link"].endswith(referred["id"]))
        self._write(
            "pm@demo.test",
            "POST",
            "/api/v1/me/notifications/{notification_id}/read",
            notification_id=decided["id"],
        )
        self._write("pm@demo.test", "POST", "/api/v1/me/notifications/read-all")
        self._write(
            pmo, "POST", "/api/v1/auth/session", {"email": "pm@demo.test", "password": "demo-password"}
        )
        self.client.cookies.clear()  # the reads that follow send their bearer tokens only

    def _newcomer(self, token: str) -> None:
        """The person invited opens the link, sets a password, signs in, changes it, and signs out."""
        self._write("nobody", "POST", "/api/v1/invitations/lookup", {"token": token})
        first, second = "Ringwood-Hall-gardens-in-May-2026", "Hollis-Lane-bridge-over-the-Rother-7"
        self._write("nobody", "POST", "/api/v1/invitations/accept", {"token": token, "password": first})
        email = "j.bloggs@chesterfield.example.gov.uk"
        signed_in = self._token(email, first)
        self._write(
            "nobody",
            "POST",
            "/api/v1/me/password",
            {"current_password": first, "new_password": second},
            headers={"Authorization": f"Bearer {signed_in['access_token']}"},
        )
        signed_in = self._token(email, second)  # every session ended with the change
        self._write(
            "nobody",
            "POST",
            "/api/v1/auth/logout",
            {"refresh_token": signed_in["refresh_token"]},
            headers={"Authorization": f"Bearer {signed_in['access_token']}"},
        )

    def _token(self, email: str, password: str) -> Any:
        form = {"grant_type": "password", "username": email, "password": password}
        response = self.client.post("/api/v1/auth/token", data=form)
        response.raise_for_status()
        return response.json()

    def _decisions(self, referred: dict[str, Any]) -> None:
        """Draw-downs decided as the demo's people would: the one in consultation answered by
        its consultees and decided by the sponsor; the Cabinet referral, listed at short
        notice, under the general exception, then Cabinet's decision recorded; a gate review
        decided and a highlight report reviewed."""
        consulted = self._first("/api/v1/drawdowns", status="consultation")
        self._write(
            "finance@demo.test",
            "POST",
            "/api/v1/drawdowns/{drawdown_id}/consultations",
            {
                "view": "supports",
                "comment": "The Service Redesign Reserve can fund this: £555,000.00 remains after it.",
            },
            drawdown_id=consulted["id"],
        )
        self._write(
            "member@demo.test",
            "POST",
            "/api/v1/drawdowns/{drawdown_id}/consultations",
            {
                "view": "supports",
                "comment": "Supported: the training is in the portfolio's priorities for this year.",
                "conflict_of_interest": False,
            },
            drawdown_id=consulted["id"],
        )
        self._write(
            "sponsor@demo.test",
            "POST",
            "/api/v1/drawdowns/{drawdown_id}/decision",
            {
                "decision": "approve",
                "reason": "Within the reserve's purpose and the programme's approved budget; "
                "the Section 151 officer and the portfolio holder support it.",
                "alternatives_considered": "Funding the backfill from the service's own budget, "
                "which has no room this year; delaying the training to 2027/28.",
            },
            drawdown_id=consulted["id"],
        )
        entry = self._first("/api/v1/forward-plan")
        self._write(
            "democratic@demo.test",
            "POST",
            "/api/v1/forward-plan/{entry_id}/exception",
            {
                "kind": "general_exception",
                "reasons": "The supplier's offer holds only until 30 November 2026; waiting 28 clear "
                "days would lose it.",
                "scrutiny_chair_name": "Councillor Jean Innes",
                "scrutiny_chair_date": "2026-11-17",
                "notice_published_on": "2026-11-18",
            },
            entry_id=entry["id"],
        )
        self._write(
            "democratic@demo.test",
            "POST",
            "/api/v1/drawdowns/{drawdown_id}/committee-decision",
            {
                "body": "cabinet",
                "meeting_date": "2026-11-26",
                "minute_reference": "CAB 41/26",
                "key_decision_reference": "KD 2026/31",
                "outcome": "approved",
                "notes": "Approved as recommended in the report of the Service Director.",
            },
            drawdown_id=referred["id"],
        )
        review = self._first("/api/v1/gate-reviews", status="pending")
        self._write(
            "sponsor@demo.test",
            "POST",
            "/api/v1/gate-reviews/{review_id}/decisions",
            {
                "decision": "approve_with_conditions",
                "reason": "The business case is sound and the funding is agreed.",
                "conditions": "The data protection impact assessment is signed off before go-live.",
            },
            review_id=review["id"],
        )
        report = self._first("/api/v1/highlight-reports", status="submitted")
        self._write(
            "sponsor@demo.test",
            "POST",
            "/api/v1/highlight-reports/{report_id}/review",
            {"outcome": "accepted", "comments": "Thank you: the amber rating and its reasons are clear."},
            report_id=report["id"],
        )

    def _raid(self) -> None:
        """An issue and a dependency escalated to the programme board and handed back, and an
        assumption found invalid, raising its risk."""
        for kind, name, escalated, handed_back in (
            (
                "issues",
                "issue_id",
                "The interim support costs more than the project's contingency.",
                "The programme board agreed the funding: the project manages the rest.",
            ),
            (
                "dependencies",
                "dependency_id",
                "The other programme's plan no longer meets the date this project needs.",
                "Both programme managers agreed a new date: the project tracks it again.",
            ),
        ):
            item = self._first(f"/api/v1/{kind}")
            route = f"/api/v1/{kind}/{{{name}}}"
            self._write(
                "pmo@demo.test",
                "POST",
                f"{route}/escalate",
                {"level": "programme", "reason": escalated},
                **{name: item["id"]},
            )
            self._write(
                "pmo@demo.test",
                "POST",
                f"{route}/de-escalate",
                {"level": "project", "reason": handed_back},
                **{name: item["id"]},
            )
        assumption = self._first("/api/v1/assumptions", status="unvalidated")
        self._write(
            "pmo@demo.test",
            "POST",
            "/api/v1/assumptions/{assumption_id}/invalidate",
            {
                "raise": "risk",
                "risk": {
                    "title": "Cashable benefits lower than Appendix B estimates",
                    "category": "Benefits",
                    "cause": "Two business cases show smaller savings than the estimates.",
                    "event": "The programme does not deliver £830,000 of new cashable benefits by 2025/26.",
                    "effect": "A gap in the medium-term financial plan.",
                    "inherent_likelihood": 2,
                    "inherent_impact": 3,
                    "response_type": "reduce",
                },
            },
            assumption_id=assumption["id"],
        )

    def _kpis(self) -> None:
        """pm@ enters the value the demo left open (the last quarter ended, 2026/27 Q2), and
        the PMO returns a submitted one to its author."""
        kpis = self.client.get("/api/v1/kpis", headers=self.headers["pm@demo.test"]).json()["items"]
        kpi = next(k for k in kpis if k["name"].startswith("Customer contacts resolved"))
        self._write(
            "pm@demo.test",
            "POST",
            "/api/v1/kpis/{kpi_id}/values",
            {
                "period_code": "2026-27-Q2",
                "actual": "71.5",
                "commentary": "Up from last quarter: housing repairs calls are now answered by the centre.",
            },
            kpi_id=kpi["id"],
        )
        self._write(
            "pmo@demo.test",
            "POST",
            "/api/v1/kpi-values/{value_id}/return",
            {"reason": "The survey's sample size is missing from the commentary: please add it."},
            value_id=self._first("/api/v1/kpi-values", status="submitted")["id"],
        )

    def _imports(self) -> None:
        """Small uploads by the PMO, a CSV each: their answers are the examples (files are not)."""
        for route, rows in IMPORTS.items():
            url = route
            response = self.client.post(
                url,
                files={"file": ("import.csv", "\n".join(rows) + "\n", "text/csv")},
                headers=self.headers["pmo@demo.test"],
            )
            if not response.is_success:
                print(f"not recorded: POST {url}: {response.status_code} {response.text}", file=sys.stderr)
                continue
            self._keep("POST", route, self.document["paths"][route]["post"], response)

    def _directory_sign_in(self) -> None:
        """The administrator sets up the council's identity provider (the recording's own,
        `ExampleProvider`); the sign-in page finds it by email domain and slug; a person signs
        in with it, is signed out by its logout token, signs in again and signs out."""
        provider = ExampleProvider()
        with provider.serving():
            self._write(
                "admin@demo.test",
                "PUT",
                "/api/v1/organisation/identity-provider",
                {
                    "slug": DIRECTORY_SLUG,
                    "issuer": provider.issuer,
                    "client_id": provider.client_id,
                    # Write-only, never answered: a placeholder, as the provider has no secrets.
                    "client_secret": "pmo_example_identity_provider_client_secret",
                    "groups_claim": "groups",
                    "group_roles": [
                        {"group": "pmo-officers", "role": "pmo"},
                        {"group": "finance-officers", "role": "finance"},
                    ],
                    "create_unknown_users": False,
                    "local_passwords_allowed": True,
                    "email_domains": ["chesterfield.example.gov.uk"],
                    "tenant_ids": [],
                },
            )
            self._record_get("/api/v1/organisation/identity-provider")
            self._record_get("/api/v1/auth/oidc/organisations/{slug}", {"slug": DIRECTORY_SLUG})
            self._record_get(
                "/api/v1/auth/oidc/sign-in-options", query={"email": "a.khan@chesterfield.example.gov.uk"}
            )
            # Aisha Khan (a user the scenario made) signs in with her council account, then
            # signs out at the provider, which tells the product by a logout token...
            person: dict[str, Any] = {
                "sub": "a.khan",
                "sid": "example-session-1",
                "email": "a.khan@chesterfield.example.gov.uk",
                "email_verified": True,
                "name": "Aisha Khan",
                "groups": ["pmo-officers"],
            }
            self._directory_session(provider, person)
            self._write(
                "nobody",
                "POST",
                "/api/v1/auth/oidc/organisations/{slug}/backchannel-logout",
                {"logout_token": provider.logout_token(person["sub"], session_id=person["sid"])},
                form=True,
                slug=DIRECTORY_SLUG,
            )
            # ... and the next day signs out in the app, which sends her to the provider's page.
            csrf = self._directory_session(provider, {**person, "sid": "example-session-2"})
            self._write("nobody", "POST", "/api/v1/auth/oidc/sign-out", headers={"X-CSRF-Token": csrf})
        self.client.cookies.clear()

    def _directory_session(self, provider: ExampleProvider, claims: dict[str, Any]) -> str:
        """A browser's sign-in with the council account, start to callback; its CSRF token."""
        self.client.cookies.clear()
        start = self.client.get("/api/v1/auth/oidc/organisations/chesterfield/start", follow_redirects=False)
        callback = self.client.get(
            "/api/v1/auth/oidc/callback",
            params=provider.authorize(start.headers["location"], claims),
            follow_redirects=False,
        )
        if callback.status_code != 302 or "__Host-pmo_csrf" not in self.client.cookies:
            raise RuntimeError(f"the directory sign-in did not work: {callback.status_code} {callback.text}")
        return str(self.client.cookies["__Host-pmo_csrf"])


def hide_secrets(recorded: dict[str, Any]) -> dict[str, Any]:
    """The recording with every secret and token it was given replaced by a placeholder that
    says so (`pmo_example_access_token_1`), the same one wherever the value recurs (a client's
    secret in its token request, an invitation's token in its link): they worked only in the
    throwaway database, but secret scanners cannot know that."""
    found: dict[str, str] = {}  # value -> placeholder, in the order met
    numbers: dict[str, int] = {}  # field -> placeholders made

    def hide(field: str, secret: str) -> None:
        if secret not in found and not secret.startswith(PLACEHOLDER):
            numbers[field] = numbers.get(field, 0) + 1
            found[secret] = _placeholder(field, numbers[field])

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in SECRET_FIELDS and isinstance(item, str):
                    hide(key, item)
                elif key == "invitation_url" and isinstance(item, str):
                    hide("token", item.rsplit("/", 1)[1])
                else:
                    collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(recorded)
    text = json.dumps(recorded)
    for secret, placeholder in found.items():
        text = text.replace(secret, placeholder)
    hidden: dict[str, Any] = json.loads(text)
    return hidden


def _placeholder(field: str, number: int) -> str:
    if field == "signing_secret":  # Standard Webhooks: `whsec_` and base64
        return "whsec_" + base64.b64encode(f"{PLACEHOLDER}signing_secret_{number}".encode()).decode()
    return f"{PLACEHOLDER}{field}_{number}"


class ExampleProvider:
    """A council's OpenID provider inside the recording, where no real one can be reached: its
    discovery document, key set and token endpoint answer the product's httpx requests (only
    while `serving`), and it signs ID and logout tokens. Its key comes from a fixed number and
    its ES256 signatures are deterministic (RFC 6979), so the recording does not drift; the
    key id says the key is an example."""

    issuer = "https://sso.chesterfield.example.gov.uk/realms/staff"
    client_id = "pmo-example"
    key_id = "example-signing-key-1"

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        self.codes: dict[str, dict[str, Any]] = {}  # authorization code -> the ID token's claims

        seed = int.from_bytes(hashlib.sha256(b"pmo example provider").digest())
        self.key = ec.derive_private_key(seed % (2**255), ec.SECP256R1())

    def metadata(self) -> dict[str, Any]:
        endpoints = f"{self.issuer}/protocol/openid-connect"
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{endpoints}/auth",
            "token_endpoint": f"{endpoints}/token",
            "jwks_uri": f"{endpoints}/certs",
            "end_session_endpoint": f"{endpoints}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["openid", "email", "profile"],
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
        }

    def key_set(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "use": "sig",
                    "alg": "ES256",
                    "kid": self.key_id,
                    "x": _b64(numbers.x.to_bytes(32)),
                    "y": _b64(numbers.y.to_bytes(32)),
                }
            ]
        }

    def _answer(self, request: Any) -> Any:
        import httpx

        url = str(request.url.copy_with(query=None))
        documents = {
            f"{self.issuer}/.well-known/openid-configuration": self.metadata(),
            self.metadata()["jwks_uri"]: self.key_set(),
        }
        if request.method == "GET" and url in documents:
            return httpx.Response(200, json=documents[url])
        if request.method == "POST" and url == self.metadata()["token_endpoint"]:
            form = dict(parse_qsl(request.read().decode()))
            claims = self.codes.pop(form.get("code", ""), None)
            if claims is None:
                return httpx.Response(400, json={"error": "invalid_grant"})
            id_token = self.sign(claims, typ="JWT")
            # The product uses only the ID token; the access token is the provider's, for nobody here.
            return httpx.Response(
                200,
                json={
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": id_token,
                    "access_token": "unused",
                },
            )
        raise httpx.ConnectError(f"the recording reaches no other address: {url}", request=request)

    def authorize(self, authorization_url: str, claims: dict[str, Any]) -> dict[str, str]:
        """The person signs in at the provider, which sends the browser back with a code:
        the callback's query."""
        import time

        query = dict(parse_qsl(urlsplit(authorization_url).query))
        code = f"example-code-{len(self.codes) + 1}"
        now = int(time.time())
        self.codes[code] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            **claims,
        }
        return {"state": query["state"], "code": code}

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Every request the product makes with httpx (discovery and keys in pmo.identity.oidc,
        the code exchange by Authlib's client) answered by this provider; the test client's
        own transport is another class, so the recording's calls to the API go on as before."""
        from unittest import mock

        import httpx

        from pmo.identity import oidc

        oidc.clear_cache()
        with mock.patch.object(
            httpx.HTTPTransport, "handle_request", lambda _, request: self._answer(request)
        ):
            yield
        oidc.clear_cache()

    def logout_token(self, subject: str, *, session_id: str) -> str:
        """A back-channel logout token (OpenID Connect Back-Channel Logout 1.0, section 2.4)."""
        import time
        import uuid

        from pmo.identity.oidc import BACKCHANNEL_LOGOUT_EVENT

        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
            "sub": subject,
            "sid": session_id,
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
        }
        return self.sign(claims, typ="logout+jwt")

    def sign(self, claims: dict[str, Any], *, typ: str) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        header = {"alg": "ES256", "kid": self.key_id, "typ": typ}
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32) + s.to_bytes(32))}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


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
