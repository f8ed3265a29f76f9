"""The document's examples (recorded from the demo data by `pmo openapi --record-examples`,
pmo.openapi_examples) are true to the code: each validates against its own schema, and the
file names only operations, answers and media types the document has (issue 15, item 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pmo.main import create_app
from pmo.openapi_examples import EXAMPLES_PATH, add_examples, trim, trim_csv, validation_errors

from .test_openapi_drift import operations


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(json.dumps(create_app().openapi()))


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
