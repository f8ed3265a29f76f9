"""Rules that keep the document usable by generated clients as is (issue 15).

They read the document the code serves, so a new route or schema that breaks a rule fails
here, whoever adds it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pmo.openapi_examples import BINARY_MEDIA_TYPES

from .test_openapi_drift import operations

pytestmark = pytest.mark.document_only

# A class name in any client language: no module paths, generic brackets or separators.
SCHEMA_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


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


def test_if_match_is_required_wherever_it_is_taken(document: dict[str, Any]) -> None:
    """A generated client must make the caller give `If-Match`: without it the answer is 428,
    which the operation declares. (Only the PUT that creates what is not there yet takes it
    optionally, to replace.)"""
    taking = [
        (method, path, operation)
        for method, path, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "header" and parameter["name"] == "If-Match"
    ]
    assert len(taking) > 20
    optional = [(m, p) for m, p, op in taking if not _header(op, "If-Match").get("required")]
    assert optional == [("put", "/api/v1/organisation/identity-provider")]
    taking = [(m, p, op) for m, p, op in taking if (m, p) not in optional]
    problems = [
        f"{method.upper()} {path}: {problem}"
        for method, path, operation in taking
        for problem, broken in (("428 not declared", "428" not in operation["responses"]),)
        if broken
    ]
    assert not problems, "\n".join(problems)


def _header(operation: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in operation["parameters"] if p["in"] == "header" and p["name"] == name)


# Files (PDF, XLSX, DOCX, uploads) are described by the document and never exemplified, and an
# answer without a body (204, a redirect) has nothing to show: both are left out by the rule.
# Every other answer and body has an example (pmo.openapi_examples records them all).


def test_every_operation_has_an_example_of_its_answer_and_its_body(document: dict[str, Any]) -> None:
    """Every success answer with a body has an example, and so has every request body that is
    not a file: integrators see what to send and what comes back (issue 15, item 1)."""
    missing_answers = []
    missing_bodies = []
    for method, path, operation in operations(document):
        key = f"{method.upper()} {path}"
        for status, response in operation["responses"].items():
            for media_type, content in response.get("content", {}).items():
                if (
                    status.startswith("2")
                    and media_type not in BINARY_MEDIA_TYPES
                    and "example" not in content
                ):
                    missing_answers.append(f"{key} {status} {media_type}")
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            if media_type not in BINARY_MEDIA_TYPES and "example" not in content:
                missing_bodies.append(f"{key} {media_type}")
    assert not missing_answers, "no example of the answer (`pmo openapi --record-examples`):\n" + "\n".join(
        missing_answers
    )
    assert not missing_bodies, "no example of the request body:\n" + "\n".join(missing_bodies)


# Reference fields that are not one of the product's own references: free text from elsewhere
# (a business case, the minutes, the forward plan's key decision number) or a mix of kinds
# (search and the work list also show KPI codes, which councils choose).
NOT_A_REFERENCE = {
    "business_case_reference",
    "minute_reference",
    "key_decision_reference",
    "SearchResult.reference",
    "WorkItem.reference",
}


def test_references_in_answers_carry_their_pattern(document: dict[str, Any]) -> None:
    """`P-0042`, `DD-0012`: a client can check and parse them (pmo.core.references)."""
    unpatterned = []
    patterned = 0
    for name, schema in document["components"]["schemas"].items():
        for field, definition in schema.get("properties", {}).items():
            if field != "reference" and not field.endswith("_reference"):
                continue
            if field in NOT_A_REFERENCE or f"{name}.{field}" in NOT_A_REFERENCE:
                continue
            variants = definition.get("anyOf", [definition])
            patterns = [v["pattern"] for v in variants if v.get("type") == "string" and "pattern" in v]
            if patterns and all(re.fullmatch(r"\^\S+-\[0-9\]\{4,\}\$", p) for p in patterns):
                patterned += 1
            else:
                unpatterned.append(f"{name}.{field}")
    assert patterned > 30
    assert not unpatterned, "give these a type of pmo.core.references:\n" + "\n".join(unpatterned)


def test_a_reference_out_of_pattern_is_refused_as_the_answer_is_built() -> None:
    from pydantic import TypeAdapter, ValidationError

    from pmo.core.references import DrawdownReference, ProjectReference, RaidReference

    assert TypeAdapter(ProjectReference).validate_python("P-0042") == "P-0042"
    assert TypeAdapter(ProjectReference).validate_python("P-100000") == "P-100000"
    assert TypeAdapter(RaidReference).validate_python("D-0021") == "D-0021"
    for adapter, wrong in (
        (ProjectReference, "P-42"),
        (ProjectReference, "R-0042"),
        (DrawdownReference, "D-0012"),
        (RaidReference, "DD-0012"),
        (ProjectReference, "P-a1b2c3"),
    ):
        with pytest.raises(ValidationError):
            TypeAdapter(adapter).validate_python(wrong)
