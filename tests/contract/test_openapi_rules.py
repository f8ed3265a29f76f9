"""Rules that keep the document usable by generated clients as is (issue 15).

They read the document the code serves, so a new route or schema that breaks a rule fails
here, whoever adds it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pmo.main import create_app

from .test_openapi_drift import operations

# A class name in any client language: no module paths, generic brackets or separators.
SCHEMA_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(json.dumps(create_app().openapi()))


def test_schema_names_are_class_names_and_their_titles(document: dict[str, Any]) -> None:
    problems = []
    for name, schema in document["components"]["schemas"].items():
        if not SCHEMA_NAME.match(name):
            problems.append(f"{name}: not a plain class name (module path, brackets or separator)")
        if name.endswith(("Input", "Output")):
            problems.append(f"{name}: name input and output models for what they are")
        if schema.get("title", name) != name:
            problems.append(f"{name}: titled {schema['title']!r}; a client would name it either way")
    assert not problems, "\n".join(problems)


def test_schema_titles_are_unique(document: dict[str, Any]) -> None:
    # Generators key classes by title too: two schemas titled alike drop one of them.
    titles: dict[str, str] = {}
    for name, schema in document["components"]["schemas"].items():
        title = schema.get("title", name)
        assert title not in titles, f"{name} and {titles[title]} are both titled {title!r}"
        titles[title] = name


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path}: no {part}"
        for method, path, operation in operations(document)
        for part in ("summary", "description")
        if not str(operation.get(part, "")).strip()
    ]
    assert not missing, "\n".join(missing)
