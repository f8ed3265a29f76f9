"""Validation messages are written for people (GOV.UK style), name their field, and are never
pydantic's own wording: every pydantic error type is walked, then real requests."""

from __future__ import annotations

import re
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from pydantic_core.core_schema import ErrorType

from pmo.core.errors import PLAIN_MESSAGES, field_label, plain_message
from support.api import API, problem

# Pydantic's phrases: none may reach a person.
PYDANTIC_WORDING = re.compile(
    r"Input should|Field required|Value error|String should|Extra inputs|valid integer|"
    r"unable to parse|Assertion failed|should have|JSON decode|\{|\}",
    re.IGNORECASE,
)
# Context a real error of each kind could carry, so that every template can be filled.
CONTEXT: dict[str, Any] = {
    "min_length": 2,
    "max_length": 200,
    "decimal_places": 2,
    "max_digits": 12,
    "whole_digits": 10,
    "gt": 0,
    "ge": 1,
    "lt": 100,
    "le": 99,
    "multiple_of": 5,
    "limit": "9999999999999.99",
}


def _sentence(text: str) -> bool:
    return bool(text) and text[0].isupper() and not text.endswith(".") and not PYDANTIC_WORDING.search(text)


@pytest.mark.parametrize("kind", sorted(set(get_args(ErrorType)) | set(PLAIN_MESSAGES)))
def test_every_error_type_reads_as_a_sentence_naming_the_field(kind: str) -> None:
    # Our own validators' sentences come as value or assertion errors, with pydantic's prefix.
    ours = {"value_error": "Value error, give one of a, b", "assertion_error": "Assertion failed, give a"}
    msg = ours.get(kind, "Input should be x")
    error = {"type": kind, "loc": ("body", "funding_source_id"), "msg": msg, "ctx": CONTEXT}
    message = plain_message(error)
    assert _sentence(message), (kind, message)
    if kind not in ("json_invalid", "json_type") and kind in PLAIN_MESSAGES and "{" in PLAIN_MESSAGES[kind]:
        assert "funding source" in message.lower(), (kind, message)


# Value and assertion errors carry our own sentences: walked above.
@pytest.mark.parametrize("kind", sorted(set(get_args(ErrorType)) - {"value_error", "assertion_error"}))
def test_without_its_context_an_error_still_reads_plainly(kind: str) -> None:
    assert _sentence(plain_message({"type": kind, "loc": ("query", "limit"), "msg": "Input should be x"}))


def test_the_table_covers_what_people_meet_most() -> None:
    for kind in (
        "missing",
        "string_too_long",
        "enum",
        "uuid_parsing",
        "int_parsing",
        "bool_parsing",
        "date_from_datetime_parsing",
        "extra_forbidden",
        "decimal_max_places",
        "json_invalid",
    ):
        assert kind in PLAIN_MESSAGES
    assert plain_message({"type": "missing", "loc": ("body", "purpose")}) == "Enter the purpose"
    assert plain_message(
        {"type": "string_too_long", "loc": ("body", "name"), "ctx": {"max_length": 200}}
    ) == ("Name must be 200 characters or fewer")
    assert plain_message({"type": "money_too_large", "loc": ("body", "amount"), "ctx": CONTEXT}) == (
        "Amount must be £9,999,999,999,999.99 or less"
    )
    assert plain_message(
        {"type": "value_error", "loc": ("body",), "msg": "Value error, give one of a, b"}
    ) == ("Give one of a, b")
    assert plain_message({"type": "string_pattern_mismatch", "loc": ("body", "period_code")}).startswith(
        "Enter a period code, like 2026-27-Q2"
    )
    assert plain_message({"type": "no_such_type", "loc": ("body", "title")}) == "Title is not valid"


def test_field_labels_are_words() -> None:
    assert field_label(["body", "funding_source_id"]) == "funding source"
    assert field_label(["body", "answers", 0, "answer"]) == "answer"
    assert field_label(["query", "financial_year"]) == "financial year"
    assert field_label(["body"]) == "the request"
    assert field_label(["body", "meets_on"]) == "meeting date"


def _errors(response: Any) -> dict[tuple[Any, ...], str]:
    body = problem(response, 422)
    for error in body["errors"]:
        assert _sentence(error["message"]), error
    return {tuple(e["location"]): e["message"] for e in body["errors"]}


def test_requests_get_plain_messages_by_their_fields(client: TestClient, admin: Any, finance: Any) -> None:
    headers = admin.headers
    assert _errors(client.post(f"{API}/directorates", json={}, headers=headers)) == {
        ("body", "name"): "Enter the name"
    }
    too_long = {"name": "x" * 201, "colour": "red"}
    assert _errors(client.post(f"{API}/directorates", json=too_long, headers=headers)) == {
        ("body", "name"): "Name must be 200 characters or fewer",
        ("body", "colour"): "Remove colour: it is not part of this request",
    }
    assert _errors(client.post(f"{API}/directorates", json={"name": 5}, headers=headers)) == {
        ("body", "name"): "Name must be text"
    }
    bad_source = {
        "name": "Reserve",
        "kind": "pot",
        "opening_balance": "£5",
        "first_year": "2022",
        "last_year": "2022/24",
    }
    assert _errors(client.post(f"{API}/funding-sources", json=bad_source, headers=finance.headers)) == {
        ("body", "kind"): "Select the kind",
        ("body", "opening_balance"): "Enter an amount in pounds and pence, like 49,999.99",
        ("body", "first_year"): "Enter a financial year, like 2026/27",
        ("body", "last_year"): "Enter a financial year, like 2026/27",
    }
    assert _errors(client.get(f"{API}/directorates", params={"limit": "many"}, headers=headers)) == {
        ("query", "limit"): "Limit must be a whole number, like 3"
    }
    broken = client.post(
        f"{API}/directorates", content=b'{"name": ', headers={**headers, "Content-Type": "application/json"}
    )
    assert "The request is not valid JSON" in _errors(broken).values()


def test_a_rule_across_fields_is_shown_by_its_field(
    client: TestClient, pmo: Any, project: dict[str, Any]
) -> None:
    path = f"{API}/projects/{project['id']}/milestones"
    neither = _errors(client.post(path, json={"title": "Go live"}, headers=pmo.headers))
    assert neither == {("body", "planned_date"): "Enter the planned date or the planned quarter, not both"}
    quarter = _errors(
        client.post(path, json={"title": "Go live", "planned_quarter": "Q5"}, headers=pmo.headers)
    )
    assert quarter == {("body", "planned_quarter"): "Enter a financial quarter, like 2026/27 Q2"}
    date = _errors(
        client.post(path, json={"title": "Go live", "planned_date": "2026-02-30"}, headers=pmo.headers)
    )
    assert date == {("body", "planned_date"): "Planned date must be a real date"}
    empty = _errors(client.post(path, json={"title": "Go live", "planned_date": ""}, headers=pmo.headers))
    assert empty == {("body", "planned_date"): "Enter the planned date"}
    written = _errors(
        client.post(path, json={"title": "Go live", "planned_date": "30/01/2026"}, headers=pmo.headers)
    )
    assert written == {("body", "planned_date"): "Planned date must be a real date"}
    assert client.get(path, headers=pmo.headers).json()["total"] == 0


def test_a_plain_message_does_not_let_anyone_past_the_door(client: TestClient, viewer: Any) -> None:
    # Who may do it is checked before what they sent: a viewer gets 403, not the form's messages.
    response = client.post(f"{API}/directorates", json={"name": "Housing"}, headers=viewer.headers)
    problem(response, 403)
    problem(client.post(f"{API}/directorates", json={}), 401)
