"""Parameters with a format carry its pattern (issue 15), one notation per kind of period.

A walk over the document: every query or path parameter, and every request-body field, named
like a period, a financial year, a cursor, a reference or a GSS code declares a `pattern`
(or, for `after`/`before` bounds, a date format or an integer); each pattern matches its own
examples and the values the demo shows in the same notation; and a value out of pattern is a
422 problem that names the parameter with a sentence for people.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from conftest import token_for
from pmo.core.periods import FINANCIAL_YEAR_PATTERN, PERIOD_CODE_PATTERN, QUARTER_PATTERN
from pmo.organisations.models import User

from .test_openapi_drift import operations

FORMATTED = re.compile(r"financial_year|period|quarter|cursor|reference|gss_code|(^|_)year$")
BOUNDS = re.compile(r"(^|_)(after|before)(_|$)")
# Free text that only looks like a formatted name: a reference someone else gave (a business
# case's, a committee minute's, the forward plan's), written as it is, and a highlight report's
# plans for the next period.
FREE_TEXT = {"business_case_reference", "minute_reference", "key_decision_reference", "next_period"}


@functools.cache
def _document() -> dict[str, Any]:
    # The committed document: test_openapi_drift.py proves it is what the code serves.
    return json.loads((Path(__file__).parents[2] / "openapi" / "openapi.json").read_text())  # type: ignore[no-any-return]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _document()["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _strings(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The string (or integer) schemas a parameter's or field's schema allows."""
    schema = _resolve(schema)
    for option in schema.get("anyOf", []) or schema.get("oneOf", []):
        yield from _strings(option)
    if schema.get("type") == "array":
        yield from _strings(schema.get("items", {}))
    if schema.get("type") in ("string", "integer"):
        yield schema


def _formatted() -> list[tuple[str, str, dict[str, Any], list[Any]]]:
    """(where, name, schema, examples) of every formatted parameter and request-body field."""
    found = []
    for method, path, operation in operations(_document()):
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("query", "path"):
                examples = [parameter["example"]] if "example" in parameter else []
                found.append((f"{method} {path}", parameter["name"], parameter["schema"], examples))
        for content in operation.get("requestBody", {}).get("content", {}).values():
            body = _resolve(content.get("schema", {}))
            for name, field in body.get("properties", {}).items():
                found.append((f"{method} {path} body", name, field, []))
    return [f for f in found if FORMATTED.search(f[1]) or BOUNDS.search(f[1])]


def test_every_formatted_parameter_and_field_carries_its_pattern() -> None:
    missing, wrong_examples, checked = [], [], 0
    for where, name, schema, examples in _formatted():
        if name in FREE_TEXT:
            continue
        for string in _strings(schema):
            checked += 1
            bound = string.get("format") in ("date", "date-time") or string["type"] == "integer"
            if BOUNDS.search(name) and bound:
                continue
            pattern = string.get("pattern")
            if not pattern:
                missing.append(f"{where}: {name}")
                continue
            for example in [*examples, *string.get("examples", [])]:
                if not re.search(pattern, str(example)):
                    wrong_examples.append(f"{where}: {name} example {example!r} !~ {pattern}")
    assert not missing, "no pattern:\n" + "\n".join(sorted(set(missing)))
    assert not wrong_examples, "\n".join(wrong_examples)
    assert checked > 30


@pytest.fixture
def officer(demo: None, engine: Any) -> dict[str, str]:
    # `demo`: the demo is loaded.
    with Session(engine) as session:
        admin = session.execute(select(User).where(User.email == "admin@demo.test")).scalar_one()
    return {"Authorization": f"Bearer {token_for(admin, ['admin', 'pmo', 'finance'])}"}


def _values(body: dict[str, Any], key: str) -> set[str]:
    """`next_cursor` of the page, or `period.code` of each item."""
    if key in body:
        return {body[key]} if isinstance(body[key], str) else set()
    found = set()
    for item in body["items"]:
        for part in key.split("."):
            item = item.get(part) if isinstance(item, dict) else None
        if isinstance(item, str):
            found.add(item)
    return found


def _patterns_of(name: str) -> set[str]:
    """The patterns the document declares for parameters and fields of this name."""
    patterns = {
        s["pattern"]
        for _, n, schema, _ in _formatted()
        if n == name
        for s in _strings(schema)
        if "pattern" in s
    }
    assert patterns, name
    return patterns


# Where the demo shows each notation: (parameter or field name, list, key in its answer).
DEMO_VALUES = [
    ("financial_year", "/api/v1/cost-lines?limit=200", "financial_year"),
    ("financial_year", "/api/v1/drawdowns?limit=200", "financial_year"),
    ("planned_quarter", "/api/v1/projects/{project_id}/milestones?limit=200", "planned_quarter"),
    ("period_code", "/api/v1/kpi-values?limit=200", "period.code"),
    ("period_from", "/api/v1/kpi-feed/values?limit=200", "period_code"),
    ("period_to", "/api/v1/kpi-values?limit=200", "period.code"),
    ("cursor", "/api/v1/kpi-feed/values?limit=5", "next_cursor"),
    ("period", "/api/v1/highlight-reports?limit=200", "period"),
]


def test_the_demo_values_match_the_patterns(client: TestClient, officer: dict[str, str]) -> None:
    # One notation per kind of period, wherever it is taken.
    assert _patterns_of("financial_year") == {FINANCIAL_YEAR_PATTERN}
    assert _patterns_of("planned_quarter") == {QUARTER_PATTERN}
    assert _patterns_of("period_code") == {PERIOD_CODE_PATTERN}
    projects = [p["id"] for p in client.get("/api/v1/projects?limit=30", headers=officer).json()["items"]]
    for name, template, key in DEMO_VALUES:
        values: set[str] = set()
        for url in {template.format(project_id=project) for project in projects}:
            response = client.get(url, headers=officer)
            assert response.status_code == 200, (url, response.text)
            values |= set(_values(response.json(), key))
        assert values, (template, key)  # the demo shows the notation
        for pattern in _patterns_of(name):  # a feed's bound takes a date too, and every code
            assert [v for v in values if not re.search(pattern, v)] == [], (name, template, pattern)


def test_a_value_out_of_pattern_is_a_422_naming_the_parameter(
    client: TestClient, officer: dict[str, str]
) -> None:
    checked = 0
    for method, path, operation in operations(_document()):
        if method != "get":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or not FORMATTED.search(parameter["name"]):
                continue
            if not any("pattern" in s for s in _strings(parameter["schema"])):
                continue
            url = re.sub(r"{\w+}", str(uuid.uuid4()), path)
            response = client.get(url, params={parameter["name"]: "2022~23"}, headers=officer)
            assert response.status_code == 422, (url, parameter["name"], response.text)
            assert response.headers["content-type"] == "application/problem+json"
            errors = [e for e in response.json()["errors"] if e["location"] == ["query", parameter["name"]]]
            assert errors, (url, parameter["name"], response.json())
            message = errors[0]["message"]
            assert message.startswith(("Enter", "Use")), (url, parameter["name"], message)
            checked += 1
    assert checked >= 10
